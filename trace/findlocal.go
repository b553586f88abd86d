package trace

import (
	"go/build"
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
// well under a millisecond. TestFindInProcessMatchesGoList compares the
// two.
func findInProcess(l *buildlog.Log, pkgs []string, ge GoEnv, userArgs []string) (out []*listPackage, ok bool) {
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
		bp, err := ctx.ImportDir(dir, 0)
		if err != nil {
			return nil, false
		}
		for _, t := range bp.AllTags {
			if configTag(t) {
				return nil, false
			}
		}
		out = append(out, &listPackage{
			ImportPath: path, Dir: dir, Name: bp.Name, Standard: bp.Goroot,
			GoFiles: bp.GoFiles, CgoFiles: bp.CgoFiles, IgnoredGoFiles: bp.IgnoredGoFiles,
			CFiles: bp.CFiles, CXXFiles: bp.CXXFiles, SFiles: bp.SFiles,
			CgoCPPFLAGS: bp.CgoCPPFLAGS, CgoCFLAGS: bp.CgoCFLAGS, CgoCXXFLAGS: bp.CgoCXXFLAGS,
			CgoFFLAGS: bp.CgoFFLAGS, CgoLDFLAGS: bp.CgoLDFLAGS, CgoPkgConfig: bp.CgoPkgConfig,
		})

	}
	return out, true
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
