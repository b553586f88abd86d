package trace

import (
	"fmt"
	"go/build"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"github.com/cgotrace/cgotrace/buildlog"
)

// findInProcess is `go list -find -json` of the packages a failed build
// needs (listFailed), worked out in process with go/build, the package
// the go command's own loader follows (cmd/go/internal/modindex
// implements build.Context.Import, and cmd/go/internal/load evaluates
// constraints with a build.Context): the same files, #cgo flags and
// pkg-config names for the same context. The context is go env's GOOS,
// GOARCH, CGO_ENABLED and GOVERSION, and the -tags of GOFLAGS and of the
// command line (newTagSet).
//
// It answers only where that context is the whole of go's: it declines
// (ok false) when cgo is off, when a file's constraint names a tag go sets from its own
// configuration (goexperiment.X, amd64.v3 and the other GOARCH levels),
// when go build was given -overlay or -compiler, when a package's
// directory is not in the log, or when go/build reports an error (as
// for a package of cgo files with cgo off): go list answers those. For a cgo package go list costs 40-50 ms of CPU
// (it reads runtime/cgo's standard library even with -find); this costs
// about a millisecond for a small package, 10-15 ms for one of many cgo
// files with large preambles (go-sdl2's sdl), which findKept then keeps.
// TestFindInProcessMatchesGoList compares the two.
//
// keepIn, when not "", is where each package's answer is kept between
// runs (see findKept).
func findInProcess(l *buildlog.Log, pkgs []string, ge GoEnv, userArgs []string, keepIn string) (out []*listPackage, ok bool) {
	ip, ok := newInProcess(ge, userArgs)
	if !ok {
		return nil, false
	}
	dirs := map[string]string{}
	for _, r := range l.Records {
		if r.Kind != buildlog.RecCommand || r.Dir == "" || strings.HasPrefix(r.Dir, "$WORK") {
			continue
		}
		if p, ok := listablePath(r.ImportPath); ok && p != "" && dirs[p] == "" {
			dirs[p] = r.Dir
		}
	}
	for _, path := range pkgs {
		dir := dirs[path]
		if dir == "" {
			return nil, false
		}
		lp, ok := ip.findKept(dir, keepIn)
		if !ok {
			return nil, false
		}
		c := *lp
		c.ImportPath = path
		out = append(out, &c)
	}
	return out, true
}

// inProcess is findInProcess's go/build context for one go env and
// command line; key tells contexts apart (it holds all of ts: the
// context is made from it).
type inProcess struct {
	ctx build.Context
	ts  tagSet
	key string
}

func newInProcess(ge GoEnv, userArgs []string) (*inProcess, bool) {
	if ge == nil || ge["GOOS"] == "" || ge["GOARCH"] == "" || ge["CGO_ENABLED"] != "1" {
		// With cgo off go list also moves the C files of a package to
		// IgnoredOtherFiles, which go/build does not.
		return nil, false
	}
	flags := append(scanGoFlagsOnly(strings.Fields(ge["GOFLAGS"])), scanGoFlagsOnly(userArgs)...)
	for _, f := range flags {
		switch f.Name {
		case "overlay", "compiler", "gccgoflags":
			return nil, false
		}
	}
	ts := newTagSet(ge, userArgs)
	if ts.release < 1 {
		return nil, false
	}
	ctx := build.Context{
		GOOS: ge["GOOS"], GOARCH: ge["GOARCH"], GOROOT: ge["GOROOT"],
		CgoEnabled: ge["CGO_ENABLED"] == "1", Compiler: "gc",
	}
	for t := range ts.tags {
		ctx.BuildTags = append(ctx.BuildTags, t)
	}
	sort.Strings(ctx.BuildTags)
	for i := 1; i <= ts.release; i++ {
		ctx.ReleaseTags = append(ctx.ReleaseTags, "go1."+strconv.Itoa(i))
	}
	for _, f := range flags {
		switch f.Name {
		case "race", "msan", "asan":
			if !f.HasValue || f.Value == "true" {
				ctx.ToolTags = append(ctx.ToolTags, f.Name)
			}
		}
	}
	key := fmt.Sprintf("%s/%s %s %v %v %v", ctx.GOOS, ctx.GOARCH, ctx.GOROOT, ctx.BuildTags, ctx.ReleaseTags, ctx.ToolTags)
	return &inProcess{ctx: ctx, ts: ts, key: key}, true
}

