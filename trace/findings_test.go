package trace

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cgotrace/cgotrace/elfinspect"
	"github.com/cgotrace/cgotrace/trace/diag"
)

// Every kind of finding elfinspect makes has a report-v1 code, and the
// mapping keeps every field.
func TestFindingsMapToReportCodes(t *testing.T) {
	for _, k := range elfinspect.Kinds {
		code, ok := findingCodes[k]
		if !ok {
			t.Errorf("elfinspect kind %q has no report-v1 code in findingCodes", k)
			continue
		}
		if !slices.Contains(diag.Codes, code) {
			t.Errorf("elfinspect kind %q maps to %q, not a code of report-v1", k, code)
		}
	}
	for _, s := range []elfinspect.Severity{elfinspect.Error, elfinspect.Warning, elfinspect.Info} {
		if _, ok := findingSeverities[s]; !ok {
			t.Errorf("severity %q has no mapping", s)
		}
	}
	f := elfinspect.Finding{Kind: elfinspect.GlibcTooNew, Severity: elfinspect.Error, Summary: "s", Detail: "d", Fix: "f",
		Subject: map[string]string{"version": "2.34"}, Evidence: []string{"e"}}
	got := Diagnosis(f, "example.com/app")
	want := diag.Diagnosis{Code: diag.GlibcTooNew, Severity: diag.Error, Package: "example.com/app", Summary: "s", Detail: "d", Fix: "f",
		Subject: map[string]string{"version": "2.34"}, Evidence: []string{"e"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Diagnosis(%+v) (-want +got):\n%s", f, diff)
	}
}
