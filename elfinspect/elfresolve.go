package elfinspect

import (
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
)

// maxObjects bounds the number of objects one binary may load, so a
// hostile dependency graph cannot run the inspector out of memory.
const maxObjects = 100000

// fileID identifies a file as ld.so does (_dl_file_id_match_p).
type fileID struct{ dev, ino uint64 }

// elfFile is one candidate file, read at most once per Inspector.
type elfFile struct {
	obj      *elfObject
	id       fileID
	notExist bool
	denied   bool   // open failed with EACCES
	openErr  error  // open failed otherwise
	fatal    string // opened, but reading it fails (a directory)
	err      error  // the file exists but is not a usable ELF object
	// hdr is the start of the file (the ELF header), for open_verify's
	// checks, which depend on the target (see verify).
	hdr    [64]byte
	hdrLen int
	size   int64
}

// openCandidate reads the in-root path p once and caches the result.
func (in *Inspector) openCandidate(p string) *elfFile {
	if ef, ok := in.elfFiles[p]; ok {
		return ef
	}
	ef := in.readCandidate(p)
	in.elfFiles[p] = ef
	return ef
}

func (in *Inspector) readCandidate(p string) *elfFile {
	f, err := in.fs.openFile(p)
	if err != nil {
		return openFailure(err)
	}
	defer f.Close()
	size, mode, id, err := f.stat()
	if err != nil {
		return &elfFile{fatal: "cannot read file data: " + err.Error()}
	}
	switch mode & syscall.S_IFMT {
	case syscall.S_IFREG:
	case syscall.S_IFDIR:
		// open(2) succeeds on a directory; ld.so's read fails.
		return &elfFile{id: id, fatal: "cannot read file data: " + syscall.EISDIR.Error()}
	default:
		// A device reads as empty or blocks ld.so (a FIFO); cgotrace
		// does not read it.
		return &elfFile{id: id, fatal: "not a regular file"}
	}
	ef := &elfFile{id: id, size: size}
	// Candidates are read one at a time: one arena serves them all.
	if in.arena == nil {
		in.arena = newArena()
	}
	defer in.arena.reset()
	head := in.arena.alloc(uint64(min(candidateHeadSize, max(size, 0))))
	n, err := f.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		ef.fatal = "cannot read file data: " + err.Error()
		return ef
	}
	head = head[:n]
	ef.hdrLen = copy(ef.hdr[:], head)
	if len(head) < 4 || string(head[:4]) != elf.ELFMAG {
		ef.err = errors.New("invalid ELF header")
		return ef
	}
	ef.obj, ef.err = readELF(f, size, head, false, in.arena)
	return ef
}

// elfRaw is the ELF reader of the rawFile interface.
type elfRaw struct {
	obj  *elfObject
	r    io.ReaderAt
	path string
	mode uint32 // st_mode
	id   fileID
	secs []elfSection
}

func (e *elfRaw) describe(b *Binary) error {
	o := e.obj
	b.Format = "elf"
	b.Class = elfClassName(o.class)
	b.Machine = elfMachineName(o.machine)
	b.Type = elfTypeName(o.typ)
	b.Interpreter = o.interp
	b.Soname = o.soname
	b.Needed = append(b.Needed, o.needed...)
	if o.hasRpath {
		b.Rpath = append(b.Rpath, strings.Split(o.rpath, ":")...)
	}
	if o.hasRunpath {
		b.Runpath = append(b.Runpath, strings.Split(o.runpath, ":")...)
	}
	b.PIE = o.typ == elf.ET_DYN && (o.flags1&uint64(elf.DF_1_PIE) != 0 || o.hasInterp)
	b.Static = !o.hasInterp && len(o.needed) == 0 && (o.typ == elf.ET_EXEC || b.PIE)
	b.Flags = elfFlagNames(o.flags, o.flags1)
	m := newVersionMaxima("GLIBC_", "GLIBCXX_", "CXXABI_")
	if err := o.walkVersionNeeds(e.r, func(_, version []byte) { m.add(version) }); err != nil {
		return fmt.Errorf("version needs: %w", err)
	}
	b.GlibcMin, b.GlibcxxMin, b.CxxabiMin = m.best[0], m.best[1], m.best[2]
	isGo := o.hasGoNote()
	if isGo || b.Static {
		// ld.so never reads section headers: a file without usable ones
		// still loads. Only what needs them is skipped.
		e.secs, _ = o.sections(e.r)
	}
	for _, s := range e.secs {
		if s.name == ".go.buildinfo" {
			b.Go = goInfo(e.r)
			break
		}
	}
	if b.Static && o.machine != elf.EM_NONE {
		if d := e.staticNSS(b); d != nil {
			b.Diagnoses = append(b.Diagnoses, *d)
		}
	}
	// Resolution needs only the dynamic section: let go of file data.
	o.ra, o.raBuf, o.strtabCache, e.secs, e.r = nil, readerAt{}, nil, nil, nil
	return nil
}

