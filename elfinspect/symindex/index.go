// Package symindex answers "which library defines this symbol?": an index
// of the symbols defined by the shared libraries (dynamic symbol table,
// with versions) and static archives (archive symbol table) in a set of
// library directories — by default the linker's own (gcc
// -print-search-dirs) and the usual system directories.
//
// The index is cached on disk (DefaultCacheDir), one file per directory.
// Every library file is keyed by (real path, size, mtime, inode, device):
// Open stats the files, re-reads only those that changed or are new, and
// rewrites that directory's cache; when nothing changed it maps the cache
// file and a lookup is a binary search in it.
package symindex

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/sirupsen/logrus"
)

// Definition is one library that defines a symbol.
type Definition struct {
	// Symbol is the name as the library defines it (mangled for C++);
	// Demangled its demangled form, when it is a C++ name.
	Symbol    string `json:"symbol"`
	Demangled string `json:"demangled,omitempty"`
	// Library is the file ld would open for LinkFlag, as named in its
	// search directory (e.g. /usr/lib/x86_64-linux-gnu/libz.so); File is
	// the real file that defines the symbol (libz.so.1.3).
	Library string `json:"library"`
	File    string `json:"file"`
	Dir     string `json:"dir"`
	Kind    Kind   `json:"kind"`
	Soname  string `json:"soname,omitempty"`
	Machine string `json:"machine,omitempty"`
	// Version is the symbol version (GLIBC_2.34); DefaultVersion is true
	// for name@@VERSION, false for a hidden name@VERSION, which a new link
	// cannot use.
	Version        string `json:"version,omitempty"`
	DefaultVersion bool   `json:"default_version,omitempty"`
	// Member is the archive member (a .o) that defines the symbol.
	Member string `json:"member,omitempty"`
	// Type is "func", "object" or "" (archives do not say).
	Type string `json:"type,omitempty"`
	Weak bool   `json:"weak,omitempty"`
	// LinkFlag is what to add to the link: "-lz", or "-l:libz.so.1" when
	// no libz.so (the development link) is there; PlainLink says whether
	// the plain -lNAME form works.
	LinkFlag  string `json:"link_flag"`
	PlainLink bool   `json:"plain_link"`
}

// Options configure OpenOptions.
type Options struct {
	// Dirs are searched first, in order.
	Dirs []string
	// NoDefaultDirs leaves out DefaultDirs (hermetic tests).
	NoDefaultDirs bool
	// CacheDir holds the cache; "" means DefaultCacheDir(); "off" keeps
	// the index in memory only.
	CacheDir string
	// Demangle demangles C++ names in bulk (the result has one entry per
	// input, "" when a name is not demangled); nil means GoDemangle.
	Demangle func(names []string) []string
	// Log receives debug messages; nil discards them.
	Log logrus.FieldLogger
}

// Stats say what Open did.
type Stats struct {
	Dirs      int `json:"dirs"`
	Libraries int `json:"libraries"`
	Symbols   int `json:"symbols"`
	// Reread counts the library files read now (new or changed).
	Reread int `json:"reread"`
	// CacheDir holds one cache file per directory ("" without a cache);
	// CacheHit is true when every directory came from its cache unchanged.
	CacheDir string  `json:"cache_dir,omitempty"`
	CacheHit bool    `json:"cache_hit"`
	OpenMS   float64 `json:"open_ms"`
}

// Index is an open symbol index. Close releases the mapped cache files.
type Index struct {
	demangle func([]string) []string
	dirs     []string
	tabs     []*dirTable
	stats    Stats
}

// dirTable is the index of one directory.
type dirTable struct {
	dir   string
	t     *table
	unmap func() error
	links []linkInfo
}

type linkInfo struct {
	library, dir, flag string
	plain              bool
}

// DefaultCacheDir is os.UserCacheDir()/cgotrace/symindex
// (~/.cache/cgotrace/symindex on Linux, or $XDG_CACHE_HOME/cgotrace/symindex).
func DefaultCacheDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("cache directory: %w", err)
	}
	return filepath.Join(d, "cgotrace", "symindex"), nil
}

