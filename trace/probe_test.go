package trace

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cgotrace/cgotrace/buildlog"
	"github.com/cgotrace/cgotrace/trace/diag"
)

func needGCC(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("gcc not on PATH")
	}
}

// gccShared builds a shared library from src at out with cc (gcc when
// empty) and the given soname.
func gccShared(t *testing.T, cc, out, soname, src string) {
	t.Helper()
	if cc == "" {
		cc = "gcc"
	}
	c := filepath.Join(t.TempDir(), "lib.c")
	if err := os.WriteFile(c, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(cc, "-shared", "-fPIC", "-Wl,-soname,"+soname, "-o", out, c)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", cmd, err, b)
	}
}

// TestLinkProbe runs the `ld --verbose` probe against directories built
// here: what the real linker attempted (its "attempt to open" lines) and
// what the directories hold.
func TestLinkProbe(t *testing.T) {
	needGCC(t)
	dir := t.TempDir()
	// Only the run-time file libgizmo.so.1, as a package without -dev.
	gccShared(t, "", filepath.Join(dir, "libgizmo.so.1"), "libgizmo.so.1", "int gizmo(void) { return 1; }\n")
	// libwidget.so and its archive, both present.
	gccShared(t, "", filepath.Join(dir, "libwidget.so"), "libwidget.so", "int widget(void) { return 2; }\n")
	if err := os.WriteFile(filepath.Join(dir, "libwidget.a"), []byte("!<arch>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	lp := &linkProbe{runner: ExecRunner{}, cc: []string{"gcc"}, dir: dir, env: os.Environ(), goarch: "amd64"}
	link := &buildlog.HostLink{Argv: []string{"gcc", "-m64", "-o", "a.out", "main.o", "-L", dir, "-lgizmo", "-no-pie"}}

	p := lp.probe(context.Background(), "-lgizmo", link)
	if p == nil {
		t.Fatalf("probe -lgizmo: nil; reruns %q", lp.Reruns)
	}
	if !slices.Contains(p.Searched, dir) {
		t.Errorf("Searched = %q, want %s among them (from -L)", p.Searched, dir)
	}
	if p.Searched[0] != dir {
		t.Errorf("Searched[0] = %s, want the -L directory %s first, as ld searches it", p.Searched[0], dir)
	}
	if want := []string{filepath.Join(dir, "libgizmo.so.1")}; !slices.Equal(p.Versioned, want) {
		t.Errorf("Versioned = %q, want %q", p.Versioned, want)
	}
	if len(p.Shared) != 0 || len(p.Archive) != 0 || p.Static {
		t.Errorf("Shared %q, Archive %q, Static %v: want none", p.Shared, p.Archive, p.Static)
	}
	// The evidence is ld's own words about the -L directory.
	wantEv := "attempt to open " + filepath.Join(dir, "libgizmo.so") + " failed"
	if !slices.Contains(p.Evidence, wantEv) {
		t.Errorf("Evidence = %q, want %q", p.Evidence, wantEv)
	}
	if len(lp.Reruns) != 1 || !strings.Contains(lp.Reruns[0], "-Wl,--verbose") || !strings.Contains(lp.Reruns[0], "-L"+dir) {
		t.Errorf("Reruns = %q, want the one command run, with -L%s and -Wl,--verbose", lp.Reruns, dir)
	}

	p = lp.probe(context.Background(), "widget", link)
	if p == nil {
		t.Fatal("probe widget: nil")
	}
	if want := []string{filepath.Join(dir, "libwidget.so")}; !slices.Equal(p.Shared, want) {
		t.Errorf("Shared = %q, want %q", p.Shared, want)
	}
	if want := []string{filepath.Join(dir, "libwidget.a")}; !slices.Equal(p.Archive, want) {
		t.Errorf("Archive = %q, want %q", p.Archive, want)
	}
	if len(p.Versioned) != 0 {
		t.Errorf("Versioned = %q: a libwidget.so exists, nothing is only versioned", p.Versioned)
	}

	// A static link: the probe keeps -static; ld then opens only .a files.
	static := &buildlog.HostLink{Argv: []string{"gcc", "-o", "a.out", "main.o", "-L" + dir, "-lgizmo", "-static"}}
	p = lp.probe(context.Background(), "-lgizmo", static)
	if p == nil {
		t.Fatal("probe -lgizmo -static: nil")
	}
	if !p.Static {
		t.Error("Static = false for a link with -static")
	}
	if len(lp.Reruns) == 0 || !strings.Contains(lp.Reruns[len(lp.Reruns)-1], " -static ") {
		t.Errorf("the static probe did not pass -static: %q", lp.Reruns[len(lp.Reruns)-1])
	}
	for _, e := range p.Evidence {
		if strings.Contains(e, ".so") {
			t.Errorf("a static link attempted a shared object: %q", e)
		}
	}
}

// TestLinkProbeWrongArch: an aarch64 libfoo.so in the -L directory of an
// x86-64 link is named as built for another machine.
func TestLinkProbeWrongArch(t *testing.T) {
	needGCC(t)
	if _, err := exec.LookPath("aarch64-linux-gnu-gcc"); err != nil {
		t.Skip("aarch64-linux-gnu-gcc not on PATH (Debian gcc-aarch64-linux-gnu, installed by scripts/setup.sh)")
	}
	dir := t.TempDir()
	gccShared(t, "aarch64-linux-gnu-gcc", filepath.Join(dir, "libarm.so"), "libarm.so", "int arm(void) { return 3; }\n")
	lp := &linkProbe{runner: ExecRunner{}, cc: []string{"gcc"}, dir: dir, env: os.Environ(), goarch: "amd64"}
	p := lp.probe(context.Background(), "-larm", &buildlog.HostLink{Argv: []string{"gcc", "-L" + dir, "-larm"}})
	if p == nil {
		t.Fatal("probe: nil")
	}
	if len(p.WrongArch) != 1 || !strings.HasPrefix(p.WrongArch[0], filepath.Join(dir, "libarm.so")+" (") || !strings.Contains(p.WrongArch[0], "AARCH64") {
		t.Errorf("WrongArch = %q, want %s named as AARCH64", p.WrongArch, filepath.Join(dir, "libarm.so"))
	}
	if len(p.Shared) != 0 {
		t.Errorf("Shared = %q: an aarch64 library does not count for an x86-64 link", p.Shared)
	}
}

// devMissingLog is the real log of the library-dev-missing scenario
// (go build -x, captured by testdata/logs' capture script) with its -L
// directory replaced by dir.
func devMissingLog(t *testing.T, dir string) *buildlog.Log {
	t.Helper()
	b, err := os.ReadFile("../testdata/logs/library-dev-missing-basic.x.log")
	if err != nil {
		t.Fatal(err)
	}
	const captured = "/tmp/cgotrace-capture.uvMudG/x/library-dev-missing-basic/lib"
	if !strings.Contains(string(b), captured) {
		t.Fatalf("the captured log no longer holds %s", captured)
	}
	l, err := buildlog.Parse(strings.NewReader(strings.ReplaceAll(string(b), captured, dir)))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestDiagnoseLibraryDevMissing: ld's "cannot find -lgizmo" with only
// libgizmo.so.1 in the -L directory is library-dev-missing; the same
// message with no libgizmo at all is library-not-found. The probe is the
// real one (gcc -Wl,--verbose), on files built here.
func TestDiagnoseLibraryDevMissing(t *testing.T) {
	needGCC(t)
	for _, tc := range []struct {
		name  string
		files []string
		want  diag.Code
	}{
		{"versioned-only", []string{"libgizmo.so.1"}, diag.LibraryDevMissing},
		{"versioned-and-unrelated", []string{"libgizmo.so.1.2.3", "libgizmoid.so"}, diag.LibraryDevMissing},
		{"nothing", nil, diag.LibraryNotFound},
		{"other-library", []string{"libgadget.so.1"}, diag.LibraryNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tc.files {
				so := f[:strings.Index(f, ".so")+3]
				gccShared(t, "", filepath.Join(dir, f), filepath.Base(so)+".1", "int f(void) { return 0; }\n")
			}
			l := devMissingLog(t, dir)
			lp := &linkProbe{runner: ExecRunner{}, cc: []string{"gcc"}, dir: dir, env: os.Environ(), goarch: "amd64"}
			f := &Facts{Packages: map[string]*Package{}, Probe: func(lib string, link *buildlog.HostLink) *LibProbe {
				return lp.probe(context.Background(), lib, link)
			}}
			ds := Diagnose(l, f)
			if len(ds) == 0 {
				t.Fatal("no diagnosis")
			}
			d := ds[0]
			if d.Code != tc.want {
				t.Fatalf("first diagnosis %s (%s), want %s", d.Code, d.Summary, tc.want)
			}
			if d.Subject["library"] != "gizmo" {
				t.Errorf("subject %v, want library=gizmo", d.Subject)
			}
			if !strings.Contains(d.Detail, dir) {
				t.Errorf("detail %q does not name the -L directory searched", d.Detail)
			}
			if tc.want == diag.LibraryDevMissing {
				v := filepath.Join(dir, tc.files[0])
				if !strings.Contains(d.Summary, v) || !strings.Contains(d.Fix, "-l:"+tc.files[0]) {
					t.Errorf("summary %q / fix %q: want %s named and -l:%s as the stop-gap", d.Summary, d.Fix, v, tc.files[0])
				}
			}
		})
	}
}

// TestCannotFindClassification is the decision table of cannotFind over
// what a probe can report, without running anything.
func TestCannotFindClassification(t *testing.T) {
	msg := buildlog.Message{Kind: buildlog.MsgCannotFindLib, Library: "-lgizmo", Raw: []string{"/usr/bin/ld: cannot find -lgizmo: No such file or directory"}}
	for _, tc := range []struct {
		name string
		p    *LibProbe
		want diag.Code
	}{
		{"versioned only", &LibProbe{Versioned: []string{"/l/libgizmo.so.1"}}, diag.LibraryDevMissing},
		{"shared present", &LibProbe{Shared: []string{"/l/libgizmo.so"}}, diag.LibraryNotFound},
		{"nothing", &LibProbe{Searched: []string{"/l"}}, diag.LibraryNotFound},
		{"wrong arch beats versioned", &LibProbe{WrongArch: []string{"/l/libgizmo.so (ELFCLASS64 AARCH64)"}, Versioned: []string{"/l/libgizmo.so.1"}}, diag.LibraryArchMismatch},
		{"static, shared only", &LibProbe{Static: true, Shared: []string{"/l/libgizmo.so"}}, diag.StaticLibraryMissing},
		{"static, versioned only", &LibProbe{Static: true, Versioned: []string{"/l/libgizmo.so.1"}}, diag.StaticLibraryMissing},
		{"static, nothing", &LibProbe{Static: true}, diag.StaticLibraryMissing},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &blockCtx{l: &buildlog.Log{}, b: &buildlog.Block{}, f: &Facts{Probe: func(string, *buildlog.HostLink) *LibProbe { return tc.p }}}
			d := c.cannotFind(msg, map[string]string{})
			if d.Code != tc.want {
				t.Errorf("%s, want %s (%s)", d.Code, tc.want, d.Summary)
			}
		})
	}
}