func elfTypeName(t elf.Type) string {
	switch t {
	case elf.ET_EXEC:
		return "exec"
	case elf.ET_DYN:
		return "dyn"
	case elf.ET_REL:
		return "rel"
	case elf.ET_CORE:
		return "core"
	}
	return fmt.Sprintf("0x%x", uint16(t))
}

// flagNameSets interns elfFlagNames' results: a handful of combinations
// recur over thousands of files. The slices are shared: never modified.
var flagNameSets sync.Map // [2]uint64 -> []string

func elfFlagNames(flags, flags1 uint64) []string {
	// Only the bits named below matter: the key space stays small
	// whatever a hostile file holds.
	flags &= uint64(elf.DF_ORIGIN | elf.DF_BIND_NOW | elf.DF_STATIC_TLS)
	flags1 &= uint64(elf.DF_1_ORIGIN | elf.DF_1_NOW | elf.DF_1_NODEFLIB | elf.DF_1_PIE)
	key := [2]uint64{flags, flags1}
	if v, ok := flagNameSets.Load(key); ok {
		return v.([]string)
	}
	out := flagNames(flags, flags1)
	flagNameSets.Store(key, out)
	return out
}

func flagNames(flags, flags1 uint64) []string {
	var out []string
	if flags&uint64(elf.DF_ORIGIN) != 0 || flags1&uint64(elf.DF_1_ORIGIN) != 0 {
		out = append(out, "ORIGIN")
	}
	if flags&uint64(elf.DF_BIND_NOW) != 0 || flags1&uint64(elf.DF_1_NOW) != 0 {
		out = append(out, "BIND_NOW")
	}
	if flags1&uint64(elf.DF_1_NODEFLIB) != 0 {
		out = append(out, "NODEFLIB")
	}
	if flags1&uint64(elf.DF_1_PIE) != 0 {
		out = append(out, "PIE")
	}
	if flags&uint64(elf.DF_STATIC_TLS) != 0 {
		out = append(out, "STATIC_TLS")
	}
	return out
}

// node is one object in the emulated link map.
type node struct {
	f      *elfFile
	path   string // the path it was opened under (l_name)
	origin string // $ORIGIN
	names  []string
	loader *node
	depth  int
	lib    int // index in Binary.Libraries, -1 for the executable
	search *searchList
}

type searchDir struct{ dir, via string }

// searchList is the ordered set of directories a loader searches before
// the cache, and whether it may use the default directories.
type searchList struct {
	dirs     []searchDir
	nodeflib bool
	key      string
	memo     map[string]searchResult
}

type searchResult struct {
	path  string
	via   string
	f     *elfFile
	tried []string
	fatal string
	// endList: an open error other than ENOENT, ENOTDIR and EACCES made
	// ld.so give up on the list of directories being searched.
	endList bool
}

func (r searchResult) found() bool { return r.f != nil && r.fatal == "" }

// resolve emulates glibc's ld.so: breadth-first in DT_NEEDED order, names
// and sonames of loaded objects reused, each search in the order of
// elf/dl-load.c.
func (e *elfRaw) resolve(in *Inspector, b *Binary) error {
	o := e.obj
	if !o.hasDynamic || (len(o.needed) == 0 && !o.hasInterp) {
		return nil
	}
	t := in.target(o)
	exePath := e.path
	if in.fs.root != "" {
		// The binary is given as a host path; name it as the target would.
		if rel, ok := strings.CutPrefix(exePath, in.fs.root+"/"); ok {
			exePath = "/" + rel
		}
	}
	exeFile := &elfFile{obj: o, id: e.id}
	r := in.resolver()
	defer r.done()
	exe := r.newNode(node{f: exeFile, path: exePath, lib: -1})
	if o.soname != "" {
		exe.names = []string{o.soname}
	}
	r.in, r.t, r.exe, r.b, r.setuid, r.exeHostPath = in, t, exe, b, e.mode&(syscall.S_ISUID|syscall.S_ISGID) != 0, e.path
	// Libraries is built in a buffer that lives across binaries, and
	// copied once at its final size.
	b.Libraries = r.libs[:0]
	defer func() {
		r.libs = b.Libraries[:0]
		b.Libraries = append(make([]Library, 0, len(b.Libraries)), b.Libraries...)
	}()
	if exeFile.id != (fileID{}) {
		r.byID[exeFile.id] = exe
	}
	for _, name := range exe.names {
		r.byName[name] = exe
	}
	r.loaded = append(r.loaded, exe)
	r.llp = r.parseSearchPath(in.opts.LDLibraryPath, true, exe, "LD_LIBRARY_PATH")
	if r.setuid {
		r.llp = nil // secure-execution mode ignores LD_LIBRARY_PATH
	}
	if o.hasInterp {
		r.loadInterp(o.interp)
	}
	if !t.musl {
		// glibc's dl_main: LD_PRELOAD (ignored in secure-execution mode,
		// except set-user-ID libraries of standard directories, which
		// are not modelled), then /etc/ld.so.preload, each loaded before
		// any DT_NEEDED, with the executable as the loader.
		if !r.setuid {
			r.preload(in.opts.Preload, "LD_PRELOAD")
		}
		r.preload(in.etcPreload(), "/etc/ld.so.preload")
	}
	// Breadth-first: r.loaded is the queue (the interpreter, loaded
	// before anything, has no DT_NEEDED that glibc's ld.so follows); the
	// executable's DT_NEEDED come before those of preloaded objects.
	for i := 0; i < len(r.loaded); i++ {
		n := r.loaded[i]
		if n == r.interp {
			continue
		}
		for _, name := range n.f.obj.needed {
			r.need(n, name)
			if len(r.loaded) > maxObjects {
				return fmt.Errorf("more than %d objects in the dependency tree", maxObjects)
			}
		}
	}
	return nil
}