// Open indexes dirs and the default library directories, caching in
// cacheDir ("" for DefaultCacheDir, "off" for no cache).
func Open(dirs []string, cacheDir string) (*Index, error) {
	return OpenOptions(context.Background(), Options{Dirs: dirs, CacheDir: cacheDir})
}

// OpenOptions opens the index as o says. Every directory has its own
// cache file, so the system directories are cached once whatever -L
// directories come with them.
func OpenOptions(ctx context.Context, o Options) (*Index, error) {
	start := time.Now()
	log := o.Log
	if log == nil {
		l := logrus.New()
		l.SetOutput(io.Discard)
		log = l
	}
	if o.Demangle == nil {
		o.Demangle = GoDemangle
	}
	dirs := append([]string{}, o.Dirs...)
	if !o.NoDefaultDirs {
		dirs = append(dirs, DefaultDirs(ctx)...)
	}
	dirs = CleanDirs(dirs)

	cd := ""
	if o.CacheDir != "off" {
		cd = o.CacheDir
		if cd == "" {
			var err error
			if cd, err = DefaultCacheDir(); err != nil {
				log.WithError(err).Debug("no cache")
			}
		}
	}
	// Building allocates a few hundred thousand short-lived strings: let
	// the heap grow rather than collect it again and again.
	defer debug.SetGCPercent(debug.SetGCPercent(400))

	idx := &Index{dirs: dirs, demangle: o.Demangle}
	idx.stats = Stats{Dirs: len(dirs), CacheDir: cd, CacheHit: true}
	// Libraries read for one directory are not read again for another
	// that reaches the same file (the gcc directory links to the system's).
	readNow := map[string]*library{}
	for _, d := range dirs {
		if err := ctx.Err(); err != nil {
			idx.Close()
			return nil, err
		}
		dt, reread, hit, cacheErr := openDir(d, cd, readNow, log)
		if cacheErr != nil {
			log.WithError(cacheErr).Warn("cannot write the symbol index cache")
			idx.stats.CacheDir = ""
		}
		idx.tabs = append(idx.tabs, dt)
		idx.stats.Reread += reread
		idx.stats.CacheHit = idx.stats.CacheHit && hit
		idx.stats.Libraries += len(dt.t.libs)
		idx.stats.Symbols += dt.t.numSyms()
	}
	if cd == "" {
		idx.stats.CacheHit = false
	}
	linkAll(idx.tabs)
	idx.stats.OpenMS = since(start)
	log.WithFields(logrus.Fields{"dirs": len(dirs), "libraries": idx.stats.Libraries,
		"reread": idx.stats.Reread, "ms": idx.stats.OpenMS}).Debug("symbol index open")
	return idx, nil
}

