package pkgconfig

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/sirupsen/logrus"
)

// Options say how to resolve: the environment pkg-config runs with, its
// working directory, and the command-line switches that matter.
type Options struct {
	// Env is the environment of the pkg-config call (PKG_CONFIG_PATH,
	// PKG_CONFIG_LIBDIR, PKG_CONFIG_SYSROOT_DIR, CPATH, ...).
	Env Env
	// Dir is the working directory (cmd/go runs pkg-config in the package
	// directory); relative .pc paths are taken from it.
	Dir string
	// Static is --static.
	Static bool
	// Pure is --pure (or PKG_CONFIG_PURE_DEPGRAPH in Env): with Static,
	// private dependencies are searched but Libs.private/Cflags.private
	// are not merged.
	Pure bool
	// Shared is --shared: it cancels Static.
	Shared bool
	// EnvOnly is --env-only: only PKG_CONFIG_PATH is searched.
	EnvOnly bool
	// Define holds --define-variable=NAME=VALUE settings.
	Define map[string]string
	// KeepSystemCflags and KeepSystemLibs are --keep-system-cflags/-libs.
	KeepSystemCflags, KeepSystemLibs bool
	// MaxDepth is --maximum-traverse-depth: 0 means pkgconf's default,
	// DefaultMaxDepth; a negative value means no limit (pkgconf's 0).
	MaxDepth int
	// Defaults are the real pkg-config's compiled-in settings. When nil,
	// they are asked once from the program named by PkgConfig (or
	// "pkg-config" in Env's PATH), falling back to DebianDefaults.
	Defaults *Defaults
	// PkgConfig is the real pkg-config program to ask for Defaults.
	PkgConfig string
	// Log receives debug messages; nil discards them.
	Log logrus.FieldLogger
}

// ProblemKind classifies a Problem.
type ProblemKind string

// The problem kinds.
const (
	ProblemNotFound        ProblemKind = "not-found"
	ProblemVersionMismatch ProblemKind = "version-mismatch"
	ProblemInvalidFile     ProblemKind = "invalid-file"
	ProblemConflict        ProblemKind = "conflict"
	ProblemCycle           ProblemKind = "cycle"
	ProblemIgnoredOperator ProblemKind = "ignored-operator"
	ProblemShellChar       ProblemKind = "shell-char"
	ProblemInvalidFlag     ProblemKind = "invalid-flag"
	ProblemParse           ProblemKind = "parse"
	ProblemMaxDepth        ProblemKind = "max-depth"
)

// DefaultMaxDepth is pkgconf 1.8.1's maximum_traverse_depth: the package
// asked for is level 1; a package at this level is looked up (so a
// missing one is an error) but neither its flags nor its Requires are
// used, and pkgconf says nothing about it.
const DefaultMaxDepth = 2000

// Problem is one thing that makes pkg-config fail, or that will make go
// build reject its output.
type Problem struct {
	Kind    ProblemKind `json:"kind"`
	Package string      `json:"package,omitempty"`
	// Chain is the path of packages from the command line to Package
	// ("vips", "glib-2.0", "libffi").
	Chain   []string `json:"chain,omitempty"`
	Wanted  string   `json:"wanted,omitempty"` // "zlib >= 9.0"
	Found   string   `json:"found,omitempty"`  // version found
	File    string   `json:"file,omitempty"`
	Flag    string   `json:"flag,omitempty"`
	Message string   `json:"message"`
	// Fatal is set when pkg-config itself fails because of it.
	Fatal bool `json:"fatal"`
}

// Node is one edge of the Requires graph, in a flat list in depth-first
// order: Parent is the ID of the node that requires it (0 for the
// packages asked for). A package's own requirements are listed once, under
// its first node; later nodes of the same package give that node in
// SameAs. The list stops where pkgconf stops (DefaultMaxDepth), so its
// size is bounded by the packages and edges, never by the paths.
type Node struct {
	ID         int    `json:"id"`
	Parent     int    `json:"parent"`
	Depth      int    `json:"depth"`
	Name       string `json:"name"`
	Constraint string `json:"constraint,omitempty"`
	Found      bool   `json:"found"`
	PCFile     string `json:"pc_file,omitempty"`
	Version    string `json:"version,omitempty"`
	Private    bool   `json:"private,omitempty"`
	Internal   bool   `json:"internal,omitempty"`
	Cycle      bool   `json:"cycle,omitempty"`
	// SameAs is the ID of the node where this package's requirements
	// are listed.
	SameAs int `json:"same_as,omitempty"`
	// DepthLimit is set on a package at pkgconf's maximum depth: pkgconf
	// finds it but uses neither its flags nor its Requires.
	DepthLimit bool   `json:"depth_limit,omitempty"`
	Problem    string `json:"problem,omitempty"`
}

