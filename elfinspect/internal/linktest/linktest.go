// Package linktest is the table of symlink cases that every file system
// of elfinspect resolves the same way (the --root directory, an fs.FS,
// a read image), and that the kernel resolves that way in a chroot. It is
// imported by tests only.
package linktest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Entry is one entry of the tree: a symlink when Link is set, a
// directory when Dir is, else a regular file.
type Entry struct {
	Name string
	Link string
	Dir  bool
}

// Tree is the tree the cases resolve in. Parents are implied.
var Tree = func() []Entry {
	t := []Entry{
		{Name: "usr/lib/libz.so.1.2"},
		{Name: "usr/lib/libz.so.1", Link: "libz.so.1.2"},      // relative
		{Name: "usr/lib/libz.so", Link: "/usr/lib/libz.so.1"}, // absolute, to a symlink
		{Name: "usr/bin/app"},                                 //
		{Name: "lib", Link: "usr/lib"},                        // a symlinked directory
		{Name: "lib64", Link: "/lib"},                         // absolute, to a symlinked directory
		{Name: "usr/lib/dangling", Link: "nothere"},           //
		{Name: "usr/lib/escape", Link: "../../../../../usr/lib/libz.so.1.2"},
		{Name: "usr/lib/escape-abs", Link: "/../../etc/../usr/lib/libz.so.1"},
		{Name: "usr/lib/updir", Link: ".."},                    // a symlink to a parent
		{Name: "usr/share/phys", Link: "../../lib/../bin/app"}, // ".." after lib is usr, not /
		{Name: "usr/lib/tofile", Link: "libz.so.1.2/x"},        // below a file
		{Name: "loop/a", Link: "b"},
		{Name: "loop/b", Link: "a"},
		{Name: "loop/self", Link: "self"},
		{Name: "etc", Dir: true},
	}
	// chain/c1 -> c2 -> ... -> c40 -> the library: 40 symlinks, as many
	// as the kernel follows; chain/c0 adds the 41st.
	for i := 0; i < 40; i++ {
		t = append(t, Entry{Name: fmt.Sprintf("chain/c%d", i), Link: fmt.Sprintf("c%d", i+1)})
	}
	t = append(t, Entry{Name: "chain/c40", Link: "/usr/lib/libz.so.1.2"})
	return t
}()

// The error classes of Case.Want.
const (
	NotExist = "ENOENT"
	Loop     = "ELOOP"
	NotDir   = "ENOTDIR"
)

// Case is one resolution: Name (an fs.FS name) resolves to the fs.FS name
// Want, or fails with the error class Want. Follow says whether a
// symlink in the last component is followed (stat) or not (lstat).
type Case struct {
	Name   string
	Follow bool
	Want   string
}

// Cases are resolved in Tree.
var Cases = []Case{
	{".", true, "."},
	{"usr/lib", true, "usr/lib"},
	{"usr/lib/libz.so.1.2", true, "usr/lib/libz.so.1.2"},
	{"usr/lib/libz.so.1", true, "usr/lib/libz.so.1.2"},
	{"usr/lib/libz.so.1", false, "usr/lib/libz.so.1"},
	{"usr/lib/libz.so", true, "usr/lib/libz.so.1.2"},
	{"usr/lib/libz.so", false, "usr/lib/libz.so"},
	{"lib", true, "usr/lib"},
	{"lib", false, "lib"},
	{"lib/libz.so.1", true, "usr/lib/libz.so.1.2"},
	{"lib/libz.so.1", false, "usr/lib/libz.so.1"},
	{"lib64/libz.so", true, "usr/lib/libz.so.1.2"},
	{"lib64/libz.so.1.2", false, "usr/lib/libz.so.1.2"},
	{"usr/lib/dangling", true, NotExist},
	{"usr/lib/dangling", false, "usr/lib/dangling"},
	{"nothere/libz.so.1", true, NotExist},
	{"lib/nothere", true, NotExist},
	{"usr/lib/escape", true, "usr/lib/libz.so.1.2"},
	{"usr/lib/escape-abs", true, "usr/lib/libz.so.1.2"},
	{"usr/lib/updir/lib/libz.so.1", true, "usr/lib/libz.so.1.2"},
	{"lib/updir/bin/app", true, "usr/bin/app"},
	{"usr/share/phys", true, "usr/bin/app"},
	{"usr/lib/libz.so.1.2/x", true, NotDir},
	{"usr/lib/libz.so.1/x", true, NotDir},
	{"usr/lib/tofile", true, NotDir},
	{"usr/lib/tofile", false, "usr/lib/tofile"},
	{"loop/a", true, Loop},
	{"loop/a", false, "loop/a"},
	{"loop/self", true, Loop},
	{"loop/a/x", false, Loop},
	{"chain/c1", true, "usr/lib/libz.so.1.2"},
	{"chain/c0", true, Loop},
	{"chain/c0", false, "chain/c0"},
}

// Class is the class of err (NotExist, Loop, NotDir), given the errors
// the resolver under test uses for a loop and a non-directory; "" for
// nil, and the error's text for anything else.
func Class(err, loop, notDir error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, fs.ErrNotExist):
		return NotExist
	case errors.Is(err, loop):
		return Loop
	case errors.Is(err, notDir):
		return NotDir
	}
	return err.Error()
}

// Write creates Tree under dir. Files hold their own name.
func Write(dir string) error {
	for _, e := range Tree {
		p := filepath.Join(dir, filepath.FromSlash(e.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		var err error
		switch {
		case e.Link != "":
			err = os.Symlink(e.Link, p)
		case e.Dir:
			err = os.MkdirAll(p, 0o755)
		default:
			err = os.WriteFile(p, []byte(e.Name), 0o644)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
