package elfinspect

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDeepChain: a 10,000-deep dependency chain resolves without
// recursion limits and quickly; the text tree prints it.
func TestDeepChain(t *testing.T) {
	const depth = 10000
	d := t.TempDir()
	for i := 0; i < depth; i++ {
		s := synthELF{soname: fmt.Sprintf("lib%d.so", i), runpath: "$ORIGIN"}
		if i+1 < depth {
			s.needed = []string{fmt.Sprintf("lib%d.so", i+1)}
		}
		writeFile(t, filepath.Join(d, s.soname), s.bytes())
	}
	exe := writeFile(t, filepath.Join(d, "app"), synthELF{typ: elf.ET_EXEC, needed: []string{"lib0.so"}, runpath: "$ORIGIN"}.bytes())
	start := time.Now()
	b := inspectT(t, exe, Options{})
	if len(b.Libraries) != depth || len(b.Missing) != 0 {
		t.Fatalf("%d libraries, missing %q; want %d and none", len(b.Libraries), b.Missing, depth)
	}
	if last := b.Libraries[depth-1]; last.Depth != depth || last.Via != "runpath" {
		t.Errorf("last = %+v", last)
	}
	var buf bytes.Buffer
	if err := WriteText(&buf, b, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "lib9999.so => ") {
		t.Error("text tree does not reach the end of the chain")
	}
	t.Logf("10,000-deep chain: %v", time.Since(start))
}

// TestLoops: dependency cycles and symlink loops end.
func TestLoops(t *testing.T) {
	d := t.TempDir()
	writeFile(t, filepath.Join(d, "liba.so"), synthELF{soname: "liba.so", needed: []string{"libb.so"}, runpath: "$ORIGIN"}.bytes())
	writeFile(t, filepath.Join(d, "libb.so"), synthELF{soname: "libb.so", needed: []string{"liba.so", "libloop.so"}, runpath: "$ORIGIN"}.bytes())
	if err := os.Symlink("libloop.so", filepath.Join(d, "libloop.so")); err != nil {
		t.Fatal(err)
	}
	exe := writeFile(t, filepath.Join(d, "app"), synthELF{typ: elf.ET_EXEC, needed: []string{"liba.so"}, runpath: "$ORIGIN"}.bytes())
	b := inspectT(t, exe, Options{})
	if len(b.Missing) != 1 || b.Missing[0] != "libloop.so" {
		t.Fatalf("missing = %q, want [libloop.so]", b.Missing)
	}
	if l := lib(b, "libloop.so"); !strings.Contains(strings.Join(l.Tried, " "), "too many levels of symbolic links") {
		t.Errorf("libloop.so tried = %q", l.Tried)
	}
	// The same loop inside --root, where cgotrace follows links itself.
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "lib"), 0o755)
	os.Symlink("/lib/x", filepath.Join(root, "lib", "x"))
	in := NewInspector(Options{Root: root})
	if _, err := in.fs.realpath("/lib/x"); err == nil || !strings.Contains(err.Error(), "too many levels") {
		t.Errorf("realpath of a symlink loop in root: %v", err)
	}
}

// TestCorrupt: broken files give one clear error, never a panic or hang.
func TestCorrupt(t *testing.T) {
	good := synthELF{interp: "/lib64/ld-linux-x86-64.so.2", needed: []string{"libc.so.6"}, soname: "x"}.bytes()
	le := binary.LittleEndian
	mut := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "empty file"},
		{"text", []byte("#!/bin/sh\necho hi\n"), "not an ELF, Mach-O or PE file"},
		{"truncated header", good[:30], "truncated ELF header"},
		{"bad class", mut(func(b []byte) []byte { b[elf.EI_CLASS] = 9; return b }), "bad ELF class"},
		{"phoff past end", mut(func(b []byte) []byte { le.PutUint64(b[32:], 1<<40); return b }), "program headers at offset"},
		{"huge phnum", mut(func(b []byte) []byte { le.PutUint16(b[56:], 0xfff0); return b }), "program header count"},
		{"truncated dynamic", good[:len(good)-40], "past the end"},
		{"strtab outside file", mut(func(b []byte) []byte {
			// DT_STRTAB is the third entry from the end.
			le.PutUint64(b[len(b)-40:], 1<<50)
			return b
		}), "DT_STRTAB"},
		{"Mach-O garbage", append([]byte{0xcf, 0xfa, 0xed, 0xfe}, bytes.Repeat([]byte{0xff}, 60)...), "Mach-O"},
		{"PE garbage", append([]byte("MZ"), bytes.Repeat([]byte{0xff}, 200)...), "PE"},
	}
	d := t.TempDir()
	for _, tc := range cases {
		p := writeFile(t, filepath.Join(d, strings.ReplaceAll(tc.name, " ", "_")), tc.data)
		_, err := Inspect(p, Options{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want it to mention %q", tc.name, err, tc.want)
			continue
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error is not one line: %q", tc.name, err)
		}
	}
	if _, err := Inspect(filepath.Join(d, "nonexistent"), Options{}); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Inspect(d, Options{}); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("directory: %v", err)
	}
}