// SearchDir is a directory of the search path as configured; Missing ones
// are dropped by pkgconf.
type SearchDir struct {
	Dir     string `json:"dir"`
	Missing bool   `json:"missing,omitempty"`
}

// FlagOrigin says which package gave a flag.
type FlagOrigin struct {
	Flag    string `json:"flag"`
	Package string `json:"package"`
}

// Result is what Resolve found.
type Result struct {
	// Cflags and Libs are the words cmd/go would read from pkgconf's
	// `--cflags` and `--libs` output (unescaped).
	Cflags []string `json:"cflags"`
	Libs   []string `json:"libs"`
	// CflagsText and LibsText are pkgconf's output lines (escaped).
	CflagsText string `json:"cflags_text"`
	LibsText   string `json:"libs_text"`
	// CflagsFrom and LibsFrom give the package of each fragment.
	CflagsFrom []FlagOrigin `json:"cflags_from,omitempty"`
	LibsFrom   []FlagOrigin `json:"libs_from,omitempty"`
	// CflagsOK and LibsOK say whether `pkg-config --cflags` / `--libs`
	// would exit 0.
	CflagsOK bool `json:"cflags_ok"`
	LibsOK   bool `json:"libs_ok"`
	// Tree is the Requires graph of the request as a flat list; the
	// packages asked for have Parent 0.
	Tree []Node `json:"requires"`
	// PCFiles are the .pc files involved, in the order they were loaded.
	PCFiles []string `json:"pc_files"`
	// SearchPath are the directories searched, in order (missing ones
	// dropped, as pkgconf does).
	SearchPath []string `json:"search_path"`
	// Problems are the failures and warnings, fatal ones first.
	Problems []Problem `json:"problems"`
	// Stderr is what pkgconf would print on stderr for the failing call.
	Stderr string `json:"stderr,omitempty"`
}

// OK reports whether both calls would succeed.
func (r *Result) OK() bool { return r.CflagsOK && r.LibsOK }

const (
	depPrivate  = 1
	depInternal = 2
)

func depFlags(d *Dep) int {
	f := 0
	if d.Private {
		f |= depPrivate
	}
	if d.Internal {
		f |= depInternal
	}
	return f
}

type eflag int

const (
	errOK       eflag = 0
	errNotFound eflag = 1 << iota
	errVersion
	errConflict
)

// client holds what one pkgconf invocation keeps: the search path, the
// cache of loaded packages and the parse context.
type client struct {
	opts       *Options
	ctx        *ParseContext
	dirs       []string
	missing    []string
	order      []SearchDir // every directory considered, in order
	defaults   *Defaults
	files      map[string]*Package // parsed files by path
	cache      map[string]*Package // pkgconf's package cache, by id
	loaded     []string
	invalid    map[string]*Package // invalid files seen, by path
	noUninst   bool
	ignoreConf bool
	filterInc  []string
	filterLib  []string
	builtin    map[string]*Package
}