// resolver returns the Inspector's resolver state, emptied: its maps and
// slices keep their capacity from one binary to the next.
func (in *Inspector) resolver() *elfResolver {
	r := in.res
	if r == nil {
		r = &elfResolver{byName: map[string]*node{}, byID: map[fileID]*node{}, libByName: map[string]bool{}}
		in.res = r
	}
	return r
}

// done empties r for the next binary. Nothing outside the resolver keeps
// a node.
func (r *elfResolver) done() {
	clear(r.byName)
	clear(r.byID)
	clear(r.libByName)
	clear(r.seenMissing)
	clear(r.loaded)
	r.loaded = r.loaded[:0]
	// Nodes keep their names' capacity for the next binary (newNode);
	// what they point to lives as long as the Inspector anyway.
	*r = elfResolver{byName: r.byName, byID: r.byID, libByName: r.libByName,
		seenMissing: r.seenMissing, loaded: r.loaded, nodes: r.nodes, libs: r.libs}
}

// newNode returns a node carved from r's chunks.
func (r *elfResolver) newNode(n node) *node {
	const chunk = 64
	c, i := r.nodeN/chunk, r.nodeN%chunk
	if c == len(r.nodes) {
		r.nodes = append(r.nodes, make([]node, chunk))
	}
	r.nodeN++
	p := &r.nodes[c][i]
	names := p.names[:0]
	*p = n
	if p.names == nil {
		p.names = names
	}
	return p
}

type elfResolver struct {
	// nodes are allocated in chunks reused across binaries; libs is
	// the buffer Binary.Libraries is built in.
	nodes [][]node
	nodeN int
	libs  []Library

	// exeHostPath is the executable as given; its $ORIGIN is computed on
	// first use (most binaries have no DST at all).
	exeHostPath string
	exeOrigin   *string
	in          *Inspector
	t           *elfTarget
	exe         *node
	b           *Binary
	loaded      []*node
	interp      *node
	llp         []searchDir
	setuid      bool
	// seenMissing de-duplicates Missing.
	seenMissing map[string]int
	// byName maps every name and soname of a loaded object to it;
	// libByName every requested name to its Libraries entry.
	byName    map[string]*node
	byID      map[fileID]*node
	libByName map[string]bool
}

func (r *elfResolver) addNames(n *node, names ...string) {
	for _, name := range names {
		n.names = append(n.names, name)
		if _, ok := r.byName[name]; !ok {
			r.byName[name] = n
		}
	}
}

func (r *elfResolver) loadInterp(p string) {
	f := r.in.openCandidate(p)
	if f.obj == nil || f.err != nil {
		reason := "not found"
		switch {
		case f.err != nil:
			reason = f.err.Error()
		case f.fatal != "":
			reason = f.fatal
		case f.denied:
			reason = "permission denied"
		case f.openErr != nil:
			reason = f.openErr.Error()
		}
		r.b.Libraries = append(r.b.Libraries, Library{Name: p, Found: false, Via: "interpreter",
			NeededBy: r.exe.path, Depth: 1, Tried: []string{p + " (" + reason + ")"}})
		r.b.Missing = append(r.b.Missing, p)
		return
	}
	n := r.newNode(node{f: f, path: p, origin: path.Dir(p), loader: r.exe, depth: 1, lib: -1})
	r.addNames(n, p)
	if f.obj.soname != "" {
		r.addNames(n, f.obj.soname)
	}
	r.interp = n
	r.loaded = append(r.loaded, n)
	if f.id != (fileID{}) {
		r.byID[f.id] = n
	}
}

