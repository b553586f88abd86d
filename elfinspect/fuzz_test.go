package elfinspect

import (
	"bytes"
	"debug/elf"
	"os"
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
			o, err := readELF(r, int64(len(data)), head, full)
			if err != nil {
				continue
			}
			o.versionNeeds(r)
			o.sections(r)
			raw := &elfRaw{obj: o, r: r, path: "fuzz"}
			raw.describe(&Binary{})
		}
	})
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
