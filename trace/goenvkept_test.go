package trace

import (
	"bytes"
	"context"
	"fmt"
	"github.com/cgotrace/cgotrace/trace/diag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestKeptToolchainKey: the key of the kept go env changes with
// everything go env's answers depend on, and with nothing else.
func TestKeptToolchainKey(t *testing.T) {
	needGo(t)
	home := t.TempDir()
	mod := writeModule(t, map[string]string{"go.mod": "module example.com/k\n\ngo 1.22\n", "sub/x.go": "package sub\n"})
	bin := t.TempDir()
	gcc, _ := exec.LookPath("gcc")
	goBin, _ := exec.LookPath("go")
	os.Symlink(gcc, filepath.Join(bin, "gcc"))
	base := []string{"HOME=" + home, "PATH=" + bin + ":" + filepath.Dir(goBin), "FOO=1"}
	file := func(dir string, env ...string) string {
		o := &BuildOptions{Go: "go", Dir: dir, Env: append(append([]string(nil), base...), env...), Runner: ExecRunner{}}
		f := keptToolchainFile(o)
		if f == "" {
			t.Fatal("no kept file for the real go")
		}
		if !strings.HasPrefix(f, filepath.Join(home, ".cache", "cgotrace", "go-env")+"/") {
			t.Fatalf("kept file %s not under HOME's cache", f)
		}
		return f
	}
	ref := file(mod)
	if again := file(mod); again != ref {
		t.Fatalf("same inputs, two keys: %s %s", ref, again)
	}
	if f := file(mod, "FOO=2", "TERM=dumb"); f != ref {
		t.Errorf("a variable go does not read changed the key")
	}
	for _, env := range [][]string{{"GOFLAGS=-tags=x"}, {"CGO_ENABLED=0"}, {"CC=clang"}, {"GOTOOLCHAIN=local"}, {"XDG_CONFIG_HOME=" + home + "/cfg"}, {"AR=ar"}} {
		if f := file(mod, env...); f == ref {
			t.Errorf("%v: same key", env)
		}
	}
	if f := file(filepath.Join(mod, "sub")); f == ref {
		t.Errorf("another directory: same key")
	}
	// Files: the go env file, go.mod, a go.work above, the C compiler.
	touch := func(what, path, body string) {
		t.Helper()
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		f := file(mod)
		if f == ref {
			t.Errorf("%s: same key", what)
		}
		ref = f
	}
	touch("go env -w", filepath.Join(home, ".config", "go", "env"), "GOFLAGS=-mod=mod\n")
	touch("go.mod", filepath.Join(mod, "go.mod"), "module example.com/k\n\ngo 1.23\n")
	touch("go.work", filepath.Join(filepath.Dir(mod), "go.work"), "go 1.22\n")
	os.Remove(filepath.Join(bin, "gcc"))
	if f := file(mod); f == ref {
		t.Errorf("gcc gone from PATH (CGO_ENABLED's default): same key")
	}
	// A fake runner never gets a kept answer: its go is not the real one.
	o := &BuildOptions{Go: "go", Dir: mod, Env: base, Runner: &fakeRunner{}}
	if f := keptToolchainFile(o); f != "" {
		t.Errorf("kept file %s for a fake runner", f)
	}
}

// fakeRunner answers nothing; it only is not ExecRunner.
type fakeRunner struct{}

func (*fakeRunner) Run(context.Context, Cmd) (int, error) { return 1, nil }

// TestKeptToolchainBuild: a failed build keeps go env's answers and the C
// compiler's target; the next failed build of the same module takes them
// without running go env or `gcc -dumpmachine`, and reports the same
// toolchain; a changed go.mod runs go env again.
func TestKeptToolchainBuild(t *testing.T) {
	needGo(t)
	home := t.TempDir()
	bin := t.TempDir()
	calls := filepath.Join(t.TempDir(), "calls")
	goBin, _ := exec.LookPath("go")
	gcc, _ := exec.LookPath("gcc")
	wrapLogged(t, bin, "go", goBin, calls, "$1")
	wrapLogged(t, bin, "gcc", gcc, calls, "$1")
	mod := writeModule(t, map[string]string{
		"go.mod":  "module example.com/kept\n\ngo 1.22\n",
		"main.go": "package main\n\n// #cgo pkg-config: cgotrace-no-such-package\nimport \"C\"\n\nfunc main() {}\n",
	})
	// cgotrace runs gcc from its own PATH, go from the build's.
	t.Setenv("PATH", bin+":"+os.Getenv("PATH"))
	env := keptTestEnv(home, bin, goBin)
	run := func() (*Report, []string) {
		t.Helper()
		rep, b := keptTestBuild(t, bin, mod, env, calls)
		if rep.Command.ExitCode == 0 {
			t.Fatal("the build of a missing .pc succeeded")
		}
		return rep, strings.Split(strings.TrimSpace(string(b)), "\n")
	}
	ranEnv := func(calls []string) (goEnv, dumpmachine bool) {
		for _, c := range calls {
			goEnv = goEnv || c == "go env"
			dumpmachine = dumpmachine || c == "gcc -dumpmachine"
		}
		return
	}
	first, c1 := run()
	if e, d := ranEnv(c1); !e || !d {
		t.Fatalf("first build: go env %v, gcc -dumpmachine %v; calls %q", e, d, c1)
	}
	kept, _ := filepath.Glob(filepath.Join(home, ".cache", "cgotrace", "go-env", "*.json"))
	if len(kept) != 1 {
		t.Fatalf("kept files: %q", kept)
	}
	second, c2 := run()
	if e, d := ranEnv(c2); e || d {
		t.Errorf("second build ran go env %v, gcc -dumpmachine %v; calls %q", e, d, c2)
	}
	a, b := *first.Toolchain, *second.Toolchain
	if a.GoVersion == "" || a.CCTarget == "" || fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("toolchains differ or are empty:\n%+v\n%+v", a, b)
	}
	if len(first.Diagnoses) == 0 || len(second.Diagnoses) == 0 || first.Diagnoses[0].Code != second.Diagnoses[0].Code {
		t.Errorf("diagnoses: %+v / %+v", first.Diagnoses, second.Diagnoses)
	}
	// go.mod changes (a go line may switch toolchains): asked again.
	time.Sleep(10 * time.Millisecond)
	os.WriteFile(filepath.Join(mod, "go.mod"), []byte("module example.com/kept\n\ngo 1.23\n"), 0o644)
	if _, c3 := run(); !func() bool { e, _ := ranEnv(c3); return e }() {
		t.Errorf("after a go.mod change go env did not run; calls %q", c3)
	}
}

