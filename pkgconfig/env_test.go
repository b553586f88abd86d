package pkgconfig

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestAskDefaultsKept: an installed pkg-config's answers are kept on disk
// and read back by the next run without running it; a changed binary is
// asked again; a wrapper script is never kept.
func TestAskDefaultsKept(t *testing.T) {
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Skip("no C compiler: cannot build a fake pkg-config binary")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "fake.c")
	log := filepath.Join(dir, "calls")
	prog := `#include <stdio.h>
#include <string.h>
int main(int argc, char **argv) {
	FILE *f = fopen("` + log + `", "a"); fprintf(f, "x\n"); fclose(f);
	if (argc > 2 && strcmp(argv[2], "pc_path") == 0) puts("/fake/` + "VERSION" + `/pkgconfig");
	else if (argc > 1 && strcmp(argv[1], "--version") == 0) puts("9.9.9");
	else puts("/fake/include");
	return 0;
}
`
	bin := filepath.Join(dir, "bin", "pkg-config")
	os.MkdirAll(filepath.Dir(bin), 0o755)
	build := func(version string) {
		os.WriteFile(src, []byte(strings.ReplaceAll(prog, "VERSION", version)), 0o644)
		if out, err := exec.Command(cc, "-o", bin, src).CombinedOutput(); err != nil {
			t.Fatalf("cc: %v\n%s", err, out)
		}
	}
	calls := func() int {
		b, _ := os.ReadFile(log)
		return strings.Count(string(b), "x")
	}
	ask := func() *Defaults {
		defaultsMu.Lock()
		defaultsCache = map[string]*Defaults{} // a new process
		defaultsMu.Unlock()
		d, err := AskDefaults(bin, Env{"PATH=/usr/bin:/bin"})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	KeepDefaultsIn(filepath.Join(dir, "cache"))
	defer KeepDefaultsIn("")
	build("one")
	if d := ask(); d.PCPath[0] != "/fake/one/pkgconfig" || d.Version != "9.9.9" || calls() != 4 {
		t.Fatalf("first run: %+v, %d calls", d, calls())
	}
	if d := ask(); d.PCPath[0] != "/fake/one/pkgconfig" || calls() != 4 {
		t.Fatalf("second run: %+v, %d calls (want none more)", d, calls())
	}
	os.Remove(bin)
	build("two") // an upgrade: another binary
	if d := ask(); d.PCPath[0] != "/fake/two/pkgconfig" || calls() != 8 {
		t.Fatalf("after the upgrade: %+v, %d calls", d, calls())
	}
	script := filepath.Join(dir, "wrap", "pkg-config")
	os.MkdirAll(filepath.Dir(script), 0o755)
	os.WriteFile(script, []byte("#!/bin/sh\nexec "+bin+" \"$@\"\n"), 0o755)
	bin = script
	ask()
	ask()
	if calls() != 16 {
		t.Fatalf("a wrapper script was kept: %d calls, want 16", calls())
	}
}
