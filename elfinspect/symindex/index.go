// Package symindex answers "which library defines this symbol?": an index
// of the symbols defined by the shared libraries (dynamic symbol table,
// with versions) and static archives (archive symbol table) in a set of
// library directories — by default the linker's own (gcc
// -print-search-dirs) and the usual system directories.
//
// The index is cached on disk (DefaultCacheDir) per set of directories.
// Every library file is keyed by (real path, size, mtime, inode, device):
// Open stats the files, re-reads only those that changed or are new, and
// rewrites the cache; when nothing changed it maps the cache file and a
// lookup is a binary search in it.
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
	// input, "" when a name is not demangled); nil means CxxFilt.
	Demangle func(names []string) []string
	// Log receives debug messages; nil discards them.
	Log logrus.FieldLogger
}

// Stats say what Open did.
type Stats struct {
	Dirs      int     `json:"dirs"`
	Libraries int     `json:"libraries"`
	Symbols   int     `json:"symbols"`
	Reread    int     `json:"reread"`
	CacheFile string  `json:"cache_file,omitempty"`
	CacheHit  bool    `json:"cache_hit"`
	OpenMS    float64 `json:"open_ms"`
}

// Index is an open symbol index. Close releases the mapped cache file.
type Index struct {
	demangle func([]string) []string
	dirs     []string
	t        *table
	unmap    func() error
	stats    Stats
	linkOf   []linkInfo
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

// OpenOptions opens the index as o says.
func OpenOptions(ctx context.Context, o Options) (*Index, error) {
	start := time.Now()
	log := o.Log
	if log == nil {
		l := logrus.New()
		l.SetOutput(io.Discard)
		log = l
	}
	if o.Demangle == nil {
		o.Demangle = CxxFilt
	}
	dirs := append([]string{}, o.Dirs...)
	if !o.NoDefaultDirs {
		dirs = append(dirs, DefaultDirs(ctx)...)
	}
	dirs = CleanDirs(dirs)

	cacheFile := ""
	if o.CacheDir != "off" {
		cd := o.CacheDir
		if cd == "" {
			var err error
			if cd, err = DefaultCacheDir(); err != nil {
				log.WithError(err).Debug("no cache")
			}
		}
		if cd != "" {
			sum := sha256.Sum256([]byte(strings.Join(dirs, "\x00")))
			cacheFile = filepath.Join(cd, "index-"+hex.EncodeToString(sum[:8])+".bin")
		}
	}

	cands, err := scanDirs(dirs)
	if err != nil {
		return nil, err
	}
	log.WithFields(logrus.Fields{"dirs": len(dirs), "files": len(cands), "ms": since(start)}).Debug("library directories scanned")
	names := make([][]string, len(cands))
	for i, c := range cands {
		names[i] = c.names
	}
	idx := &Index{dirs: dirs, demangle: o.Demangle, unmap: func() error { return nil }}

	// Warm path: the cache describes exactly these files.
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
				idx.t, idx.unmap = t, unmap
				idx.finish(cacheFile, true, 0, start)
				return idx, nil
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
	// Building allocates a few hundred thousand short-lived strings: let
	// the heap grow rather than collect it again and again.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	libs, reread := readAll(cands, prev)
	log.WithFields(logrus.Fields{"reread": reread, "ms": since(start)}).Debug("libraries read")
	enc := encodeIndex(dirs, libs, names)
	log.WithFields(logrus.Fields{"bytes": enc.size(), "ms": since(start)}).Debug("index encoded")
	t, err := enc.table()
	if err != nil {
		return nil, fmt.Errorf("symbol index: %w", err) // a bug: we just wrote it
	}
	idx.t = t
	if cacheFile != "" {
		if err := writeCache(cacheFile, enc); err != nil {
			log.WithError(err).Warn("cannot write the symbol index cache")
			cacheFile = ""
		}
	}
	idx.finish(cacheFile, false, reread, start)
	log.WithFields(logrus.Fields{"libraries": len(libs), "reread": reread, "ms": since(start)}).Debug("symbol index built")
	return idx, nil
}

func (idx *Index) finish(cacheFile string, hit bool, reread int, start time.Time) {
	idx.stats = Stats{Dirs: len(idx.dirs), Libraries: len(idx.t.libs), Symbols: idx.t.numSyms(),
		Reread: reread, CacheFile: cacheFile, CacheHit: hit}
	idx.linkOf = linkInfos(idx.t.libs, idx.dirs)
	idx.stats.OpenMS = since(start)
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

// linkInfos decides, per library, the name in a search directory ld would
// open and the -l flag that reaches it. A library reached through a linker
// script (libc.so → libc.so.6) gets the script's flag.
func linkInfos(libs []libEntry, dirs []string) []linkInfo {
	out := make([]linkInfo, len(libs))
	type key struct{ dev, ino uint64 }
	byFile := map[key]int{}
	for i, l := range libs {
		byFile[key{l.ID.Dev, l.ID.Ino}] = i
	}
	for i, l := range libs {
		out[i] = pickLink(l.Names)
	}
	for _, l := range libs {
		if l.Kind != Script {
			continue
		}
		li := pickLink(l.Names)
		if !li.plain {
			continue
		}
		for _, in := range l.Inputs {
			fi, err := os.Stat(in)
			if err != nil {
				continue
			}
			id := statID(fi)
			if j, ok := byFile[key{id.Dev, id.Ino}]; ok && !out[j].plain {
				out[j] = li
			}
		}
	}
	return out
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
// space in a demangled name does not matter.
func (idx *Index) Lookup(sym string) []Definition {
	sym = strings.TrimSpace(sym)
	if sym == "" || idx.t == nil {
		return nil
	}
	seen := map[int]bool{}
	var defs []Definition
	addName := func(name, demangled string) {
		for _, i := range idx.t.find(hashString(name)) {
			if seen[i] {
				continue
			}
			s, li, ok := idx.t.sym(i)
			if !ok || s.Name != name {
				continue
			}
			seen[i] = true
			d := idx.definition(s, li)
			d.Demangled = demangled
			defs = append(defs, d)
		}
	}
	addName(sym, "")
	if !isMangled(sym) && (looksDemangled(sym) || len(defs) == 0) {
		q := squeeze(sym)
		cands := idx.t.candidates(mangledNeedles(sym))
		dem := idx.demangle(cands)
		for i, c := range cands {
			if i < len(dem) && dem[i] != "" && slices.Contains(demangledKeys(dem[i]), q) {
				addName(c, dem[i])
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

func (idx *Index) definition(s symbol, li int) Definition {
	l := idx.t.libs[li]
	link := idx.linkOf[li]
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
	for _, l := range idx.t.libs {
		if l.Err != "" {
			out[l.Path] = l.Err
		}
	}
	return out
}

// Close releases the cache file mapping. The index must not be used
// afterwards.
func (idx *Index) Close() error {
	err := idx.unmap()
	idx.t = nil
	idx.unmap = func() error { return nil }
	return err
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
