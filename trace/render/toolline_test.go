package render

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/cgotrace/cgotrace/trace"
)

// TestToolLineInReport: the line a failing tool printed under its
// package's "# pkg" header, a message cgotrace does not know, is the
// root cause's summary and evidence and shows in every renderer's
// report (real go1.26.8 logs, ../../testdata/logs/handmade). Before,
// "tool: it broke" stayed in the parsed block but the report had no
// diagnosis, and the wrapper's "it broke" after gcc's warning was not
// even in the block.
func TestToolLineInReport(t *testing.T) {
	for _, tc := range []struct{ file, pkg, line string }{
		{"toolexec-tool-fails.log", "example.com/broke", "tool: it broke"},
		{"toolexec-tool-fails.x.log", "example.com/broke", "tool: it broke"},
		{"toolexec-tool-fails.json.log", "example.com/broke", "tool: it broke"},
		{"cc-wrapper-fails-after-warning.x.log", "example.com/brokew", "it broke"},
		{"cc-wrapper-fails-after-warning.json.log", "example.com/brokew", "it broke"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			rep := analyzedLog(t, "handmade/"+tc.file)
			if rep.Command.ExitCode != 1 || len(rep.Diagnoses) != 1 {
				t.Fatalf("exit %d, diagnoses %+v: want go's 1 and one diagnosis", rep.Command.ExitCode, rep.Diagnoses)
			}
			d := rep.Diagnoses[0]
			if d.Package != tc.pkg || d.Summary != tc.line || !contains(d.Evidence, tc.line) {
				t.Errorf("diagnosis %+v: want package %s, summary and evidence %q", d, tc.pkg, tc.line)
			}
			for format := range goldenExt {
				f, err := Lookup(format)
				if err != nil {
					t.Fatal(err)
				}
				var buf bytes.Buffer
				if err := f(&buf, rep, goldenOptions); err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(buf.String(), tc.line) {
					t.Errorf("%s report does not show %q:\n%s", format, tc.line, buf.String())
				}
			}
		})
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// analyzedLog is cgotrace analyze's report of a log of ../../testdata/logs.
func analyzedLog(t *testing.T, name string) *trace.Report {
	t.Helper()
	data, err := os.ReadFile("../../testdata/logs/" + name)
	if err != nil {
		t.Fatal(err)
	}
	rep, _, err := trace.Analyze(bytes.NewReader(data), "test")
	if err != nil {
		t.Fatal(err)
	}
	return rep
}
