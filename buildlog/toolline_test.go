package buildlog

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// TestToolLineKeptInBlock: every line go prints under a package's
// "# pkg" header stays in that package's block, and the block fails the
// package, whether the message is one cgotrace knows or not. Real logs
// of go1.26.8 (../testdata/logs/handmade/README.md): a -toolexec tool
// that prints "tool: it broke", and a CC wrapper that prints "it broke"
// after gcc's warning (with -x and -json; the plain form is ambiguous,
// see the README).
func TestToolLineKeptInBlock(t *testing.T) {
	for _, tc := range []struct {
		file, pkg string
		lines     []string
	}{
		{"toolexec-tool-fails.log", "example.com/broke", []string{"tool: it broke"}},
		{"toolexec-tool-fails.x.log", "example.com/broke", []string{"tool: it broke"}},
		{"toolexec-tool-fails.json.log", "example.com/broke", []string{"tool: it broke"}},
		{"cc-wrapper-fails-after-warning.x.log", "example.com/brokew", []string{
			`./main.go:3:3: warning: #warning "old API" [-Wcpp]`, `    3 | // #warning "old API"`, "      |   ^~~~~~~", "it broke"}},
		{"cc-wrapper-fails-after-warning.json.log", "example.com/brokew", []string{
			`./main.go:3:3: warning: #warning "old API" [-Wcpp]`, `    3 | // #warning "old API"`, "      |   ^~~~~~~", "it broke"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile("../testdata/logs/handmade/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			l, err := Parse(strings.NewReader(string(data)))
			if err != nil {
				t.Fatal(err)
			}
			var blocks []Block
			for _, b := range l.Blocks {
				if b.ImportPath == tc.pkg {
					blocks = append(blocks, b)
				}
			}
			if len(blocks) != 1 {
				t.Fatalf("%d blocks of %s, want 1: %+v", len(blocks), tc.pkg, l.Blocks)
			}
			b := blocks[0]
			if !slices.Equal(b.Lines, tc.lines) {
				t.Errorf("block lines %q, want %q", b.Lines, tc.lines)
			}
			if !b.Failed || b.Run {
				t.Errorf("block failed=%v run=%v, want a failed build block", b.Failed, b.Run)
			}
			if !slices.Equal(l.FailedPackages, []string{tc.pkg}) || l.Outcome != OutcomeFailure {
				t.Errorf("failed %q outcome %s, want %s failed", l.FailedPackages, l.Outcome, tc.pkg)
			}
			if l.Skipped != 0 {
				t.Errorf("%d lines skipped", l.Skipped)
			}
		})
	}
}
