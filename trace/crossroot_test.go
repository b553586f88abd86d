package trace

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sirupsen/logrus"
	"github.com/sirupsen/logrus/hooks/test"

	"github.com/cgotrace/cgotrace/trace/diag"
)

func TestRootOfLibDir(t *testing.T) {
	for in, want := range map[string]string{
		"/usr/aarch64-linux-gnu/lib":             "/usr/aarch64-linux-gnu",
		"/usr/lib/aarch64-linux-gnu":             "/",
		"/opt/sysroot/lib/aarch64-linux-gnu":     "/opt/sysroot",
		"/opt/sysroot/usr/lib64":                 "/opt/sysroot",
		"/usr/lib32":                             "/",
		"/opt/x-tools/aarch64/sysroot/lib":       "/opt/x-tools/aarch64/sysroot",
		"/opt/musl/aarch64-linux-musl/lib":       "/opt/musl/aarch64-linux-musl",
		"/opt/sdk/sysroots/cortexa53/usr/lib":    "/opt/sdk/sysroots/cortexa53",
		"/opt/sdk/sysroots/cortexa53/usr/lib/gc": "/opt/sdk/sysroots/cortexa53/usr/lib/gc",
	} {
		if got := rootOfLibDir(in); got != want {
			t.Errorf("rootOfLibDir(%s) = %s, want %s", in, got, want)
		}
	}
}

