package symindex

import (
	"bufio"
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
)

// ExtraDefaultDirs are searched after gcc's own library directories.
var ExtraDefaultDirs = []string{"/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/local/lib"}

// DefaultDirs returns the system's default library directories: the
// "libraries:" line of `gcc -print-search-dirs` (the directories ld
// searches for -l when gcc drives the link), then ExtraDefaultDirs, each
// resolved with realpath, de-duplicated, in search order. Directories that
// do not exist are left out. gcc missing is not an error: the extra
// directories remain.
func DefaultDirs(ctx context.Context) []string {
	var dirs []string
	cc := "gcc"
	if out, err := exec.CommandContext(ctx, cc, "-print-search-dirs").Output(); err == nil {
		dirs = append(dirs, parseSearchDirs(string(out))...)
	}
	dirs = append(dirs, ExtraDefaultDirs...)
	return CleanDirs(dirs)
}

// parseSearchDirs returns the directories of the "libraries: =a:b" line of
// gcc -print-search-dirs.
func parseSearchDirs(out string) []string {
	for line := range strings.SplitSeq(out, "\n") {
		rest, ok := strings.CutPrefix(line, "libraries:")
		if !ok {
			continue
		}
		rest = strings.TrimPrefix(strings.TrimSpace(rest), "=")
		var dirs []string
		for d := range strings.SplitSeq(rest, ":") {
			if d != "" {
				dirs = append(dirs, d)
			}
		}
		return dirs
	}
	return nil
}

// CleanDirs resolves every directory with realpath, drops those that do
// not exist and the duplicates, and keeps the order.
func CleanDirs(dirs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, d := range dirs {
		r, err := filepath.EvalSymlinks(d)
		if err != nil {
			continue
		}
		if fi, err := os.Stat(r); err != nil || !fi.IsDir() {
			continue
		}
		if r, err = filepath.Abs(r); err != nil || seen[r] {
			continue
		}
		seen[r] = true
		out = append(out, r)
	}
	return out
}

// fileID identifies one version of a library file: a change of any field
// means the file must be read again.
type fileID struct {
	Size  int64
	Mtime int64 // nanoseconds
	Ino   uint64
	Dev   uint64
}

func statID(fi os.FileInfo) fileID {
	id := fileID{Size: fi.Size(), Mtime: fi.ModTime().UnixNano()}
	id.Ino, id.Dev = inode(fi)
	return id
}

// candidate is a library file found in a search directory, under all the
// names that lead to it.
type candidate struct {
	path  string // real path of the file
	id    fileID
	dir   int      // index of the first search directory naming it
	names []string // names in the search directories (libz.so, libz.so.1, ...), search order
}

// isLibName reports whether a directory entry can be a library: lib*.so,
// lib*.so.N..., *.a.
func isLibName(name string) bool {
	return strings.HasSuffix(name, ".a") || strings.HasSuffix(name, ".so") || strings.Contains(name, ".so.")
}

// scanDirs lists the library files in dirs, one candidate per file
// (device and inode): libz.so, libz.so.1 and libz.so.1.3 are one file
// with three names.
func scanDirs(dirs []string) ([]*candidate, error) {
	type key struct{ dev, ino uint64 }
	byFile := map[key]*candidate{}
	var order []*candidate
	realDir := map[string]string{}
	for di, d := range dirs {
		ents, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		for _, e := range ents {
			if !isLibName(e.Name()) {
				continue
			}
			p := filepath.Join(d, e.Name())
			real, fi, err := resolve(p)
			if err != nil || !fi.Mode().IsRegular() {
				continue // dangling link, directory, ...: ld cannot use it either
			}
			id := statID(fi)
			k := key{id.Dev, id.Ino}
			if c, ok := byFile[k]; ok {
				c.names = append(c.names, p)
				continue
			}
			// A link may reach the file through a linked directory
			// (/lib -> usr/lib): name it by its real directory.
			dir := filepath.Dir(real)
			rd, ok := realDir[dir]
			if !ok {
				rd, err = filepath.EvalSymlinks(dir)
				if err != nil {
					rd = dir
				}
				realDir[dir] = rd
			}
			real = filepath.Join(rd, filepath.Base(real))
			c := &candidate{path: real, id: id, dir: di, names: []string{p}}
			byFile[k] = c
			order = append(order, c)
		}
	}
	return order, nil
}

