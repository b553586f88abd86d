package elfinspect

import (
	"debug/elf"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

// TestFSMatchesRoot: the same tree read as a directory (--root) and as an
// fs.FS (a read image) resolves the same way: paths, vias, what was tried,
// hints from ld.so.conf, the interpreter, musl's rules.
func TestFSMatchesRoot(t *testing.T) {
	root := t.TempDir()
	multi := filepath.Join(root, "usr/lib/x86_64-linux-gnu")
	writeFile(t, filepath.Join(multi, "libc.so.6"), synthELF{soname: "libc.so.6", needed: []string{"ld-linux-x86-64.so.2"}}.bytes())
	writeFile(t, filepath.Join(multi, "ld-linux-x86-64.so.2"), synthELF{soname: "ld-linux-x86-64.so.2"}.bytes())
	writeFile(t, filepath.Join(multi, "libfoo.so.1.2"), synthELF{soname: "libfoo.so.1"}.bytes())
	os.Symlink("/usr/lib/x86_64-linux-gnu/libfoo.so.1.2", filepath.Join(multi, "libfoo.so.1"))
	os.MkdirAll(filepath.Join(root, "lib64"), 0o755)
	os.Symlink("/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", filepath.Join(root, "lib64/ld-linux-x86-64.so.2"))
	os.Symlink("usr/lib", filepath.Join(root, "lib"))
	writeFile(t, filepath.Join(root, "etc/ld.so.conf"), []byte("include /etc/ld.so.conf.d/*.conf\n"))
	writeFile(t, filepath.Join(root, "etc/ld.so.conf.d/opt.conf"), []byte("/opt/bar/lib\n"))
	writeFile(t, filepath.Join(root, "opt/bar/lib/libbar.so.2"), synthELF{soname: "libbar.so.2"}.bytes())
	writeFile(t, filepath.Join(root, "usr/bin/app"), synthELF{typ: elf.ET_EXEC, interp: "/lib64/ld-linux-x86-64.so.2",
		needed: []string{"libfoo.so.1", "libbar.so.2", "libc.so.6"}}.bytes())
	// $ORIGIN through a symlinked executable, and musl's inherited RUNPATH.
	writeFile(t, filepath.Join(root, "lib/ld-musl-x86_64.so.1"), synthELF{soname: "libc.so"}.bytes())
	writeFile(t, filepath.Join(root, "app/lib/libmid.so"), synthELF{soname: "libmid.so", needed: []string{"libleaf.so"}}.bytes())
	writeFile(t, filepath.Join(root, "app/lib/libleaf.so"), synthELF{soname: "libleaf.so"}.bytes())
	writeFile(t, filepath.Join(root, "app/bin/musl"), synthELF{typ: elf.ET_EXEC, interp: "/lib/ld-musl-x86_64.so.1",
		needed: []string{"libmid.so"}, runpath: "$ORIGIN/../lib"}.bytes())
	writeFile(t, filepath.Join(root, "app/bin/glibc"), synthELF{typ: elf.ET_EXEC, interp: "/lib64/ld-linux-x86-64.so.2",
		needed: []string{"libmid.so"}, runpath: "$ORIGIN/../lib"}.bytes())
	os.Symlink("../../app/bin/glibc", filepath.Join(root, "usr/bin/linked"))

	for _, p := range []string{"/usr/bin/app", "/app/bin/musl", "/app/bin/glibc", "/usr/bin/linked"} {
		want := inspectT(t, root+p, Options{Root: root, HWCaps: []string{}})
		want.Path = p
		got, err := NewInspector(Options{FS: os.DirFS(root), HWCaps: []string{}}).Inspect(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s: FS differs from Root (-root +fs):\n%s", p, d)
		}
	}
}

// TestFSMapFS: an in-memory FS (what an image is) with a missing library
// and a file that is not there at all.
func TestFSMapFS(t *testing.T) {
	m := fstest.MapFS{
		"lib64/ld-linux-x86-64.so.2":     {Data: synthELF{soname: "ld-linux-x86-64.so.2"}.bytes(), Mode: 0o755},
		"lib/x86_64-linux-gnu/libc.so.6": {Data: synthELF{soname: "libc.so.6"}.bytes(), Mode: 0o755},
		"lib/x86_64-linux-gnu/libz.so.1": {Data: []byte("/tmp/x"), Mode: 0o777 | fs.ModeSymlink},
		"app": {Data: synthELF{typ: elf.ET_EXEC, interp: "/lib64/ld-linux-x86-64.so.2",
			needed: []string{"libz.so.1", "libc.so.6"}}.bytes(), Mode: 0o755},
	}
	in := NewInspector(Options{FS: m, HWCaps: []string{}})
	b, err := in.Inspect("/app")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"libz.so.1"}, b.Missing); d != "" {
		t.Errorf("missing (-want +got):\n%s", d)
	}
	if l := lib(b, "libc.so.6"); l == nil || l.Path != "/lib/x86_64-linux-gnu/libc.so.6" {
		t.Errorf("libc.so.6 = %+v", l)
	}
	if _, err := in.Inspect("/nope"); err == nil {
		t.Error("inspecting a path the FS does not have: no error")
	}
}
