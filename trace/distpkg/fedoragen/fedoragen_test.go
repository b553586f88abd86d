package fedoragen

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cgotrace/cgotrace/trace/distpkg/rpmspec"
)

func TestKey(t *testing.T) {
	for _, tc := range []struct {
		path string
		dir  bool
		want string // "kind key" (+" glob"), "" for no key
	}{
		{"/usr/lib64/pkgconfig/libzmq.pc", false, "p libzmq"},
		{"/usr/share/pkgconfig/xproto.pc", false, "p xproto"},
		{"/usr/lib64/pkgconfig/*.pc", false, "p * glob"},
		{"/usr/lib64/pkgconfig/*", false, "p * glob"},
		{"/usr/lib64/pkgconfig/.pc", false, ""},
		{"/usr/lib64/libzmq.so", false, "l libzmq.so"},
		{"/usr/lib64/libzmq.a", false, "l libzmq.a"},
		{"/usr/lib64/lib*.so", false, "l lib*.so glob"},
		{"/usr/lib64/libzmq.so.5", false, ""},
		{"/usr/include/zmq.h", false, "h zmq.h"},
		{"/usr/include/zmq*.h", false, "h zmq*.h glob"},
		{"/usr/include/*.h", false, "h *.h glob"},
		{"/usr/include/*", false, "h * glob"},
		{"/usr/include/rocksdb", false, "t rocksdb/"},
		{"/usr/include/SDL2", true, "t SDL2/"},
		{"/usr/include/X11/Xcursor/Xcursor.h", false, "h X11/Xcursor/Xcursor.h"},
		{"/usr/include/X11/extensions/*.h", false, "h X11/extensions/ glob"},
		{"/usr/include/foo-*/bar.h", false, ""},
		{"/usr/include/foo*", true, ""},
		{"/usr/bin/zmq", false, ""},
	} {
		kind, key, glob, ok := Key(rpmspec.File{Package: "p", Path: tc.path, Dir: tc.dir})
		got := ""
		if ok {
			got = kind + " " + key
			if glob {
				got += " glob"
			}
		}
		if got != tc.want {
			t.Errorf("Key(%q, dir %v) = %q, want %q", tc.path, tc.dir, got, tc.want)
		}
	}
}

func readSpecs(t *testing.T) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "testdata", "fedora-specs", "*.spec"))
	if err != nil || len(files) == 0 {
		t.Fatalf("specs: %v", err)
	}
	specs := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		specs[strings.TrimSuffix(filepath.Base(f), ".spec")] = b
	}
	return specs
}

func rows(tsv []byte) map[string]string {
	m := map[string]string{}
	for _, l := range strings.Split(string(tsv), "\n") {
		if f := strings.Split(l, "\t"); len(f) == 3 {
			m[f[0]+" "+f[1]] = f[2]
		}
	}
	return m
}

// TestGenerate makes a table of the real specs in testdata against
// Debian's real table (../debian.tsv).
func TestGenerate(t *testing.T) {
	deb, err := os.ReadFile(filepath.Join("..", "debian.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	tsv, st := Generate(readSpecs(t), deb, "test source")
	if !strings.HasPrefix(string(tsv), "# test source\n") {
		t.Errorf("header: %q", strings.SplitN(string(tsv), "\n", 2)[0])
	}
	r := rows(tsv)
	for key, want := range map[string]string{
		"p libzmq":                "zeromq-devel",     // named
		"h zmq.h":                 "zeromq-devel",     // %{_includedir}/zmq*.h, matching few names
		"t rocksdb/":              "rocksdb-devel",    // shipped whole
		"h X11/Xcursor/Xcursor.h": "libXcursor-devel", // named
		"p openssl":               "openssl-devel",    // pkgconfig/*.pc, through libssl.so.* -> libssl-dev
		"p libcrypto":             "openssl-devel",
		"p libcurl":               "libcurl-devel", // through libcurl.so.4 -> libcurl4-*-dev
		"p gio-2.0":               "glib2-devel",   // pkgconfig/*, through libgio-2.0.so.0*
		"l libzstd.so":            "libzstd-devel",
	} {
		if r[key] != want {
			t.Errorf("%s: %q, want %q", key, r[key], want)
		}
	}
	for _, key := range []string{"p sqlite3", "p sdl2", "h sqlite3.h"} {
		if got, ok := r[key]; ok {
			t.Errorf("%s: %q, but no spec says so", key, got)
		}
	}
	if st.Specs != 10 || st.Resolved == 0 || st.Linked == 0 {
		t.Errorf("stats %+v", st)
	}
}

// TestGenerateAmbiguous: names whose owner the specs' conditionals
// decide, and include directories shared by several packages, are left
// out; a name some spec lists exactly is not given to another's glob.
func TestGenerateAmbiguous(t *testing.T) {
	specs := map[string][]byte{}
	for _, v := range []string{"3.9", "3.10", "3.11", "3.12", "3.13"} {
		specs["python"+v] = []byte("Name: python" + v + "\n%package devel\n%files devel\n%{_libdir}/pkgconfig/python3.pc\n%{_libdir}/pkgconfig/python-" + v + ".pc\n")
	}
	specs["SDL_image"] = []byte("Name: SDL_image\n%files\n%{_includedir}/SDL\n")
	specs["SDL_mixer"] = []byte("Name: SDL_mixer\n%files\n%{_includedir}/SDL/\n")
	specs["exact"] = []byte("Name: exact\n%files\n%{_includedir}/zzz_one.h\n")
	specs["globby"] = []byte("Name: globby\n%files\n%{_includedir}/zzz_*.h\n")
	tsv, st := Generate(specs, []byte("h\tzzz_two.h\tdeb-dev\n"), "s")
	r := rows(tsv)
	if got, ok := r["p python3"]; ok {
		t.Errorf("python3.pc: %q, shipped by five packages", got)
	}
	if r["p python-3.12"] != "python3.12-devel" {
		t.Errorf("python-3.12.pc: %q", r["p python-3.12"])
	}
	if got, ok := r["t SDL/"]; ok {
		t.Errorf("SDL/: %q, shared", got)
	}
	if r["h zzz_one.h"] != "exact" || r["h zzz_two.h"] != "globby" {
		t.Errorf("zzz_one.h %q (want exact), zzz_two.h %q (want globby)", r["h zzz_one.h"], r["h zzz_two.h"])
	}
	if st.Ambiguous != 2 {
		t.Errorf("Ambiguous = %d, want 2", st.Ambiguous)
	}
}
