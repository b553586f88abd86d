package trace

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cgotrace/cgotrace/trace/diag"
)

// TestAnalyzeGoCommands: the real logs of go test (-x and -json), go vet,
// go install and go run of each scenario (testdata/logs/gocmd, captured
// by scripts/capture-logs.sh) give the diagnosis of the go build log of
// the same scenario, and their exit code is the command's.
func TestAnalyzeGoCommands(t *testing.T) {
	files, _ := filepath.Glob("../testdata/logs/gocmd/*.log")
	if len(files) == 0 {
		t.Fatal("no logs in testdata/logs/gocmd")
	}
	// The go build form each one is compared with.
	buildForm := map[string]string{"test": ".x.log", "testjson": ".log", "vet": ".log", "install": ".log", "run": ".log"}
	// What only running the program shows (the build log has no
	// diagnosis): go run starts it, and the loader does not find its
	// library.
	want := map[string]diag.Code{
		"runtime-library-missing-basic.run": diag.RuntimeLibraryMissing,
		// go run starts the program from go's temporary directory, so
		// its $ORIGIN-relative RUNPATH finds no library there.
		"healthy-origin-rpath.run": diag.RuntimeLibraryMissing,
	}
	// Where the command itself refuses before building (the capture sets
	// GOBIN, and go install does not install a cross-compiled binary
	// there): go's one-line message, no cgo diagnosis.
	refused := map[string]string{
		"cross-cc-mismatch-basic.install": "go: cannot install cross-compiled binaries when GOBIN is set",
	}
	for _, file := range files {
		base := strings.TrimSuffix(filepath.Base(file), ".log")
		name, form, _ := strings.Cut(base, ".")
		t.Run(base, func(t *testing.T) {
			exitText, err := os.ReadFile(strings.TrimSuffix(file, ".log") + ".exit")
			if err != nil {
				t.Fatal(err)
			}
			exit := 0
			fmt.Sscan(string(exitText), &exit)
			ref, err := os.ReadFile(filepath.Join("../testdata/logs", name+buildForm[form]))
			if err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			got, gotExit := firstError(t, string(data))
			wantSig, _ := firstError(t, string(ref))
			if _, ok := refused[base]; ok {
				wantSig = ""
			}
			if exit == 0 && strings.Contains(wantSig, "") && !strings.HasPrefix(got, "static-glibc-nss") {
				// The command did not reach the failing step (go vet
				// does not link): nothing to diagnose.
				wantSig = ""
			}
			if c, ok := want[base]; ok {
				wantSig = string(c)
				got, _, _ = strings.Cut(got, " ")
			}
			if len(ref) == 0 && strings.HasPrefix(got, "unknown outcome") {
				// go build printed nothing; go run printed only the
				// program's output: neither log shows a build.
				return
			}
			if got != wantSig {
				t.Errorf("first diagnosis %q, go build's %q", got, wantSig)
			}
			if (gotExit != 0) != (exit != 0) {
				t.Errorf("exit %d, go %s exited %d", gotExit, form, exit)
			}
		})
	}
}

// capturePath matches what differs from one capture to the next: the
// copy's directory, go's work and link directories.
var capturePath = regexp.MustCompile(`/tmp/cgotrace-capture\.[^/]+/[^/]+/|/tmp/go-build[0-9]+|/tmp/go-link-[0-9]+`)

// firstError returns the first error diagnosis (code package subject) of
// a log's report (a warning when there is no error), and its exit code.
func firstError(t *testing.T, data string) (string, int) {
	t.Helper()
	rep, l, err := Analyze(strings.NewReader(data), "test")
	if err != nil {
		t.Fatal(err)
	}
	if l.Outcome == "unknown" && rep.Command.ExitCode == 0 && len(rep.Diagnoses) == 0 && l.Lines > 0 {
		return fmt.Sprintf("unknown outcome (%s)", l.Truncated), 2
	}
	for _, sev := range []diag.Severity{diag.Error, diag.Warning} {
		for _, d := range rep.Diagnoses {
			if d.Severity == sev {
				sig := fmt.Sprintf("%s %s %v", d.Code, d.Package, sortedSubject(d.Subject))
				return capturePath.ReplaceAllString(sig, "$$TMP/"), rep.Command.ExitCode
			}
		}
	}
	return "", rep.Command.ExitCode
}