// preload loads the objects of an LD_PRELOAD value or /etc/ld.so.preload
// (names separated by spaces, tabs, newlines or colons). A preload that
// cannot be found is not fatal: ld.so says it "cannot be preloaded" and
// goes on, so it is a weak library and a warning, not Missing.
func (r *elfResolver) preload(list, via string) {
	for _, name := range strings.FieldsFunc(list, func(c rune) bool {
		return c == ' ' || c == ':' || c == '\t' || c == '\n'
	}) {
		if _, ok := r.byName[name]; ok {
			continue
		}
		res := r.find(r.exe, name)
		if !res.found() {
			tried := res.tried
			if res.fatal != "" {
				tried = append(tried, res.fatal)
			}
			r.b.Libraries = append(r.b.Libraries, Library{Name: name, Found: false, Via: via, NeededBy: via,
				Depth: 1, Tried: tried, Weak: true})
			r.b.Diagnoses = append(r.b.Diagnoses, Finding{
				Kind:     RuntimeLibraryMissing,
				Severity: Warning,
				Summary:  fmt.Sprintf("%s names %s, which does not resolve: ld.so prints \"object '%s' from %s cannot be preloaded\" and runs the program without it", via, name, name, via),
				Subject:  map[string]string{"library": name},
			})
			continue
		}
		if l, ok := r.byID[res.f.id]; ok && res.f.id != (fileID{}) {
			r.addNames(l, name)
			continue
		}
		r.load(r.exe, name, res, 1, preloadVia(via, name, res.via), via)
	}
}

// find looks name up for loader n: a path when it has a slash, else the
// search.
func (r *elfResolver) find(n *node, name string) searchResult {
	if strings.ContainsRune(name, '/') {
		return r.openPath(n, name)
	}
	return r.search(n, name)
}

// load adds the object res found for name to the link map and to
// Libraries, with loader as the object that asked for it.
func (r *elfResolver) load(loader *node, name string, res searchResult, depth int, via, neededBy string) *node {
	nn := r.newNode(node{f: res.f, path: res.path, origin: path.Dir(res.path),
		loader: loader, depth: depth, lib: len(r.b.Libraries)})
	r.addNames(nn, name)
	if s := res.f.obj.soname; s != "" && s != name {
		r.addNames(nn, s)
	}
	r.byID[res.f.id] = nn
	r.libByName[name] = true
	r.loaded = append(r.loaded, nn)
	r.b.Libraries = append(r.b.Libraries, Library{
		Name: name, Path: res.path, Found: true, Via: via, NeededBy: neededBy,
		Depth: depth, Soname: res.f.obj.soname, Needed: res.f.obj.needed,
	})
	return nn
}

// preloadVia is "LD_PRELOAD", and how a name without a slash was found.
func preloadVia(via, name, found string) string {
	if strings.ContainsRune(name, '/') {
		return via
	}
	return via + " (" + found + ")"
}

// etcPreload is the root's /etc/ld.so.preload, read once.
func (in *Inspector) etcPreload() string {
	in.preloadOnce.Do(func() {
		if data, err := in.readFile("/etc/ld.so.preload"); err == nil {
			in.preloadFile = string(data)
		}
	})
	return in.preloadFile
}

// need handles one DT_NEEDED entry of n and returns the newly loaded node,
// if any.
func (r *elfResolver) need(n *node, name string) *node {
	// Step 0: an object already loaded under this name or soname.
	if l, ok := r.byName[name]; ok {
		r.noteReuse(n, name, l)
		return nil
	}
	// musl's load_library gives its own object for the names of the
	// libraries it implements (libc, libpthread, librt, libm, libdl,
	// libutil, libxnet: "lib" + one of them + "."), whatever the files:
	// `ld-musl-x86_64.so.1 --list` prints "libc.so => /lib/ld-musl-x86_64.so.1".
	if r.t.musl && r.interp != nil && isMuslReserved(name) {
		r.addNames(r.interp, name)
		r.noteReuse(n, name, r.interp)
		return nil
	}
	res := r.find(n, name)
	if !res.found() {
		r.addMissing(n, name, res)
		return nil
	}
	// The same file under another name is the same object.
	if res.f.id != (fileID{}) {
		if l, ok := r.byID[res.f.id]; ok {
			r.addNames(l, name)
			r.noteReuse(n, name, l)
			return nil
		}
	}
	return r.load(n, name, res, n.depth+1, res.via, r.displayName(n))
}

