package trace

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/cgotrace/cgotrace/trace/diag"
)

func writeModule(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func needGo(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go not on PATH")
	}
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("gcc not on PATH")
	}
}

const healthyCgo = `package main

// #include <stdlib.h>
import "C"

import "fmt"

func main() { fmt.Println(C.abs(-3)) }
`

// TestBuildSameBinary: a successful cgotrace build leaves exactly the file
// plain go build leaves (the instrumentation must not reach the binary).
func TestBuildSameBinary(t *testing.T) {
	needGo(t)
	dir := writeModule(t, map[string]string{"go.mod": "module example.com/same\n\ngo 1.22\n", "main.go": healthyCgo})
	env := append(os.Environ(), "CGO_ENABLED=1")
	plain := exec.Command("go", "build", "-o", "plain", ".")
	plain.Dir, plain.Env = dir, env
	if out, err := plain.CombinedOutput(); err != nil {
		t.Fatalf("plain go build: %v\n%s", err, out)
	}
	var term bytes.Buffer
	res, err := Build(context.Background(), BuildOptions{Args: []string{"-o", "traced", "."}, Dir: dir, Env: env, Terminal: &term})
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(res.RawLog)
	if res.Report.Command.ExitCode != 0 {
		t.Fatalf("exit %d; terminal:\n%s", res.Report.Command.ExitCode, term.String())
	}
	if term.Len() != 0 {
		t.Errorf("a clean build printed to the terminal: %q", term.String())
	}
	a, _ := os.ReadFile(filepath.Join(dir, "plain"))
	b, _ := os.ReadFile(filepath.Join(dir, "traced"))
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Errorf("binaries differ: plain %d bytes, traced %d bytes", len(a), len(b))
	}
	if len(res.Report.Binaries) != 1 || len(res.Report.Binaries[0].Missing) != 0 {
		t.Errorf("binaries: %+v", res.Report.Binaries)
	}
	for _, d := range res.Report.Diagnoses {
		if d.Severity == diag.Error {
			t.Errorf("error diagnosis on a good build: %+v", d)
		}
	}
}

// TestBuildExitCode: the report carries go build's own exit code, 2 for a
// flag error, and the terminal shows go's own message.
func TestBuildExitCode(t *testing.T) {
	needGo(t)
	dir := writeModule(t, map[string]string{"go.mod": "module example.com/x\n\ngo 1.22\n", "main.go": "package main\nfunc main() {}\n"})
	var term bytes.Buffer
	res, err := Build(context.Background(), BuildOptions{Args: []string{"-no-such-flag", "."}, Dir: dir, Env: os.Environ(), Terminal: &term})
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(res.RawLog)
	if res.Report.Command.ExitCode != 2 {
		t.Errorf("exit code %d, want go build's 2", res.Report.Command.ExitCode)
	}
	if !bytes.Contains(term.Bytes(), []byte("flag provided but not defined: -no-such-flag")) {
		t.Errorf("terminal: %q", term.String())
	}
}

