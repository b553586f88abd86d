// Package monorepo writes a synthetic Go module the size of a monorepo
// for the benchmark of issue 14 (scripts/bench-monorepo.sh): N small
// packages in an import graph of several levels, some of them cgo with C
// files, `#cgo pkg-config` lines answered by generated .pc files, and a few
// static libraries built with gcc and ar. A broken variant removes one
// thing (a .pc file, a header or a static library) from one cgo package
// deep in the graph.
//
// It imports nothing of cgotrace: the module it writes is input, and the
// expected root cause (Module.BrokenPackage, Module.BrokenCode) is what the
// generator broke, not what cgotrace says.
package monorepo

import (
	"errors"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ModulePath is the module path of the generated module.
const ModulePath = "example.com/mono"

// The kinds of breakage, and the diagnosis code each should produce.
const (
	BreakNone   = ""
	BreakPC     = "pc"     // the .pc file of the package is missing
	BreakHeader = "header" // the header its .pc file's Cflags point at is missing
	BreakLib    = "lib"    // the static library its .pc file's Libs name is missing
)

var breakCodes = map[string]string{
	BreakPC:     "pkg-config-package-not-found",
	BreakHeader: "header-not-found",
	BreakLib:    "library-not-found",
}

// Options size the module.
type Options struct {
	Packages int    // number of Go packages (not counting the commands), default 2000
	Cgo      int    // how many of them use cgo, default 40
	Libs     int    // static libraries shared by the cgo packages, default 4
	Commands int    // main packages importing the top level, default 4
	Break    string // BreakNone, BreakPC, BreakHeader or BreakLib
	Seed     int64  // seed of the import graph, default 1
	CC       string // C compiler for the static libraries, default "gcc"
	AR       string // archiver, default "ar"
}

// Module is what Generate wrote.
type Module struct {
	Dir           string // the module (go.mod), where to run go build ./...
	PkgConfigPath string // the directory of the .pc files: PKG_CONFIG_PATH
	Packages      int    // Go packages, commands included
	CgoPackages   []string
	Levels        int
	// BrokenPackage is the import path of the broken cgo package, and
	// BrokenCode the diagnosis code its breakage should get ("" when
	// healthy).
	BrokenPackage string
	BrokenCode    string
	// BrokenPC is the pkg-config package of the broken package: with
	// BreakLib the failure is in the link of a command, and the missing
	// -l flag comes from this package's .pc file.
	BrokenPC string
	// BrokenFile is the file the breakage removed.
	BrokenFile string
}

func (o *Options) defaults() error {
	if o.Packages == 0 {
		o.Packages = 2000
	}
	if o.Cgo == 0 {
		o.Cgo = 40
	}
	if o.Libs == 0 {
		o.Libs = 4
	}
	if o.Commands == 0 {
		o.Commands = 4
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.CC == "" {
		o.CC = "gcc"
	}
	if o.AR == "" {
		o.AR = "ar"
	}
	switch {
	case o.Packages < 3:
		return fmt.Errorf("need at least 3 packages, not %d", o.Packages)
	case o.Cgo < 1 || o.Cgo > o.Packages:
		return fmt.Errorf("cgo packages: %d is not between 1 and %d", o.Cgo, o.Packages)
	case o.Libs < 1:
		return fmt.Errorf("static libraries: %d, need at least 1", o.Libs)
	case o.Commands < 1:
		return fmt.Errorf("commands: %d, need at least 1", o.Commands)
	}
	if _, ok := breakCodes[o.Break]; !ok && o.Break != BreakNone {
		return fmt.Errorf("unknown breakage %q (want pc, header or lib)", o.Break)
	}
	return nil
}

// levels of the import graph for n packages: 10 for a monorepo, fewer for
// a small module, at least 3 so that the broken package is not a leaf.
func levels(n int) int {
	return max(3, min(10, n/10))
}

type pkg struct {
	idx   int
	level int
	deps  []int
	cgo   int // index among the cgo packages, or -1
	lib   int // static library it links, or -1
}

func (p *pkg) name() string       { return fmt.Sprintf("p%04d", p.idx) }
func (p *pkg) importPath() string { return ModulePath + "/pkg/" + p.name() }

// Generate writes the module under dir (which must be empty or absent):
// dir/src is the module, dir/pc the .pc files, dir/include the headers,
// dir/lib the static libraries.
func Generate(dir string, o Options) (*Module, error) {
	if err := o.defaults(); err != nil {
		return nil, err
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if ents, err := os.ReadDir(dir); err == nil && len(ents) > 0 {
		return nil, fmt.Errorf("%s is not empty: the generator writes only into a new directory", dir)
	}
	m := &Module{Dir: filepath.Join(dir, "src"), PkgConfigPath: filepath.Join(dir, "pc")}
	for _, d := range []string{m.Dir, m.PkgConfigPath, filepath.Join(dir, "include"), filepath.Join(dir, "lib"), filepath.Join(dir, "csrc")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	pkgs, nlev := graph(o)
	m.Levels = nlev
	m.Packages = len(pkgs) + o.Commands

	// The broken package: the first cgo package of level 1, deep in the
	// graph (only leaves below it) and imported, through the levels
	// above, by the commands.
	broken := -1
	if o.Break != BreakNone {
		for _, p := range pkgs {
			if p.cgo >= 0 && p.level == 1 {
				broken = p.idx
				break
			}
		}
		if broken < 0 {
			return nil, errors.New("no cgo package on level 1 to break: give more packages or more cgo packages")
		}
		if o.Break == BreakLib {
			// Its own static library, so that only it fails.
			pkgs[broken].lib = o.Libs
		}
	}

	w := &writer{}
	w.file(filepath.Join(m.Dir, "go.mod"), "module "+ModulePath+"\n\ngo 1.22\n")
	for _, p := range pkgs {
		writePackage(w, dir, m.Dir, p, pkgs)
		if p.cgo >= 0 {
			m.CgoPackages = append(m.CgoPackages, p.importPath())
		}
	}
	writeCommands(w, m.Dir, pkgs, nlev, o.Commands)
	w.file(filepath.Join(m.PkgConfigPath, "mono-base.pc"), fmt.Sprintf(
		"prefix=%s\nincludedir=${prefix}/include\n\nName: mono-base\nDescription: shared headers of the synthetic monorepo\nVersion: 1.0.0\nCflags: -I${includedir}/base -DMONO_BASE=1\n", dir))
	w.file(filepath.Join(dir, "include", "base", "mono_base.h"), "#ifndef MONO_BASE_H\n#define MONO_BASE_H\n#define MONO_SCALE 3\n#endif\n")
	if w.err != nil {
		return nil, w.err
	}
	nlibs := o.Libs
	if broken >= 0 && o.Break == BreakLib {
		nlibs++
	}
	for s := range nlibs {
		if err := staticLib(dir, s, o.CC, o.AR); err != nil {
			return nil, err
		}
	}
	if broken >= 0 {
		p := pkgs[broken]
		m.BrokenPackage, m.BrokenCode = p.importPath(), breakCodes[o.Break]
		m.BrokenPC = fmt.Sprintf("mono-c%d", p.cgo)
		switch o.Break {
		case BreakPC:
			m.BrokenFile = filepath.Join(m.PkgConfigPath, fmt.Sprintf("mono-c%d.pc", p.cgo))
		case BreakHeader:
			m.BrokenFile = filepath.Join(dir, "include", fmt.Sprintf("c%d", p.cgo), fmt.Sprintf("c%d.h", p.cgo))
		case BreakLib:
			m.BrokenFile = filepath.Join(dir, "lib", fmt.Sprintf("libmono%d.a", p.lib))
		}
		if err := os.Remove(m.BrokenFile); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// graph places the packages on levels (level 0: leaves) and gives each
// package of level l > 0 one to three imports from level l-1 and, for
// some, one from a lower level. The cgo packages are spread evenly over
// the index range, so over every level.
func graph(o Options) ([]*pkg, int) {
	nlev := levels(o.Packages)
	r := rand.New(rand.NewSource(o.Seed))
	pkgs := make([]*pkg, o.Packages)
	first := make([]int, nlev+1) // first index of each level
	for i := range pkgs {
		pkgs[i] = &pkg{idx: i, level: i * nlev / o.Packages, cgo: -1, lib: -1}
	}
	for l := 0; l <= nlev; l++ {
		first[l] = (l*o.Packages + nlev - 1) / nlev
	}
	for _, p := range pkgs {
		if p.level == 0 {
			continue
		}
		lo, hi := first[p.level-1], first[p.level]
		seen := map[int]bool{}
		for range 1 + r.Intn(3) {
			d := lo + r.Intn(hi-lo)
			if !seen[d] {
				seen[d] = true
				p.deps = append(p.deps, d)
			}
		}
		if p.level >= 2 && r.Intn(3) == 0 {
			d := r.Intn(first[p.level-1])
			if !seen[d] {
				p.deps = append(p.deps, d)
			}
		}
	}
	for k := range o.Cgo {
		i := (2*k + 1) * o.Packages / (2 * o.Cgo)
		pkgs[i].cgo = k
		if k%3 == 0 {
			pkgs[i].lib = (k / 3) % o.Libs
		}
	}
	return pkgs, nlev
}

type writer struct{ err error }

func (w *writer) file(path, text string) {
	if w.err != nil {
		return
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		w.err = err
		return
	}
	w.err = os.WriteFile(path, []byte(text), 0o644)
}

func writePackage(w *writer, root, src string, p *pkg, pkgs []*pkg) {
	var b strings.Builder
	fmt.Fprintf(&b, "// Package %s is package %d (level %d) of a synthetic monorepo.\npackage %s\n\n", p.name(), p.idx, p.level, p.name())
	if p.cgo >= 0 {
		fmt.Fprintf(&b, "/*\n#cgo pkg-config: mono-c%d\n#include <c%d.h>\n*/\nimport \"C\"\n\n", p.cgo, p.cgo)
	}
	if len(p.deps) > 0 {
		b.WriteString("import (\n")
		for _, d := range p.deps {
			fmt.Fprintf(&b, "\t%q\n", pkgs[d].importPath())
		}
		b.WriteString(")\n\n")
	}
	fmt.Fprintf(&b, "// F is this package's value.\nfunc F() int {\n\tv := %d\n", p.idx)
	for _, d := range p.deps {
		fmt.Fprintf(&b, "\tv += %s.F()\n", pkgs[d].name())
	}
	if p.cgo >= 0 {
		fmt.Fprintf(&b, "\tv += int(C.c%d_value(C.int(v)))\n", p.cgo)
	}
	b.WriteString("\treturn v % 1000003\n}\n")
	dir := filepath.Join(src, "pkg", p.name())
	w.file(filepath.Join(dir, p.name()+".go"), b.String())
	if p.cgo < 0 {
		return
	}
	k := p.cgo
	// The package's own C file, compiled by go build.
	c := fmt.Sprintf("#include <c%d.h>\n\nint c%d_local(int x) {\n\treturn x * MONO_SCALE + %d;\n}\n", k, k, k)
	w.file(filepath.Join(dir, fmt.Sprintf("c%d.c", k)), c)
	// Its header, found through the Cflags of its .pc file.
	var h strings.Builder
	fmt.Fprintf(&h, "#ifndef C%d_H\n#define C%d_H\n#include <mono_base.h>\nint c%d_local(int x);\n", k, k, k)
	if p.lib >= 0 {
		fmt.Fprintf(&h, "int mono%d_value(int x);\nstatic inline int c%d_value(int x) { return c%d_local(x) + mono%d_value(x); }\n", p.lib, k, k, p.lib)
	} else {
		fmt.Fprintf(&h, "static inline int c%d_value(int x) { return c%d_local(x); }\n", k, k)
	}
	h.WriteString("#endif\n")
	w.file(filepath.Join(root, "include", fmt.Sprintf("c%d", k), fmt.Sprintf("c%d.h", k)), h.String())
	var pc strings.Builder
	fmt.Fprintf(&pc, "prefix=%s\nincludedir=${prefix}/include\nlibdir=${prefix}/lib\n\nName: mono-c%d\nDescription: C part of %s\nVersion: 1.%d.0\n", root, k, p.importPath(), k)
	if k%2 == 1 {
		pc.WriteString("Requires: mono-base\n")
		fmt.Fprintf(&pc, "Cflags: -I${includedir}/c%d\n", k)
	} else {
		fmt.Fprintf(&pc, "Cflags: -I${includedir}/c%d -I${includedir}/base -DMONO_BASE=1\n", k)
	}
	if p.lib >= 0 {
		fmt.Fprintf(&pc, "Libs: -L${libdir} -lmono%d\n", p.lib)
	}
	w.file(filepath.Join(root, "pc", fmt.Sprintf("mono-c%d.pc", k)), pc.String())
}

// writeCommands writes the main packages: each imports packages of the
// top level, so that go build ./... links them (externally: the graph
// below holds cgo packages).
func writeCommands(w *writer, src string, pkgs []*pkg, nlev, n int) {
	var top []*pkg
	for _, p := range pkgs {
		if p.level == nlev-1 {
			top = append(top, p)
		}
	}
	for c := range n {
		var b strings.Builder
		fmt.Fprintf(&b, "// Command app%d links a part of the synthetic monorepo.\npackage main\n\nimport (\n\t\"fmt\"\n\n", c)
		var imp []*pkg
		for i := c; i < len(top); i += n {
			imp = append(imp, top[i])
		}
		if len(imp) == 0 {
			imp = top[:1]
		}
		for _, p := range imp {
			fmt.Fprintf(&b, "\t%q\n", p.importPath())
		}
		b.WriteString(")\n\nfunc main() {\n\tv := 0\n")
		for _, p := range imp {
			fmt.Fprintf(&b, "\tv += %s.F()\n", p.name())
		}
		b.WriteString("\tfmt.Println(v)\n}\n")
		w.file(filepath.Join(src, "cmd", fmt.Sprintf("app%d", c), "main.go"), b.String())
	}
}

// staticLib builds dir/lib/libmono<s>.a from one C file with cc and ar.
func staticLib(dir string, s int, cc, ar string) error {
	c := filepath.Join(dir, "csrc", fmt.Sprintf("mono%d.c", s))
	o := filepath.Join(dir, "csrc", fmt.Sprintf("mono%d.o", s))
	a := filepath.Join(dir, "lib", fmt.Sprintf("libmono%d.a", s))
	src := fmt.Sprintf("int mono%d_value(int x) {\n\treturn x ^ %d;\n}\n", s, 0x5a5a+s)
	if err := os.WriteFile(c, []byte(src), 0o644); err != nil {
		return err
	}
	for _, argv := range [][]string{{cc, "-c", "-O2", "-fPIC", "-o", o, c}, {ar, "rcs", a, o}} {
		if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
			return fmt.Errorf("%s: %w\n%s", strings.Join(argv, " "), err, out)
		}
	}
	return nil
}