// find is go/build's view of the package in dir, with the #cgo lines
// that apply (appliedDirectives, read now: loadPackages takes them).
func (ip *inProcess) find(dir string) (*listPackage, bool) {
	bp, err := ip.ctx.ImportDir(dir, 0)
	if err != nil {
		return nil, false
	}
	for _, t := range bp.AllTags {
		if configTag(t) {
			return nil, false
		}
	}
	lp := &listPackage{
		Dir: dir, Name: bp.Name, Standard: bp.Goroot,
		GoFiles: bp.GoFiles, CgoFiles: bp.CgoFiles, IgnoredGoFiles: bp.IgnoredGoFiles,
		CFiles: bp.CFiles, CXXFiles: bp.CXXFiles, SFiles: bp.SFiles,
		CgoCPPFLAGS: bp.CgoCPPFLAGS, CgoCFLAGS: bp.CgoCFLAGS, CgoCXXFLAGS: bp.CgoCXXFLAGS,
		CgoFFLAGS: bp.CgoFFLAGS, CgoLDFLAGS: bp.CgoLDFLAGS, CgoPkgConfig: bp.CgoPkgConfig,
	}
	if len(lp.CgoFiles) > 0 {
		lp.applied, lp.appliedRead = appliedDirectives(lp, ip.ts), true
	}
	return lp, true
}

// keptView is find's answer for a directory, kept between runs.
type keptView struct {
	Package listPackage
	Applied []Directive `json:",omitempty"`
	OK      bool
}

// findKept is find, with its answer kept in keepIn (kept.go) under a key
// of everything it reads: go/build's version and context, and the
// directory's listing with the identity (size, times, inode) of every
// entry, for go/build reads the constraints of every source file and the
// #cgo lines of the Go files. A package in the module cache is read
// once: go-sdl2's sdl (42 cgo files with large preambles) costs 10-15 ms
// to read, its key 80 stats.
func (ip *inProcess) findKept(dir, keepIn string) (*listPackage, bool) {
	file := ip.viewFile(dir, keepIn)
	var kv keptView
	if readKept(file, &kv) {
		lp := kv.Package
		if len(lp.CgoFiles) > 0 {
			lp.applied, lp.appliedRead = kv.Applied, true
		}
		return &lp, kv.OK
	}
	lp, ok := ip.find(dir)
	if ok {
		kv = keptView{Package: *lp, Applied: lp.applied, OK: true}
	}
	writeKept(file, kv)
	return lp, ok
}

// viewFile is the kept file of find's answer for dir, "" when not kept.
func (ip *inProcess) viewFile(dir, keepIn string) string {
	if keepIn == "" {
		return ""
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return ""
	}
	k := newKeptKey("go-build-view")
	k.add(runtime.Version(), ip.key, dir)
	for _, e := range entries {
		k.file(filepath.Join(dir, e.Name()))
	}
	return filepath.Join(keepIn, k.name())
}

// configTag reports whether go sets tag from its own configuration (its
// ToolTags: GOEXPERIMENT's goexperiment.X, GOAMD64's amd64.v2 and the
// other GOARCH levels), which go env does not list.
func configTag(tag string) bool {
	if strings.HasPrefix(tag, "goexperiment.") {
		return true
	}
	arch, _, found := strings.Cut(tag, ".")
	if !found {
		return false
	}
	switch arch {
	case "386", "amd64", "arm", "arm64", "loong64", "mips", "mipsle", "mips64", "mips64le", "ppc64", "ppc64le", "riscv64", "s390x", "wasm":
		return true
	}
	return false
}
