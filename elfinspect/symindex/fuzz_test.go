package symindex

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
)

// armapOf returns the symbol table member of a real archive, and the
// archive.
func realArchive(f *testing.F) []byte {
	dir := fixture(f)
	data, err := os.ReadFile(filepath.Join(dir, "libfoo.a"))
	if err != nil {
		f.Fatal(err)
	}
	return data
}

func armapMember(archive []byte) []byte {
	if len(archive) < 8+arHeaderLen {
		return nil
	}
	h, err := parseArHeader(archive[8 : 8+arHeaderLen])
	if err != nil || int64(len(archive)) < 8+arHeaderLen+h.size {
		return nil
	}
	return archive[8+arHeaderLen : 8+arHeaderLen+h.size]
}

// FuzzParseArmap: any symbol table member, narrow or wide, parses or
// fails with an error; what parses has exactly the announced count.
func FuzzParseArmap(f *testing.F) {
	f.Add(armapMember(realArchive(f)), false)
	f.Add([]byte{0, 0, 0, 1, 0, 0, 0, 8, 'x', 0}, false)
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 8, 'y', 0}, true)
	f.Add([]byte{0xff, 0xff, 0xff, 0xff}, false)
	f.Fuzz(func(t *testing.T, data []byte, wide bool) {
		e, err := ParseArmap(data, wide)
		if err != nil {
			return
		}
		var n uint64
		if wide {
			n = binary.BigEndian.Uint64(data)
		} else {
			n = uint64(binary.BigEndian.Uint32(data))
		}
		if uint64(len(e)) != n {
			t.Errorf("%d entries, header says %d", len(e), n)
		}
	})
}

// FuzzReadArchiveSymbols: whole archives, real and mutated.
func FuzzReadArchiveSymbols(f *testing.F) {
	real := realArchive(f)
	f.Add(real)
	f.Add(real[:len(real)/2])
	f.Add([]byte("!<arch>\n"))
	f.Add([]byte("!<thin>\n/               0           0     0     0       8         `\n\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		syms, err := ReadArchiveSymbols(bytes.NewReader(data), int64(len(data)))
		if err != nil && len(syms) != 0 {
			t.Errorf("error %v with %d symbols", err, len(syms))
		}
	})
}

// FuzzDecodeIndex: a cache file, real or damaged, decodes or fails; what
// decodes can be looked up and walked without a panic.
func FuzzDecodeIndex(f *testing.F) {
	dir := fixture(f)
	cands, _ := scanDirs([]string{dir})
	libs, _ := readAll(cands, nil)
	names := make([][]string, len(cands))
	for i, c := range cands {
		names[i] = c.names
	}
	good := encodeIndex([]string{dir}, libs, names).bytes()
	f.Add(good)
	f.Add(good[:headerLen])
	f.Add([]byte(cacheMagic))
	f.Fuzz(func(t *testing.T, data []byte) {
		tb, err := decodeIndex(data)
		if err != nil {
			return
		}
		for i := 0; i < tb.numSyms(); i++ {
			tb.sym(i)
		}
		for li := range tb.libs {
			tb.librarySyms(li)
		}
		idx := &Index{dirs: tb.dirs, tabs: []*dirTable{{t: tb, unmap: func() error { return nil }}},
			demangle: func(n []string) []string { return make([]string, len(n)) }}
		linkAll(idx.tabs)
		for _, q := range []string{"foo_add", "_ZNK2ns6Widget4areaEv", "ns::Widget::area() const", "x"} {
			idx.Lookup(q)
		}
	})
}
