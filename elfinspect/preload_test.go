package elfinspect

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// lddWith runs ldd with extra environment and returns name => path (as
// ldd prints it) for every line with an arrow.
func lddWith(t *testing.T, exe string, env ...string) map[string]string {
	t.Helper()
	if _, err := exec.LookPath("ldd"); err != nil {
		t.Skip("ldd not installed")
	}
	cmd := exec.Command("ldd", exe)
	cmd.Env = append(append(os.Environ(), "LC_ALL=C", "LD_LIBRARY_PATH=", "LD_PRELOAD="), env...)
	out, _ := cmd.CombinedOutput()
	res := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		line = strings.TrimSpace(line)
		if name, rest, ok := strings.Cut(line, " => "); ok {
			p, _, _ := strings.Cut(rest, " (")
			res[name] = strings.TrimSpace(p)
		} else if p, _, ok := strings.Cut(line, " ("); ok && strings.HasPrefix(p, "/") {
			res[p] = p // an object loaded by path: the interpreter, a preload
		}
	}
	return res
}

// TestPreload: a DT_NEEDED that nothing on the search path provides is
// satisfied by an LD_PRELOAD object with that soname, loaded before any
// DT_NEEDED; a preload that does not exist is ignored with a warning.
// The real ld.so (ldd) is the reference.
func TestPreload(t *testing.T) {
	d := t.TempDir()
	cc(t, "gcc", d, "build/libpre.so", "int pre(void) { return 1; }\n", "-shared", "-fPIC", "-Wl,-soname,libpre.so")
	exe := cc(t, "gcc", d, "app", "int pre(void);\nint main(void) { return pre(); }\n", "-Lbuild", "-lpre")
	so := filepath.Join(d, "elsewhere", "libpre.so")
	data, _ := os.ReadFile(filepath.Join(d, "build", "libpre.so"))
	writeFile(t, so, data)
	os.RemoveAll(filepath.Join(d, "build"))

	// Without the preload, libpre.so is missing for both.
	if ref := lddWith(t, exe); ref["libpre.so"] != "not found" {
		t.Fatalf("ldd without LD_PRELOAD: libpre.so => %q", ref["libpre.so"])
	}
	if b := inspectT(t, exe, Options{}); !contains(b.Missing, "libpre.so") {
		t.Errorf("without LD_PRELOAD: missing %v", b.Missing)
	}

	preload := so + ":" + filepath.Join(d, "absent.so")
	ref := lddWith(t, exe, "LD_PRELOAD="+preload)
	b := inspectT(t, exe, Options{Preload: preload})
	if len(b.Missing) != 0 {
		t.Errorf("with LD_PRELOAD: missing %v (ldd: %v)", b.Missing, ref)
	}
	// ldd lists the preloaded object, and no libpre.so => not found: the
	// DT_NEEDED is satisfied by the object already loaded.
	if ref[so] != so || ref["libpre.so"] != "" {
		t.Fatalf("ldd with LD_PRELOAD: %v", ref)
	}
	l := lib(b, "libpre.so")
	if l == nil || !l.Found || l.Path != so || l.Via != "already loaded" {
		t.Errorf("libpre.so: %+v, want %s, already loaded", l, so)
	}
	if p := lib(b, so); p == nil || !p.Found || p.Via != "LD_PRELOAD" || p.Depth != 1 {
		t.Errorf("the preload itself: %+v", p)
	}
	if a := lib(b, filepath.Join(d, "absent.so")); a == nil || a.Found || !a.Weak {
		t.Errorf("a preload that does not exist should be a weak, missing library: %+v", a)
	}
	var text strings.Builder
	if err := WriteText(&text, b, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"├── " + so + " [LD_PRELOAD]", "absent.so => not found [LD_PRELOAD, ignored by ld.so]", "libpre.so => " + so + " [already loaded]"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text output lacks %q:\n%s", want, text.String())
		}
	}
	for _, dg := range b.Diagnoses {
		if dg.Severity != Warning {
			t.Errorf("a missing preload is a warning only: %+v", dg)
		}
	}
	warned := false
	for _, dg := range b.Diagnoses {
		warned = warned || strings.Contains(dg.Summary, "cannot be preloaded")
	}
	if !warned {
		t.Errorf("no warning for the missing preload: %+v", b.Diagnoses)
	}
}
