package trace

import (
	"go/build/constraint"
	"path/filepath"
	"strconv"
	"strings"
)

// tagSet is what a build constraint is evaluated against: the tags
// go/build's Context.matchTag accepts for the build's GOOS, GOARCH,
// CGO_ENABLED and -tags.
type tagSet struct {
	goos, goarch string
	cgo          bool
	tags         map[string]bool
	release      int // go1.1 … go1.<release> are satisfied
}

// unixOS are the GOOS values the "unix" tag matches (go/build syslist.go).
var unixOS = map[string]bool{
	"aix": true, "android": true, "darwin": true, "dragonfly": true, "freebsd": true,
	"hurd": true, "illumos": true, "ios": true, "linux": true, "netbsd": true,
	"openbsd": true, "solaris": true,
}

// newTagSet is the tag set of a build: go env's GOOS, GOARCH, CGO_ENABLED
// and GOVERSION, and the -tags of GOFLAGS and of the command line (the
// command line's replaces GOFLAGS', as go does).
func newTagSet(ge GoEnv, userArgs []string) tagSet {
	ts := tagSet{goos: ge["GOOS"], goarch: ge["GOARCH"], cgo: ge["CGO_ENABLED"] == "1", tags: map[string]bool{}}
	v := strings.TrimPrefix(ge["GOVERSION"], "go1.")
	if i := strings.IndexAny(v, ".rcbeta-+ "); i >= 0 {
		v = v[:i]
	}
	ts.release, _ = strconv.Atoi(v)
	tags := ""
	if f, ok := lastFlag(scanGoFlagsOnly(strings.Fields(ge["GOFLAGS"])), "tags"); ok {
		tags = f.Value
	}
	if f, ok := lastFlag(scanGoFlagsOnly(userArgs), "tags"); ok {
		tags = f.Value
	}
	for _, t := range strings.FieldsFunc(tags, func(r rune) bool { return r == ',' || r == ' ' }) {
		ts.tags[t] = true
	}
	return ts
}

func scanGoFlagsOnly(args []string) []goFlag {
	f, _ := scanGoArgs(args)
	return f
}

// match is go/build's Context.matchTag.
func (ts tagSet) match(tag string) bool {
	switch {
	case ts.tags[tag], tag == ts.goos, tag == ts.goarch, tag == "gc":
		return true
	case tag == "cgo":
		return ts.cgo
	case tag == "unix":
		return unixOS[ts.goos]
	case tag == "linux":
		return ts.goos == "android"
	case tag == "solaris":
		return ts.goos == "illumos"
	case tag == "darwin":
		return ts.goos == "ios"
	case strings.HasPrefix(tag, "go1."):
		n, err := strconv.Atoi(tag[len("go1."):])
		return err == nil && n >= 1 && n <= ts.release
	}
	return false
}

// matchCond evaluates a #cgo line's condition as go/build's matchAuto
// does: `linux,!arm darwin` in the +build syntax, or an expression.
func (ts tagSet) matchCond(cond string) bool {
	if strings.TrimSpace(cond) == "" {
		return true
	}
	line := "// +build " + cond
	if strings.ContainsAny(cond, "&|()") {
		line = "//go:build " + cond
	}
	x, err := constraint.Parse(line)
	if err != nil {
		return false // go/build rejects the line too
	}
	return x.Eval(ts.match)
}

// goListFlags is go list's merged list of a directive verb.
func goListFlags(lp *listPackage, verb string) []string {
	switch verb {
	case "CPPFLAGS":
		return lp.CgoCPPFLAGS
	case "CFLAGS":
		return lp.CgoCFLAGS
	case "CXXFLAGS":
		return lp.CgoCXXFLAGS
	case "FFLAGS":
		return lp.CgoFFLAGS
	case "LDFLAGS":
		return lp.CgoLDFLAGS
	case "pkg-config":
		return lp.CgoPkgConfig
	}
	return nil
}

// appliedDirectives are the #cgo lines go applied to a package: go list
// says which files are cgo files for this build (CgoFiles) and what each
// verb's flags are (CgoCFLAGS, CgoLDFLAGS, CgoPkgConfig, … in file and
// line order); reading the files only finds the line each run of flags
// came from. A line whose condition does not hold for the build, or whose
// arguments are not the next ones in go's list, is not go's.
func appliedDirectives(lp *listPackage, ts tagSet) []Directive {
	next := map[string]int{}
	var out []Directive
	for _, name := range lp.CgoFiles {
		ds, err := ReadDirectives(filepath.Join(lp.Dir, name))
		if err != nil {
			continue
		}
		for _, d := range ds {
			if !ts.matchCond(d.Condition) {
				continue
			}
			list := goListFlags(lp, d.Verb)
			i := next[d.Verb]
			if i+len(d.Args) > len(list) || !sameArgs(d.Args, list[i:i+len(d.Args)], lp.Dir) {
				continue
			}
			next[d.Verb] = i + len(d.Args)
			out = append(out, d)
		}
	}
	return out
}

// sameArgs compares a #cgo line's arguments with go list's, which has
// ${SRCDIR} expanded and relative -I/-L paths made absolute.
func sameArgs(file, listed []string, dir string) bool {
	for i, a := range file {
		b := listed[i]
		if a == b {
			continue
		}
		e := strings.ReplaceAll(a, "${SRCDIR}", dir)
		if e == b || expandDirectiveArg(a, dir) == b {
			continue
		}
		if len(e) > 2 && len(b) > 2 && e[:2] == b[:2] && (e[:2] == "-I" || e[:2] == "-L") {
			p := e[2:]
			if !filepath.IsAbs(p) {
				p = filepath.Join(dir, p)
			}
			if filepath.Clean(p) == filepath.Clean(b[2:]) {
				continue
			}
		}
		return false
	}
	return true
}
