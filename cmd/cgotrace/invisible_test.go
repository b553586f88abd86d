package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runCapture runs a command and returns its exit code, stdout and stderr.
func runCapture(t *testing.T, dir string, env []string, name string, args ...string) (int, []byte, []byte) {
	t.Helper()
	var out, errb bytes.Buffer
	c := exec.Command(name, args...)
	c.Dir, c.Env, c.Stdout, c.Stderr = dir, env, &out, &errb
	err := c.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, out.Bytes(), errb.Bytes()
	case errors.As(err, &ee):
		return ee.ExitCode(), out.Bytes(), errb.Bytes()
	}
	t.Fatalf("%s: %v", name, err)
	return 0, nil, nil
}

// renamedBinary is the cgotrace binary copied under another name, as a
// user may install it: nothing it prints may depend on the name.
func renamedBinary(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(buildBinary(t))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "gobuild-helper")
	if err := os.WriteFile(p, data, 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBuildShimInvisible: with the recording pkg-config shim in place, a
// failed pkg-config call prints on the terminal byte for byte what plain
// go build prints (go's "# [pkg-config --cflags  -- x]" header, not the
// shim's path; no -x line of the shim), exits as go did, and the report
// shows the pkg-config argv plain go build ran — for the default
// pkg-config and for one named by PKG_CONFIG, from a binary not named
// cgotrace.
func TestBuildShimInvisible(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go build")
	}
	for _, tool := range []string{"go", "gcc", "pkg-config"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not found: %v", tool, err)
		}
	}
	bin := renamedBinary(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/pcmissing\n\ngo 1.22\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\n// #cgo pkg-config: cgotrace-no-such-lib\nimport \"C\"\n\nfunc main() {}\n"), 0o644)
	// the C shim (built into a fresh cache, to see that it was used) and
	// the Go shim (CGOTRACE_SHIM=go)
	cases := []struct{ name, pkgConfig, shim string }{{"default", "", "c"}, {"PKG_CONFIG=pkgconf", "pkgconf", "c"},
		{"default/go shim", "", "go"}, {"PKG_CONFIG=pkgconf/go shim", "pkgconf", "go"}}
	// go's own build cache stays the shared one (a fresh one would
	// rebuild the standard library)
	gocache, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cache := t.TempDir()
			env := append(os.Environ(), "CGO_ENABLED=1", "PKG_CONFIG_PATH="+dir, "CGOTRACE_SHIM="+c.shim, "XDG_CACHE_HOME="+cache,
				"GOCACHE="+strings.TrimSpace(string(gocache)))
			want := "pkg-config"
			if c.pkgConfig != "" {
				if _, err := exec.LookPath(c.pkgConfig); err != nil {
					t.Skipf("%s not installed", c.pkgConfig)
				}
				env = append(env, "PKG_CONFIG="+c.pkgConfig)
				want = c.pkgConfig
			}
			goCode, goOut, goErr := runCapture(t, dir, env, "go", "build", "-o", "plain", ".")
			if goCode == 0 || !bytes.Contains(goErr, []byte("# ["+want+" --cflags  -- cgotrace-no-such-lib]")) {
				t.Fatalf("precondition: go build must fail in %s; exit %d\n%s", want, goCode, goErr)
			}
			code, out, errb := runCapture(t, dir, env, bin, "build", "--format", "json", "-o", "traced", ".")
			if code != goCode {
				t.Errorf("exit %d, go build exited %d", code, goCode)
			}
			if !bytes.Equal(errb, goErr) || len(goOut) != 0 {
				t.Errorf("terminal differs from plain go build's\ngo build:\n%s\ngobuild-helper:\n%s", goErr, errb)
			}
			if bytes.Contains(out, []byte(bin)) || bytes.Contains(out, []byte("gobuild-helper")) || bytes.Contains(out, []byte(cache)) {
				t.Errorf("the report shows the shim:\n%s", out)
			}
			built, _ := filepath.Glob(filepath.Join(cache, "cgotrace", "pkg-config-shim", "shim-*"))
			if c.shim == "c" && len(built) != 1 && hostCC() {
				t.Errorf("the C shim was not used: cache holds %q", built)
			}
			if c.shim == "go" && len(built) != 0 {
				t.Errorf("CGOTRACE_SHIM=go built the C shim: %q", built)
			}
			var rep struct {
				Packages []struct {
					PkgConfig []struct{ Argv []string } `json:"pkg_config"`
					Steps     []struct {
						Kind string
						Argv []string
					}
				}
			}
			if err := json.Unmarshal(out, &rep); err != nil {
				t.Fatalf("report: %v\n%s", err, out)
			}
			var steps, calls int
			for _, p := range rep.Packages {
				for _, s := range p.Steps {
					if s.Kind == "pkg-config" {
						steps++
						if s.Argv[0] != want {
							t.Errorf("pkg-config step argv %q, plain go build ran %s", s.Argv, want)
						}
					}
				}
				for _, pc := range p.PkgConfig {
					calls++
					if pc.Argv[0] != want {
						t.Errorf("pkg-config call argv %q, plain go build ran %s", pc.Argv, want)
					}
				}
			}
			if steps == 0 || calls == 0 {
				t.Errorf("the report lost the pkg-config call: %d steps, %d calls\n%s", steps, calls, out)
			}
		})
	}
}

// TestBuildGoUsageError: a go usage error (go build exits 2 on an unknown
// flag) is not a build failure: the terminal shows go's message byte for
// byte, cgotrace exits 2 as go did, and the report invents no diagnosis
// but carries go's own words.
func TestBuildGoUsageError(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go build")
	}
	bin := renamedBinary(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/usage\n\ngo 1.22\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nfunc main() {}\n"), 0o644)
	goCode, _, goErr := runCapture(t, dir, os.Environ(), "go", "build", "--bogus-flag", "./...")
	if goCode != 2 || !bytes.Contains(goErr, []byte("flag provided but not defined: -bogus-flag")) {
		t.Fatalf("precondition: go build --bogus-flag exits 2 with its usage message; got %d\n%s", goCode, goErr)
	}
	code, out, errb := runCapture(t, dir, os.Environ(), bin, "build", "--format", "json", "--bogus-flag", "./...")
	if code != 2 {
		t.Errorf("exit %d, want go's 2", code)
	}
	if !bytes.Equal(errb, goErr) {
		t.Errorf("terminal differs from go build's\ngo build:\n%s\ncgotrace:\n%s", goErr, errb)
	}
	var rep struct {
		Command struct {
			ExitCode int `json:"exit_code"`
			Output   string
		}
		Diagnoses []json.RawMessage
	}
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("report: %v\n%s", err, out)
	}
	if len(rep.Diagnoses) != 0 {
		t.Errorf("invented diagnoses for a usage error: %s", rep.Diagnoses)
	}
	if rep.Command.ExitCode != 2 || rep.Command.Output != strings.TrimSpace(string(goErr)) {
		t.Errorf("command %+v, want exit 2 and go's message %q", rep.Command, goErr)
	}
	code, text, _ := runCapture(t, dir, os.Environ(), bin, "build", "--bogus-flag", "./...")
	if code != 2 || bytes.Contains(text, []byte("compile-error")) || !bytes.Contains(text, []byte("  flag provided but not defined: -bogus-flag\n")) {
		t.Errorf("text report (exit %d):\n%s", code, text)
	}
}

// hostCC tells whether this machine has a host C compiler for the C shim.
func hostCC() bool {
	for _, cc := range []string{"cc", "gcc"} {
		if _, err := exec.LookPath(cc); err == nil {
			return true
		}
	}
	return false
}
