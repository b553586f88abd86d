package image

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/cgotrace/cgotrace/elfinspect"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// FS is the flattened file system of an image (whiteouts applied), read
// from the layers in one pass and never unpacked to disk. It keeps every
// entry's metadata, the first bytes of every regular file, and the whole
// content of the files the loader reads: ELF files and the loader's
// configuration under /etc. It implements fs.FS, fs.StatFS, fs.ReadDirFS
// and fs.ReadLinkFS; its regular files implement io.ReaderAt. It is safe
// for concurrent reads.
type FS struct {
	entries  map[string]*entry
	children map[string][]string // directory -> sorted names
	spill    *os.File            // ELF content beyond the memory budget; already unlinked
	spillEnd int64
	memUsed  int64
	memLimit int64
	// Files, ELFs and Bytes count what was read, for the benchmark.
	Files, ELFs int
	Bytes       int64
}

type entry struct {
	name  string // clean, relative ("usr/bin/app")
	mode  fs.FileMode
	size  int64
	link  string // symlink target
	hard  string // hard link target, resolved by finish
	head  []byte // the first headKeep bytes of a regular file
	data  []byte // the whole content, when kept in memory
	spill int64  // offset of the content in FS.spill, or -1
	elf   bool
	// src, when set, holds the content at srcOff (an uncompressed layer
	// of a docker save tarball, read in place).
	src    *os.File
	srcOff int64
}

// headKeep is how much of every regular file is kept: enough for the
// loader emulation to tell an ELF file from a linker script or a text.
const headKeep = 64

// memLimit is the ELF content held in memory before it goes to the spill
// file (under the user's cache directory, unlinked at once).
var memLimit int64 = 1 << 30

// keepWhole reports whether the loader reads the whole file at name.
func keepWhole(name string, head []byte) bool {
	if bytes.HasPrefix(head, []byte("\x7fELF")) {
		return true
	}
	return strings.HasPrefix(name, "etc/ld.so.") || strings.HasPrefix(name, "etc/ld-musl-")
}

func newFS() *FS {
	f := &FS{entries: map[string]*entry{}, memLimit: memLimit}
	f.entries["."] = &entry{name: ".", mode: fs.ModeDir | 0o755, spill: -1}
	return f
}

// cleanName is the fs.FS name of a tar entry, or "" for one outside the
// root.
func cleanName(n string) string {
	n = path.Clean("/" + n)
	if n == "/" {
		return "."
	}
	return n[1:]
}

// readLayers adds the entries of layers (lowest first) as a container
// runtime stacks them: read from the top down, an entry hides the same
// name below it, a whiteout (.wh.NAME) deletes NAME and what is under it
// in lower layers, an opaque marker (.wh..wh..opq) hides everything
// lower in its directory. The rules and their order are those of
// go-containerregistry's mutate.Extract (pkg/v1/mutate/mutate.go), done
// here without re-encoding the stream as one tar.
func (f *FS) readLayers(layers []v1.Layer) error {
	src := make([]layerSource, len(layers))
	for i, l := range layers {
		src[i].open = l.Uncompressed
	}
	return f.readSources(src)
}

// layerSource is one layer: a stream, or an uncompressed layer stored in
// place in a file (a docker save tarball), whose entries are then read
// where they are: nothing is copied but their first bytes.
type layerSource struct {
	open       func() (io.ReadCloser, error)
	file       *os.File
	base, size int64
}

func (f *FS) readSources(layers []layerSource) error {
	fileMap := map[string]bool{} // name -> hides what is under it
	opaque := map[string]bool{}
	for i := len(layers) - 1; i >= 0; i-- {
		l := layers[i]
		var err error
		if l.file != nil {
			err = f.readLayer(io.NewSectionReader(l.file, l.base, l.size), &l, fileMap, opaque)
		} else {
			var rc io.ReadCloser
			if rc, err = l.open(); err == nil {
				err = f.readLayer(rc, nil, fileMap, opaque)
				rc.Close()
			}
		}
		if err != nil {
			return fmt.Errorf("read layer %d: %w", i+1, err)
		}
	}
	return nil
}

