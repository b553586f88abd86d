package distpkg_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cgotrace/cgotrace/trace/distpkg"
	"github.com/cgotrace/cgotrace/trace/distpkg/fedoragen"
	"github.com/cgotrace/cgotrace/trace/distpkg/rpmspec"
)

// TestFedoraAgainstSpecs checks the embedded Fedora table against the
// spec files it was made from (testdata/fedora-specs, copied from the
// snapshot the table's header names): every .pc file, header, include
// directory and library that a %files section names by its path is in
// the table, with that package among its owners.
func TestFedoraAgainstSpecs(t *testing.T) {
	files, err := filepath.Glob("testdata/fedora-specs/*.spec")
	if err != nil || len(files) < 10 {
		t.Fatalf("fedora specs: %v (%d files)", err, len(files))
	}
	tab := distpkg.Fedora()
	checked := 0
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		spec := rpmspec.Parse(src, rpmspec.Fedora)
		for _, f := range spec.Files {
			kind, key, glob, ok := fedoragen.Key(f)
			if !ok || glob {
				continue
			}
			var got []string
			switch kind {
			case "p":
				got = tab.PCFile(key)
			case "l":
				got = tab.Library(key)
			case "h":
				got, _ = tab.Header(key)
			case "t":
				// A header below the directory.
				got, _ = tab.Header(key + "cgotrace-probe.h")
			}
			checked++
			if !slices.Contains(got, f.Package) {
				t.Errorf("%s: %s %s (%s) ships in %s; the table says %q", filepath.Base(file), kind, key, f.Path, f.Package, got)
			}
		}
	}
	if checked < 39 { // the ten specs name 39 such paths
		t.Fatalf("only %d paths checked", checked)
	}
}

// TestFedoraKnownNames: the libraries of issue 13's real modules, as
// Fedora's specs (testdata/fedora-specs) ship them, and what the table
// cannot know.
func TestFedoraKnownNames(t *testing.T) {
	tab := distpkg.Fedora()
	for _, tc := range []struct {
		kind, name string
		want       string // "" when the specs do not say
	}{
		{"p", "libzmq", "zeromq-devel"},           // zeromq.spec: %{_libdir}/pkgconfig/libzmq.pc
		{"p", "portaudio-2.0", "portaudio-devel"}, // portaudio.spec
		{"p", "libzstd", "libzstd-devel"},         // zstd.spec: %files -n lib%{name}-devel
		{"p", "xcursor", "libXcursor-devel"},      // libXcursor.spec
		{"h", "X11/Xcursor/Xcursor.h", "libXcursor-devel"},
		{"h", "rocksdb/c.h", "rocksdb-devel"}, // rocksdb.spec: %{_includedir}/rocksdb
		{"h", "zstd.h", "libzstd-devel"},
		{"h", "SDL2/SDL.h", "sdl2-compat-devel"}, // sdl2-compat.spec: %{_includedir}/SDL2/
		{"l", "libzmq.so", "zeromq-devel"},
		// Globs only (pkgconfig/*.pc), resolved through the Debian
		// package that ships the same run-time library's .so.
		{"p", "openssl", "openssl-devel"},
		{"p", "libcurl", "libcurl-devel"},
		{"p", "glib-2.0", "glib2-devel"},
		// sdl2-compat ships sdl2_compat.pc, no sdl2.pc; sqlite.spec
		// names none of its files but by globs.
		{"p", "sdl2", ""},
		{"p", "sqlite3", ""},
	} {
		var got []string
		switch tc.kind {
		case "p":
			got = tab.PCFile(tc.name)
		case "h":
			got, _ = tab.Header(tc.name)
		case "l":
			got = tab.Library(tc.name)
		}
		if want := strings.Fields(tc.want); !slices.Equal(got, want) {
			t.Errorf("%s %s: %q, want %q", tc.kind, tc.name, got, want)
		}
	}
	if !strings.Contains(tab.Source, "1c71cca0191fad6ebb89e45d2c6db99fbd66dc48") {
		t.Errorf("source %q does not name the snapshot the specs came from", tab.Source)
	}
}
