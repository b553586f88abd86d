package elfinspect

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// maxSymlinks is the number of symlinks followed in one path, as Linux's
// ELOOP limit.
const maxSymlinks = 40

// rootFS opens paths as the target sees them. With an empty root they are
// this machine's paths; otherwise every path, including absolute symlink
// targets, is resolved inside root.
type rootFS struct {
	root  string
	dirs  map[string]string // resolved in-root directory paths
	reals map[string]string
}

func newRootFS(root string) *rootFS {
	return &rootFS{root: root, dirs: map[string]string{}, reals: map[string]string{}}
}

var errSymlinkLoop = errors.New("too many levels of symbolic links")

// host returns the path on this machine for an in-root path whose
// symlinks must be resolved inside the root first.
func (r *rootFS) host(p string) (string, error) {
	if r.root == "" {
		return p, nil
	}
	rp, err := r.realpath(p)
	if err != nil {
		return "", err
	}
	return r.root + rp, nil
}

// open opens the in-root path p.
func (r *rootFS) open(p string) (*os.File, error) {
	h, err := r.host(p)
	if err != nil {
		return nil, err
	}
	return os.Open(h)
}

// stat stats the in-root path p, following symlinks inside the root.
func (r *rootFS) stat(p string) (os.FileInfo, error) {
	h, err := r.host(p)
	if err != nil {
		return nil, err
	}
	return os.Stat(h)
}

// realpath resolves every symlink of the absolute in-root path p inside
// the root and returns the in-root result.
func (r *rootFS) realpath(p string) (string, error) {
	if r.root == "" {
		return filepath.EvalSymlinks(p)
	}
	p = path.Clean("/" + p)
	if rp, ok := r.reals[p]; ok {
		return rp, nil
	}
	rp, err := r.walk(p)
	if err == nil {
		r.reals[p] = rp
	}
	return rp, err
}

func (r *rootFS) walk(p string) (string, error) {
	links := 0
	todo := strings.Split(strings.TrimPrefix(p, "/"), "/")
	cur := "/"
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
		fi, err := os.Lstat(r.root + next)
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			cur = next
			continue
		}
		if links++; links > maxSymlinks {
			return "", &fs.PathError{Op: "resolve", Path: p, Err: errSymlinkLoop}
		}
		t, err := os.Readlink(r.root + next)
		if err != nil {
			return "", err
		}
		if strings.HasPrefix(t, "/") {
			cur = "/"
		}
		todo = append(strings.Split(t, "/"), todo...)
	}
	return cur, nil
}