// openDir opens the index of one directory: its cache file when that
// describes exactly the directory's library files, else a new index that
// reuses the cached symbols of the unchanged files. cacheErr reports a
// cache that could not be written (the index is still good).
func openDir(dir, cacheDir string, readNow map[string]*library, log logrus.FieldLogger) (dt *dirTable, reread int, hit bool, cacheErr error) {
	start := time.Now()
	dt = &dirTable{dir: dir, unmap: func() error { return nil }}
	cacheFile := ""
	if cacheDir != "" {
		sum := sha256.Sum256([]byte(dir))
		cacheFile = filepath.Join(cacheDir, "dir-"+hex.EncodeToString(sum[:8])+".bin")
	}
	cands, _ := scanDirs([]string{dir})
	dirs := []string{dir}

	var old *table
	if cacheFile != "" {
		data, unmap, err := mapFile(cacheFile)
		if err == nil {
			t, err := decodeIndex(data)
			switch {
			case err != nil:
				log.WithError(err).WithField("cache", cacheFile).Debug("cache unreadable, rebuilding")
				unmap()
			case sameFiles(t, dirs, cands):
				dt.t, dt.unmap = t, unmap
				return dt, 0, true, nil
			default:
				old = t
				defer unmap()
			}
		} else if !errors.Is(err, os.ErrNotExist) {
			log.WithError(err).Debug("cache unreadable, rebuilding")
		}
	}
	// Reuse what the old cache has for unchanged files; read the rest.
	prev := map[string]*library{}
	if old != nil {
		for li, l := range old.libs {
			syms, ok := old.librarySyms(li)
			if !ok {
				continue
			}
			prev[l.Path] = &library{Path: l.Path, ID: l.ID, Kind: l.Kind, Soname: l.Soname,
				Machine: l.Machine, Err: l.Err, Inputs: l.Inputs, Syms: syms}
		}
	}
	for p, l := range readNow {
		if _, ok := prev[p]; !ok {
			prev[p] = l
		}
	}
	names := make([][]string, len(cands))
	for i, c := range cands {
		names[i] = c.names
	}
	libs, reread := readAll(cands, prev)
	for _, l := range libs {
		readNow[l.Path] = l
	}
	enc := encodeIndex(dirs, libs, names)
	t, err := enc.table()
	if err != nil {
		// A bug (we just encoded it); the directory is left out.
		log.WithError(err).WithField("dir", dir).Error("symbol index")
		t = &table{dirs: dirs}
	}
	dt.t = t
	if cacheFile != "" {
		cacheErr = writeCache(cacheFile, enc)
	}
	log.WithFields(logrus.Fields{"dir": dir, "files": len(cands), "reread": reread,
		"bytes": enc.size(), "ms": since(start)}).Debug("directory indexed")
	return dt, reread, false, cacheErr
}

// sameFiles reports whether the cache t was built from exactly these
// directories and files, unchanged.
func sameFiles(t *table, dirs []string, cands []*candidate) bool {
	if !slices.Equal(t.dirs, dirs) || len(t.libs) != len(cands) {
		return false
	}
	for i, c := range cands {
		l := t.libs[i]
		if l.Path != c.path || l.ID != c.id || !slices.Equal(l.Names, c.names) {
			return false
		}
	}
	return true
}

// linkAll decides, per library, the name in a search directory ld would
// open and the -l flag that reaches it. A library reached through a linker
// script (libc.so → libc.so.6) gets the script's flag, in any directory.
func linkAll(tabs []*dirTable) {
	type key struct{ dev, ino uint64 }
	type ref struct{ tab, lib int }
	byFile := map[key][]ref{}
	for ti, dt := range tabs {
		dt.links = make([]linkInfo, len(dt.t.libs))
		for li, l := range dt.t.libs {
			dt.links[li] = pickLink(l.Names)
			k := key{l.ID.Dev, l.ID.Ino}
			byFile[k] = append(byFile[k], ref{ti, li})
		}
	}
	for _, dt := range tabs {
		for li, l := range dt.t.libs {
			if l.Kind != Script || !dt.links[li].plain {
				continue
			}
			for _, in := range l.Inputs {
				fi, err := os.Stat(in)
				if err != nil {
					continue
				}
				id := statID(fi)
				for _, r := range byFile[key{id.Dev, id.Ino}] {
					if !tabs[r.tab].links[r.lib].plain {
						tabs[r.tab].links[r.lib] = dt.links[li]
					}
				}
			}
		}
	}
}

func pickLink(names []string) linkInfo {
	var best linkInfo
	for _, n := range names {
		flag, plain := linkFlag(n)
		if best.library == "" || (plain && !best.plain) {
			best = linkInfo{library: n, dir: filepath.Dir(n), flag: flag, plain: plain}
		}
	}
	return best
}