// TestWriteKeptPrune: writeKept keeps the newest keptMax files.
func TestWriteKeptPrune(t *testing.T) {
	dir := t.TempDir()
	old := time.Now().Add(-time.Hour)
	for i := range keptMax + 5 {
		f := filepath.Join(dir, fmt.Sprintf("%03d.json", i))
		os.WriteFile(f, []byte("{}"), 0o600)
		os.Chtimes(f, old.Add(time.Duration(i)*time.Second), old.Add(time.Duration(i)*time.Second))
	}
	writeKept(filepath.Join(dir, "new.json"), map[string]int{"a": 1})
	left, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(left) != keptMax {
		t.Fatalf("%d files left, want %d", len(left), keptMax)
	}
	for i := range 6 {
		if _, err := os.Stat(filepath.Join(dir, fmt.Sprintf("%03d.json", i))); err == nil {
			t.Errorf("old file %03d.json kept", i)
		}
	}
	var v map[string]int
	if !readKept(filepath.Join(dir, "new.json"), &v) || v["a"] != 1 {
		t.Errorf("new file: %v", v)
	}
	if readKept(filepath.Join(dir, "none.json"), &v) || readKept("", &v) {
		t.Error("read a file that is not there")
	}
}

// TestKeptHeaderProbe: the verbose re-run of a failed #include is kept;
// the next identical failure uses it without running the compiler again
// and says so in the re-run's text, with the same searched directories,
// from another shell too (OLDPWD and _ differ); a directory the compiler
// ignored as nonexistent that now exists means
// a real re-run.
func TestKeptHeaderProbe(t *testing.T) {
	needGo(t)
	home := t.TempDir()
	bin := t.TempDir()
	calls := filepath.Join(t.TempDir(), "calls")
	gcc, _ := exec.LookPath("gcc")
	wrapLogged(t, bin, "gcc", gcc, calls, "$*")
	t.Setenv("PATH", bin+":"+os.Getenv("PATH"))
	mod := writeModule(t, map[string]string{
		"go.mod":  "module example.com/hdrkept\n\ngo 1.22\n",
		"main.go": "package main\n\n// #cgo CFLAGS: -I${SRCDIR}/later\n// #include <cgotrace-absent.h>\nimport \"C\"\n\nfunc main() {}\n",
	})
	env := append(os.Environ(), "HOME="+home, "XDG_CACHE_HOME=", "CGO_ENABLED=1", "CC=gcc")
	run := func(extra ...string) (rerun, detail string, probed bool) {
		t.Helper()
		os.Remove(calls)
		res, err := Build(context.Background(), BuildOptions{Args: []string{"-o", os.DevNull, "."}, Dir: mod, Env: append(env[:len(env):len(env)], extra...)})
		if err != nil {
			t.Fatal(err)
		}
		res.Wait()
		os.Remove(res.RawLog)
		for _, d := range res.Report.Diagnoses {
			if d.Code == "header-not-found" {
				detail = d.Detail
			}
		}
		for _, p := range res.Report.Packages {
			for _, s := range p.Steps {
				if s.Rerun != "" {
					rerun = s.Rerun
				}
			}
		}
		b, _ := os.ReadFile(calls)
		return rerun, detail, strings.Contains(string(b), " -v -E ")
	}
	r1, d1, p1 := run()
	if !p1 || !strings.Contains(r1, "search starts here:") || strings.Contains(r1, "(kept:") || d1 == "" {
		t.Fatalf("first build: probed %v, detail %q, re-run:\n%s", p1, d1, r1)
	}
	// Run again from another shell: what a shell sets per command (the
	// previous directory, the command's path) differs.
	r2, d2, p2 := run("OLDPWD=/somewhere/else", "_=/usr/local/bin/cgotrace")
	// Each build has a $WORK of its own.
	work := regexp.MustCompile(`go-build[0-9]+`)
	if p2 || !strings.Contains(r2, "(kept: cgotrace ran this command at ") || work.ReplaceAllString(d2, "W") != work.ReplaceAllString(d1, "W") || !strings.Contains(d2, "/go-build") {
		t.Errorf("second build: probed %v, detail %q (first %q), re-run:\n%s", p2, d2, d1, r2)
	}
	if !strings.Contains(r1, `ignoring nonexistent directory "`+filepath.Join(mod, "later")+`"`) {
		t.Fatalf("gcc did not ignore %s/later:\n%s", mod, r1)
	}
	os.Mkdir(filepath.Join(mod, "later"), 0o755)
	r3, d3, p3 := run()
	if !p3 || strings.Contains(r3, "(kept:") || !strings.Contains(d3, filepath.Join(mod, "later")) {
		t.Errorf("after mkdir later: probed %v, detail %q, re-run:\n%s", p3, d3, r3)
	}
}