// isMuslReserved reports whether musl's loader maps name to itself.
func isMuslReserved(name string) bool {
	rest, ok := strings.CutPrefix(name, "lib")
	if !ok {
		return false
	}
	for _, l := range []string{"c.", "pthread.", "rt.", "m.", "dl.", "util.", "xnet."} {
		if strings.HasPrefix(rest, l) {
			return true
		}
	}
	return false
}

func (r *elfResolver) displayName(n *node) string {
	if n == r.exe {
		return r.exe.path
	}
	return n.path
}

// noteReuse records a name satisfied by an already-loaded object: the
// first time a name is requested it gets its own entry; when the
// requester's own search would not find it, that is worth a warning.
func (r *elfResolver) noteReuse(n *node, name string, l *node) {
	if r.libByName[name] {
		r.checkStrict(n, name, l)
		return
	}
	r.libByName[name] = true
	via := "already loaded"
	if l == r.interp {
		via = "interpreter"
	}
	r.b.Libraries = append(r.b.Libraries, Library{Name: name, Path: l.path, Found: true, Via: via,
		NeededBy: r.displayName(n), Depth: n.depth + 1, Soname: l.f.obj.soname})
	if l != r.interp {
		r.checkStrict(n, name, l)
	}
}

// checkStrict warns when n's own search path would not find name: it loads
// only because an object earlier in breadth-first order loaded it.
func (r *elfResolver) checkStrict(n *node, name string, l *node) {
	if n == r.exe || l == r.interp || l.loader == n || strings.ContainsRune(name, '/') {
		return
	}
	if res := r.search(n, name); res.found() {
		return
	}
	r.b.Diagnoses = append(r.b.Diagnoses, Finding{
		Kind:     RuntimeLibraryMissing,
		Severity: Warning,
		Summary:  fmt.Sprintf("%s needs %s, which its own search path does not find; it loads only because %s loaded it first", n.path, name, r.displayName(l.loader)),
		Detail:   "ld.so reuses an already-loaded soname (breadth-first load order); loading " + path.Base(n.path) + " on its own (dlopen, another program) fails",
		Subject:  map[string]string{"library": name},
	})
}

func (r *elfResolver) addMissing(n *node, name string, res searchResult) {
	if r.seenMissing == nil {
		r.seenMissing = map[string]int{}
	}
	if _, ok := r.seenMissing[name]; ok {
		return
	}
	tried := res.tried
	if res.fatal != "" {
		tried = append(tried, res.fatal)
	}
	if !strings.ContainsRune(name, '/') {
		tried = append(tried, r.confHints(name)...)
		tried = append(tried, r.runpathHints(n, name)...)
		if r.setuid {
			tried = append(tried, "the executable is set-user-ID or set-group-ID: ld.so runs it in secure mode, ignoring LD_LIBRARY_PATH, and the executable's $ORIGIN unless it is the first component and expands into a system directory")
		}
	}
	r.seenMissing[name] = len(r.b.Libraries)
	r.b.Libraries = append(r.b.Libraries, Library{Name: name, Found: false, NeededBy: r.displayName(n),
		Depth: n.depth + 1, Tried: tried})
	r.b.Missing = append(r.b.Missing, name)
}

// confHints explains a library present in an ld.so.conf directory that
// ld.so.cache does not know: ldconfig was not run.
func (r *elfResolver) confHints(name string) []string {
	var out []string
	for _, cd := range r.in.ldSoConf() {
		p := path.Join(cd.dir, name)
		if v, _ := verify(r.in.openCandidate(p), r.t.key); v != vUsable {
			continue
		}
		out = append(out, fmt.Sprintf("%s exists and %s lists %s, but /etc/ld.so.cache has no entry for it (ld.so reads only the cache: run ldconfig)", p, cd.file, cd.dir))
	}
	return out
}

// runpathHints explains the most common surprise: the library sits in a
// directory of another object's DT_RUNPATH, which does not apply to n.
func (r *elfResolver) runpathHints(n *node, name string) []string {
	var out []string
	for _, l := range r.loaded {
		if l == n || !l.f.obj.hasRunpath {
			continue
		}
		for _, d := range r.searchListOf(l).dirs {
			if d.via != "runpath" {
				continue
			}
			p := path.Join(d.dir, name)
			if v, _ := verify(r.in.openCandidate(p), r.t.key); v != vUsable {
				continue
			}
			out = append(out, fmt.Sprintf("%s exists in the DT_RUNPATH of %s, but DT_RUNPATH applies only to that object's own dependencies, not to %s's: give %s a RUNPATH too (e.g. $ORIGIN), or link %s with -Wl,--disable-new-dtags (DT_RPATH is inherited)",
				p, r.displayName(l), path.Base(n.path), path.Base(n.path), path.Base(r.displayName(l))))
			return out
		}
	}
	return out
}