// inHidden reports whether a parent directory of name is in m (with a
// true value when whiteout is set).
func inHidden(m map[string]bool, name string, whiteout bool) bool {
	for d := path.Dir(name); d != "."; d = path.Dir(d) {
		if v, ok := m[d]; ok && (v || !whiteout) {
			return true
		}
	}
	return false
}

func (f *FS) readLayer(r io.Reader, in *layerSource, fileMap, opaqueDirs map[string]bool) error {
	layerOpaque := map[string]bool{}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if raw := path.Clean(strings.ReplaceAll(h.Name, "\\", "/")); raw == ".." || strings.HasPrefix(raw, "../") {
			continue // outside the root: no runtime unpacks it
		}
		name := cleanName(h.Name)
		if name == "." {
			continue
		}
		base, dir := path.Base(name), path.Dir(name)
		if base == ".wh..wh..opq" {
			layerOpaque[dir] = true
			continue
		}
		tomb := strings.HasPrefix(base, ".wh.")
		if tomb {
			name = path.Join(dir, base[len(".wh."):])
		}
		if _, ok := fileMap[name]; ok && !tomb {
			continue
		}
		if inHidden(fileMap, name, true) || inHidden(opaqueDirs, name, false) {
			continue
		}
		fileMap[name] = tomb || h.Typeflag != tar.TypeDir
		if tomb {
			continue
		}
		e := &entry{name: name, spill: -1, mode: fs.FileMode(h.Mode).Perm()}
		if h.Mode&0o4000 != 0 {
			e.mode |= fs.ModeSetuid
		}
		if h.Mode&0o2000 != 0 {
			e.mode |= fs.ModeSetgid
		}
		switch h.Typeflag {
		case tar.TypeDir:
			e.mode |= fs.ModeDir
		case tar.TypeSymlink:
			e.mode |= fs.ModeSymlink
			e.link = h.Linkname
		case tar.TypeLink:
			e.hard = cleanName(h.Linkname)
		case tar.TypeReg, tar.TypeRegA:
			e.size = h.Size
			if in != nil {
				pos, err := r.(io.Seeker).Seek(0, io.SeekCurrent)
				if err != nil {
					return err
				}
				e.src, e.srcOff = in.file, in.base+pos
				if pos+h.Size > in.size {
					return fmt.Errorf("%s: %w", name, io.ErrUnexpectedEOF)
				}
			}
			if err := f.readContent(e, tr); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		case tar.TypeChar:
			e.mode |= fs.ModeDevice | fs.ModeCharDevice
		case tar.TypeBlock:
			e.mode |= fs.ModeDevice
		case tar.TypeFifo:
			e.mode |= fs.ModeNamedPipe
		default:
			continue
		}
		if old, ok := f.entries[name]; ok && old.mode.IsDir() && e.mode.IsDir() {
			continue // a directory seen in an upper layer
		}
		f.entries[name] = e
		f.Files++
	}
	for d := range layerOpaque {
		opaqueDirs[d] = true
	}
	// Read to the end: go-containerregistry checks a layer's digest when
	// its stream is drained.
	if _, err := io.Copy(io.Discard, r); err != nil {
		return fmt.Errorf("verify layer: %w", err)
	}
	return nil
}

func (f *FS) readContent(e *entry, r io.Reader) error {
	n := min(e.size, headKeep)
	head := make([]byte, n)
	if _, err := io.ReadFull(r, head); err != nil {
		return err
	}
	e.head = head
	f.Bytes += e.size
	if !keepWhole(e.name, head) {
		return nil // tar.Reader skips the rest
	}
	e.elf = bytes.HasPrefix(head, []byte("\x7fELF"))
	if e.elf {
		f.ELFs++
	}
	if e.src != nil {
		return nil // read in place
	}
	rest := io.MultiReader(bytes.NewReader(head), r)
	if f.memUsed+e.size <= f.memLimit || e.size <= headKeep {
		e.data = make([]byte, e.size)
		if _, err := io.ReadFull(rest, e.data); err != nil {
			return err
		}
		f.memUsed += e.size
		return nil
	}
	if f.spill == nil {
		sp, err := spillFile()
		if err != nil {
			return err
		}
		f.spill = sp
	}
	w := io.NewOffsetWriter(f.spill, f.spillEnd)
	if _, err := io.CopyN(w, rest, e.size); err != nil {
		return err
	}
	e.spill = f.spillEnd
	f.spillEnd += e.size
	return nil
}