// TestKeptToolchainCCMissing: a build whose C compiler is not installed
// (CC names no program on PATH) keeps go env's answer with that fact,
// and the next run asks nothing; once a program of that name appears,
// go env runs again.
func TestKeptToolchainCCMissing(t *testing.T) {
	needGo(t)
	home := t.TempDir()
	bin := t.TempDir()
	calls := filepath.Join(t.TempDir(), "calls")
	goBin, _ := exec.LookPath("go")
	wrapLogged(t, bin, "go", goBin, calls, "$1")
	mod := writeModule(t, map[string]string{
		"go.mod":  "module example.com/nocc\n\ngo 1.22\n",
		"main.go": "package main\n\n// int f(void) { return 1; }\nimport \"C\"\n\nfunc main() { println(C.f()) }\n",
	})
	env := append(keptTestEnv(home, bin, goBin), "CC=cgotrace-no-such-cc")
	run := func() (code diag.Code, ranGoEnv bool) {
		t.Helper()
		rep, b := keptTestBuild(t, bin, mod, env, calls)
		if len(rep.Diagnoses) > 0 {
			code = rep.Diagnoses[0].Code
		}
		return code, strings.Contains(string(b), "go env\n")
	}
	if code, ran := run(); code != diag.CCNotFound || !ran {
		t.Fatalf("first build: %s, go env ran %v", code, ran)
	}
	kept, _ := filepath.Glob(filepath.Join(home, ".cache", "cgotrace", "go-env", "*.json"))
	if len(kept) != 1 {
		t.Fatalf("kept files: %q", kept)
	}
	if b, _ := os.ReadFile(kept[0]); !strings.Contains(string(b), `"cc_missing":true`) {
		t.Errorf("kept: %s", b)
	}
	if code, ran := run(); code != diag.CCNotFound || ran {
		t.Errorf("second build: %s, go env ran %v", code, ran)
	}
	// A compiler of that name appears (one that fails): asked again.
	if err := os.WriteFile(filepath.Join(bin, "cgotrace-no-such-cc"), []byte("#!/bin/sh\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, ran := run(); !ran {
		t.Errorf("with the compiler installed, go env did not run again")
	}
}

// wrapLogged writes bin/name, a script that appends "name ARGS" to the
// file calls (args: "$1" for the first argument, "$*" for all) and then
// runs real with its arguments.
func wrapLogged(t *testing.T, bin, name, real, calls, args string) {
	t.Helper()
	script := fmt.Sprintf("#!/bin/sh\necho \"%s %s\" >> %s\nexec %s \"$@\"\n", name, args, calls, real)
	if err := os.WriteFile(filepath.Join(bin, name), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
}

// keptTestEnv is the environment of the kept-answer builds: its own HOME
// (an empty cache directory), bin's go wrapper first on PATH, the real
// GOCACHE and GOROOT.
func keptTestEnv(home, bin, goBin string) []string {
	gocache, _ := exec.Command(goBin, "env", "GOCACHE").Output()
	return []string{"HOME=" + home, "PATH=" + bin + ":/usr/bin:/bin", "GOCACHE=" + strings.TrimSpace(string(gocache)),
		"GOROOT=" + filepath.Dir(filepath.Dir(goBin)), "CGO_ENABLED=1", "GOFLAGS=-buildvcs=false"}
}

// keptTestBuild runs cgotrace build of mod with bin's go wrapper and
// returns the report and what the wrappers logged to calls.
func keptTestBuild(t *testing.T, bin, mod string, env []string, calls string) (*Report, []byte) {
	t.Helper()
	os.Remove(calls)
	var term bytes.Buffer
	res, err := Build(context.Background(), BuildOptions{Go: filepath.Join(bin, "go"), Args: []string{"-o", os.DevNull, "."}, Dir: mod, Env: env, Terminal: &term})
	if err != nil {
		t.Fatal(err)
	}
	res.Wait()
	os.Remove(res.RawLog)
	b, _ := os.ReadFile(calls)
	return res.Report, b
}
