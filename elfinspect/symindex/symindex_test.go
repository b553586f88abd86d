package symindex

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

func need(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
}

func sh(t testing.TB, dir, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, errb.String())
	}
	return out.String()
}

func write(t testing.TB, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

const fooC = `int foo_add(int a, int b) { return a + b; }
int foo_data = 42;
int old_impl(void) { return 1; }
int new_impl(void) { return 2; }
__asm__(".symver old_impl,foo_old@FOO_1.0");
__asm__(".symver new_impl,foo_old@@FOO_2.0");
__attribute__((weak)) int foo_weak(void) { return 3; }
static int foo_static(void) { return 4; }
int foo_calls_static(void) { return foo_static(); }
`

const widgetCC = `namespace ns {
struct Widget { int w; Widget(int); ~Widget(); int area() const; };
Widget::Widget(int x) : w(x) {}
Widget::~Widget() {}
int Widget::area() const { return w * w; }
int free_fn(int a, const char* s) { return a + s[0]; }
namespace { int hidden_helper(int x) { return x; } }
int use_helper(int x) { return hidden_helper(x); }
template <typename T> T twice(T x) { return x + x; }
template int twice<int>(int);
bool operator==(const Widget& a, const Widget& b) { return a.w == b.w; }
}
extern "C" int c_linkage_from_cxx(void) { return 7; }
`

const fooMap = `FOO_1.0 { global: foo_add; foo_data; foo_weak; };
FOO_2.0 { global: foo_calls_static; c_linkage_from_cxx; extern "C++" { ns::*; }; local: *; } FOO_1.0;
`

// fixture builds, in a fresh directory:
//
//	libfoo.so.1 (+ libfoo.so link): C and C++ symbols, versioned, with a
//	            hidden foo_old@FOO_1.0 and a default foo_old@@FOO_2.0
//	libfoo.a:   the same objects, non-PIC
//	libbar.so.2: no libbar.so link (a runtime-only package)
//	libgrp.so:  a linker script naming libbar.so.2
func fixture(t testing.TB) string {
	t.Helper()
	need(t, "gcc", "g++", "ar")
	dir := t.TempDir()
	write(t, filepath.Join(dir, "foo.c"), fooC)
	write(t, filepath.Join(dir, "widget.cc"), widgetCC)
	write(t, filepath.Join(dir, "foo.map"), fooMap)
	write(t, filepath.Join(dir, "bar.c"), "int bar_only(void) { return 9; }\n")
	sh(t, dir, "gcc", "-fPIC", "-c", "foo.c", "-o", "foo.o")
	sh(t, dir, "g++", "-fPIC", "-c", "widget.cc", "-o", "widget.o")
	sh(t, dir, "g++", "-shared", "-Wl,--version-script=foo.map", "-Wl,-soname,libfoo.so.1", "-o", "libfoo.so.1", "foo.o", "widget.o")
	if err := os.Symlink("libfoo.so.1", filepath.Join(dir, "libfoo.so")); err != nil {
		t.Fatal(err)
	}
	sh(t, dir, "ar", "rcs", "libfoo.a", "foo.o", "widget.o")
	sh(t, dir, "gcc", "-shared", "-fPIC", "-Wl,-soname,libbar.so.2", "-o", "libbar.so.2", "bar.c")
	write(t, filepath.Join(dir, "libgrp.so"), "/* GNU ld script */\nGROUP ( "+filepath.Join(dir, "libbar.so.2")+" )\n")
	return dir
}

func open(t testing.TB, dirs []string, cache string) *Index {
	t.Helper()
	idx, err := OpenOptions(context.Background(), Options{Dirs: dirs, NoDefaultDirs: true, CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	return idx
}

// nmDynamic returns `nm -D --defined-only` symbols as name@@VER / name@VER
// / name.
func nmDynamic(t *testing.T, lib string) []string {
	var out []string
	for _, l := range strings.Split(sh(t, "", "nm", "-D", "--defined-only", lib), "\n") {
		f := strings.Fields(l)
		if len(f) == 3 {
			out = append(out, f[2])
		}
	}
	sort.Strings(out)
	return out
}

// nmArmap returns the archive index of `nm -s` as "name in member".
func nmArmap(t *testing.T, lib string) []string {
	var out []string
	in := false
	for _, l := range strings.Split(sh(t, "", "nm", "-s", lib), "\n") {
		switch {
		case l == "Archive index:":
			in = true
		case in && l == "":
			in = false
		case in:
			out = append(out, l)
		}
	}
	sort.Strings(out)
	return out
}

func nmName(d Definition) string {
	switch {
	case d.Version == "":
		return d.Symbol
	case d.DefaultVersion:
		return d.Symbol + "@@" + d.Version
	}
	return d.Symbol + "@" + d.Version
}

// librarySymbols lists what the index holds for one file, as nm prints it.
func librarySymbols(t *testing.T, idx *Index, file string, kind Kind) []string {
	var out []string
	for ti, dt := range idx.tabs {
		for li, l := range dt.t.libs {
			if l.Path != file {
				continue
			}
			syms, ok := dt.t.librarySyms(li)
			if !ok {
				t.Fatalf("bad symbols for %s", file)
			}
			for _, s := range syms {
				d := idx.definition(ti, s, li)
				if kind == Static {
					out = append(out, nmName(d)+" in "+d.Member)
				} else {
					out = append(out, nmName(d))
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

func TestIndexMatchesNM(t *testing.T) {
	need(t, "nm")
	dir := fixture(t)
	idx := open(t, []string{dir}, "off")

	so := filepath.Join(dir, "libfoo.so.1")
	wantSO := nmDynamic(t, so)
	if got := librarySymbols(t, idx, so, Shared); !slices.Equal(got, wantSO) {
		t.Errorf("libfoo.so.1:\n got %q\nwant %q (nm -D --defined-only)", got, wantSO)
	}
	// Every nm symbol is found by Lookup, with its version.
	for _, n := range wantSO {
		name, _, _ := strings.Cut(n, "@")
		var got []string
		for _, d := range idx.Lookup(name) {
			if d.File == so {
				got = append(got, nmName(d))
			}
		}
		if !slices.Contains(got, n) {
			t.Errorf("Lookup(%q) in libfoo.so.1 = %q, want %q", name, got, n)
		}
	}

	ar := filepath.Join(dir, "libfoo.a")
	// nm -s prints versioned archive names as they are; the index splits
	// them like the dynamic table: compare in nm's spelling.
	wantA := nmArmap(t, ar)
	if got := librarySymbols(t, idx, ar, Static); !slices.Equal(got, wantA) {
		t.Errorf("libfoo.a:\n got %q\nwant %q (nm -s)", got, wantA)
	}
	for _, n := range wantA {
		sym, member, _ := strings.Cut(n, " in ")
		name, _, _ := strings.Cut(sym, "@")
		found := false
		for _, d := range idx.Lookup(name) {
			found = found || (d.File == ar && d.Member == member && nmName(d) == sym)
		}
		if !found {
			t.Errorf("Lookup(%q): no %s", name, n)
		}
	}
}

func TestLookup(t *testing.T) {
	dir := fixture(t)
	idx := open(t, []string{dir}, "off")

	defs := idx.Lookup("foo_add")
	if len(defs) != 2 {
		t.Fatalf("foo_add: %+v", defs)
	}
	so, ar := defs[0], defs[1]
	if so.Kind != Shared || so.Library != filepath.Join(dir, "libfoo.so") || so.File != filepath.Join(dir, "libfoo.so.1") ||
		so.Soname != "libfoo.so.1" || so.Version != "FOO_1.0" || !so.DefaultVersion || so.LinkFlag != "-lfoo" || !so.PlainLink ||
		so.Type != "func" || so.Machine != "EM_X86_64" && so.Machine == "" {
		t.Errorf("shared definition first, as ld prefers it: %+v", so)
	}
	if ar.Kind != Static || ar.Member != "foo.o" || ar.LinkFlag != "-lfoo" {
		t.Errorf("archive definition: %+v", ar)
	}
	if d := idx.Lookup("foo_data"); len(d) == 0 || d[0].Type != "object" {
		t.Errorf("foo_data: %+v", d)
	}
	if d := idx.Lookup("foo_weak"); len(d) == 0 || !d[0].Weak {
		t.Errorf("foo_weak: %+v", d)
	}
	// Hidden and default versions of one name.
	var vers []string
	for _, d := range idx.Lookup("foo_old") {
		if d.Kind == Shared {
			vers = append(vers, nmName(d))
		}
	}
	if !slices.Contains(vers, "foo_old@FOO_1.0") {
		t.Errorf("foo_old versions %q", vers)
	}
	// Static and local symbols are not definitions others can link to.
	for _, s := range []string{"foo_static", "old_impl@FOO_1.0", "nope", ""} {
		for _, d := range idx.Lookup(s) {
			if d.Kind == Shared {
				t.Errorf("Lookup(%q) found %+v", s, d)
			}
		}
	}
	// No libbar.so: -l:libbar.so.2 reaches it directly, and the linker
	// script libgrp.so makes -lgrp reach it too.
	d := idx.Lookup("bar_only")
	if len(d) != 1 || d[0].LinkFlag != "-lgrp" || d[0].Library != filepath.Join(dir, "libgrp.so") {
		t.Errorf("bar_only through the linker script: %+v", d)
	}
}

func TestLookupCXX(t *testing.T) {
	need(t, "c++filt")
	dir := fixture(t)
	idx := open(t, []string{dir}, "off")
	tests := []struct {
		query, mangled string
	}{
		// (twice<int> is only in the .a: the version script's ns::* does
		// not match "int ns::twice<int>(int)".)
		{"_ZNK2ns6Widget4areaEv", "_ZNK2ns6Widget4areaEv"},
		{"ns::Widget::area() const", "_ZNK2ns6Widget4areaEv"},
		{"ns::Widget::area", "_ZNK2ns6Widget4areaEv"},
		{"  ns::Widget::area( )const ", "_ZNK2ns6Widget4areaEv"},
		{"ns::Widget::Widget(int)", "_ZN2ns6WidgetC1Ei"},
		{"ns::Widget::~Widget()", "_ZN2ns6WidgetD1Ev"},
		{"ns::free_fn(int, char const*)", "_ZN2ns7free_fnEiPKc"},
		{"ns::free_fn", "_ZN2ns7free_fnEiPKc"},
		{"int ns::twice<int>(int)", "_ZN2ns5twiceIiEET_S1_"},
		{"ns::operator==(ns::Widget const&, ns::Widget const&)", "_ZN2nseqERKNS_6WidgetES2_"},
		{"c_linkage_from_cxx", "c_linkage_from_cxx"},
	}
	for _, tt := range tests {
		var got []string
		for _, d := range idx.Lookup(tt.query) {
			got = append(got, d.Symbol+" "+string(d.Kind))
		}
		if (!slices.Contains(got, tt.mangled+" so") && !strings.Contains(tt.query, "twice")) || !slices.Contains(got, tt.mangled+" a") {
			t.Errorf("Lookup(%q) = %q, want %s in the .so and the .a", tt.query, got, tt.mangled)
		}
	}
	d := idx.Lookup("_ZN2ns7free_fnEiPKc")
	if len(d) == 0 || d[0].Demangled != "ns::free_fn(int, char const*)" {
		t.Errorf("mangled lookup shows no demangled name: %+v", d)
	}
	if d := idx.Lookup("ns::Widget::volume() const"); len(d) != 0 {
		t.Errorf("undefined method found: %+v", d)
	}
}

func TestMangledNeedles(t *testing.T) {
	tests := []struct {
		q    string
		want []string
	}{
		{"ns::Widget::area() const", []string{"2ns", "6Widget", "4area"}},
		{"ns::Widget::Widget(int)", []string{"2ns", "6Widget"}},
		{"ns::Widget::~Widget()", []string{"2ns", "6Widget"}},
		{"std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >::size() const", []string{"7__cxx11", "12basic_string", "4size"}},
		{"std::string::size() const", []string{"4size"}},
		{"operator delete(void*)", []string{"_Zdl"}},
		{"operator new[](unsigned long)", []string{"_Zna"}},
		{"(anonymous namespace)::helper(int)", []string{"12_GLOBAL__N_1", "6helper"}},
		{"void ns::f<int>(int)", []string{"2ns", "1f"}},
		{"foo", []string{"3foo"}},
	}
	for _, tt := range tests {
		if got := mangledNeedles(tt.q); !slices.Equal(got, tt.want) {
			t.Errorf("mangledNeedles(%q) = %q, want %q", tt.q, got, tt.want)
		}
	}
}

func TestCacheInvalidation(t *testing.T) {
	need(t, "gcc")
	lib := t.TempDir()
	other := t.TempDir()
	cache := t.TempDir()
	build := func(dir, name, src string) {
		write(t, filepath.Join(dir, "x.c"), src)
		sh(t, dir, "gcc", "-shared", "-fPIC", "-o", name, "x.c")
	}
	build(lib, "libchg.so", "int first_symbol(void) { return 1; }\n")
	build(other, "libsame.so", "int same_symbol(void) { return 1; }\n")
	dirs := []string{lib, other}

	idx := open(t, dirs, cache)
	if st := idx.Stats(); st.CacheHit || st.Reread != 2 || st.CacheDir != cache {
		t.Fatalf("first open: %+v", st)
	}
	if len(idx.Lookup("first_symbol")) != 1 || len(idx.Lookup("second_symbol")) != 0 {
		t.Fatal("first index wrong")
	}
	idx.Close()

	idx = open(t, dirs, cache)
	if st := idx.Stats(); !st.CacheHit || st.Reread != 0 {
		t.Fatalf("second open should be a cache hit: %+v", st)
	}
	if len(idx.Lookup("first_symbol")) != 1 || len(idx.Lookup("same_symbol")) != 1 {
		t.Error("cached index wrong")
	}
	idx.Close()

	// Rebuild the library with another symbol: a new file (new inode,
	// size or mtime) — the index must see it and re-read nothing else.
	time.Sleep(10 * time.Millisecond)
	build(lib, "libchg.so", "int second_symbol(void) { return 2; }\n")
	idx = open(t, dirs, cache)
	if st := idx.Stats(); st.CacheHit || st.Reread != 1 {
		t.Errorf("after the rebuild: %+v, want exactly one library re-read", st)
	}
	if len(idx.Lookup("second_symbol")) != 1 || len(idx.Lookup("first_symbol")) != 0 || len(idx.Lookup("same_symbol")) != 1 {
		t.Error("the index does not reflect the rebuilt library")
	}
	idx.Close()

	// A new library and a removed one.
	build(other, "libnew.so", "int new_symbol(void) { return 3; }\n")
	os.Remove(filepath.Join(lib, "libchg.so"))
	idx = open(t, dirs, cache)
	if st := idx.Stats(); st.Reread != 1 || st.Libraries != 2 {
		t.Errorf("after add/remove: %+v", st)
	}
	if len(idx.Lookup("new_symbol")) != 1 || len(idx.Lookup("second_symbol")) != 0 {
		t.Error("add/remove not seen")
	}
	idx.Close()

	// One cache file per directory: another set of directories that
	// shares one reuses its cache.
	files, _ := filepath.Glob(filepath.Join(cache, "dir-*.bin"))
	if len(files) != 2 {
		t.Fatalf("cache files %q, want one per directory", files)
	}
	idx = open(t, []string{other}, cache)
	if st := idx.Stats(); !st.CacheHit || st.Reread != 0 {
		t.Errorf("a directory of another set should come from its cache: %+v", st)
	}
	idx.Close()

	// A corrupt cache file is rebuilt, never trusted.
	for _, f := range files {
		data, _ := os.ReadFile(f)
		for _, cut := range []int{0, 10, 72, len(data) / 2, len(data) - 1} {
			os.WriteFile(f, data[:cut], 0o644)
			idx = open(t, dirs, cache)
			if st := idx.Stats(); st.CacheHit || len(idx.Lookup("new_symbol")) != 1 {
				t.Errorf("%s cut at %d: %+v", f, cut, st)
			}
			idx.Close()
		}
	}
}

func TestLinkFlag(t *testing.T) {
	tests := []struct {
		name, flag string
		plain      bool
	}{
		{"/l/libz.so", "-lz", true},
		{"/l/libz.a", "-lz", true},
		{"/l/libz.so.1", "-l:libz.so.1", false},
		{"/l/libstdc++.so", "-lstdc++", true},
		{"/l/ld-linux-x86-64.so.2", "-l:ld-linux-x86-64.so.2", false},
		{"/l/lib.so", "-l:lib.so", false},
	}
	for _, tt := range tests {
		if f, p := linkFlag(tt.name); f != tt.flag || p != tt.plain {
			t.Errorf("linkFlag(%q) = %q, %v", tt.name, f, p)
		}
	}
}

func TestParseSearchDirs(t *testing.T) {
	out := "install: /usr/lib/gcc/x86_64-linux-gnu/12/\nprograms: =/a:/b\nlibraries: =/usr/lib/gcc/x86_64-linux-gnu/12/:/lib/x86_64-linux-gnu/12/:/usr/lib/\n"
	want := []string{"/usr/lib/gcc/x86_64-linux-gnu/12/", "/lib/x86_64-linux-gnu/12/", "/usr/lib/"}
	if got := parseSearchDirs(out); !slices.Equal(got, want) {
		t.Errorf("parseSearchDirs = %q", got)
	}
}

func TestDefaultDirs(t *testing.T) {
	need(t, "gcc")
	dirs := DefaultDirs(context.Background())
	if len(dirs) == 0 {
		t.Fatal("no default directories")
	}
	seen := map[string]bool{}
	for _, d := range dirs {
		if r, _ := filepath.EvalSymlinks(d); r != d || seen[d] {
			t.Errorf("%s: not a de-duplicated real path", d)
		}
		seen[d] = true
	}
}

func TestReadArchiveErrors(t *testing.T) {
	need(t, "gcc", "ar")
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.c"), "int in_unindexed(void) { return 1; }\n")
	sh(t, dir, "gcc", "-c", "a.c", "-o", "a.o")
	sh(t, dir, "ar", "rcS", "libnoidx.a", "a.o") // S: no symbol table
	write(t, filepath.Join(dir, "libjunk.so"), "not a library\n")
	idx := open(t, []string{dir}, "off")
	probs := idx.Problems()
	if !strings.Contains(probs[filepath.Join(dir, "libnoidx.a")], "no symbol table") {
		t.Errorf("problems %q", probs)
	}
	if probs[filepath.Join(dir, "libjunk.so")] == "" {
		t.Errorf("junk .so not reported: %q", probs)
	}
}
