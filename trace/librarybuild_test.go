package trace

import (
	"bytes"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/cgotrace/cgotrace/buildlog"
)

// TestAnalyzeLibraryBuild: go build -x (and -json -x) of cgo library
// packages only: no program is linked, the log just ends after the
// archive is stored. That is a success (exit 0) with a note that no final
// link was seen; the same log cut before the archive is stored is not.
func TestAnalyzeLibraryBuild(t *testing.T) {
	needGo(t)
	for _, args := range [][]string{{"-x"}, {"-json", "-x"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			// A constant of this run, so the package itself misses the cache.
			src := fmt.Sprintf("package lib\n\n// #include <stdlib.h>\n// static int twice(int x) { return 2 * x; }\nimport \"C\"\n\nconst Run = %d\n\nfunc Twice(x int) int { return int(C.twice(C.int(x))) + int(C.abs(0)) }\n", time.Now().UnixNano())
			dir := writeModule(t, map[string]string{"go.mod": "module example.com/lib\n\ngo 1.22\n", "lib.go": src})
			cmd := exec.Command("go", append(append([]string{"build"}, args...), "./...")...)
			cmd.Dir = dir
			cmd.Env = append(cmd.Environ(), "CGO_ENABLED=1", "GOFLAGS=-buildvcs=false")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("go build: %v\n%s", err, out)
			}
			rep, l, err := Analyze(bytes.NewReader(out), "test")
			if err != nil {
				t.Fatal(err)
			}
			if l.Outcome != buildlog.OutcomeSuccess || rep.Command.ExitCode != 0 || !l.NoFinalLink {
				t.Fatalf("outcome %s exit %d NoFinalLink %v (truncated: %s)", l.Outcome, rep.Command.ExitCode, l.NoFinalLink, l.Truncated)
			}
			if len(rep.Notes) == 0 || !strings.Contains(rep.Notes[0], "no final link") {
				t.Errorf("notes %q", rep.Notes)
			}
			// Cut after the package's compile, before its archive is
			// stored: not a success.
			lines := strings.SplitAfter(string(out), "\n")
			for i, line := range lines {
				if strings.Contains(line, "/compile -o ") && strings.Contains(line, "example.com/lib") {
					_, l, err := Analyze(strings.NewReader(strings.Join(lines[:i+1], "")), "test")
					if err != nil {
						t.Fatal(err)
					}
					if l.Outcome != buildlog.OutcomeUnknown || l.Truncated == "" {
						t.Errorf("cut after line %d: outcome %s, truncated %q", i+1, l.Outcome, l.Truncated)
					}
					return
				}
			}
			t.Error("no compile of example.com/lib in the log")
		})
	}
}
