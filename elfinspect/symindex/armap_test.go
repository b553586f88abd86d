package symindex

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

func archiveList(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	syms, err := ReadArchiveSymbols(f, fi.Size())
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []string
	for _, s := range syms {
		out = append(out, s.Name+" in "+s.Member)
	}
	sort.Strings(out)
	return out
}

// TestArchiveFormats reads a normal archive, a thin one (ar T) and one
// with long member names (the "//" table) and compares with nm -s.
func TestArchiveFormats(t *testing.T) {
	need(t, "gcc", "ar", "nm")
	dir := t.TempDir()
	long := "a_member_name_longer_than_sixteen_bytes"
	write(t, filepath.Join(dir, "short.c"), "int short_fn(void) { return 1; }\nint short_data = 2;\n")
	write(t, filepath.Join(dir, long+".c"), "int long_fn(void) { return 1; }\n")
	sh(t, dir, "gcc", "-c", "short.c", "-o", "short.o")
	sh(t, dir, "gcc", "-c", long+".c", "-o", long+".o")
	sh(t, dir, "ar", "rcs", "libnormal.a", "short.o", long+".o")
	sh(t, dir, "ar", "rcsT", "libthin.a", "short.o", long+".o")
	for _, name := range []string{"libnormal.a", "libthin.a"} {
		p := filepath.Join(dir, name)
		got, want := archiveList(t, p), nmArmap(t, p)
		// A thin archive records member paths relative to itself; nm
		// prints them joined to the archive's directory.
		for i := range want {
			want[i] = strings.ReplaceAll(want[i], " in "+dir+"/", " in ")
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s:\n got %q\nwant %q (nm -s)", name, got, want)
		}
	}
	if got := archiveList(t, filepath.Join(dir, "libnormal.a")); !slices.Contains(got, "long_fn in "+long+".o") {
		t.Errorf("long member name not resolved: %q", got)
	}
}

// TestSym64 rewrites a real archive's "/" symbol table as "/SYM64/"
// (64-bit count and offsets, as GNU ar writes for archives over 4 GiB).
func TestSym64(t *testing.T) {
	need(t, "gcc", "ar", "nm")
	dir := t.TempDir()
	write(t, filepath.Join(dir, "x.c"), "int x_fn(void) { return 1; }\n")
	sh(t, dir, "gcc", "-c", "x.c", "-o", "x.o")
	sh(t, dir, "ar", "rcs", "libx.a", "x.o")
	data, _ := os.ReadFile(filepath.Join(dir, "libx.a"))
	map32 := armapMember(data)
	entries, err := ParseArmap(map32, false)
	if err != nil {
		t.Fatal(err)
	}
	// The new table is longer: every member moves by the difference.
	n := len(entries)
	names := map32[4+4*n:]
	size64 := 8 + 8*n + len(names)
	pad64 := size64 % 2
	oldTotal := arHeaderLen + len(map32) + len(map32)%2
	shift := (arHeaderLen + size64 + pad64) - oldTotal
	var m bytes.Buffer
	binary.Write(&m, binary.BigEndian, uint64(n))
	for _, e := range entries {
		binary.Write(&m, binary.BigEndian, e.Offset+uint64(shift))
	}
	m.Write(names)
	var out bytes.Buffer
	out.WriteString(arMagic)
	fmt.Fprintf(&out, "%-16s%-12s%-6s%-6s%-8s%-10d`\n", "/SYM64/", "0", "0", "0", "0", size64)
	out.Write(m.Bytes())
	if pad64 == 1 {
		out.WriteByte('\n')
	}
	out.Write(data[8+oldTotal:])
	syms, err := ReadArchiveSymbols(bytes.NewReader(out.Bytes()), int64(out.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if len(syms) != 1 || syms[0].Name != "x_fn" || syms[0].Member != "x.o" {
		t.Errorf("SYM64: %+v", syms)
	}
}

func TestReadArchiveSymbolsBad(t *testing.T) {
	for _, data := range []string{"", "!<arch>", "not an archive", "!<arch>\n/               0           0     0     0       99999     `\n"} {
		if _, err := ReadArchiveSymbols(bytes.NewReader([]byte(data)), int64(len(data))); err == nil {
			t.Errorf("%q: no error", data)
		}
	}
}