// openPath opens a NEEDED entry that contains a slash.
func (r *elfResolver) openPath(n *node, name string) searchResult {
	p, ok := r.expandDST(name, n)
	if !ok {
		return searchResult{tried: []string{name + " (cannot expand a dynamic string token)"}}
	}
	if !path.IsAbs(p) {
		p = path.Join(r.in.opts.Cwd, p)
	}
	res := searchResult{via: "path in DT_NEEDED", path: p}
	f := r.in.openCandidate(p)
	switch v, why := verify(f, r.t.key); v {
	case vUsable:
		res.f = f
	case vAbsent:
		res.tried = []string{p}
	case vFatal:
		res.fatal = p + ": " + why
	default:
		res.tried = []string{p + " (" + why + ")"}
	}
	return res
}

// hasSearchPath reports whether n or, for glibc's RPATH chain and musl's
// inherited run paths, any of its loaders has a DT_RPATH or DT_RUNPATH.
func (n *node) hasSearchPath() bool {
	for l := n; l != nil; l = l.loader {
		if l.f.obj.hasRpath || l.f.obj.hasRunpath {
			return true
		}
	}
	return false
}

// searchListOf builds (once per node) the directories n searches before
// the cache: the RPATH chain, LD_LIBRARY_PATH, n's RUNPATH.
func (r *elfResolver) searchListOf(n *node) *searchList {
	if n.search != nil {
		return n.search
	}
	nodeflib := n.f.obj.flags1&uint64(elf.DF_1_NODEFLIB) != 0
	if !nodeflib && len(r.llp) == 0 && r.t.plain != nil && !n.hasSearchPath() {
		n.search = r.t.plain // the common case, without building a list
		return n.search
	}
	sl := &searchList{nodeflib: nodeflib}
	o := n.f.obj
	switch {
	case r.t.musl:
		// musl (ldso/dynlink.c): LD_LIBRARY_PATH, then the run path of the
		// object and of every object that led to it (DT_RUNPATH, else
		// DT_RPATH: both are inherited), then the path file; no cache.
		sl.dirs = append(sl.dirs, r.llp...)
		for l := n; l != nil; l = l.loader {
			lo := l.f.obj
			rp, via := lo.rpath, "rpath"
			if lo.hasRunpath {
				rp, via = lo.runpath, "runpath"
			}
			if l != n {
				via += " of " + r.displayName(l)
			}
			sl.dirs = append(sl.dirs, r.parseSearchPath(rp, false, l, via)...)
		}
		sl.nodeflib = false
	default:
		if !o.hasRunpath {
			for l := n; l != nil; l = l.loader {
				lo := l.f.obj
				if !lo.hasRpath || lo.hasRunpath {
					continue
				}
				via := "rpath"
				if l != n {
					via = "rpath of " + r.displayName(l)
				}
				sl.dirs = append(sl.dirs, r.parseSearchPath(lo.rpath, false, l, via)...)
			}
		}
		sl.dirs = append(sl.dirs, r.llp...)
		if o.hasRunpath {
			sl.dirs = append(sl.dirs, r.parseSearchPath(o.runpath, false, n, "runpath")...)
		}
	}
	if len(sl.dirs) == 0 && !sl.nodeflib {
		// Most objects search nothing of their own: they share one list
		// (and its memo) per target.
		if r.t.plain == nil {
			r.t.plain = sl
		}
		n.search = r.t.plain
		return n.search
	}
	var k strings.Builder
	for _, d := range sl.dirs {
		k.WriteString(d.dir)
		k.WriteByte(0)
		k.WriteString(d.via)
		k.WriteByte(0)
	}
	if sl.nodeflib {
		k.WriteString("nodeflib")
	}
	sl.key = k.String()
	n.search = sl
	return sl
}

// origin is $ORIGIN of n: for the executable the directory of its
// realpath (what the kernel gives ld.so when it is run through a symlink);
// for a library the directory it was found in, not realpath'd.
func (r *elfResolver) origin(n *node) string {
	if n != r.exe {
		return n.origin
	}
	if r.exeOrigin == nil {
		o := ""
		if r.in.fs.fsys != nil {
			// The executable is named inside the file system already.
			if rp, err := r.in.fs.walk(path.Clean("/" + r.exeHostPath)); err == nil {
				o = path.Dir(rp)
			}
		} else if rp, err := filepath.EvalSymlinks(r.exeHostPath); err == nil {
			if abs, err := filepath.Abs(rp); err == nil {
				if root := r.in.fs.root; root != "" {
					if rel, ok := strings.CutPrefix(abs, root+"/"); ok {
						abs = "/" + rel
					}
				}
				o = path.Dir(abs)
			}
		}
		r.exeOrigin = &o
	}
	return *r.exeOrigin
}