// TestRoot resolves inside a fake sysroot whose symlinks are absolute.
func TestRoot(t *testing.T) {
	root := t.TempDir()
	multi := filepath.Join(root, "usr/lib/x86_64-linux-gnu")
	writeFile(t, filepath.Join(multi, "libc.so.6"), synthELF{soname: "libc.so.6", needed: []string{"ld-linux-x86-64.so.2"}}.bytes())
	writeFile(t, filepath.Join(multi, "ld-linux-x86-64.so.2"), synthELF{soname: "ld-linux-x86-64.so.2"}.bytes())
	writeFile(t, filepath.Join(multi, "libfoo.so.1.2"), synthELF{soname: "libfoo.so.1"}.bytes())
	// Absolute links, as in a container image: they must stay inside root.
	os.Symlink("/usr/lib/x86_64-linux-gnu/libfoo.so.1.2", filepath.Join(multi, "libfoo.so.1"))
	os.MkdirAll(filepath.Join(root, "lib64"), 0o755)
	os.Symlink("/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", filepath.Join(root, "lib64/ld-linux-x86-64.so.2"))
	os.Symlink("usr/lib", filepath.Join(root, "lib"))
	// A conf directory that ldconfig never saw (no ld.so.cache at all).
	writeFile(t, filepath.Join(root, "etc/ld.so.conf"), []byte("include /etc/ld.so.conf.d/*.conf\n"))
	writeFile(t, filepath.Join(root, "etc/ld.so.conf.d/opt.conf"), []byte("/opt/bar/lib\n"))
	writeFile(t, filepath.Join(root, "opt/bar/lib/libbar.so.2"), synthELF{soname: "libbar.so.2"}.bytes())
	exe := writeFile(t, filepath.Join(root, "usr/bin/app"), synthELF{typ: elf.ET_EXEC, interp: "/lib64/ld-linux-x86-64.so.2",
		needed: []string{"libfoo.so.1", "libbar.so.2", "libc.so.6"}}.bytes())
	b := inspectT(t, exe, Options{Root: root, HWCaps: []string{}})
	if l := lib(b, "libfoo.so.1"); l == nil || l.Path != "/lib/x86_64-linux-gnu/libfoo.so.1" || l.Via != "default path" {
		t.Errorf("libfoo.so.1 = %+v", l)
	}
	if l := lib(b, "ld-linux-x86-64.so.2"); l == nil || l.Via != "interpreter" {
		t.Errorf("ld-linux = %+v", l)
	}
	if len(b.Missing) != 1 || b.Missing[0] != "libbar.so.2" {
		t.Fatalf("missing = %q, want [libbar.so.2]", b.Missing)
	}
	if l := lib(b, "libbar.so.2"); !strings.Contains(strings.Join(l.Tried, "\n"), "/opt/bar/lib/libbar.so.2 exists and /etc/ld.so.conf.d/opt.conf lists /opt/bar/lib, but /etc/ld.so.cache has no entry") {
		t.Errorf("no stale-cache hint: %q", l.Tried)
	}
}

// TestMusl: musl's loader inherits DT_RUNPATH down the chain and has no
// ld.so.cache; the same files under glibc leave libleaf missing.
func TestMusl(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "lib/ld-musl-x86_64.so.1"), synthELF{soname: "libc.so"}.bytes())
	writeFile(t, filepath.Join(root, "app/lib/libmid.so"), synthELF{soname: "libmid.so", needed: []string{"libleaf.so"}}.bytes())
	writeFile(t, filepath.Join(root, "app/lib/libleaf.so"), synthELF{soname: "libleaf.so"}.bytes())
	for _, tc := range []struct {
		interp  string
		missing int
	}{{"/lib/ld-musl-x86_64.so.1", 0}, {"/lib/ld-musl-x86_64.so.1", 0}, {"/lib64/ld-linux-x86-64.so.2", 2}} {
		exe := writeFile(t, filepath.Join(root, "app/bin/app"), synthELF{typ: elf.ET_EXEC, interp: tc.interp,
			needed: []string{"libmid.so"}, runpath: "$ORIGIN/../lib"}.bytes())
		b := inspectT(t, exe, Options{Root: root})
		if len(b.Missing) != tc.missing {
			t.Errorf("%s: missing %q", tc.interp, b.Missing)
		}
		if tc.missing == 0 {
			if l := lib(b, "libleaf.so"); l == nil || l.Via != "runpath of /app/bin/app" {
				t.Errorf("%s: libleaf.so = %+v", tc.interp, l)
			}
		}
	}
}

// TestRootFIFOs: in a root (an unpacked image, say) the interpreter,
// ld.so.cache, ld.so.preload and a library may be FIFOs. Opening one for
// reading would wait for a writer forever; inspect must finish and say
// what it could not read.
func TestRootFIFOs(t *testing.T) {
	root := t.TempDir()
	for _, p := range []string{"lib64/ld-linux-x86-64.so.2", "etc/ld.so.cache", "etc/ld.so.preload", "usr/lib/x86_64-linux-gnu/libfifo.so.1"} {
		full := filepath.Join(root, p)
		os.MkdirAll(filepath.Dir(full), 0o755)
		if err := syscall.Mkfifo(full, 0o644); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
	}
	os.MkdirAll(filepath.Join(root, "lib"), 0o755)
	exe := writeFile(t, filepath.Join(root, "usr/bin/app"), synthELF{typ: elf.ET_EXEC, interp: "/lib64/ld-linux-x86-64.so.2",
		needed: []string{"libfifo.so.1"}}.bytes())
	done := make(chan *Binary, 1)
	go func() {
		b, err := NewInspector(Options{Root: root}).Inspect(exe)
		if err != nil {
			t.Error(err)
		}
		done <- b
	}()
	var b *Binary
	select {
	case b = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("inspect hangs on a FIFO")
	}
	if b == nil {
		return
	}
	if l := lib(b, "libfifo.so.1"); l == nil || l.Found {
		t.Errorf("libfifo.so.1 (a FIFO) = %+v, want not found", l)
	}
	if _, err := NewInspector(Options{}).Inspect(filepath.Join(root, "etc/ld.so.cache")); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("inspect of a FIFO: %v", err)
	}
}
