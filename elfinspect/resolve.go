package elfinspect

import (
	"errors"
	"io/fs"
	"path"
	"strings"
)

// MaxSymlinks is the number of symlinks followed in one path: Linux's
// MAXSYMLINKS, past which a path resolution fails with ELOOP.
const MaxSymlinks = 40

// ErrSymlinkLoop is the cause of a resolution that met more than
// MaxSymlinks symlinks (ELOOP).
var ErrSymlinkLoop = errors.New("too many levels of symbolic links")

// ErrNotDir is the cause of a resolution that went on below a file that
// is not a directory (ENOTDIR).
var ErrNotDir = errors.New("not a directory")

// LinkReader reads the entries of a tree without following a symlink in
// the last component; every fs.ReadLinkFS is one (io/fs, Go 1.25:
// os.DirFS, testing/fstest.MapFS, elfinspect/image.FS). ResolveLinks
// asks it only about names whose directories hold no symlink, so it
// need not resolve anything itself.
type LinkReader interface {
	Lstat(name string) (fs.FileInfo, error)
	ReadLink(name string) (string, error)
}

// ResolveLinks resolves the symlinks of name, an fs.FS name ("." is the
// root; a leading "/" is allowed and ignored), inside the tree of lr as
// the kernel resolves a path in a chroot: an absolute target starts again
// at the root, ".." is taken on the directory reached so far (after its
// symlinks) and stays at the root, more than MaxSymlinks symlinks fail
// with ErrSymlinkLoop, a component below a file fails with ErrNotDir and
// a missing one with fs.ErrNotExist. With follow unset a symlink in the
// last component is returned itself (lstat, readlink). It returns the
// symlink-free fs.FS name of what name reaches; errors are
// *fs.PathError{Op: "resolve", Path: name} whose Err is the cause.
//
// This is the one walker of the module: the --root file system
// (rootFS), an fs.FS given as Options.FS and the image FS all resolve
// through it.
func ResolveLinks(lr LinkReader, name string, follow bool) (string, error) {
	fail := func(err error) (string, error) {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return "", &fs.PathError{Op: "resolve", Path: name, Err: err}
	}
	todo := strings.Split(strings.TrimPrefix(name, "/"), "/")
	cur := "."
	links := 0
	for len(todo) > 0 {
		c := todo[0]
		todo = todo[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			cur = path.Dir(cur)
			continue
		}
		next := path.Join(cur, c)
		fi, err := lr.Lstat(next)
		if err != nil {
			return fail(err)
		}
		// A trailing "/" or "/." follows the last symlink, as in the
		// kernel: only a bare last component is left unfollowed.
		if fi.Mode()&fs.ModeSymlink == 0 || (len(todo) == 0 && !follow) {
			if len(todo) > 0 && !fi.IsDir() {
				return fail(ErrNotDir) // "file/", "file/." and "file/x" alike
			}
			cur = next
			continue
		}
		if links++; links > MaxSymlinks {
			return fail(ErrSymlinkLoop)
		}
		t, err := lr.ReadLink(next)
		if err != nil {
			return fail(err)
		}
		if strings.HasPrefix(t, "/") {
			cur = "."
		}
		todo = append(strings.Split(t, "/"), todo...)
	}
	return cur, nil
}