// parseSearchPath splits an RPATH, RUNPATH or LD_LIBRARY_PATH value as
// fillin_rpath does: an empty element is the current directory, DSTs are
// expanded with owner's $ORIGIN, an element that cannot be expanded is
// dropped, duplicates are merged.
func (r *elfResolver) parseSearchPath(s string, semicolon bool, owner *node, via string) []searchDir {
	if s == "" {
		return nil
	}
	sep := func(c rune) bool { return c == ':' || (semicolon && c == ';') }
	var out []searchDir
	seen := map[string]bool{}
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && !sep(rune(s[i])) {
			continue
		}
		el := s[start:i]
		start = i + 1
		dir := r.in.opts.Cwd
		if el != "" {
			d, ok := r.expandDST(el, owner)
			if !ok || d == "" {
				continue
			}
			dir = d
		}
		if !path.IsAbs(dir) {
			dir = path.Join(r.in.opts.Cwd, dir)
		}
		dir = path.Clean(dir)
		if seen[dir] {
			continue
		}
		seen[dir] = true
		out = append(out, searchDir{dir, via})
	}
	return out
}

// expandDST substitutes $ORIGIN, $LIB and $PLATFORM (also in ${} form).
// Unknown tokens are kept literally; ok is false when a known token has no
// value (the element is then dropped, as _dl_dst_substitute does).
func (r *elfResolver) expandDST(s string, owner *node) (string, bool) {
	if !strings.ContainsRune(s, '$') {
		return s, true
	}
	var b strings.Builder
	origin := false
	for i := 0; i < len(s); i++ {
		if s[i] != '$' {
			b.WriteByte(s[i])
			continue
		}
		rest := s[i+1:]
		var name string
		var n int
		if strings.HasPrefix(rest, "{") {
			if j := strings.IndexByte(rest, '}'); j > 0 {
				name, n = rest[1:j], j+1
			}
		} else {
			j := 0
			for j < len(rest) && (rest[j] == '_' || rest[j] >= 'A' && rest[j] <= 'Z' || rest[j] >= 'a' && rest[j] <= 'z' || rest[j] >= '0' && rest[j] <= '9') {
				j++
			}
			name, n = rest[:j], j
		}
		var val string
		switch name {
		case "ORIGIN":
			val = r.origin(owner)
			origin = true
			// Secure mode (_dl_dst_substitute): $ORIGIN only as the
			// whole first component of an element.
			if r.setuid && (i != 0 || i+1+n < len(s) && s[i+1+n] != '/') {
				return "", false
			}
		case "LIB":
			val = r.t.lib
		case "PLATFORM":
			val = r.t.platform
		default:
			b.WriteByte('$')
			continue
		}
		if val == "" {
			return "", false
		}
		b.WriteString(val)
		i += n
	}
	if r.setuid && origin && owner == r.exe && !r.trusted(b.String()) {
		// For the executable itself the expansion must also land in a
		// trusted (system) directory, or the element is dropped.
		return "", false
	}
	return b.String(), true
}

// trusted is glibc's is_trusted_path_normalize: p, normalized, lies in
// one of the target's system directories.
func (r *elfResolver) trusted(p string) bool {
	p = path.Clean(p) + "/"
	for _, d := range r.t.defaultDirs {
		if strings.HasPrefix(p, path.Clean(d)+"/") {
			return true
		}
	}
	return false
}

// search looks name up for loader n, memoized by n's search list.
func (r *elfResolver) search(n *node, name string) searchResult {
	sl := r.searchListOf(n)
	if sl.memo == nil {
		// Objects with the same search list (most have none of their
		// own) share one memo, across every binary of the Inspector.
		key := r.t.id + "\x01" + sl.key
		sl.memo = r.in.searchMemo[key]
		if sl.memo == nil {
			sl.memo = map[string]searchResult{}
			r.in.searchMemo[key] = sl.memo
		}
	}
	if res, ok := sl.memo[name]; ok {
		return res
	}
	res := r.searchUncached(sl, name)
	sl.memo[name] = res
	return res
}

