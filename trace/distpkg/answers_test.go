package distpkg

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestParseDpkgSearch: the usrmerge case as dpkg-query printed it, the
// /usr path it does not know on stderr, the /lib one on stdout.
func TestParseDpkgSearch(t *testing.T) {
	got := ParseDpkgSearch(fixture(t, "dpkg-query-S-libz.txt"))
	want := []Owner{{Package: "zlib1g", Path: "/lib/x86_64-linux-gnu/libz.so.1"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
	got = ParseDpkgSearch([]byte("diversion by dash from: /bin/sh\nlibc6:amd64, libc6:i386: /usr/share/doc/libc6\ndpkg-query: no path found matching pattern /x\n"))
	want = []Owner{{"libc6", "/usr/share/doc/libc6"}, {"libc6", "/usr/share/doc/libc6"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
}

// TestDevSiblings: from apt show of a run-time library and the libdevel
// packages that depend on it, those built from the same source.
func TestDevSiblings(t *testing.T) {
	for _, tc := range []struct {
		file, owner, src string
		want             []string
	}{
		{"apt-show-zlib1g.txt", "zlib1g", "zlib", []string{"zlib1g-dev"}},
		{"apt-show-libzmq5.txt", "libzmq5", "zeromq3", []string{"libzmq3-dev"}},
		// glib2.0 builds two libdevel packages that depend on libglib2.0-0.
		{"apt-show-libglib2.0-0.txt", "libglib2.0-0", "glib2.0", []string{"libglib2.0-dev", "libglib2.0-dev-bin"}},
		{"apt-show-zlib1g.txt", "libzmq5", "", nil},
	} {
		recs := ParseAptShow(fixture(t, tc.file))
		if src, got := DevSiblings(recs, tc.owner); src != tc.src || !slices.Equal(got, tc.want) {
			t.Errorf("%s %s: %s %q, want %s %q", tc.file, tc.owner, src, got, tc.src, tc.want)
		}
	}
	recs := ParseAptShow(fixture(t, "apt-show-zlib1g.txt"))
	if len(recs) != 11 {
		t.Errorf("%d records, want the 11 stanzas", len(recs))
	}
	for _, r := range recs {
		if r.Package == "libphobos2-ldc-shared-dev" && r.Source != "ldc" {
			t.Errorf("Source %q: the (version) is not cut off", r.Source)
		}
	}
}

func TestParseDnfNames(t *testing.T) {
	for file, want := range map[string][]string{
		"dnf4-repoquery-qf.txt":      {"copr-backend", "copr-backend-doc", "copr-builder", "copr-cli", "copr-dist-git"},
		"dnf5-repoquery-qf.txt":      {"copr-backend", "copr-backend-doc", "copr-builder"},
		"dnf5-repoquery-default.txt": {"zsh"},
	} {
		if got := ParseDnfNames(fixture(t, file)); !slices.Equal(got, want) {
			t.Errorf("%s: %q, want %q", file, got, want)
		}
	}
}

func TestParseApkNames(t *testing.T) {
	want := []string{"abseil-cpp-flags-marshalling", "harsh", "powershell", "starship", "starship-bash-completion",
		"starship-fish-completion", "starship-zsh-completion", "starship-zsh-plugin"}
	if got := ParseApkNames(fixture(t, "apk-search.txt")); !slices.Equal(got, want) {
		t.Errorf("%q, want %q", got, want)
	}
	// --quiet: the names alone.
	if got := ParseApkNames([]byte("zeromq-dev\n")); !slices.Equal(got, []string{"zeromq-dev"}) {
		t.Errorf("quiet: %q", got)
	}
}

func FuzzAnswers(f *testing.F) {
	for _, name := range []string{"dpkg-query-S-libz.txt", "apt-show-libzmq5.txt", "dnf4-repoquery-qf.txt", "dnf5-repoquery-default.txt", "apk-search.txt"} {
		f.Add(fixture(f, name))
	}
	f.Fuzz(func(t *testing.T, out []byte) {
		ParseDpkgSearch(out)
		DevSiblings(ParseAptShow(out), "libzmq5")
		ParseDnfNames(out)
		ParseApkNames(out)
	})
}
