package buildlog

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// TestStartupFailureOneOwner: a program that go run or go test built and
// that could not start is read by the message grammar alone: one block
// whose one message is MsgRuntimeLoad (program, library), attributed by
// go test's framing to the package whose test binary it is. The build
// did not fail (no failed package); the tests did. The logs are real
// (../testdata/logs/handmade, ../testdata/logs/gocmd).
func TestStartupFailureOneOwner(t *testing.T) {
	for _, tc := range []struct {
		file, pkg, prog, lib string
		testsFailed          []string
	}{
		{"handmade/test-binary-cannot-start.test.log", "example.com/startfail",
			"/tmp/go-build3324723671/b001/startfail.test", "libgreet.so.1", []string{"example.com/startfail"}},
		{"handmade/test-binary-cannot-start.testjson.log", "example.com/startfail",
			"/tmp/go-build1548777326/b001/startfail.test", "libgreet.so.1", []string{"example.com/startfail"}},
		{"gocmd/runtime-library-missing-basic.run.log", "",
			"/tmp/go-build2504811141/b001/exe/runtime-library-missing-basic", "libgreet.so.1", nil},
		// After the warnings of its build's "# pkg" block: the loader's
		// line is the program's, not the package's.
		{"handmade/go-run-after-warning.run.log", "",
			"/tmp/go-build357226972/b001/exe/warnrun", "libgreet.so.1", nil},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile("../testdata/logs/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			l, err := Parse(strings.NewReader(string(data)))
			if err != nil {
				t.Fatal(err)
			}
			var msgs []Message
			for _, b := range l.Blocks {
				for _, m := range b.Messages {
					if m.Kind == MsgRuntimeLoad {
						msgs = append(msgs, m)
						if b.ImportPath != tc.pkg {
							t.Errorf("block of %q: package %q, want %q", m.Text, b.ImportPath, tc.pkg)
						}
						if len(b.Lines) != 1 {
							t.Errorf("block lines %q: want the loader's line only (go's own lines are framing)", b.Lines)
						}
					}
				}
			}
			if len(msgs) != 1 {
				t.Fatalf("%d MsgRuntimeLoad messages, want 1: %+v", len(msgs), l.Blocks)
			}
			if m := msgs[0]; m.Program != tc.prog || m.Library != tc.lib {
				t.Errorf("message program %q library %q, want %q %q", m.Program, m.Library, tc.prog, tc.lib)
			}
			if len(l.FailedPackages) != 0 || l.Outcome == OutcomeFailure {
				t.Errorf("outcome %s, failed %q: the build succeeded", l.Outcome, l.FailedPackages)
			}
			if !slices.Equal(l.TestsFailed, tc.testsFailed) {
				t.Errorf("tests failed in %q, want %q", l.TestsFailed, tc.testsFailed)
			}
		})
	}
}

// TestToolCannotStart: the C compiler that cgo runs cannot start (real
// log, ../testdata/logs/handmade/cc-cannot-start.log): the loader's line
// stays in its "# runtime/cgo" block, a failed build.
func TestToolCannotStart(t *testing.T) {
	data, err := os.ReadFile("../testdata/logs/handmade/cc-cannot-start.log")
	if err != nil {
		t.Fatal(err)
	}
	l, err := Parse(strings.NewReader(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Blocks) != 1 || l.Blocks[0].ImportPath != "runtime/cgo" || len(l.Blocks[0].Messages) != 1 ||
		l.Blocks[0].Messages[0].Kind != MsgRuntimeLoad || l.Blocks[0].Messages[0].Program != "/tmp/cap3/tool/gcc" {
		t.Fatalf("blocks %+v, want one runtime/cgo block with the loader's message about /tmp/cap3/tool/gcc", l.Blocks)
	}
	if l.Outcome != OutcomeFailure || !slices.Equal(l.FailedPackages, []string{"runtime/cgo"}) {
		t.Errorf("outcome %s, failed %q", l.Outcome, l.FailedPackages)
	}
}