func (r *elfResolver) searchUncached(sl *searchList, name string) searchResult {
	var res searchResult
	ended := ""
	for _, d := range sl.dirs {
		if ended != "" && d.via == ended {
			continue // open_path gave up on this list
		}
		ended = ""
		if r.searchDir(&res, d, name) {
			return res
		}
		if res.endList {
			res.endList, ended = false, d.via
		}
	}
	if c := r.in.ldCache(); c != nil && !r.t.musl {
		for _, p := range c.lookup(name, r.t.cacheFlags, r.t.hwcaps) {
			if sl.nodeflib && r.inDefaultDir(p) {
				res.tried = append(res.tried, p+" (ld.so.cache; ignored: DF_1_NODEFLIB)")
				break
			}
			f := r.in.openCandidate(p)
			switch v, why := verify(f, r.t.key); v {
			case vUsable:
				res.path, res.via, res.f = p, "ld.so.cache", f
				return res
			case vFatal:
				res.fatal = p + " (ld.so.cache): " + why + " (ld.so stops here)"
				return res
			case vAbsent:
				res.tried = append(res.tried, p+" (ld.so.cache; no such file)")
			default:
				res.tried = append(res.tried, p+" (ld.so.cache; skipped: "+why+")")
			}
			break
		}
		if len(res.tried) == 0 || !strings.Contains(res.tried[len(res.tried)-1], "ld.so.cache") {
			res.tried = append(res.tried, "ld.so.cache (no entry)")
		}
	}
	if sl.nodeflib {
		return res
	}
	for _, d := range r.t.defaultDirs {
		if r.searchDir(&res, searchDir{d, "default path"}, name) || res.endList {
			res.endList = false
			return res
		}
	}
	return res
}

func (r *elfResolver) inDefaultDir(p string) bool {
	dir := path.Dir(p)
	for _, d := range r.t.defaultDirs {
		if dir == d {
			return true
		}
	}
	return false
}

// searchDir tries name in d's glibc-hwcaps subdirectories, then in d.
// It returns true when the search is over: found, or a fatal candidate.
func (r *elfResolver) searchDir(res *searchResult, d searchDir, name string) bool {
	if !r.in.isDir(d.dir) {
		res.tried = append(res.tried, path.Join(d.dir, name))
		return false
	}
	if len(r.t.hwcaps) > 0 && r.in.isDir(d.dir+"/glibc-hwcaps") {
		for _, h := range r.t.hwcaps {
			sub := d.dir + "/glibc-hwcaps/" + h
			if r.in.isDir(sub) && r.try(res, sub+"/"+name, d.via+" (glibc-hwcaps/"+h+")") {
				return true
			}
		}
	}
	for _, sub := range r.t.legacy {
		if r.in.isDir(d.dir+"/"+sub) && r.try(res, d.dir+"/"+sub+"/"+name, d.via+" (legacy hwcaps "+sub+")") {
			return true
		}
	}
	return r.try(res, d.dir+"/"+name, d.via)
}

func (r *elfResolver) try(res *searchResult, p, via string) bool {
	f := r.in.openCandidate(p)
	switch v, why := verify(f, r.t.key); v {
	case vAbsent:
		res.tried = append(res.tried, p)
		return false
	case vSkip:
		res.tried = append(res.tried, p+" (skipped: "+why+")")
		return false
	case vEndList:
		res.tried = append(res.tried, p+" ("+why+": ld.so searches no further in this list)")
		res.endList = true
		return false
	case vFatal:
		// A candidate that exists but is not a loadable ELF file makes
		// ld.so fail ("invalid ELF header", "file too short", "cannot
		// read file data" for a directory).
		res.fatal = p + ": " + why + " (ld.so stops searching here)"
		return true
	}
	res.path, res.via, res.f = p, via, f
	return true
}

// missingDiagnoses turns Missing into runtime-library-missing errors.
func missingDiagnoses(b *Binary) []Finding {
	var out []Finding
	for _, l := range b.Libraries {
		if l.Found || isPreload(l) { // a missing preload has its own warning
			continue
		}
		sev := Error
		summary := fmt.Sprintf("%s: %s (needed by %s) resolves to no file", path.Base(b.Path), l.Name, l.NeededBy)
		if l.Weak {
			sev = Info
			summary += "; it is weakly linked, the program still starts"
		}
		d := Finding{
			Kind: RuntimeLibraryMissing, Severity: sev, Summary: summary,
			Fix:     "install the package that provides " + l.Name + ", or ship it and point the binary at it (-Wl,-rpath,'$ORIGIN/../lib'); for a test run, LD_LIBRARY_PATH",
			Subject: map[string]string{"library": l.Name}, Evidence: l.Tried,
		}
		for _, t := range l.Tried {
			if strings.Contains(t, " exists ") {
				d.Detail = t
			}
		}
		out = append(out, d)
	}
	return out
}
