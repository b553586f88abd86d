package rpmspec

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const synthetic = `%global soname 5
%define devname lib%{name}-devel
Name:    foo
Version: 1.2
%if 0%{?fedora}
%global flavor gtk
%else
%global flavor qt
%endif
%global multi first \
  second

%package devel
Summary: headers
%package -n %{devname}
Summary: more

%install
%global installdir %{_libdir}/foo-%{version}

%files
%license COPYING
%doc README
%{_libdir}/libfoo.so.%{soname}*

%files devel
%dir %{_includedir}/foo
%{_includedir}/foo/
%attr(0644,root,root) %{_libdir}/pkgconfig/foo-%{flavor}.pc
%{_libdir}/pkgconfig/%{not_defined_here}.pc
%{?nothing}%{_libdir}/libfoo.so %{installdir}/plugin.so
%{!?nothing:%{_includedir}/foo.h}
%ghost %{_libdir}/foo.cache
%config(noreplace) %{_sysconfdir}/foo.conf
"%{_datadir}/foo/a b"

%files -n %{devname} -f extra.lst
%_libdir/libfoo.a
%exclude %{_libdir}/libfoo.la
%%literal

%changelog
* Mon Jan 01 2024 Someone - 1.2-1
- move %{_libdir}/libfoo.a to %%files -n libfoo-devel
%{_libdir}/not-a-file
`

func TestParseSynthetic(t *testing.T) {
	s := Parse([]byte(synthetic), Fedora)
	if s.Name != "foo" {
		t.Fatalf("Name %q", s.Name)
	}
	var got []string
	for _, f := range s.Files {
		d := ""
		if f.Dir {
			d = "/"
		}
		got = append(got, f.Package+" "+f.Path+d)
	}
	want := []string{
		"foo /usr/lib64/libfoo.so.5*",
		"foo-devel /usr/include/foo/",
		// The conditional is not evaluated: both values.
		"foo-devel /usr/lib64/pkgconfig/foo-gtk.pc",
		"foo-devel /usr/lib64/pkgconfig/foo-qt.pc",
		"foo-devel /usr/lib64/libfoo.so",
		"foo-devel /usr/lib64/foo-1.2/plugin.so",
		"foo-devel /usr/include/foo.h",
		"foo-devel /etc/foo.conf",
		"foo-devel /usr/share/foo/a b",
		"libfoo-devel /usr/lib64/libfoo.a",
	}
	if !slices.Equal(got, want) {
		t.Errorf("files:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// %{not_defined_here}.
	if s.Unexpanded != 1 {
		t.Errorf("Unexpanded = %d, want 1", s.Unexpanded)
	}
}

// TestParseFedoraSpecs reads real Fedora spec files
// (../testdata/fedora-specs, from Fedora's rpm-specs tarball).
func TestParseFedoraSpecs(t *testing.T) {
	for _, tc := range []struct {
		spec, pkg, path string
	}{
		{"zeromq", "zeromq-devel", "/usr/lib64/pkgconfig/libzmq.pc"},
		{"zeromq", "zeromq-devel", "/usr/include/zmq*.h"},
		{"zeromq", "zeromq", "/usr/lib64/libzmq.so.5*"},
		{"zstd", "libzstd-devel", "/usr/lib64/pkgconfig/libzstd.pc"},
		{"libXcursor", "libXcursor-devel", "/usr/include/X11/Xcursor/Xcursor.h"},
		{"rocksdb", "rocksdb-devel", "/usr/include/rocksdb"},
		{"sqlite", "sqlite-devel", "/usr/lib64/pkgconfig/*.pc"},
		// Version: %{rpmver}, a %define.
		{"sqlite", "sqlite-libs", "/usr/lib64/*.so.3.49.0"},
		{"openssl", "openssl-devel", "/usr/include/openssl"},
	} {
		src, err := os.ReadFile(filepath.Join("..", "testdata", "fedora-specs", tc.spec+".spec"))
		if err != nil {
			t.Fatal(err)
		}
		s := Parse(src, Fedora)
		if !slices.ContainsFunc(s.Files, func(f File) bool { return f.Package == tc.pkg && f.Path == tc.path }) {
			t.Errorf("%s.spec: no %s in %s; files: %v", tc.spec, tc.path, tc.pkg, s.Files)
		}
	}
}

func TestExpand(t *testing.T) {
	p := &parser{base: Fedora, defs: map[string][]string{
		"name": {"foo"}, "self": {"%{self}"}, "two": {"a", "b"},
	}, spec: &Spec{}}
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"%{_libdir}/lib%{name}.so", []string{"/usr/lib64/libfoo.so"}},
		{"%_includedir/%name.h", []string{"/usr/include/foo.h"}},
		{"%{?missing}x", []string{"x"}},
		{"%{!?missing:y}x", []string{"yx"}},
		{"%{?name:y}x", []string{"yx"}},
		{"%{!?name:y}x", []string{"x"}},
		{"%%", []string{"%"}},
		{"%{two}-%{two}", []string{"a-a", "a-b", "b-a", "b-b"}},
		{"%{two}%{two}%{two}%{two}", nil}, // 16 values: too many
		{"%{missing}", nil},
		{"%(echo x)", nil},
		{"%{lua: print(1)}", nil},
		{"%{self}", nil}, // never ends
		{"%{unclosed", nil},
		{"trailing%", nil},
	} {
		if got := p.expand(tc.in, 0); !slices.Equal(got, tc.want) {
			t.Errorf("expand(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzParse: any text parses without panicking, and every path it
// gives is absolute and has a package.
func FuzzParse(f *testing.F) {
	f.Add([]byte(synthetic))
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "fedora-specs", "*.spec"))
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("Name: %{x}\n%files\n%{x}"))
	f.Add([]byte("Name: a\n%global a %{a}%{a}\n%files -n\n%files -n %{a}\n/%{a}"))
	f.Fuzz(func(t *testing.T, spec []byte) {
		s := Parse(spec, Fedora)
		for _, f := range s.Files {
			if !strings.HasPrefix(f.Path, "/") || f.Package == "" {
				t.Fatalf("file %+v", f)
			}
		}
	})
}
