package symindex

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkOpenWarm opens a cached index of the fixture libraries and
// looks one symbol up: the warm path of cgotrace symbol.
func BenchmarkOpenWarm(b *testing.B) {
	dir := fixture(b)
	cache := b.TempDir()
	o := Options{Dirs: []string{dir}, NoDefaultDirs: true, CacheDir: cache}
	idx, err := OpenOptions(context.Background(), o)
	if err != nil {
		b.Fatal(err)
	}
	idx.Close()
	for b.Loop() {
		idx, _ := OpenOptions(context.Background(), o)
		if len(idx.Lookup("foo_add")) == 0 {
			b.Fatal("not found")
		}
		idx.Close()
	}
}

// BenchmarkLookup is a lookup in an open index of the system's default
// library directories.
func BenchmarkLookup(b *testing.B) {
	idx, err := OpenOptions(context.Background(), Options{CacheDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer idx.Close()
	for b.Loop() {
		idx.Lookup("deflate")
	}
	b.ReportMetric(float64(idx.Stats().Symbols), "symbols")
}

// BenchmarkReadArchiveSymbols reads the armap of a real archive.
func BenchmarkReadArchiveSymbols(b *testing.B) {
	path := "/usr/lib/x86_64-linux-gnu/libc.a"
	data, err := os.ReadFile(path)
	if err != nil {
		dir := fixture(b)
		path = filepath.Join(dir, "libfoo.a")
		if data, err = os.ReadFile(path); err != nil {
			b.Fatal(err)
		}
	}
	r := bytes.NewReader(data)
	var syms int
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		s, err := ReadArchiveSymbols(r, int64(len(data)))
		if err != nil {
			b.Fatal(err)
		}
		syms = len(s)
	}
	b.ReportMetric(float64(syms), "symbols/op")
}
