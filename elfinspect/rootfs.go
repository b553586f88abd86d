package elfinspect

import (
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
)

// rootFS opens paths as the target sees them. With an empty root they are
// this machine's paths; otherwise every path, including absolute symlink
// targets, is resolved inside root.
//
// With fsys set (Options.FS: a read image), every path is a path in fsys
// and nothing of this machine is read.
type rootFS struct {
	root  string
	fsys  fs.FS
	links LinkReader        // the root's entries, for ResolveLinks; nil without a root
	dirs  map[string]string // resolved in-root directory paths
	reals map[string]string
}

func newRootFS(root string, fsys fs.FS) *rootFS {
	r := &rootFS{root: root, fsys: fsys, dirs: map[string]string{}, reals: map[string]string{}}
	switch {
	case fsys != nil:
		r.root = ""
		if lr, ok := fsys.(LinkReader); ok {
			r.links = lr
		} else {
			r.links = fsLinks{fsys}
		}
	case root != "":
		r.links = os.DirFS(root).(fs.ReadLinkFS) // Lstat and ReadLink, no symlink followed
	}
	return r
}

// fsLinks reads the entries of an fs.FS that is not an fs.ReadLinkFS:
// fs.Lstat and fs.ReadLink fall back to Stat and to no symlink at all.
type fsLinks struct{ fs.FS }

func (f fsLinks) Lstat(name string) (fs.FileInfo, error) { return fs.Lstat(f.FS, name) }
func (f fsLinks) ReadLink(name string) (string, error)   { return fs.ReadLink(f.FS, name) }

// fileReader is an open file of the root: a descriptor of this machine
// (fdFile) or a file of Options.FS.
type fileReader interface {
	io.ReaderAt
	Close() error
	stat() (size int64, mode uint32, id fileID, err error)
}

// openFile opens the in-root path p (a host path without a root).
func (r *rootFS) openFile(p string) (fileReader, error) {
	if r.fsys != nil {
		rp, err := r.realpath(p)
		if err != nil {
			return nil, err
		}
		return openFSFile(r.fsys, rp)
	}
	h, err := r.host(p)
	if err != nil {
		return nil, err
	}
	return openFD(h)
}

// fsName is the fs.FS name of the absolute in-root path p.
func fsName(p string) string {
	n := strings.TrimPrefix(path.Clean("/"+p), "/")
	if n == "" {
		return "."
	}
	return n
}

// fsFile is an open file of an fs.FS whose files can be read at offsets.
type fsFile struct {
	f    fs.File
	ra   io.ReaderAt
	size int64
	mode uint32
	id   fileID
}

// openFSFile opens the resolved (symlink-free) path p of fsys. Its
// identity is its path: with no symlink left, two paths name one file
// only through a hard link, which the FS may have resolved itself.
func openFSFile(fsys fs.FS, p string) (*fsFile, error) {
	f, err := fsys.Open(fsName(p))
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	ff := &fsFile{f: f, size: fi.Size(), mode: statMode(fi.Mode())}
	h := fnv.New64a()
	io.WriteString(h, path.Clean("/"+p))
	ff.id = fileID{dev: 1, ino: h.Sum64()}
	if ra, ok := f.(io.ReaderAt); ok {
		ff.ra = ra
	} else if fi.Mode().IsRegular() {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: p, Err: fmt.Errorf("file system gives no random access")}
	}
	return ff, nil
}

func (f *fsFile) ReadAt(b []byte, off int64) (int, error) {
	if f.ra == nil {
		return 0, io.EOF
	}
	return f.ra.ReadAt(b, off)
}

func (f *fsFile) Close() error { return f.f.Close() }

func (f *fsFile) stat() (int64, uint32, fileID, error) { return f.size, f.mode, f.id, nil }

// statMode is the st_mode of an fs.FileMode.
func statMode(m fs.FileMode) uint32 {
	v := uint32(m.Perm())
	switch {
	case m.IsRegular():
		v |= syscall.S_IFREG
	case m.IsDir():
		v |= syscall.S_IFDIR
	case m&fs.ModeSymlink != 0:
		v |= syscall.S_IFLNK
	case m&fs.ModeNamedPipe != 0:
		v |= syscall.S_IFIFO
	case m&fs.ModeCharDevice != 0:
		v |= syscall.S_IFCHR
	case m&fs.ModeDevice != 0:
		v |= syscall.S_IFBLK
	case m&fs.ModeSocket != 0:
		v |= syscall.S_IFSOCK
	}
	if m&fs.ModeSetuid != 0 {
		v |= syscall.S_ISUID
	}
	if m&fs.ModeSetgid != 0 {
		v |= syscall.S_ISGID
	}
	return v
}

// readFileLimited reads the regular in-root file p, at most limit bytes.
func (r *rootFS) readFileLimited(p string, limit int64) ([]byte, error) {
	if r.fsys != nil {
		fi, err := r.stat(p)
		if err != nil {
			return nil, err
		}
		if err := readable(p, fi, limit); err != nil {
			return nil, err
		}
		rp, err := r.realpath(p)
		if err != nil {
			return nil, err
		}
		return fs.ReadFile(r.fsys, fsName(rp))
	}
	h, err := r.host(p)
	if err != nil {
		return nil, err
	}
	// Stat before open: opening a FIFO would wait for a writer.
	fi, err := os.Stat(h)
	if err != nil {
		return nil, err
	}
	if err := readable(p, fi, limit); err != nil {
		return nil, err
	}
	return os.ReadFile(h) // sizes its buffer from the file, one read
}

// readable says why readFileLimited does not read the in-root file p
// (fi): not a regular file, or more than limit bytes.
func readable(p string, fi fs.FileInfo, limit int64) error {
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s: not a regular file", p)
	}
	if fi.Size() > limit {
		return fmt.Errorf("%s: %d bytes, more than the %d read", p, fi.Size(), limit)
	}
	return nil
}

// glob returns the in-root paths that match the in-root pattern pat.
func (r *rootFS) glob(pat string) []string {
	if r.fsys != nil {
		// fs.Glob does not follow symlinked directories of the pattern's
		// directory part; resolve it first.
		dir, file := path.Split(path.Clean("/" + pat))
		rd, err := r.realpath(dir)
		if err != nil {
			return nil
		}
		ms, _ := fs.Glob(r.fsys, fsName(path.Join(rd, file)))
		out := make([]string, len(ms))
		for i, m := range ms {
			out[i] = "/" + m
		}
		return out
	}
	ms, _ := filepath.Glob(r.root + pat)
	for i, m := range ms {
		ms[i] = strings.TrimPrefix(m, r.root)
	}
	return ms
}

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

// stat stats the in-root path p, following symlinks inside the root.
func (r *rootFS) stat(p string) (os.FileInfo, error) {
	if r.fsys != nil {
		rp, err := r.realpath(p)
		if err != nil {
			return nil, err
		}
		return fs.Stat(r.fsys, fsName(rp))
	}
	h, err := r.host(p)
	if err != nil {
		return nil, err
	}
	return os.Stat(h)
}

// realpath resolves every symlink of the absolute in-root path p inside
// the root and returns the in-root result.
func (r *rootFS) realpath(p string) (string, error) {
	if r.root == "" && r.fsys == nil {
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

// walk resolves the absolute in-root path p with ResolveLinks (uncached:
// it may run concurrently) and returns the absolute in-root result.
func (r *rootFS) walk(p string) (string, error) {
	n, err := ResolveLinks(r.links, p, true)
	if err != nil {
		return "", err
	}
	return path.Clean("/" + n), nil
}
