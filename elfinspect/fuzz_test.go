package elfinspect

import (
	"bytes"
	"debug/elf"
	"os"
	"reflect"
	"testing"
)

// seedFiles adds small real files of this machine to a fuzz corpus.
func seedFiles(f *testing.F, paths ...string) {
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil && len(b) < 4<<20 {
			f.Add(b)
		}
	}
}

func FuzzReadELF(f *testing.F) {
	seedFiles(f, "/usr/bin/true", "/lib/x86_64-linux-gnu/libz.so.1", "/lib/x86_64-linux-gnu/libdl.so.2")
	f.Add(synthELF{interp: "/lib64/ld-linux-x86-64.so.2", needed: []string{"libc.so.6"}, runpath: "$ORIGIN/../lib"}.bytes())
	f.Add(synthELF{class: elf.ELFCLASS32, machine: elf.EM_386, soname: "libx.so.1", rpath: "/a::b"}.bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		head := data[:min(len(data), headSize)]
		for _, full := range []bool{false, true} {
			o, err := readELF(r, int64(len(data)), head, full, nil)
			if err != nil {
				continue
			}
			o.walkVersionNeeds(r, func(_, _ []byte) {})
			o.sections(r)
			raw := &elfRaw{obj: o, r: r, path: "fuzz"}
			raw.describe(&Binary{})
		}
		// Reads carved from a (small, so also overflowing) arena give the
		// same description as allocated ones, also after the arena is
		// reset and poisoned.
		var want, got Binary
		errWant := describeWith(data, nil, &want)
		ar := &arena{buf: make([]byte, 3000)}
		errGot := describeWith(data, ar, &got)
		ar.reset()
		if (errWant == nil) != (errGot == nil) {
			t.Fatalf("without arena: %v; with arena: %v", errWant, errGot)
		}
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("arena changes the result:\n%+v\n%+v", want, got)
		}
	})
}

func describeWith(data []byte, ar *arena, b *Binary) error {
	r := bytes.NewReader(data)
	head := ar.alloc(uint64(min(len(data), headSize)))
	copy(head, data)
	o, err := readELF(r, int64(len(data)), head, true, ar)
	if err != nil {
		return err
	}
	return (&elfRaw{obj: o, r: r, path: "fuzz"}).describe(b)
}

func FuzzMachO(f *testing.F) {
	f.Add(synthMachO(0x0100000c, 2, []machoLoad{
		{cmd: lcLoadDylib, str: "@rpath/libfoo.dylib"}, {cmd: lcLoadWeakDylib, str: "/usr/lib/libSystem.B.dylib"},
		{cmd: lcRpath, str: "@loader_path/../lib"}, {cmd: lcBuildVersion, vers: 0x000b0000},
	}))
	if p := goBinaryForFuzz(f, "darwin", "arm64"); p != "" {
		seedFiles(f, p)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		raw, err := newMachORaw(bytes.NewReader(data), "fuzz")
		if err != nil {
			return
		}
		b := &Binary{}
		raw.describe(b)
	})
}

func FuzzPE(f *testing.F) {
	if p := goBinaryForFuzz(f, "windows", "amd64"); p != "" {
		seedFiles(f, p)
	}
	f.Add([]byte("MZ"))
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := readPE(bytes.NewReader(data))
		if err != nil {
			return
		}
		_ = img.imports
	})
}

func FuzzLDCache(f *testing.F) {
	seedFiles(f, "/etc/ld.so.cache")
	f.Add([]byte(ldCacheOldMagic + "\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parseLDCache(data)
		if err != nil {
			return
		}
		c.lookup("libc.so.6", func(int32) bool { return true }, []string{"x86-64-v3"})
	})
}

// goBinaryForFuzz is goBinary without skipping the whole fuzz target when
// the build fails.
func goBinaryForFuzz(f *testing.F, goos, goarch string) (p string) {
	defer func() {
		if recover() != nil {
			p = ""
		}
	}()
	return goBinary(f, goos, goarch)
}
