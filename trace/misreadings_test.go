package trace

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cgotrace/cgotrace/buildlog"
	"github.com/cgotrace/cgotrace/trace/diag"
)

// The builds of issue 12 that were misread, run for real with go build in
// a fresh directory (the fake libraries and .pc files are made here).

func buildReport(t *testing.T, dir string, env []string, args ...string) *Report {
	t.Helper()
	res, err := Build(context.Background(), BuildOptions{Args: args, Dir: dir, Env: env})
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(res.RawLog)
	res.Wait()
	if res.Report.Command.ExitCode == 0 {
		t.Fatalf("the build succeeded; it must fail: %+v", res.Report.Diagnoses)
	}
	return res.Report
}

// needTool skips the test when a program it runs is not installed.
func needTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s not installed", name)
	}
}

func firstErrorDiag(ds []diag.Diagnosis, pkg string) *diag.Diagnosis {
	for i := range ds {
		if ds[i].Severity == diag.Error && (pkg == "" || ds[i].Package == pkg) {
			return &ds[i]
		}
	}
	return nil
}

// TestBuildMissingCXX: CXX names a compiler that does not exist and the
// package has a C++ file. go build prints only `pkg: exec: "X":
// executable file not found in $PATH`; the -x command before it is the
// C++ compile, so it is cc-not-found for X, not pkg-config-not-found. The
// same message for a missing PKG_CONFIG stays pkg-config-not-found.
func TestBuildMissingCXX(t *testing.T) {
	t.Parallel()
	needGo(t)
	dir := writeModule(t, map[string]string{
		"go.mod":    "module example.com/cxxmissing\n\ngo 1.22\n",
		"main.go":   "package main\n\n// extern int twice(int);\nimport \"C\"\n\nfunc main() { println(C.twice(2)) }\n",
		"twice.cpp": "extern \"C\" int twice(int x) { return 2 * x; }\n",
		"pc/pc.go":  "package pc\n\n// #cgo pkg-config: zlib\nimport \"C\"\n",
	})
	const cxx = "cgotrace-no-such-cxx"
	rep := buildReport(t, dir, append(os.Environ(), "CGO_ENABLED=1", "CXX="+cxx), ".")
	d := firstErrorDiag(rep.Diagnoses, "")
	if d == nil || d.Code != diag.CCNotFound || d.Subject["tool"] != cxx {
		t.Fatalf("CXX=%s: got %+v, want cc-not-found with tool %s", cxx, rep.Diagnoses, cxx)
	}
	if !strings.Contains(d.Summary, "C++") || !strings.Contains(d.Detail, "twice.cpp") {
		t.Errorf("the diagnosis does not name the C++ step: summary %q, detail %q", d.Summary, d.Detail)
	}

	const pc = "cgotrace-no-such-pkg-config"
	rep = buildReport(t, dir, append(os.Environ(), "CGO_ENABLED=1", "PKG_CONFIG="+pc), "./pc")
	d = firstErrorDiag(rep.Diagnoses, "")
	if d == nil || d.Code != diag.PkgConfigNotFound || d.Subject["tool"] != pc {
		t.Fatalf("PKG_CONFIG=%s: got %+v, want pkg-config-not-found with tool %s", pc, rep.Diagnoses, pc)
	}
}