// resolve follows the symbolic links of p (cheaper than EvalSymlinks: the
// directories are already real paths, and a library link points to a
// file next to it) and returns the file reached and its lstat.
func resolve(p string) (string, os.FileInfo, error) {
	for range 40 {
		fi, err := os.Lstat(p)
		if err != nil {
			return "", nil, err
		}
		if fi.Mode()&os.ModeSymlink == 0 {
			return p, fi, nil
		}
		t, err := os.Readlink(p)
		if err != nil {
			return "", nil, err
		}
		if !filepath.IsAbs(t) {
			t = filepath.Join(filepath.Dir(p), t)
		}
		p = t
	}
	return "", nil, errors.New("too many levels of symbolic links")
}

// Kind of library.
type Kind string

const (
	Shared Kind = "so"
	Static Kind = "a"
	// Script is a GNU ld script (libc.so is one): it defines nothing
	// itself but makes -lNAME reach the files it lists.
	Script Kind = "script"
)

// library is what the index keeps per file.
type library struct {
	Path    string
	ID      fileID
	Kind    Kind
	Soname  string
	Machine string
	// Err says why the file could not be read (not ELF, corrupt, no armap).
	Err string
	// Inputs are the files a linker script names.
	Inputs []string
	Syms   []symbol
}

// symbol is one defined symbol of a library.
type symbol struct {
	Name    string
	Version string
	Member  string // .a: the member defining it
	Flags   uint32
}

const (
	flagHiddenVersion uint32 = 1 << iota // name@VER, not the default name@@VER
	flagWeak
	flagFunc
	flagObject
	// flagNameInMangled: the name is stored in the mangled section
	// (offset, up to '\n'), not in the pool. Internal to the file format.
	flagNameInMangled
)

// readLibrary reads the defined symbols of one library file.
func readLibrary(path string, id fileID) *library {
	lib := &library{Path: path, ID: id}
	f, err := os.Open(path)
	if err != nil {
		lib.Err = err.Error()
		var pe *fs.PathError
		if errors.As(err, &pe) {
			lib.Err = pe.Err.Error() // the path is the library's own
		}
		return lib
	}
	defer f.Close()
	var magic [8]byte
	n, _ := f.ReadAt(magic[:], 0)
	switch {
	case n >= 4 && string(magic[:4]) == elf.ELFMAG:
		lib.Kind = Shared
		readELF(f, lib)
	case n == 8 && (string(magic[:]) == arMagic || string(magic[:]) == arThinMagic):
		lib.Kind = Static
		syms, err := ReadArchiveSymbols(f, id.Size)
		if err != nil {
			lib.Err = err.Error()
		}
		lib.Syms = make([]symbol, len(syms))
		for i, s := range syms {
			lib.Syms[i] = archiveSymbol(s)
		}
	default:
		if inputs, ok := readLinkerScript(f, id.Size); ok {
			lib.Kind = Script
			lib.Inputs = inputs
			return lib
		}
		lib.Kind = Shared
		lib.Err = "neither ELF, an ar archive nor a linker script"
	}
	return lib
}

// archiveSymbol splits a versioned archive symbol ("foo@@V2", from a
// .symver directive) into name and version, as the dynamic symbol table
// has them.
func archiveSymbol(s ArchiveSymbol) symbol {
	sym := symbol{Name: s.Name, Member: s.Member}
	if i := strings.IndexByte(s.Name, '@'); i > 0 {
		sym.Name = s.Name[:i]
		ver := s.Name[i+1:]
		if v, ok := strings.CutPrefix(ver, "@"); ok {
			sym.Version = v
		} else {
			sym.Version = ver
			sym.Flags |= flagHiddenVersion
		}
	}
	return sym
}

