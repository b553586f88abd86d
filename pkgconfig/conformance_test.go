package pkgconfig

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testDefaults are pkgconf's compiled-in settings on Debian 12, so tests do
// not depend on the pkg-config installed.
func testDefaults() *Defaults {
	d := DebianDefaults
	return &d
}

// TestConformanceParse parses every pkgconf test fixture: no panic, and
// every file pkgconf accepts is valid for us too.
func TestConformanceParse(t *testing.T) {
	dirs := []string{"testdata/pkgconf-tests"}
	// The shared corpus (../shared beside the checkout) also holds the
	// fixture under a non-ASCII path that the module cannot carry; parse it
	// too when it is there.
	shared := filepath.Join("..", "..", "shared", "conformance", "pkgconf-tests")
	if _, err := os.Stat(shared); err == nil {
		dirs = append(dirs, shared)
	} else {
		t.Logf("../shared is absent (%v): parsing the module's copy only", err)
	}
	n := 0
	for _, root := range dirs {
		err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".pc") {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			n++
			for _, ctx := range []*ParseContext{{}, {Sysroot: "/sr", SysrootSet: true}} {
				if p := Parse(data, path, ctx); p.ID == "" {
					t.Errorf("%s: empty id", path)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if n < 164 {
		t.Fatalf("parsed %d fixtures, want at least 164", n)
	}
}

// TestConformanceGolden compares Resolve with the output of the real
// pkgconf 1.8.1 recorded in testdata/conformance.golden (see
// testdata/gen-conformance.sh for the command that made it).
func TestConformanceGolden(t *testing.T) {
	f, err := os.Open("testdata/conformance.golden")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	wd, _ := filepath.Abs("testdata")
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	type key struct {
		dir, pkg string
		static   bool
	}
	cache := map[key]*Result{}
	n, bad := 0, 0
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		fs := strings.SplitN(line, "\t", 5)
		if len(fs) != 5 {
			t.Fatalf("bad golden line %q", line)
		}
		dir, pkg, mode, rc, want := fs[0], fs[1], fs[2], fs[3], fs[4]
		static := strings.Contains(mode, "--static")
		k := key{dir, pkg, static}
		res := cache[k]
		if res == nil {
			res, err = Resolve([]string{pkg}, Options{
				Env:      Env{"PKG_CONFIG_PATH=" + dir, "PKG_CONFIG_LIBDIR="},
				Dir:      wd,
				Static:   static,
				Defaults: testDefaults(),
			})
			if err != nil {
				t.Fatal(err)
			}
			cache[k] = res
		}
		ok, got := res.LibsOK, res.LibsText
		if strings.HasPrefix(mode, "--cflags") {
			ok, got = res.CflagsOK, res.CflagsText
		}
		gotRC := "0"
		if !ok {
			gotRC, got = "1", ""
		}
		n++
		if gotRC != rc || strings.TrimRight(got, " ") != want {
			bad++
			t.Errorf("%s %s %s:\n  pkgconf rc %s: %q\n  ours    rc %s: %q", dir, pkg, mode, rc, want, gotRC, got)
		}
	}
	if n < 600 {
		t.Fatalf("only %d golden cases", n)
	}
	t.Logf("%d cases, %d differ", n, bad)
}
