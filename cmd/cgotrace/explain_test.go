package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/cgotrace/cgotrace/docs"
	"github.com/cgotrace/cgotrace/trace/diag"
)

// Every report-v1 code has a section in docs/diagnoses.md with the four
// parts, and `cgotrace explain CODE` prints it; no section is for a code
// report-v1 lacks.
func TestExplainEveryCode(t *testing.T) {
	for _, c := range diag.Codes {
		code, out, stderr := run(t, "explain", string(c))
		if code != 0 {
			t.Errorf("explain %s: exit %d, stderr %q (docs/diagnoses.md needs a \"## %s\" section)", c, code, stderr, c)
			continue
		}
		if !strings.HasPrefix(out, "## "+string(c)+"\n") {
			t.Errorf("explain %s: output starts %q", c, out[:min(len(out), 40)])
		}
		for _, part := range []string{"**What it means.**", "**Usual causes.**", "**Fix.**", "**Example.**"} {
			if !strings.Contains(out, part) {
				t.Errorf("explain %s: no %s", c, part)
			}
		}
	}
	for _, c := range docs.Codes() {
		if !slices.Contains(diag.Codes, diag.Code(c)) {
			t.Errorf("docs/diagnoses.md has a section %q, which is not a report-v1 code", c)
		}
	}
	if code, _, stderr := run(t, "explain", "no-such-code"); code != 2 || !strings.Contains(stderr, `unknown diagnosis code "no-such-code"`) {
		t.Errorf("explain no-such-code: exit %d, stderr %q", code, stderr)
	}
	if code, out, _ := run(t, "explain"); code != 0 || strings.Count(out, "\n") != len(docs.Codes()) {
		t.Errorf("explain: exit %d, %d lines, want %d codes", code, strings.Count(out, "\n"), len(docs.Codes()))
	}
}
