package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// goLine is the `go` line of a go.mod.
var goLine = regexp.MustCompile(`(?m)^go ([0-9][0-9.]*)\s*$`)

// TestGoTool does what a user does to pin cgotrace as a Go 1.24 tool
// dependency: a module whose `go` line is cgotrace's own (the oldest
// release cgotrace needs), a replace to this checkout, `go get -tool`,
// then `go tool cgotrace`. The user's go line must stay as it was;
// `go tool cgotrace --version`, the binary's --version and `go version
// -m` must agree on the version; `go tool cgotrace build` must diagnose a
// broken cgo package (with cgo on) and pass a healthy one. cgotrace
// itself is built with CGO_ENABLED=0 to show it needs no cgo.
func TestGoTool(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds cgotrace as a tool of another module")
	}
	for _, tool := range []string{"go", "gcc"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	checkout, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	ourMod, err := os.ReadFile(filepath.Join(checkout, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := goLine.FindSubmatch(ourMod)
	if m == nil {
		t.Fatal("no go line in go.mod")
	}
	ours := string(m[1])

	dir := t.TempDir()
	files := map[string]string{
		"go.mod": "module example.com/usesgotool\n\ngo " + ours + "\n\n" +
			"replace github.com/cgotrace/cgotrace => " + checkout + "\n",
		"healthy/main.go": "package main\n\nfunc main() { println(2) }\n",
		"broken/main.go":  "package main\n\n// #include <no_such_header_for_gotool.h>\nimport \"C\"\n\nfunc main() {}\n",
	}
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Everything comes from the module cache (go mod download filled it):
	// no network, and no toolchain switch. The checksums are cgotrace's
	// own go.sum, which go get would otherwise fetch from the checksum
	// database.
	sum, err := os.ReadFile(filepath.Join(checkout, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "GOTOOLCHAIN=local", "GOPROXY=off", "GOFLAGS=", "GITHUB_ACTIONS=")
	runEnv := func(env []string, wantExit int, args ...string) string {
		t.Helper()
		start := time.Now()
		defer func() { t.Logf("%s: %v", strings.Join(args, " "), time.Since(start)) }()
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Dir = dir
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("%s: %v", strings.Join(args, " "), err)
		}
		if code != wantExit {
			t.Fatalf("%s: exit %d, want %d\n%s", strings.Join(args, " "), code, wantExit, out)
		}
		return string(out)
	}
	run := func(wantExit int, args ...string) string {
		t.Helper()
		return runEnv(env, wantExit, args...)
	}

	run(0, "go", "get", "-tool", "github.com/cgotrace/cgotrace/cmd/cgotrace")
	mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if m := goLine.FindSubmatch(mod); m == nil || string(m[1]) != ours {
		t.Fatalf("go get -tool changed the user's go line from %s:\n%s", ours, mod)
	}
	if !strings.Contains(string(mod), "tool github.com/cgotrace/cgotrace/cmd/cgotrace") {
		t.Fatalf("no tool line in go.mod:\n%s", mod)
	}

	// cgotrace needs no cgo: built as a tool with CGO_ENABLED=0, its
	// binary (the one go tool runs, from go tool -n) is inspected.
	noCgo := append(env, "CGO_ENABLED=0")
	viaTool := strings.TrimSpace(runEnv(noCgo, 0, "go", "tool", "cgotrace", "--version"))
	bin := strings.TrimSpace(runEnv(noCgo, 0, "go", "tool", "-n", "cgotrace"))
	own := strings.TrimSpace(run(0, bin, "--version"))
	info := run(0, "go", "version", "-m", bin)
	// The module of the main package is the main module of the build
	// info ("mod"), whichever module the build ran in.
	dep := regexp.MustCompile(`(?m)^\s*mod\s+github\.com/cgotrace/cgotrace\s+(\S+)`).FindStringSubmatch(info)
	if dep == nil {
		t.Fatalf("go version -m lists no cgotrace module:\n%s", info)
	}
	if !strings.Contains(info, "CGO_ENABLED=0") {
		t.Errorf("the binary was not built with CGO_ENABLED=0:\n%s", info)
	}
	want := "cgotrace version " + dep[1]
	if viaTool != want || own != want {
		t.Errorf("versions disagree: go tool cgotrace --version %q, the binary %q, go version -m %q", viaTool, own, dep[1])
	}

	out := run(1, "go", "tool", "cgotrace", "build", "--no-rerun", "-o", filepath.Join(t.TempDir(), "broken"), "./broken")
	if !strings.Contains(out, "header-not-found") || !strings.Contains(out, "no_such_header_for_gotool.h") {
		t.Errorf("go tool cgotrace build ./broken: no header-not-found diagnosis:\n%s", out)
	}
	run(0, "go", "tool", "cgotrace", "build", "--no-rerun", "-o", filepath.Join(t.TempDir(), "healthy"), "./healthy")
}
