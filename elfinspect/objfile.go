package elfinspect

import (
	"bytes"
	"debug/buildinfo"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/sirupsen/logrus"
)

// Options tune how dependencies are resolved. The zero value resolves on
// this machine as its loader would, without LD_LIBRARY_PATH.
type Options struct {
	// Root resolves as if Root were "/" (a sysroot, an unpacked container
	// image): ld.so.cache, ld.so.conf and the default directories are read
	// from there, symlinks are followed inside it. Paths in the result are
	// the ones the target sees (without the Root prefix).
	Root string
	// FS, when set, is the target's whole file system (a read container
	// image) and replaces Root: paths given to Inspect and every path the
	// loader looks at are paths in FS ("/" its root) and nothing of this
	// machine is read. Symlinks are followed when FS implements
	// fs.ReadLinkFS; its regular files must implement io.ReaderAt. Only
	// ELF files are resolved inside an FS.
	FS fs.FS
	// LDLibraryPath is the LD_LIBRARY_PATH the program would run with
	// (the CLI passes the environment's unless --ld-library-path is given).
	LDLibraryPath string
	// Preload is the LD_PRELOAD the program would run with (names
	// separated by spaces or colons); /etc/ld.so.preload of the root is
	// read as well.
	Preload string
	// Cwd is the directory that relative NEEDED paths and empty search
	// path elements refer to; the current directory when empty.
	Cwd string
	// Platform and Lib are the values of $PLATFORM and $LIB; derived from
	// the target (and this CPU, when it is the target's) when empty.
	Platform string
	Lib      string
	// HWCaps lists the glibc-hwcaps subdirectories searched, best first;
	// nil derives them from this CPU when it matches the target machine.
	HWCaps []string
	// Log receives debug messages; nil discards them.
	Log logrus.FieldLogger
}

// rawFile is one object-file format's reader, the small interface the
// three formats share (like cmd/internal/objfile): it fills the facts it
// reads from the file itself, then resolves the dependency tree.
type rawFile interface {
	// describe may read the file; it must not touch Inspector state.
	describe(b *Binary) error
	// resolve runs after the file is closed: it uses what describe kept.
	resolve(in *Inspector, b *Binary) error
}

// Inspector inspects binaries and caches what it reads (ld.so.cache once,
// each library once), so inspecting many files in one process is cheap.
// It is not safe for concurrent use.
type Inspector struct {
	opts Options
	log  logrus.FieldLogger
	fs   *rootFS

	elfFiles   map[string]*elfFile
	elfTargets map[targetKey]*elfTarget
	dirExists  map[string]bool
	searchMemo map[string]map[string]searchResult

	cacheOnce sync.Once
	ldc       *ldCache
	ldcErr    error
	confOnce  sync.Once
	// preloadFile is /etc/ld.so.preload of the root.
	preloadOnce sync.Once
	preloadFile string
	confDirs    []confDir

	// arena serves the reads of library candidates (see readCandidate).
	arena *arena
	// res is the resolver state reused from binary to binary.
	res *elfResolver
	// ldsos caches what an interpreter file says about itself, by path.
	ldsos map[string]*ldsoFacts

	cpuOnce  sync.Once
	cpuFlags map[string]bool
	cpuIntel bool
}

// NewInspector returns an Inspector with opts.
func NewInspector(opts Options) *Inspector {
	log := opts.Log
	if log == nil {
		l := logrus.New()
		l.SetOutput(io.Discard)
		log = l
	}
	if opts.Cwd == "" {
		opts.Cwd, _ = os.Getwd()
	}
	root := opts.Root
	if root != "" {
		if abs, err := filepath.Abs(root); err == nil {
			root = abs
		}
		if root == "/" {
			root = ""
		}
	}
	return &Inspector{
		opts:       opts,
		log:        log,
		fs:         newRootFS(root, opts.FS),
		elfFiles:   map[string]*elfFile{},
		elfTargets: map[targetKey]*elfTarget{},
		dirExists:  map[string]bool{},
		searchMemo: map[string]map[string]searchResult{},
	}
}

// Prefetch reads what resolving an ELF binary of this machine needs
// whatever the binary: /etc/ld.so.cache (parsed) and the CPU's features.
// A caller with time to spare (cgotrace build, while go build runs) calls
// it in a goroutine to take that off its critical path. It is the one
// method that is safe to call concurrently with the others.
func (in *Inspector) Prefetch() {
	in.ldCache()
	in.readCPU()
}

// Inspect reads the binary at path and resolves its dependencies with a
// fresh Inspector. Use an Inspector to inspect many files.
func Inspect(path string, opts Options) (*Binary, error) {
	return NewInspector(opts).Inspect(path)
}

// headSize is how much of a file is read up front: the ELF header and, for
// nearly every file, its program headers.
const headSize = 4 << 10

// candidateHeadSize is the first read of a library candidate: the ELF
// and program headers.
const candidateHeadSize = 2 << 10

// Inspect reads the binary at path (a path on this machine, not inside
// Root) and resolves its dependencies. A missing library is not an error:
// it is in the result's Missing. An error means the file itself could not
// be read or is not a binary cgotrace understands.
func (in *Inspector) Inspect(path string) (*Binary, error) {
	p, err := prepare(in.opener(), path, nil)
	if err != nil {
		return nil, err
	}
	return in.finish(p)
}

// prepared is a file read and described, not yet resolved. Preparing
// touches no Inspector state, so files can be prepared concurrently.
type prepared struct {
	raw rawFile
	b   *Binary
}