// spillFile is a file under the user's cache directory that holds ELF
// content beyond the memory budget. It is unlinked as soon as it is
// created: nothing stays on disk, even if cgotrace is killed.
func spillFile() (*os.File, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return nil, fmt.Errorf("no cache directory for large images: %w", err)
	}
	dir = path.Join(dir, "cgotrace")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	sp, err := os.CreateTemp(dir, "image-*.spill")
	if err != nil {
		return nil, err
	}
	os.Remove(sp.Name())
	return sp, nil
}

// finish resolves hard links and adds the directories that only the
// entries under them imply.
func (f *FS) finish() {
	for _, e := range f.entries {
		if e.hard == "" {
			continue
		}
		t := f.entries[e.hard]
		for i := 0; t != nil && t.hard != "" && i < 40; i++ {
			t = f.entries[t.hard]
		}
		if t == nil || t.hard != "" {
			delete(f.entries, e.name)
			continue
		}
		name := e.name
		*e = *t
		e.name = name
	}
	f.children = map[string][]string{}
	names := make([]string, 0, len(f.entries))
	for n := range f.entries {
		names = append(names, n)
	}
	for _, n := range names {
		for n != "." {
			dir := path.Dir(n)
			if _, ok := f.entries[dir]; !ok {
				f.entries[dir] = &entry{name: dir, mode: fs.ModeDir | 0o755, spill: -1}
			}
			n = dir
		}
	}
	for n := range f.entries {
		if n != "." {
			d := path.Dir(n)
			f.children[d] = append(f.children[d], path.Base(n))
		}
	}
	for _, c := range f.children {
		slices.Sort(c)
	}
}

// Close releases the spill file.
func (f *FS) Close() error {
	if f.spill != nil {
		return f.spill.Close()
	}
	return nil
}

// resolve finds the entry of name, following symlinks (inside the image)
// in every component, and in the last one when follow is set: the
// module's one walker, elfinspect.ResolveLinks, over the entries as
// stored (entries).
func (f *FS) resolve(op, name string, follow bool) (*entry, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	n, err := elfinspect.ResolveLinks((*storedEntries)(f), name, follow)
	if err != nil {
		if pe, ok := err.(*fs.PathError); ok {
			pe.Op = op
		}
		return nil, err
	}
	return f.entries[n], nil
}

// storedEntries reads the stored entries of an FS by their exact name: no
// symlink is followed, which is what elfinspect.ResolveLinks asks of it.
type storedEntries FS

func (f *storedEntries) Lstat(name string) (fs.FileInfo, error) {
	e, ok := f.entries[name]
	if !ok {
		return nil, &fs.PathError{Op: "lstat", Path: name, Err: fs.ErrNotExist}
	}
	return info{e}, nil
}

func (f *storedEntries) ReadLink(name string) (string, error) {
	e, ok := f.entries[name]
	if !ok {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrNotExist}
	}
	if e.mode&fs.ModeSymlink == 0 {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	return e.link, nil
}

// Open opens name, following symlinks inside the image.
func (f *FS) Open(name string) (fs.File, error) {
	e, err := f.resolve("open", name, true)
	if err != nil {
		return nil, err
	}
	return &file{fsys: f, e: e}, nil
}

// Stat follows symlinks.
func (f *FS) Stat(name string) (fs.FileInfo, error) {
	e, err := f.resolve("stat", name, true)
	if err != nil {
		return nil, err
	}
	return info{e}, nil
}