// TestBuildUndefinedCXXSymbol: GNU ld prints an undefined C++ function
// demangled ("undefined reference to `foo::bar(foo::Baz const&)'");
// report-v1 wants subject.symbol to be the linker's (mangled) name and
// subject.demangled the readable one. c++filt, binutils' own demangler,
// checks that the two are one symbol.
func TestBuildUndefinedCXXSymbol(t *testing.T) {
	t.Parallel()
	needGo(t)
	needTool(t, "g++")
	dir := writeModule(t, map[string]string{
		"go.mod":  "module example.com/cxxsym\n\ngo 1.22\n",
		"main.go": "package main\n\n// extern int call(void);\nimport \"C\"\n\nfunc main() { println(C.call()) }\n",
		"call.cpp": "namespace foo { struct Baz { int v; }; int bar(const Baz&); }\n" +
			"extern \"C\" int call(void) { foo::Baz b{1}; return foo::bar(b); }\n",
	})
	rep := buildReport(t, dir, append(os.Environ(), "CGO_ENABLED=1"), ".")
	d := firstErrorDiag(rep.Diagnoses, "")
	if d == nil || d.Code != diag.UndefinedSymbol {
		t.Fatalf("got %+v, want undefined-symbol", rep.Diagnoses)
	}
	const printed = "foo::bar(foo::Baz const&)" // as ld printed it, in the evidence
	if !strings.Contains(strings.Join(d.Evidence, "\n"), "`"+printed+"'") {
		t.Fatalf("ld did not print %q: evidence %q", printed, d.Evidence)
	}
	if d.Subject["demangled"] != printed {
		t.Errorf("subject.demangled = %q, want %q", d.Subject["demangled"], printed)
	}
	sym := d.Subject["symbol"]
	if sym != "_ZN3foo3barERKNS_3BazE" {
		t.Errorf("subject.symbol = %q, want the Itanium name _ZN3foo3barERKNS_3BazE", sym)
	}
	if filt, err := exec.LookPath("c++filt"); err == nil {
		out, err := exec.Command(filt, sym).Output()
		if err != nil || strings.TrimSpace(string(out)) != printed {
			t.Errorf("c++filt %s = %q (%v), want %q", sym, out, err, printed)
		}
	}
}

// TestBuildPkgConfigVersion: a version constraint that pkg-config checks
// silently (--atleast-version, --exact-version, --max-version inside the
// #cgo line: it exits 1 and prints nothing) and one in a .pc file's
// Requires (pkgconf says why) are pkg-config-version-mismatch, with what
// was wanted and what is installed (gadget.pc says 1.5.0).
func TestBuildPkgConfigVersion(t *testing.T) {
	t.Parallel()
	needGo(t)
	needTool(t, "pkg-config")
	pkg := func(name, directive string) string {
		return "package " + name + "\n\n// #cgo pkg-config: " + directive + "\nimport \"C\"\n"
	}
	dir := writeModule(t, map[string]string{
		"go.mod":        "module example.com/pcver\n\ngo 1.22\n",
		"atleast/a.go":  pkg("atleast", "--atleast-version=2.0.0 gadget"),
		"exact/a.go":    pkg("exact", "--exact-version=1.4.0 gadget"),
		"max/a.go":      pkg("max", "--max-version=1.0.0 gadget"),
		"requires/a.go": pkg("requires", "widget"),
		"pc/gadget.pc":  "Name: gadget\nDescription: test\nVersion: 1.5.0\nCflags:\nLibs:\n",
		"pc/widget.pc":  "Name: widget\nDescription: test\nVersion: 3.0\nRequires: gadget >= 2.0\nCflags:\nLibs:\n",
	})
	env := append(os.Environ(), "CGO_ENABLED=1", "PKG_CONFIG_PATH="+filepath.Join(dir, "pc"))
	rep := buildReport(t, dir, env, "./atleast", "./exact", "./max", "./requires")
	for _, tc := range []struct{ pkg, wanted string }{
		{"atleast", ">= 2.0.0"}, {"exact", "= 1.4.0"}, {"max", "<= 1.0.0"}, {"requires", ">= 2.0"},
	} {
		d := firstErrorDiag(rep.Diagnoses, "example.com/pcver/"+tc.pkg)
		if d == nil {
			t.Errorf("%s: no diagnosis in %+v", tc.pkg, rep.Diagnoses)
			continue
		}
		want := map[string]string{"pkg_config_package": "gadget", "wanted": tc.wanted, "installed": "1.5.0"}
		if d.Code != diag.PkgConfigVersionMismatch || !sameMap(d.Subject, want) {
			t.Errorf("%s: %s %v (%s), want pkg-config-version-mismatch %v", tc.pkg, d.Code, d.Subject, d.Summary, want)
		}
	}
}