func (c *client) log() logrus.FieldLogger {
	if c.opts.Log != nil {
		return c.opts.Log
	}
	l := logrus.New()
	l.SetOutput(discard{})
	return l
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func (c *client) abs(p string) string {
	if filepath.IsAbs(p) || c.opts.Dir == "" {
		return p
	}
	return filepath.Join(c.opts.Dir, p)
}

func newClient(opts *Options) *client {
	env := opts.Env
	c := &client{opts: opts, files: map[string]*Package{}, cache: map[string]*Package{}, invalid: map[string]*Package{}}
	d := opts.Defaults
	if d == nil {
		var err error
		d, err = AskDefaults(opts.PkgConfig, env)
		if err != nil {
			c.log().WithError(err).Debug("using built-in Debian defaults")
			dd := DebianDefaults
			d = &dd
		}
	}
	c.defaults = d
	ctx := &ParseContext{Define: opts.Define}
	if sr, ok := env.Lookup("PKG_CONFIG_SYSROOT_DIR"); ok {
		ctx.Sysroot, ctx.SysrootSet = sr, true
		if dd, ok := env.Lookup("DESTDIR"); ok && dd == sr {
			ctx.FDOSysrootRules = true
		}
	}
	if _, ok := env.Lookup("PKG_CONFIG_FDO_SYSROOT_RULES"); ok {
		ctx.FDOSysrootRules = true
	}
	ctx.TopBuildDir = env.Get("PKG_CONFIG_TOP_BUILD_DIR")
	c.ctx = ctx
	_, c.noUninst = env.Lookup("PKG_CONFIG_DISABLE_UNINSTALLED")
	_, c.ignoreConf = env.Lookup("PKG_CONFIG_IGNORE_CONFLICTS")

	// search path
	var seen []os.FileInfo
	addDir := func(p string) {
		p = collapseSlashes(p)
		fi, err := os.Stat(c.abs(p))
		if err != nil {
			c.missing = append(c.missing, p)
			c.order = append(c.order, SearchDir{Dir: p, Missing: true})
			return
		}
		c.order = append(c.order, SearchDir{Dir: p})
		for _, s := range seen {
			if os.SameFile(s, fi) {
				return
			}
		}
		seen = append(seen, fi)
		c.dirs = append(c.dirs, p)
	}
	for _, p := range splitPath(env.Get("PKG_CONFIG_PATH")) {
		addDir(p)
	}
	if opts.EnvOnly {
		// --env-only: PKG_CONFIG_PATH alone
	} else if libdir, ok := env.Lookup("PKG_CONFIG_LIBDIR"); ok {
		seen = nil
		for _, p := range splitPath(libdir) {
			addDir(p)
		}
	} else {
		seen = nil
		for _, p := range d.PCPath {
			addDir(p)
		}
	}

	// system directory filters
	if v, ok := env.Lookup("PKG_CONFIG_SYSTEM_LIBRARY_PATH"); ok {
		c.filterLib = relocateAll(splitPath(v))
	} else {
		c.filterLib = relocateAll(d.SystemLibDirs)
	}
	if v, ok := env.Lookup("PKG_CONFIG_SYSTEM_INCLUDE_PATH"); ok {
		c.filterInc = relocateAll(splitPath(v))
	} else {
		c.filterInc = relocateAll(d.SystemIncludeDirs)
	}
	c.filterLib = append(c.filterLib, relocateAll(splitPath(env.Get("LIBRARY_PATH")))...)
	for _, k := range []string{"CPATH", "C_INCLUDE_PATH", "CPLUS_INCLUDE_PATH", "OBJC_INCLUDE_PATH"} {
		c.filterInc = append(c.filterInc, relocateAll(splitPath(env.Get(k)))...)
	}

	ver := d.Version
	if ver == "" {
		ver = "1.8.1"
	}
	c.builtin = map[string]*Package{}
	for _, n := range []string{"pkg-config", "pkgconf"} {
		c.builtin[n] = &Package{ID: n, Name: n, Description: "virtual package defining pkgconf API version supported",
			Version: ver, HasName: true, HasDescription: true, HasVersion: true,
			Vars: []Variable{{Name: "pc_path", Value: strings.Join(d.PCPath, ":")}}}
	}
	return c
}

func relocateAll(in []string) []string {
	out := make([]string, len(in))
	for i, p := range in {
		out[i] = collapseSlashes(p)
	}
	return out
}

// load parses a file once per client.
func (c *client) load(path string, uninstalled bool) (*Package, bool) {
	return c.loadAs(path, uninstalled, true)
}

func (c *client) loadAs(path string, uninstalled, record bool) (*Package, bool) {
	if p, ok := c.files[path]; ok {
		return p, true
	}
	data, err := os.ReadFile(c.abs(path))
	if err != nil {
		return nil, false
	}
	p := parse(data, path, c.ctx, uninstalled)
	c.files[path] = p
	if p.Valid() {
		c.loaded = append(c.loaded, path)
	} else if record {
		c.invalid[path] = p
	}
	return p, true
}

// find is pkgconf_pkg_find.
func (c *client) find(name string) *Package {
	if strings.HasSuffix(name, ".pc") {
		if p, ok := c.load(name, false); ok && p.Valid() {
			c.addDirAtEnd(p.Dir)
			c.cache[p.ID] = p
			return p
		}
	}
	if p, ok := c.builtin[name]; ok {
		return p
	}
	if p, ok := c.cache[name]; ok {
		return p
	}
	for _, d := range c.dirs {
		if p := c.tryDir(d, name); p != nil {
			c.cache[p.ID] = p
			return p
		}
	}
	return nil
}

func (c *client) addDirAtEnd(dir string) {
	fi, err := os.Stat(c.abs(dir))
	if err != nil {
		return
	}
	for _, d := range c.dirs {
		if fd, err := os.Stat(c.abs(d)); err == nil && os.SameFile(fd, fi) {
			return
		}
	}
	c.dirs = append(c.dirs, dir)
}

func (c *client) tryDir(dir, name string) *Package {
	if !c.noUninst {
		if p, ok := c.load(dir+"/"+name+"-uninstalled.pc", true); ok {
			if p.Valid() {
				return p
			}
			return nil
		}
	}
	if p, ok := c.load(dir+"/"+name+".pc", false); ok && p.Valid() {
		return p
	}
	return nil
}

// scanProviders is pkgconf_pkg_scan_providers: every .pc of every
// directory of the search path, each directory in readdir order as pkgconf
// reads it (so the first provider found is the same one).
func (c *client) scanProviders(d *Dep) *Package {
	for _, dir := range c.dirs {
		f, err := os.Open(c.abs(dir))
		if err != nil {
			continue
		}
		names, _ := f.Readdirnames(-1)
		f.Close()
		for _, name := range names {
			if !strings.HasSuffix(name, ".pc") {
				continue
			}
			p, ok := c.loadAs(dir+"/"+name, false, false)
			if !ok || !p.Valid() {
				continue
			}
			for _, pr := range p.Provides {
				if pr.Name == d.Name {
					if providesMatch(d, pr) {
						return p
					}
					break
				}
			}
		}
	}
	return nil
}

// vercmp is a comparator of pkgconf's provides table; nil means "no
// check", vcNone always fails.
type vercmp func(a, b string) bool

var (
	vcNone vercmp = func(a, b string) bool { return false }
	vcLT   vercmp = func(a, b string) bool { return CompareVersion(a, b) < 0 }
	vcGT   vercmp = func(a, b string) bool { return CompareVersion(a, b) > 0 }
	vcLE   vercmp = func(a, b string) bool { return CompareVersion(a, b) <= 0 }
	vcGE   vercmp = func(a, b string) bool { return CompareVersion(a, b) >= 0 }
	vcEQ   vercmp = func(a, b string) bool { return CompareVersion(a, b) == 0 }
	vcNE   vercmp = func(a, b string) bool { return CompareVersion(a, b) != 0 }
)

// providesRules is pkgconf's pkgconf_pkg_provides_vermatch_rules, indexed by
// the dependency's operator, then the provider's: rulecmp(depver, provver)
// and depcmp(provver, depver) must both pass where set. Its results are
// checked against pkgconf 1.8.1 for every operator pair in rules_test.go.
var providesRules = func() [7]struct{ rule, dep [7]vercmp } {
	var r [7]struct{ rule, dep [7]vercmp }
	ranged := [7]vercmp{OpAny: vcNone, OpLT: vcLT, OpGT: vcGT, OpLE: vcLE, OpGE: vcGE}
	r[OpAny].rule[OpAny], r[OpAny].dep[OpAny] = vcNone, vcNone
	r[OpLT].rule = ranged
	r[OpLT].dep = [7]vercmp{OpGT: vcLT, OpGE: vcLT, OpEQ: vcLT, OpNE: vcGE}
	r[OpGT].rule = ranged
	r[OpGT].dep = [7]vercmp{OpLT: vcGT, OpLE: vcGT, OpEQ: vcGT, OpNE: vcLE}
	r[OpLE].rule = ranged
	r[OpLE].dep = [7]vercmp{OpGT: vcLE, OpGE: vcLE, OpEQ: vcLE, OpNE: vcGT}
	r[OpGE].rule = ranged
	r[OpGE].dep = [7]vercmp{OpLT: vcGE, OpLE: vcGE, OpEQ: vcGE, OpNE: vcLT}
	r[OpEQ].rule = [7]vercmp{OpAny: vcNone, OpLT: vcLT, OpGT: vcGT, OpLE: vcLE, OpGE: vcGE, OpEQ: vcEQ, OpNE: vcNE}
	r[OpEQ].dep[OpAny] = vcNone
	r[OpNE].rule = [7]vercmp{OpAny: vcNone, OpLT: vcGE, OpGT: vcLE, OpLE: vcGT, OpGE: vcLT, OpEQ: vcNE, OpNE: vcEQ}
	r[OpNE].dep[OpAny] = vcNone
	return r
}()

// providesMatch is pkgconf_pkg_scan_provides_vercmp: whether a Provides
// entry satisfies a dependency.
func providesMatch(d *Dep, pr Dep) bool {
	if d.Op < 0 || int(d.Op) >= 7 || pr.Op < 0 || int(pr.Op) >= 7 {
		return false
	}
	rule := providesRules[d.Op]
	if f := rule.dep[pr.Op]; f != nil && !f(pr.Version, d.Version) {
		return false
	}
	if f := rule.rule[pr.Op]; f != nil && !f(d.Version, pr.Version) {
		return false
	}
	return true
}

// proc is the per-call state of one pkgconf run (one --cflags or --libs
// call): dependency matches, broken cycle edges, the private-iteration flag.
type proc struct {
	c             *client
	searchPrivate bool
	mergePrivate  bool
	iterPrivate   bool
	match         map[*Dep]*Package
	deleted       map[*Dep]bool
	ancestor      map[*Package]bool
	stack         []string
	problems      []Problem
	report        bool
	stderr        strings.Builder
	sentNotice    bool
}

func (c *client) newProc(searchPrivate, mergePrivate bool) *proc {
	return &proc{c: c, searchPrivate: searchPrivate, mergePrivate: mergePrivate,
		match: map[*Dep]*Package{}, deleted: map[*Dep]bool{}, ancestor: map[*Package]bool{}}
}

func (p *proc) verify(d *Dep) (*Package, eflag) {
	if m := p.match[d]; m != nil {
		return m, errOK
	}
	pkg := p.c.find(d.Name)
	if pkg == nil {
		if pr := p.c.scanProviders(d); pr != nil {
			p.match[d] = pr
			return pr, errOK
		}
		return nil, errNotFound
	}
	if !d.Op.Satisfies(pkg.Version, d.Version) {
		return pkg, errVersion
	}
	p.match[d] = pkg
	return pkg, errOK
}

type visitFunc func(pkg *Package, iterPrivate bool)

func (p *proc) traverse(world *Package, fn visitFunc, skip int) eflag {
	if !p.searchPrivate {
		skip |= depPrivate
	}
	return p.traverseMain(world, fn, skip, p.c.maxDepth())
}

// maxDepth is the depth the world package starts with in
// pkgconf_pkg_traverse; -1 never reaches 0.
func (c *client) maxDepth() int {
	switch d := c.opts.MaxDepth; {
	case d == 0:
		return DefaultMaxDepth
	case d < 0:
		return -1
	default:
		return d
	}
}

func (p *proc) traverseMain(root *Package, fn visitFunc, skip int, depth int) eflag {
	if depth == 0 {
		return errOK
	}
	if fn != nil && root.ID != worldID {
		fn(root, p.iterPrivate)
	}
	if !p.c.ignoreConf && len(root.Conflicts) > 0 {
		if e := p.walkConflicts(root); e != errOK {
			return e
		}
	}
	if e := p.walkList(root, root.Requires, fn, skip, depth); e != errOK {
		return e
	}
	// pkgconf 1.8.1 walks Requires.private only when searching private
	// dependencies (--static, and always for --cflags).
	if !p.searchPrivate {
		return errOK
	}
	p.iterPrivate = true
	e := p.walkList(root, root.RequiresPrivate, fn, skip, depth)
	p.iterPrivate = false
	return e
}

const worldID = "virtual:world"

func (p *proc) walkList(parent *Package, deps []Dep, fn visitFunc, skip int, depth int) eflag {
	var eflags eflag
	p.ancestor[parent] = true
	for i := range deps {
		d := &deps[i]
		if d.Name == "" || p.deleted[d] {
			continue
		}
		pkg, e := p.verify(d)
		eflags |= e
		if e != errOK {
			p.reportError(parent, pkg, d, e)
			continue
		}
		if pkg == nil {
			continue
		}
		if p.ancestor[pkg] {
			if !d.Private && parent.ID != worldID {
				p.deleted[d] = true
				if p.report {
					p.add(Problem{Kind: ProblemCycle, Package: pkg.ID, Chain: p.chain(d.Name),
						Message: fmt.Sprintf("%s: breaking circular reference (%s -> %s -> %s)", parent.ID, parent.ID, pkg.ID, parent.ID)})
				}
			}
			continue
		}
		if skip != 0 && depFlags(d)&skip == skip {
			continue
		}
		p.stack = append(p.stack, d.Name)
		eflags |= p.traverseMain(pkg, fn, skip, depth-1)
		p.stack = p.stack[:len(p.stack)-1]
	}
	delete(p.ancestor, parent)
	return eflags
}

func (p *proc) chain(name string) []string {
	out := append([]string(nil), p.stack...)
	return append(out, name)
}

func (p *proc) add(pr Problem) {
	for _, q := range p.problems {
		if q.Kind == pr.Kind && q.Package == pr.Package && strings.Join(q.Chain, "\x00") == strings.Join(pr.Chain, "\x00") {
			return
		}
	}
	p.problems = append(p.problems, pr)
}

func (p *proc) reportError(parent, pkg *Package, d *Dep, e eflag) {
	if !p.report {
		return
	}
	switch {
	case e&errNotFound != 0:
		if !p.sentNotice {
			fmt.Fprintf(&p.stderr, "Package %s was not found in the pkg-config search path.\n", d.Name)
			fmt.Fprintf(&p.stderr, "Perhaps you should add the directory containing `%s.pc'\n", d.Name)
			fmt.Fprintf(&p.stderr, "to the PKG_CONFIG_PATH environment variable\n")
			p.sentNotice = true
		}
		fmt.Fprintf(&p.stderr, "Package '%s', required by '%s', not found\n", d.Name, parent.ID)
		msg := fmt.Sprintf("package %q not found", d.Name)
		if parent.ID != worldID {
			msg = fmt.Sprintf("package %q, required by %q, not found", d.Name, parent.ID)
		}
		p.add(Problem{Kind: ProblemNotFound, Package: d.Name, Chain: p.chain(d.Name), Wanted: d.String(), Message: msg, Fatal: true})
	case e&errVersion != 0:
		fmt.Fprintf(&p.stderr, "Package dependency requirement '%s %s %s' could not be satisfied.\n", d.Name, d.Op, d.Version)
		if pkg != nil {
			fmt.Fprintf(&p.stderr, "Package '%s' has version '%s', required version is '%s %s'\n", d.Name, pkg.Version, d.Op, d.Version)
		}
		pr := Problem{Kind: ProblemVersionMismatch, Package: d.Name, Chain: p.chain(d.Name), Wanted: d.String(), Fatal: true}
		if pkg != nil {
			pr.Found, pr.File = pkg.Version, pkg.File
		}
		pr.Message = fmt.Sprintf("%s is wanted but version %s was found", d.String(), pr.Found)
		if pkg != nil {
			pr.Message += " (" + pkg.File + ")"
		}
		p.add(pr)
	}
}

func (p *proc) walkConflicts(root *Package) eflag {
	for i := range root.Conflicts {
		cd := &root.Conflicts[i]
		if cd.Name == "" {
			continue
		}
		for j := range root.Requires {
			rd := &root.Requires[j]
			if rd.Name == "" || rd.Name != cd.Name {
				continue
			}
			pkg, e := p.verify(cd)
			if e == errOK {
				msg := fmt.Sprintf("Version '%s' of '%s' conflicts with '%s' due to satisfying conflict rule '%s'.", pkg.Version, pkg.Name, root.Name, cd.String())
				if p.report {
					fmt.Fprintf(&p.stderr, "%s\nIt may be possible to ignore this conflict and continue, try the\nPKG_CONFIG_IGNORE_CONFLICTS environment variable.\n", msg)
					p.add(Problem{Kind: ProblemConflict, Package: cd.Name, Chain: p.chain(cd.Name), Message: msg, Fatal: true})
				}
				return errConflict
			}
		}
	}
	return errOK
}

// run performs one pkgconf call: cflags (true) or libs (false).
func (c *client) run(world *Package, cflags bool, static bool) (fragList, *proc, bool) {
	if c.opts.Shared {
		static = false
	}
	merge := static
	if _, ok := c.opts.Env.Lookup("PKG_CONFIG_PURE_DEPGRAPH"); ok || c.opts.Pure {
		merge = false
	}
	var pr *proc
	if cflags {
		pr = c.newProc(true, merge)
	} else {
		pr = c.newProc(static, merge)
	}
	pr.report = true
	if e := pr.traverse(world, nil, 0); e != errOK {
		return nil, pr, false
	}
	pr.report = false
	var frags fragList
	if cflags {
		skip := depInternal
		pr.traverse(world, func(pkg *Package, _ bool) {
			for _, f := range pkg.Cflags {
				frags.copyFrag(f, false)
			}
		}, skip)
		if pr.mergePrivate {
			pr.traverse(world, func(pkg *Package, _ bool) {
				for _, f := range pkg.CflagsPrivate {
					frags.copyFrag(f, true)
				}
			}, skip)
		}
	} else {
		pr.traverse(world, func(pkg *Package, iterPrivate bool) {
			for _, f := range pkg.Libs {
				frags.copyFrag(f, iterPrivate)
			}
			if pr.mergePrivate {
				for _, f := range pkg.LibsPrivate {
					frags.copyFrag(f, true)
				}
			}
		}, 0)
	}
	keep := c.opts.KeepSystemLibs
	filter := c.filterLib
	if cflags {
		keep = c.opts.KeepSystemCflags
		filter = c.filterInc
	}
	if cflags {
		if _, ok := c.opts.Env.Lookup("PKG_CONFIG_ALLOW_SYSTEM_CFLAGS"); ok {
			keep = true
		}
	} else if _, ok := c.opts.Env.Lookup("PKG_CONFIG_ALLOW_SYSTEM_LIBS"); ok {
		keep = true
	}
	var out fragList
	for _, f := range frags {
		if !keep && ((cflags && f.Type == 'I') || (!cflags && f.Type == 'L')) && contains(filter, f.Data) {
			continue
		}
		out = append(out, f)
	}
	return out, pr, true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// world builds the virtual package of the command line.
func (c *client) world(pkgs []string) *Package {
	w := &Package{ID: worldID, Name: "virtual world package"}
	for _, q := range pkgs {
		w.Requires = append(w.Requires, parseDeps(c.ctx.expand(nil, q, 0), false, false)...)
	}
	return w
}

// ErrNoPackages is returned by Resolve when it is given no package names.
var ErrNoPackages = errors.New("no package names given")

// Resolve evaluates `pkg-config --cflags PKGS...` and `pkg-config --libs
// PKGS...` as pkgconf 1.8.1 would with opts.Env, and explains the result:
// the flags, the Requires tree with the file of each node, the search
// path and the problems. A package that is not found is a Problem in the
// Result, not an error; error means the request itself was unusable.
func Resolve(pkgs []string, opts Options) (*Result, error) {
	if len(pkgs) == 0 {
		return nil, ErrNoPackages
	}
	c := newClient(&opts)
	w := c.world(pkgs)
	res := &Result{SearchPath: append([]string{}, c.dirs...)}

	cf, cpr, cok := c.run(w, true, opts.Static)
	lf, lpr, lok := c.run(w, false, opts.Static)
	res.CflagsOK, res.LibsOK = cok, lok
	if cok {
		res.CflagsText = cf.render()
		res.Cflags, _ = SplitPkgConfigOutput(res.CflagsText)
		for _, f := range cf {
			res.CflagsFrom = append(res.CflagsFrom, FlagOrigin{Flag: f.Flag(), Package: f.From})
		}
	}
	if lok {
		res.LibsText = lf.render()
		res.Libs, _ = SplitPkgConfigOutput(res.LibsText)
		for _, f := range lf {
			res.LibsFrom = append(res.LibsFrom, FlagOrigin{Flag: f.Flag(), Package: f.From})
		}
	}
	if res.Cflags == nil {
		res.Cflags = []string{}
	}
	if res.Libs == nil {
		res.Libs = []string{}
	}
	switch {
	case !cok:
		res.Stderr = cpr.stderr.String()
	case !lok:
		res.Stderr = lpr.stderr.String()
	}
	for _, pr := range [...]*proc{cpr, lpr} {
		for _, p := range pr.problems {
			addProblem(res, p)
		}
	}
	res.Tree = c.tree(w)
	for _, n := range res.Tree {
		if n.DepthLimit {
			addProblem(res, Problem{Kind: ProblemMaxDepth, Package: n.Name, File: n.PCFile,
				Message: fmt.Sprintf("%s is at depth %d, pkgconf's limit (--maximum-traverse-depth): pkgconf finds %s but, without a word, uses neither its flags nor its Requires", n.Name, n.Depth, n.PCFile)})
			break
		}
	}
	res.PCFiles = make([]string, len(c.loaded))
	for i, f := range c.loaded {
		res.PCFiles[i] = c.abs(f)
	}
	c.lintFiles(res)
	if res.CflagsOK {
		checkOutput(res, "--cflags", res.CflagsText, res.Cflags, opts.Env)
	}
	if res.LibsOK {
		checkOutput(res, "--libs", res.LibsText, res.Libs, opts.Env)
	}
	if res.PCFiles == nil {
		res.PCFiles = []string{}
	}
	if res.SearchPath == nil {
		res.SearchPath = []string{}
	}
	if res.Problems == nil {
		res.Problems = []Problem{}
	}
	sort.SliceStable(res.Problems, func(i, j int) bool { return res.Problems[i].Fatal && !res.Problems[j].Fatal })
	return res, nil
}

func addProblem(res *Result, p Problem) {
	for _, q := range res.Problems {
		if q.Kind == p.Kind && q.Package == p.Package && q.Flag == p.Flag && strings.Join(q.Chain, "\x00") == strings.Join(p.Chain, "\x00") {
			return
		}
	}
	res.Problems = append(res.Problems, p)
}

// tree lists the Requires graph of the request (Requires and
// Requires.private, the latter marked private) with the file of each
// node, as a flat list in depth-first order, down to pkgconf's depth
// limit; each package's requirements are listed once.
func (c *client) tree(w *Package) []Node {
	pr := c.newProc(true, true)
	limit := c.maxDepth()
	out := []Node{}
	listed := map[*Package]int{}
	onPath := map[*Package]bool{}
	var build func(d *Dep, parent, depth int)
	build = func(d *Dep, parent, depth int) {
		n := Node{ID: len(out) + 1, Parent: parent, Depth: depth, Name: d.Name, Private: d.Private, Internal: d.Internal}
		if d.Op != OpAny || d.Version != "" {
			n.Constraint = d.Op.String() + " " + d.Version
		}
		pkg, e := pr.verify(d)
		if pkg != nil {
			n.PCFile, n.Version = c.abs(pkg.File), pkg.Version
		}
		switch {
		case e&errNotFound != 0:
			n.Problem = "not found"
		case e&errVersion != 0:
			n.Found = true
			n.Problem = fmt.Sprintf("version %s does not satisfy %s %s", pkg.Version, d.Op, d.Version)
		default:
			n.Found = true
			switch {
			case onPath[pkg]:
				n.Cycle = true
			case listed[pkg] != 0:
				n.SameAs = listed[pkg]
			case depth == limit:
				n.DepthLimit = true
			}
		}
		out = append(out, n)
		if !n.Found || n.Problem != "" || n.Cycle || n.SameAs != 0 || n.DepthLimit {
			return
		}
		listed[pkg] = n.ID
		onPath[pkg] = true
		for _, list := range [][]Dep{pkg.Requires, pkg.RequiresPrivate} {
			for i := range list {
				if list[i].Name != "" {
					build(&list[i], n.ID, depth+1)
				}
			}
		}
		delete(onPath, pkg)
	}
	for i := range w.Requires {
		if w.Requires[i].Name != "" {
			build(&w.Requires[i], 0, 1)
		}
	}
	return out
}

// lintFiles reports invalid files met on the way and operators pkgconf
// silently ignores.
func (c *client) lintFiles(res *Result) {
	paths := make([]string, 0, len(c.invalid))
	for p := range c.invalid {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, path := range paths {
		p := c.invalid[path]
		addProblem(res, Problem{Kind: ProblemInvalidFile, Package: p.ID, File: path,
			Message: fmt.Sprintf("%s exists but is invalid, because %s; pkgconf skips it", path, p.InvalidReason())})
	}
}
