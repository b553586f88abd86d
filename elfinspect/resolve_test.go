package elfinspect

import (
	"io/fs"
	"os"
	"path"
	"testing"
	"testing/fstest"

	"github.com/cgotrace/cgotrace/elfinspect/internal/linktest"
)

// resolveCase runs the cases of linktest through resolve and reports the
// differences: the one table every file system of elfinspect must pass.
func resolveCases(t *testing.T, resolve func(name string, follow bool) (string, error)) {
	t.Helper()
	for _, c := range linktest.Cases {
		got, err := resolve(c.Name, c.Follow)
		if err != nil {
			got = linktest.Class(err, ErrSymlinkLoop, ErrNotDir)
		}
		if got != c.Want {
			t.Errorf("resolve(%q, follow=%v) = %q (%v), want %q", c.Name, c.Follow, got, err, c.Want)
		}
	}
}

// fsNameOf is the fs.FS name of an absolute in-root path.
func fsNameOf(p string) string { return fsName(p) }

// TestResolveLinksRootFS: the table of linktest on --root (a directory
// of this machine), on the same directory given as Options.FS
// (os.DirFS), and on an in-memory fs.FS (fstest.MapFS): what
// rootFS.realpath gives (follow) and ResolveLinks over the root's
// entries (no follow).
func TestResolveLinksRootFS(t *testing.T) {
	dir := t.TempDir()
	if err := linktest.Write(dir); err != nil {
		t.Fatal(err)
	}
	mapfs := fstest.MapFS{}
	for _, e := range linktest.Tree {
		switch {
		case e.Link != "":
			mapfs[e.Name] = &fstest.MapFile{Data: []byte(e.Link), Mode: fs.ModeSymlink | 0o777}
		case e.Dir:
			mapfs[e.Name] = &fstest.MapFile{Mode: fs.ModeDir | 0o755}
		default:
			mapfs[e.Name] = &fstest.MapFile{Data: []byte(e.Name), Mode: 0o644}
		}
	}
	for _, tc := range []struct {
		name string
		r    *rootFS
	}{
		{"root", newRootFS(dir, nil)},
		{"dirfs", newRootFS("", os.DirFS(dir))},
		{"mapfs", newRootFS("", mapfs)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resolveCases(t, func(name string, follow bool) (string, error) {
				if !follow {
					return ResolveLinks(tc.r.links, name, false)
				}
				rp, err := tc.r.realpath("/" + name)
				return fsNameOf(rp), err
			})
		})
	}
}

// TestResolveLinksLeadingSlash: an absolute in-root path is the same name.
func TestResolveLinksLeadingSlash(t *testing.T) {
	dir := t.TempDir()
	if err := linktest.Write(dir); err != nil {
		t.Fatal(err)
	}
	r := newRootFS(dir, nil)
	got, err := ResolveLinks(r.links, "/lib64/libz.so", true)
	if err != nil || got != "usr/lib/libz.so.1.2" {
		t.Errorf("ResolveLinks(/lib64/libz.so) = %q, %v", got, err)
	}
	if got, err := r.walk("/"); err != nil || got != "/" {
		t.Errorf("walk(/) = %q, %v", got, err)
	}
	if _, err := r.realpath(path.Join("/loop/a")); err == nil {
		t.Error("realpath of a loop: no error")
	}
}

// FuzzResolveLinks: ResolveLinks never panics, ends (a loop is
// ErrSymlinkLoop), and what it returns is a valid fs.FS name of the tree
// that exists and, when followed, is no symlink. The tree has fixed
// names and fuzzed link targets.
func FuzzResolveLinks(f *testing.F) {
	f.Add("usr/lib/libz.so.1", "libz.so.1.2", "/lib/../usr/lib", "..", true)
	f.Add("lib/x", "../../..//usr/./lib/libz.so.1", "x", "/", false)
	f.Add("a/b", "b", "a", "/a/b/", true)
	f.Fuzz(func(t *testing.T, name, t1, t2, t3 string, follow bool) {
		m := fstest.MapFS{
			"usr/lib/libz.so.1.2": {Data: []byte("z")},
			"usr/lib/libz.so.1":   {Data: []byte(t1), Mode: fs.ModeSymlink | 0o777},
			"lib":                 {Data: []byte(t2), Mode: fs.ModeSymlink | 0o777},
			"a/b":                 {Data: []byte(t3), Mode: fs.ModeSymlink | 0o777},
			"etc":                 {Mode: fs.ModeDir | 0o755},
		}
		got, err := ResolveLinks(m, name, follow)
		if err != nil {
			return
		}
		if !fs.ValidPath(got) {
			t.Fatalf("ResolveLinks(%q) = %q: not a valid fs.FS name", name, got)
		}
		fi, err := fs.Lstat(m, got)
		if err != nil {
			t.Fatalf("ResolveLinks(%q) = %q, which does not exist: %v", name, got, err)
		}
		if follow && fi.Mode()&fs.ModeSymlink != 0 {
			t.Fatalf("ResolveLinks(%q, follow) = %q, a symlink", name, got)
		}
	})
}