// prepare reads path. ar, when not nil, is an arena the caller reuses
// between files: nothing prepared keeps a reference to it (describe copies
// what it keeps and drops the file data), and it is reset on return.
func prepare(open func(string) (fileReader, error), path string, ar *arena) (prepared, error) {
	defer ar.reset()
	f, err := open(path)
	if err != nil {
		return prepared{}, fmt.Errorf("inspect: %w", err)
	}
	defer f.Close()
	size, mode, id, err := f.stat()
	if err != nil {
		return prepared{}, fmt.Errorf("inspect: %w", err)
	}
	switch mode & syscall.S_IFMT {
	case syscall.S_IFREG:
	case syscall.S_IFDIR:
		return prepared{}, fmt.Errorf("inspect %s: is a directory", path)
	default:
		return prepared{}, fmt.Errorf("inspect %s: not a regular file", path)
	}
	head := ar.alloc(uint64(min(headSize, max(size, 0))))
	n, err := f.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return prepared{}, fmt.Errorf("inspect %s: %w", path, err)
	}
	head = head[:n] // a file that shrank since fstat
	raw, err := openRaw(path, f, size, mode, id, head, ar)
	if err != nil {
		return prepared{}, fmt.Errorf("inspect %s: %w", path, err)
	}
	b := &Binary{Path: path, Needed: []string{}, Rpath: []string{}, Runpath: []string{},
		Libraries: []Library{}, Missing: []string{}}
	if err := raw.describe(b); err != nil {
		return prepared{}, fmt.Errorf("inspect %s: %w", path, err)
	}
	return prepared{raw, b}, nil
}

// opener returns how prepare opens the files given to Inspect: host
// paths, or paths in Options.FS. It may be called concurrently: it uses
// no cache of the Inspector.
func (in *Inspector) opener() func(string) (fileReader, error) {
	if in.fs.fsys == nil {
		return func(p string) (fileReader, error) { return openFD(p) }
	}
	r := in.fs
	return func(p string) (fileReader, error) {
		rp, err := r.walk(path.Clean("/" + p))
		if err != nil {
			return nil, err
		}
		return openFSFile(r.fsys, rp)
	}
}

func (in *Inspector) finish(p prepared) (*Binary, error) {
	b := p.b
	if _, isELF := p.raw.(*elfRaw); !isELF && in.fs.fsys != nil {
		return nil, fmt.Errorf("inspect %s: a %s file is not resolved inside an image (only ELF files are)", b.Path, b.Format)
	}
	if err := p.raw.resolve(in, b); err != nil {
		return nil, fmt.Errorf("inspect %s: %w", b.Path, err)
	}
	b.Diagnoses = append(append([]Finding{}, missingDiagnoses(b)...), b.Diagnoses...)
	return b, nil
}

// InspectAll inspects paths and calls fn for each, in order. Files are
// read by up to workers goroutines; dependencies are resolved in one, so
// every library is still read once.
func (in *Inspector) InspectAll(paths []string, workers int, fn func(path string, b *Binary, err error)) {
	type result struct {
		p   prepared
		err error
	}
	workers = max(1, min(workers, len(paths)))
	open := in.opener()
	results := make([]chan result, len(paths))
	for i := range results {
		results[i] = make(chan result, 1)
	}
	// At most ahead files wait prepared, so memory stays bounded.
	const ahead = 64
	tokens := make(chan struct{}, ahead)
	next := make(chan int)
	go func() {
		for i := range paths {
			tokens <- struct{}{}
			next <- i
		}
		close(next)
	}()
	for w := 0; w < workers; w++ {
		go func() {
			ar := newArena()
			for i := range next {
				p, err := prepare(open, paths[i], ar)
				results[i] <- result{p, err}
			}
		}()
	}
	for i, path := range paths {
		r := <-results[i]
		<-tokens
		if r.err != nil {
			fn(path, nil, r.err)
			continue
		}
		b, err := in.finish(r.p)
		fn(path, b, err)
	}
}

// openRaw picks the reader by the file's magic number.
func openRaw(path string, f io.ReaderAt, size int64, mode uint32, id fileID, head []byte, ar *arena) (rawFile, error) {
	switch {
	case bytes.HasPrefix(head, []byte("\x7fELF")):
		o, err := readELF(f, size, head, true, ar)
		if err != nil {
			return nil, err
		}
		return &elfRaw{obj: o, r: f, path: path, mode: mode, id: id}, nil
	case isMachO(head):
		return newMachORaw(f, path)
	case bytes.HasPrefix(head, []byte("MZ")):
		return newPERaw(f, path)
	case len(head) == 0:
		return nil, errors.New("empty file")
	}
	return nil, errors.New("not an ELF, Mach-O or PE file")
}

// goInfo reads Go build information, or nil when there is none.
func goInfo(r io.ReaderAt) *GoInfo {
	bi, err := buildinfo.Read(r)
	if err != nil {
		return nil
	}
	g := &GoInfo{GoVersion: bi.GoVersion, Path: bi.Path, Settings: map[string]string{}}
	for _, s := range bi.Settings {
		g.Settings[s.Key] = s.Value
	}
	return g
}

// systemLike reports whether s names a path under one of the prefixes.
func hasPathPrefix(p, prefix string) bool {
	prefix = strings.TrimSuffix(prefix, "/")
	return p == prefix || strings.HasPrefix(p, prefix+"/")
}
