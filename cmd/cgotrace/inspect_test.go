package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cgotrace/cgotrace/elfinspect"
)

// gccT builds C source with gcc in dir, or skips without gcc.
func gccT(t *testing.T, dir, out, src string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("gcc not installed")
	}
	c := filepath.Join(dir, out+".c")
	if err := os.WriteFile(c, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, out)
	cmd := exec.Command("gcc", append([]string{"-o", p, c}, args...)...)
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, b)
	}
	return p
}

type cliFixtures struct{ ok, missing, static, tmpRpath, garbage string }

func buildCLIFixtures(t *testing.T) cliFixtures {
	d := t.TempDir()
	gccT(t, d, "libgone.so", "int gone(void){return 0;}\n", "-shared", "-fPIC", "-Wl,-soname,libgone.so")
	fx := cliFixtures{
		ok:       gccT(t, d, "ok", "int main(void){return 0;}\n"),
		missing:  gccT(t, d, "missing", "int gone(void);\nint main(void){return gone();}\n", "-L.", "-lgone"),
		static:   gccT(t, d, "static", "int main(void){return 0;}\n", "-static"),
		tmpRpath: gccT(t, d, "tmprpath", "int main(void){return 0;}\n", "-Wl,-rpath,/tmp/mylibs:$ORIGIN/../lib"),
		garbage:  filepath.Join(d, "garbage"),
	}
	os.Remove(filepath.Join(d, "libgone.so"))
	os.WriteFile(fx.garbage, []byte("this is not a binary"), 0o644)
	return fx
}

func TestInspectCLI(t *testing.T) {
	fx := buildCLIFixtures(t)
	t.Setenv("LD_LIBRARY_PATH", "")

	code, out, stderr := run(t, "inspect", fx.ok)
	if code != 0 || !strings.Contains(out, "libc.so.6 => ") || !strings.Contains(out, "[ld.so.cache]") {
		t.Errorf("inspect ok: exit %d\n%s%s", code, out, stderr)
	}

	code, out, _ = run(t, "inspect", fx.missing)
	if code != 1 || !strings.Contains(out, "libgone.so => not found") || !strings.Contains(out, "missing: libgone.so") {
		t.Errorf("inspect missing: exit %d\n%s", code, out)
	}

	// An unreadable file: one line on stderr, exit 2, the others still inspected.
	code, out, stderr = run(t, "inspect", "--format", "json", fx.garbage, fx.ok, fx.missing)
	if code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "cgotrace: inspect "+fx.garbage+": not an ELF, Mach-O or PE file") {
		t.Errorf("stderr %q", stderr)
	}
	var bins []elfinspect.Binary
	if err := json.Unmarshal([]byte(out), &bins); err != nil {
		t.Fatalf("json: %v\n%s", err, out)
	}
	if len(bins) != 2 || bins[0].Path != fx.ok || bins[1].Missing[0] != "libgone.so" {
		t.Errorf("json binaries: %+v", bins)
	}
	if bins[0].Needed == nil || bins[0].Rpath == nil || bins[0].Diagnoses == nil {
		t.Error("json arrays must be [] not null")
	}

	// --ld-library-path overrides the environment.
	code, _, _ = run(t, "inspect", "--ld-library-path", "/nonexistent", fx.ok)
	if code != 0 {
		t.Errorf("--ld-library-path: exit %d", code)
	}
	code, _, stderr = run(t, "inspect", "--format", "xml", fx.ok)
	if code != 2 || !strings.Contains(stderr, "--format must be text or json") {
		t.Errorf("bad format: exit %d %q", code, stderr)
	}
	code, _, _ = run(t, "inspect", "--root", "/nonexistent-root", fx.ok)
	if code != 2 {
		t.Errorf("bad root: exit %d", code)
	}
	code, _, _ = run(t, "inspect")
	if code != 2 {
		t.Errorf("no args: exit %d", code)
	}
}

func TestVerifyCLI(t *testing.T) {
	fx := buildCLIFixtures(t)
	tests := []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"--static", fx.static}, 0, []string{fx.static + ": ok"}},
		{[]string{"--static", fx.ok}, 1, []string{
			fx.ok + ": FAIL not-static: not static: PT_INTERP /lib64/ld-linux-x86-64.so.2",
			fx.ok + ": FAIL not-static: not static: DT_NEEDED libc.so.6"}},
		{[]string{"--static", "--allow", "libc.so.6", "--allow", "/lib64/ld-linux-x86-64.so.2", fx.ok}, 0, []string{fx.ok + ": ok"}},
		{[]string{"--max-glibc", "2.2.5", fx.ok}, 1, []string{"FAIL glibc-too-new: needs GLIBC_2.34, newer than --max-glibc 2.2.5"}},
		{[]string{"--max-glibc", "2.36", fx.ok}, 0, []string{fx.ok + ": ok"}},
		{[]string{fx.tmpRpath}, 1, []string{`FAIL insecure-rpath: RUNPATH entry "/tmp/mylibs" is under /tmp`}},
		{[]string{"--no-rpath", fx.tmpRpath}, 1, []string{`RUNPATH entry "$ORIGIN/../lib" (--no-rpath`}},
		{[]string{fx.missing}, 1, []string{"FAIL runtime-library-missing: missing: libgone.so (needed by " + fx.missing + ") resolves to no file"}},
		{[]string{"--allow", "libgone.so", fx.missing}, 0, []string{fx.missing + ": ok"}},
		{[]string{fx.garbage, fx.static}, 2, []string{fx.static + ": ok"}},
		{[]string{"--max-glibc", "two", fx.ok}, 2, nil},
	}
	for _, tt := range tests {
		code, out, stderr := run(t, append([]string{"verify"}, tt.args...)...)
		if code != tt.code {
			t.Errorf("verify %q: exit %d, want %d\n%s%s", tt.args, code, tt.code, out, stderr)
		}
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("verify %q: output lacks %q:\n%s", tt.args, w, out)
			}
		}
	}
}