// Lookup returns the libraries that define sym, in the order ld would
// prefer them. sym is a C name, a mangled C++ name, or a demangled C++
// name with or without its parameter list ("ns::f(int)", "ns::f"); white
// space in a demangled name does not matter. A file reached from several
// directories is listed once, under the first.
func (idx *Index) Lookup(sym string) []Definition {
	sym = strings.TrimSpace(sym)
	if sym == "" || idx.tabs == nil {
		return nil
	}
	type defKey struct {
		dev, ino              uint64
		name, version, member string
	}
	seen := map[defKey]bool{}
	var defs []Definition
	addName := func(name, demangled string) {
		h := hashString(name)
		for ti, dt := range idx.tabs {
			for _, i := range dt.t.find(h) {
				s, li, ok := dt.t.sym(i)
				if !ok || s.Name != name {
					continue
				}
				id := dt.t.libs[li].ID
				k := defKey{id.Dev, id.Ino, s.Name, s.Version, s.Member}
				if seen[k] {
					continue
				}
				seen[k] = true
				d := idx.definition(ti, s, li)
				d.Demangled = demangled
				defs = append(defs, d)
			}
		}
	}
	addName(sym, "")
	if !isMangled(sym) && (looksDemangled(sym) || len(defs) == 0) {
		q := squeeze(sym)
		needles := mangledNeedles(sym)
		var cands []string
		for _, dt := range idx.tabs {
			for _, c := range dt.t.candidates(needles) {
				if !slices.Contains(cands, c) {
					cands = append(cands, c)
				}
			}
		}
		if len(cands) > 0 {
			dem := idx.demangle(cands)
			for i, c := range cands {
				if i < len(dem) && dem[i] != "" && slices.Contains(demangledKeys(dem[i]), q) {
					addName(c, dem[i])
				}
			}
		}
	}
	// Show the demangled form of the C++ names found by their mangled name.
	var toDem []string
	for _, d := range defs {
		if d.Demangled == "" && isMangled(d.Symbol) && !slices.Contains(toDem, d.Symbol) {
			toDem = append(toDem, d.Symbol)
		}
	}
	if len(toDem) > 0 {
		dem := idx.demangle(toDem)
		for i := range defs {
			if j := slices.Index(toDem, defs[i].Symbol); j >= 0 && j < len(dem) && defs[i].Demangled == "" {
				defs[i].Demangled = dem[j]
			}
		}
	}
	dirIndex := func(d string) int {
		if i := slices.Index(idx.dirs, d); i >= 0 {
			return i
		}
		return len(idx.dirs)
	}
	sortDefinitions(defs, dirIndex)
	return defs
}

func (idx *Index) definition(ti int, s symbol, li int) Definition {
	dt := idx.tabs[ti]
	l := dt.t.libs[li]
	link := dt.links[li]
	d := Definition{
		Symbol:  s.Name,
		Library: link.library, File: l.Path, Dir: link.dir, Kind: l.Kind,
		Soname: l.Soname, Machine: l.Machine,
		Version: s.Version, DefaultVersion: s.Version != "" && s.Flags&flagHiddenVersion == 0,
		Member: s.Member, Weak: s.Flags&flagWeak != 0,
		LinkFlag: link.flag, PlainLink: link.plain,
	}
	switch {
	case s.Flags&flagFunc != 0:
		d.Type = "func"
	case s.Flags&flagObject != 0:
		d.Type = "object"
	}
	return d
}

// Dirs returns the directories the index covers, in search order.
func (idx *Index) Dirs() []string { return idx.dirs }

// Stats says how the index was opened.
func (idx *Index) Stats() Stats { return idx.stats }

// Problems lists the library files that could not be read, with why.
func (idx *Index) Problems() map[string]string {
	out := map[string]string{}
	for _, dt := range idx.tabs {
		for _, l := range dt.t.libs {
			if l.Err != "" {
				out[l.Path] = l.Err
			}
		}
	}
	return out
}

// Close releases the cache file mappings. The index must not be used
// afterwards.
func (idx *Index) Close() error {
	var errs []error
	for _, dt := range idx.tabs {
		errs = append(errs, dt.unmap())
		dt.unmap = func() error { return nil }
	}
	idx.tabs = nil
	return errors.Join(errs...)
}

// writeCache writes data to path through a temporary file and a rename,
// so a concurrent reader sees the old or the new file, never half of one.
func writeCache(path string, parts [][]byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".index-*.tmp")
	if err != nil {
		return err
	}
	var werr error
	for _, p := range parts {
		if _, werr = tmp.Write(p); werr != nil {
			break
		}
	}
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}
