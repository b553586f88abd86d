package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/cgotrace/cgotrace/trace"
	"github.com/cgotrace/cgotrace/trace/diag"
)

// TestCountedPackages: the text, Markdown and HTML reports show the
// failing package and its chain, and count the pure-Go packages (those
// with step_counts, or with --all-steps the steps of a package without
// cgo) in one line without naming them.
func TestCountedPackages(t *testing.T) {
	rep := &trace.Report{
		SchemaVersion: trace.SchemaVersion,
		Tool:          trace.Tool{Name: "cgotrace", Version: "test"},
		Command:       trace.Command{Argv: []string{"cgotrace", "analyze", "x.log"}, ExitCode: 1},
		Packages: []*trace.Package{
			{ImportPath: "example.com/m/cg", Failed: true, Steps: []trace.Step{
				{Kind: trace.KindCgo, Argv: []string{"cgo"}},
				{Kind: trace.KindHostLink, Argv: []string{"gcc", "-lnosuch"}, Failed: true},
			}},
			{ImportPath: "example.com/m/pure1", StepCounts: map[string]int{"compile": 1, "other": 1}},
			{ImportPath: "example.com/m/pure2", Steps: []trace.Step{{Kind: trace.KindCompile, Argv: []string{"compile"}}}},
			// No step in the log: go never got to it, so it is not
			// counted as built.
			{ImportPath: "example.com/m/idle"},
		},
		Diagnoses: []diag.Diagnosis{{Code: diag.LibraryNotFound, Severity: diag.Error, Package: "example.com/m/cg",
			Summary: "the linker cannot find -lnosuch", Subject: map[string]string{"library": "nosuch"}}},
	}
	const want = "2 packages without cgo built (3 steps: 2 compile, 1 other)"
	for _, format := range []string{"text", "markdown", "html"} {
		render, err := Lookup(format)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := render(&buf, rep, Options{}); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		out := buf.String()
		if !strings.Contains(out, want) {
			t.Errorf("%s: no %q in:\n%s", format, want, out)
		}
		if strings.Contains(out, "pure1") || strings.Contains(out, "pure2") || strings.Contains(out, "idle") {
			t.Errorf("%s: names a counted package:\n%s", format, out)
		}
		cg, counted := strings.Index(out, "example.com/m/cg"), strings.Index(out, want)
		if cg < 0 || cg > counted {
			t.Errorf("%s: the failing package does not come before the count:\n%s", format, out)
		}
	}
}