// Lstat does not follow a symlink in the last component.
func (f *FS) Lstat(name string) (fs.FileInfo, error) {
	e, err := f.resolve("lstat", name, false)
	if err != nil {
		return nil, err
	}
	return info{e}, nil
}

// ReadLink returns a symlink's target as stored.
func (f *FS) ReadLink(name string) (string, error) {
	e, err := f.resolve("readlink", name, false)
	if err != nil {
		return "", err
	}
	if e.mode&fs.ModeSymlink == 0 {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	return e.link, nil
}

// ReadDir lists a directory, sorted by name.
func (f *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	e, err := f.resolve("readdir", name, true)
	if err != nil {
		return nil, err
	}
	if !e.mode.IsDir() {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errors.New("not a directory")}
	}
	var out []fs.DirEntry
	for _, c := range f.children[e.name] {
		if ce, ok := f.entries[path.Join(e.name, c)]; ok {
			out = append(out, fs.FileInfoToDirEntry(info{ce}))
		}
	}
	return out, nil
}

// IsELF reports whether the regular file at name (symlinks followed)
// starts with the ELF magic.
func (f *FS) IsELF(name string) bool {
	e, err := f.resolve("open", name, true)
	return err == nil && e.elf
}

type info struct{ e *entry }

func (i info) Name() string       { return path.Base(i.e.name) }
func (i info) Size() int64        { return i.e.size }
func (i info) Mode() fs.FileMode  { return i.e.mode }
func (i info) ModTime() time.Time { return time.Time{} }
func (i info) IsDir() bool        { return i.e.mode.IsDir() }
func (i info) Sys() any           { return nil }

// errNotKept is what reading a file's content beyond its first bytes
// gives when cgotrace did not keep it (not ELF, not loader configuration).
var errNotKept = errors.New("content not kept (not an ELF file)")

type file struct {
	fsys *FS
	e    *entry
	off  int64
	dir  int
}

func (fl *file) Stat() (fs.FileInfo, error) { return info{fl.e}, nil }
func (fl *file) Close() error               { return nil }

func (fl *file) Read(p []byte) (int, error) {
	if fl.e.mode.IsDir() {
		return 0, &fs.PathError{Op: "read", Path: fl.e.name, Err: errors.New("is a directory")}
	}
	n, err := fl.ReadAt(p, fl.off)
	fl.off += int64(n)
	if err == io.EOF && n > 0 {
		err = nil
	}
	return n, err
}

func (fl *file) ReadAt(p []byte, off int64) (int, error) {
	e := fl.e
	if !e.mode.IsRegular() {
		return 0, &fs.PathError{Op: "read", Path: e.name, Err: errors.New("not a regular file")}
	}
	if off < 0 {
		return 0, &fs.PathError{Op: "read", Path: e.name, Err: fs.ErrInvalid}
	}
	if off >= e.size {
		return 0, io.EOF
	}
	want := p
	if rem := e.size - off; int64(len(want)) > rem {
		want = want[:rem]
	}
	var n int
	switch {
	case e.src != nil:
		m, err := e.src.ReadAt(want, e.srcOff+off)
		if err != nil && err != io.EOF {
			return m, err
		}
		n = m
	case e.data != nil:
		n = copy(want, e.data[off:])
	case e.spill >= 0:
		m, err := fl.fsys.spill.ReadAt(want, e.spill+off)
		if err != nil && err != io.EOF {
			return m, err
		}
		n = m
	case off+int64(len(want)) <= int64(len(e.head)):
		n = copy(want, e.head[off:])
	default:
		return 0, &fs.PathError{Op: "read", Path: e.name, Err: errNotKept}
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// ReadDir lists a directory opened with Open.
func (fl *file) ReadDir(n int) ([]fs.DirEntry, error) {
	all, err := fl.fsys.ReadDir(fl.e.name)
	if err != nil {
		return nil, err
	}
	all = all[min(fl.dir, len(all)):]
	if n <= 0 {
		fl.dir += len(all)
		return all, nil
	}
	if len(all) == 0 {
		return nil, io.EOF
	}
	all = all[:min(n, len(all))]
	fl.dir += len(all)
	return all, nil
}