func readELF(f *os.File, lib *library) {
	ef, err := elf.NewFile(f)
	if err != nil {
		lib.Err = err.Error()
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			lib.Err = "truncated ELF file"
		}
		return
	}
	lib.Machine = ef.Machine.String()
	if ef.Type != elf.ET_DYN {
		lib.Err = "ELF " + ef.Type.String() + ", not a shared object"
		return
	}
	if sonames, err := ef.DynString(elf.DT_SONAME); err == nil && len(sonames) > 0 {
		lib.Soname = sonames[0]
	}
	syms, err := ef.DynamicSymbols()
	if err != nil {
		if errors.Is(err, elf.ErrNoSymbols) {
			return
		}
		lib.Err = err.Error()
		return
	}
	lib.Syms = make([]symbol, 0, len(syms))
	for _, s := range syms {
		if s.Section == elf.SHN_UNDEF || s.Name == "" {
			continue
		}
		bind, typ := elf.ST_BIND(s.Info), elf.ST_TYPE(s.Info)
		if bind == elf.STB_LOCAL || typ == elf.STT_SECTION || typ == elf.STT_FILE {
			continue
		}
		sym := symbol{Name: s.Name}
		// The symbol naming a version definition (FOO_1.0, absolute) has
		// that version; nm prints it bare.
		if s.HasVersion && !(s.Section == elf.SHN_ABS && s.Name == s.Version) {
			sym.Version = s.Version
			if s.VersionIndex.IsHidden() {
				sym.Flags |= flagHiddenVersion
			}
		}
		if bind == elf.STB_WEAK {
			sym.Flags |= flagWeak
		}
		switch typ {
		case elf.STT_FUNC, elf.STT_GNU_IFUNC:
			sym.Flags |= flagFunc
		case elf.STT_OBJECT, elf.STT_TLS, elf.STT_COMMON:
			sym.Flags |= flagObject
		}
		lib.Syms = append(lib.Syms, sym)
	}
}

// readLinkerScript recognises a GNU ld script (GROUP/INPUT) and returns the
// files it names.
func readLinkerScript(f *os.File, size int64) ([]string, bool) {
	if size > 64<<10 {
		return nil, false
	}
	data := make([]byte, size)
	if _, err := f.ReadAt(data, 0); err != nil {
		return nil, false
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, false
	}
	text := stripComments(string(data))
	if !strings.Contains(text, "GROUP") && !strings.Contains(text, "INPUT") {
		return nil, false
	}
	var inputs []string
	sc := bufio.NewScanner(strings.NewReader(strings.NewReplacer("(", " ( ", ")", " ) ").Replace(text)))
	sc.Split(bufio.ScanWords)
	depth, in := 0, false
	for sc.Scan() {
		w := sc.Text()
		switch {
		case w == "GROUP" || w == "INPUT":
			in = true
		case w == "(":
			depth++
		case w == ")":
			depth--
			if depth == 0 {
				in = false
			}
		case in && depth > 0 && w != "AS_NEEDED":
			inputs = append(inputs, w)
		}
	}
	return inputs, len(inputs) > 0
}

func stripComments(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "/*")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		j := strings.Index(s[i+2:], "*/")
		if j < 0 {
			return b.String()
		}
		s = s[i+2+j+2:]
	}
}

// readAll reads the libraries that are not in old (by path and fileID),
// in parallel, and reuses the others.
func readAll(cands []*candidate, old map[string]*library) (libs []*library, reread int) {
	libs = make([]*library, len(cands))
	var todo []int
	for i, c := range cands {
		if l, ok := old[c.path]; ok && l.ID == c.id {
			libs[i] = l
			continue
		}
		todo = append(todo, i)
	}
	workers := min(runtime.GOMAXPROCS(0), len(todo))
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Go(func() {
			for i := range next {
				libs[i] = readLibrary(cands[i].path, cands[i].id)
			}
		})
	}
	for _, i := range todo {
		next <- i
	}
	close(next)
	wg.Wait()
	return libs, len(todo)
}

// linkFlag is the -l flag that makes ld find the library at name (a path
// in a search directory), and whether it is the plain -lNAME form. ld's
// -lNAME looks for libNAME.so then libNAME.a; any other file name needs
// -l:FILE.
func linkFlag(name string) (string, bool) {
	base := filepath.Base(name)
	if stem, ok := strings.CutPrefix(base, "lib"); ok {
		if s, ok := strings.CutSuffix(stem, ".so"); ok && s != "" {
			return "-l" + s, true
		}
		if s, ok := strings.CutSuffix(stem, ".a"); ok && s != "" {
			return "-l" + s, true
		}
	}
	return "-l:" + base, false
}

// sortDefinitions orders definitions as ld would prefer them: search
// directory order, then the shared library before the archive.
func sortDefinitions(defs []Definition, dirIndex func(string) int) {
	sort.SliceStable(defs, func(i, j int) bool {
		di, dj := dirIndex(defs[i].Dir), dirIndex(defs[j].Dir)
		if di != dj {
			return di < dj
		}
		if defs[i].Kind != defs[j].Kind {
			return defs[i].Kind == Shared
		}
		return defs[i].Library < defs[j].Library
	})
}

func since(t time.Time) float64 { return float64(time.Since(t).Microseconds()) / 1000 }