// TestBuildSignal: SIGINT reaches go build's process group, and a partial
// report with its exit status is still made.
func TestBuildSignal(t *testing.T) {
	dir := t.TempDir()
	marker := filepath.Join(dir, "got-int")
	fakeGo := filepath.Join(dir, "go")
	script := "#!/bin/sh\n" +
		"case \"$1\" in build) ;; env) echo '{}'; exit 0;; *) exit 0;; esac\n" +
		"trap 'echo int > " + marker + "; exit 130' INT\n" +
		"echo '{\"ImportPath\":\"\",\"Action\":\"build-output\",\"Output\":\"WORK=/tmp/go-build-none\\n\"}'\n" +
		"i=0; while [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done\nexit 0\n"
	if err := os.WriteFile(fakeGo, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	sigs := make(chan os.Signal, 1)
	go func() {
		time.Sleep(500 * time.Millisecond)
		sigs <- syscall.SIGINT
	}()
	start := time.Now()
	res, err := Build(context.Background(), BuildOptions{Go: fakeGo, Args: []string{"."}, Dir: dir, Env: os.Environ(), Signals: sigs, NoRerun: true})
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(res.RawLog)
	if time.Since(start) > 8*time.Second {
		t.Errorf("the build was not interrupted (%v)", time.Since(start))
	}
	if _, err := os.Stat(marker); err != nil {
		t.Errorf("go build did not receive SIGINT: %v", err)
	}
	if res.Report.Command.ExitCode != 130 {
		t.Errorf("exit code %d, want 130", res.Report.Command.ExitCode)
	}
}

// workOf reads go build's $WORK from the raw log.
func workOf(t *testing.T, rawLog string) string {
	t.Helper()
	data, err := os.ReadFile(rawLog)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range bytes.Split(data, []byte("\n")) {
		// -json: {"ImportPath":"","Action":"build-output","Output":"WORK=/tmp/go-build123\n"}
		if i := bytes.Index(line, []byte("WORK=")); i >= 0 {
			w := line[i+len("WORK="):]
			if j := bytes.IndexAny(w, `\"`); j >= 0 {
				w = w[:j]
			}
			return string(w)
		}
	}
	t.Fatalf("no WORK= in %s", rawLog)
	return ""
}

// TestBuildWorkDir: go build's work directory is gone once Build's
// clean-up is done, after a successful and after a failed build, and kept
// with KeepWork.
func TestBuildWorkDir(t *testing.T) {
	needGo(t)
	dir := writeModule(t, map[string]string{"go.mod": "module example.com/work\n\ngo 1.22\n", "main.go": healthyCgo,
		"bad/bad.go": "package bad\n\n// #include <no-such-header-cgotrace.h>\nimport \"C\"\n"})
	env := append(os.Environ(), "CGO_ENABLED=1")
	for _, tc := range []struct {
		name string
		args []string
		keep bool
		exit int
	}{
		{"success", []string{"-o", "app", "."}, false, 0},
		{"failure", []string{"./bad"}, false, 1},
		{"keep", []string{"-o", "app", "."}, true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Build(context.Background(), BuildOptions{Args: tc.args, Dir: dir, Env: env, KeepWork: tc.keep})
			if err != nil {
				t.Fatal(err)
			}
			defer os.Remove(res.RawLog)
			res.Wait()
			if res.Report.Command.ExitCode != tc.exit {
				t.Fatalf("exit %d, want %d", res.Report.Command.ExitCode, tc.exit)
			}
			work := workOf(t, res.RawLog)
			_, statErr := os.Stat(work)
			if tc.keep {
				if statErr != nil {
					t.Errorf("KeepWork: %s is gone: %v", work, statErr)
				}
				os.RemoveAll(work)
			} else if statErr == nil {
				t.Errorf("%s still exists after Wait", work)
			}
		})
	}
}

// TestBuildGoTestC: `cgotrace build --go-cmd test -c` builds the test
// binary instrumented: the binary is inspected (default name pkg.test),
// and a cgo failure in the package under test is diagnosed.
func TestBuildGoTestC(t *testing.T) {
	needGo(t)
	dir := writeModule(t, map[string]string{
		"go.mod":      "module example.com/tc\n\ngo 1.22\n",
		"lib.go":      "package tc\n\n// #include <stdlib.h>\nimport \"C\"\n\nfunc Abs(x int) int { return int(C.abs(C.int(x))) }\n",
		"lib_test.go": "package tc\n\nimport \"testing\"\n\nfunc TestAbs(t *testing.T) {\n\tif Abs(-2) != 2 {\n\t\tt.Fatal(\"abs\")\n\t}\n}\n",
	})
	env := append(os.Environ(), "CGO_ENABLED=1")
	res, err := Build(context.Background(), BuildOptions{GoCmd: "test", Args: []string{"-c", "."}, Dir: dir, Env: env})
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(res.RawLog)
	res.Wait()
	if res.Report.Command.ExitCode != 0 {
		t.Fatalf("exit %d: %+v", res.Report.Command.ExitCode, res.Report.Diagnoses)
	}
	if want := filepath.Join(dir, "tc.test"); len(res.Report.Binaries) != 1 || res.Report.Binaries[0].Path != want {
		t.Errorf("binaries %+v, want %s inspected", res.Report.Binaries, want)
	}
	os.WriteFile(filepath.Join(dir, "lib.go"), []byte("package tc\n\n// #include <no-such-header-cgotrace.h>\nimport \"C\"\n\nfunc Abs(x int) int { return x }\n"), 0o644)
	res, err = Build(context.Background(), BuildOptions{GoCmd: "test", Args: []string{"-c", "-o", "x.test", "."}, Dir: dir, Env: env})
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(res.RawLog)
	res.Wait()
	if res.Report.Command.ExitCode == 0 || len(res.Report.Diagnoses) == 0 || res.Report.Diagnoses[0].Code != diag.HeaderNotFound {
		t.Errorf("exit %d, diagnoses %+v; want header-not-found first", res.Report.Command.ExitCode, res.Report.Diagnoses)
	}
}