// TestBuildCrossOutput: a cgo program cross-built for linux/arm64 with
// the Debian aarch64 cross compiler succeeds, and its libraries are
// resolved in the cross toolchain's directory, where ld.so and libc.so.6
// are, not against this machine's x86-64 libraries. With a cross
// compiler that names no sysroot and no libc.so.6, nothing is resolved
// and the log says why.
func TestBuildCrossOutput(t *testing.T) {
	needGo(t)
	if _, err := exec.LookPath("aarch64-linux-gnu-gcc"); err != nil {
		t.Skip("aarch64-linux-gnu-gcc not on PATH (Debian gcc-aarch64-linux-gnu, installed by scripts/setup.sh)")
	}
	dir := writeModule(t, map[string]string{"go.mod": "module example.com/cross\n\ngo 1.22\n", "main.go": healthyCgo})
	env := append(os.Environ(), "CGO_ENABLED=1", "GOOS=linux", "GOARCH=arm64", "CC=aarch64-linux-gnu-gcc")
	log, hook := test.NewNullLogger()
	log.SetLevel(logrus.DebugLevel)
	res, err := Build(context.Background(), BuildOptions{Args: []string{"-o", "app", "."}, Dir: dir, Env: env, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(res.RawLog)
	rep := res.Report
	if rep.Command.ExitCode != 0 {
		t.Fatalf("cross build failed: %+v", rep.Diagnoses)
	}
	for _, d := range rep.Diagnoses {
		if d.Code == diag.RuntimeLibraryMissing {
			t.Errorf("false alarm after a good cross build: %s", d.Summary)
		}
	}
	if len(rep.Binaries) != 1 || rep.Binaries[0].Machine != "aarch64" {
		t.Fatalf("binaries %+v, want the one aarch64 program", rep.Binaries)
	}
	b := rep.Binaries[0]
	libc := ""
	for _, l := range b.Libraries {
		if l.Name == "libc.so.6" && l.Found {
			libc = l.Path
		}
	}
	if libc != "/lib/libc.so.6" || len(b.Missing) != 0 {
		t.Errorf("libc.so.6 at %q, missing %q: want /lib/libc.so.6 in the cross root", libc, b.Missing)
	}
	for _, e := range hook.AllEntries() {
		if e.Level <= logrus.InfoLevel {
			t.Errorf("log %s: %s", e.Level, e.Message)
		}
	}

	// A cross compiler that knows no sysroot and no C library answers as
	// gcc does then: an empty -print-sysroot, and an unknown
	// -print-file-name printed back unchanged.
	wrapper := filepath.Join(t.TempDir(), "nolibc-gcc")
	os.WriteFile(wrapper, []byte("#!/bin/sh\ncase \"$1\" in\n-print-sysroot) echo ;;\n-print-file-name=*) echo \"${1#-print-file-name=}\" ;;\n*) exec aarch64-linux-gnu-gcc \"$@\" ;;\nesac\n"), 0o755)
	o := BuildOptions{Dir: dir, Env: append(env, "CC="+wrapper), Log: log}
	o.defaults()
	tgt := outputTargetOf(context.Background(), &o)
	if !tgt.cross || !tgt.unresolved || tgt.root != "" {
		t.Fatalf("target %+v: want cross, unresolved", tgt)
	}
	hook.Reset()
	b, err = newOutputInspector(&o).Inspect(filepath.Join(dir, "app"))
	if err != nil {
		t.Fatal(err)
	}
	a := &analysis{o: &o}
	a.forTarget(context.Background(), b)
	if len(b.Libraries) != 0 || len(b.Missing) != 0 {
		t.Errorf("libraries %+v, missing %q: want nothing resolved", b.Libraries, b.Missing)
	}
	for _, d := range b.Diagnoses {
		if string(d.Kind) == string(diag.RuntimeLibraryMissing) {
			t.Errorf("without a sysroot: %s", d.Summary)
		}
	}
	note := ""
	for _, e := range hook.AllEntries() {
		if e.Level == logrus.InfoLevel {
			note = e.Message
		}
	}
	if !strings.Contains(note, "linux/arm64") || !strings.Contains(note, "no sysroot") || !strings.Contains(note, "--root") {
		t.Errorf("note %q: want the target, that no sysroot is known, and --root", note)
	}
}

// TestCrossRootKept: the cross compiler's answers for the target's root
// are kept between runs, used while the file the root was found by is
// there, and not kept for a target without a root.
func TestCrossRootKept(t *testing.T) {
	real, err := exec.LookPath("aarch64-linux-gnu-gcc")
	if err != nil {
		t.Skip("aarch64-linux-gnu-gcc not installed (apt-get install gcc-aarch64-linux-gnu; scripts/setup.sh does)")
	}
	home, bin := t.TempDir(), t.TempDir()
	calls := filepath.Join(t.TempDir(), "calls")
	wrapLogged(t, bin, "aarch64-linux-gnu-gcc", real, calls, "$*")
	// cgotrace runs the compiler from its own PATH.
	t.Setenv("PATH", bin+":"+os.Getenv("PATH"))
	env := []string{"HOME=" + home, "PATH=" + bin + ":/usr/bin:/bin", "GOOS=linux", "GOARCH=arm64", "CC=aarch64-linux-gnu-gcc"}
	o := BuildOptions{Dir: t.TempDir(), Env: env}
	o.defaults()
	decide := func() (*outputTarget, string) {
		t.Helper()
		outputTargets.Clear()
		os.Remove(calls)
		tgt := outputTargetOf(context.Background(), &o)
		b, _ := os.ReadFile(calls)
		return tgt, string(b)
	}
	first, c1 := decide()
	if !first.cross || first.unresolved || first.checked == "" || !strings.Contains(c1, "-print-") {
		t.Fatalf("first: %+v, calls %q", first, c1)
	}
	kept, _ := filepath.Glob(filepath.Join(home, ".cache", "cgotrace", "cross-root", "*.json"))
	if len(kept) != 1 {
		t.Fatalf("kept files %q", kept)
	}
	second, c2 := decide()
	if c2 != "" || *second != *first {
		t.Errorf("second: %+v (first %+v), calls %q", second, first, c2)
	}
	// The file the root was found by is gone: not used.
	if _, ok := (keptCrossRoot{Root: "/r", How: "h", Checked: filepath.Join(t.TempDir(), "libc.so.6")}).target(); ok {
		t.Error("a kept root whose libc is gone was used")
	}
	// Another compiler that knows no root: asked, nothing kept for it.
	nolibc := filepath.Join(bin, "nolibc-gcc")
	os.WriteFile(nolibc, []byte("#!/bin/sh\necho \"nolibc $*\" >> "+calls+"\ncase \"$1\" in\n-print-sysroot) echo ;;\n-print-file-name=*) echo \"${1#-print-file-name=}\" ;;\nesac\n"), 0o755)
	o.Env = append(env, "CC=nolibc-gcc")
	for range 2 {
		if tgt, c := decide(); !tgt.unresolved || !strings.Contains(c, "nolibc -print-sysroot") {
			t.Errorf("no root: %+v, calls %q", tgt, c)
		}
	}
	if kept, _ := filepath.Glob(filepath.Join(home, ".cache", "cgotrace", "cross-root", "*.json")); len(kept) != 1 {
		t.Errorf("kept files %q, want only the first compiler's", kept)
	}
}