func sameMap(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestAnalyzeProgramCannotStart: go run builds the program and then runs
// it; when the loader cannot find a library the build linked
// (here libfoo.so.1, in a directory only -L names), the output is the
// loader's message and an exit status, not a build error. analyze of that
// real output names runtime-library-missing for libfoo.so.1.
func TestAnalyzeProgramCannotStart(t *testing.T) {
	t.Parallel()
	needGo(t)
	dir := writeModule(t, map[string]string{
		"go.mod":    "module example.com/cannotstart\n\ngo 1.22\n",
		"lib/foo.c": "int foo(void) { return 3; }\n",
		"main.go":   "package main\n\n// #cgo LDFLAGS: -L${SRCDIR}/lib -lfoo\n// int foo(void);\nimport \"C\"\n\nfunc main() { println(C.foo()) }\n",
	})
	lib := filepath.Join(dir, "lib")
	if out, err := exec.Command("gcc", "-shared", "-fPIC", "-Wl,-soname,libfoo.so.1", "-o", filepath.Join(lib, "libfoo.so.1"), filepath.Join(lib, "foo.c")).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	if err := os.Symlink("libfoo.so.1", filepath.Join(lib, "libfoo.so")); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "run", ".")
	cmd.Dir, cmd.Env = dir, append(os.Environ(), "CGO_ENABLED=1", "LD_LIBRARY_PATH=")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "libfoo.so.1") {
		t.Fatalf("go run: %v, output %q: the program must fail to start", err, out)
	}
	rep, _, err := Analyze(strings.NewReader(string(out)), "test")
	if err != nil {
		t.Fatalf("analyze: %v\n%s", err, out)
	}
	d := firstErrorDiag(rep.Diagnoses, "")
	if d == nil || d.Code != diag.RuntimeLibraryMissing || d.Subject["library"] != "libfoo.so.1" {
		t.Errorf("got %+v, want runtime-library-missing libfoo.so.1\noutput:\n%s", rep.Diagnoses, out)
	}
	if rep.Command.ExitCode == 0 {
		t.Errorf("exit code 0 for a program that could not start")
	}
}

// TestCgoOffUndefined: with cgo off (CGO_ENABLED=0, or a cross build
// without CGO_ENABLED=1) the files that import "C" are left out, and go
// build reports only the names they define as undefined. The message does
// not say that cgo was off; what is known of the build does (go env, or
// the variables on the command line a snippet shows): then it is
// cgo-disabled, and without that knowledge a compile error.
func TestCgoOffUndefined(t *testing.T) {
	needGo(t)
	dir := writeModule(t, map[string]string{
		"go.mod":  "module example.com/cgooff\n\ngo 1.22\n",
		"a.go":    "package main\n\n// int twice(int x) { return 2 * x; }\nimport \"C\"\n\nfunc Twice(x int) int { return int(C.twice(C.int(x))) }\n",
		"main.go": "package main\n\nfunc main() { println(Twice(2)) }\n",
	})
	// The output of a cross build (GOOS=windows GOARCH=amd64 without
	// CGO_ENABLED=1) is the same two lines; only what is known of the
	// build differs (a cross build compiles the standard library for
	// the target, too slow for this test).
	cmd := exec.Command("go", "build", "-o", os.DevNull, ".")
	cmd.Dir, cmd.Env = dir, append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "undefined: Twice") {
		t.Fatalf("go build: %v, %q: want undefined: Twice", err, out)
	}
	for _, tc := range []struct {
		facts  GoEnv
		reason string
	}{
		{GoEnv{"CGO_ENABLED": "0"}, "CGO_ENABLED=0"},
		{GoEnv{"GOOS": "windows", "GOARCH": "amd64"}, "cross-compiling"},
	} {
		l, err := parseLog(string(out))
		if err != nil {
			t.Fatal(err)
		}
		ds := Diagnose(l, &Facts{GoEnv: tc.facts})
		if d := firstErrorDiag(ds, ""); d == nil || d.Code != diag.CgoDisabled || !strings.Contains(d.Subject["reason"], tc.reason) {
			t.Errorf("with %v: got %+v, want cgo-disabled (%s)", tc.facts, ds, tc.reason)
		}
	}
	l, _ := parseLog(string(out))
	if d := firstErrorDiag(Diagnose(l, nil), ""); d == nil || d.Code != diag.CompileError {
		t.Errorf("log alone: got %+v, want compile-error (the log does not say that cgo was off)", d)
	}
}

func parseLog(s string) (*buildlog.Log, error) { return buildlog.Parse(strings.NewReader(s)) }
