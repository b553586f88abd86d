package trace

import (
	"path/filepath"

	"github.com/google/shlex"
	"strconv"
	"strings"
)

// provenanceFlag reports whether a C flag is one whose origin matters.
func provenanceFlag(a string) bool {
	for _, p := range []string{"-I", "-L", "-l", "-D", "-Wl,", "-framework", "-isystem", "-pthread", "-static"} {
		if strings.HasPrefix(a, p) {
			return true
		}
	}
	return false
}

// flagProvenance maps every -I -L -l -D -Wl, -framework flag of the
// package's failed step (or, for a healthy package, its last C compile and
// the host link) to where it came from: a #cgo line, a pkg-config package,
// a CGO_* environment variable, or go itself.
func (a *analysis) flagProvenance(p *Package) {
	var steps []*Step
	for i := range p.Steps {
		s := &p.Steps[i]
		if s.Failed && (s.Kind == KindCCCompile || s.Kind == KindHostLink || s.Kind == KindCCLink || s.Kind == KindCgo) {
			steps = append(steps, s)
		}
	}
	if len(steps) == 0 {
		for i := len(p.Steps) - 1; i >= 0; i-- {
			if p.Steps[i].Kind == KindCCCompile || p.Steps[i].Kind == KindHostLink {
				steps = append(steps, &p.Steps[i])
				break
			}
		}
	}
	seen := map[string]bool{}
	for _, s := range steps {
		stage := "compile"
		if s.Kind == KindHostLink || s.Kind == KindCCLink {
			stage = "link"
		}
		if s.Kind == KindCgo {
			// cgo's -ldflags are the package's LDFLAGS (for the
			// _cgo_.o link), the flags after -- its C flags.
			ld, cc := cgoFlags(s.Argv)
			a.stepFlags(p, s, ld, "link", seen)
			a.stepFlags(p, s, cc, "compile", seen)
			continue
		}
		a.stepFlags(p, s, s.Argv, stage, seen)
	}
}

// stepFlags adds the origins of the flags of argv (argv[0] the program),
// of step s, at stage.
func (a *analysis) stepFlags(p *Package, s *Step, argv []string, stage string, seen map[string]bool) {
	for i, arg := range argv {
		if i == 0 || !provenanceFlag(arg) {
			continue
		}
		if (arg == "-I" || arg == "-L") && i+1 < len(argv) {
			arg += argv[i+1]
		}
		key := stage + "\x00" + arg
		if seen[key] || strings.HasPrefix(arg, "-D"+nonceMacro) {
			continue
		}
		seen[key] = true
		origin, detail := a.originOf(p, arg, stage)
		if origin == OriginUnknown && strings.HasPrefix(arg, "-I") && s.Dir != "" && filepath.Clean(arg[2:]) == filepath.Clean(s.Dir) {
			origin, detail = OriginGo, "go build (the package and work directories)"
		}
		p.Flags = append(p.Flags, Flag{Flag: arg, Stage: stage, Origin: origin, Detail: detail})
	}
}

// cgoFlags unpacks cgo's -ldflags="..." argument (ld) and the C flags
// after -- (cc), each after a "cgo" program name.
func cgoFlags(argv []string) (ld, cc []string) {
	ld, cc = []string{"cgo"}, []string{"cgo"}
	after := false
	for _, a := range argv {
		if a == "--" {
			after = true
			continue
		}
		if v, ok := strings.CutPrefix(a, "-ldflags="); ok {
			ld = append(ld, splitCgoLdflags(v)...)
			continue
		}
		if after && !strings.HasSuffix(a, ".go") {
			cc = append(cc, a)
		}
	}
	return ld, cc
}

// splitCgoLdflags splits the second quoting level of cgo's -ldflags
// (each flag Go-quoted, joined with spaces).
func splitCgoLdflags(v string) []string {
	var out []string
	for _, w := range strings.Fields(v) {
		out = append(out, strings.Trim(w, `"`))
	}
	return out
}

func (a *analysis) originOf(p *Package, flag, stage string) (origin, detail string) {
	// A package's compile flags are its own #cgo lines'; the host link
	// carries every cgo package's LDFLAGS, the failed package's first.
	pkgs := []*Package{p}
	if stage == "link" {
		for _, q := range a.rep.Packages {
			if q != p {
				pkgs = append(pkgs, q)
			}
		}
	}
	for _, q := range pkgs {
		for _, d := range q.Directives {
			verbStage := "compile"
			if strings.EqualFold(d.Verb, "LDFLAGS") {
				verbStage = "link"
			}
			if d.Verb == "pkg-config" || verbStage != stage {
				continue
			}
			for _, arg := range d.Args {
				if arg == flag || expandDirectiveArg(arg, q.Dir) == flag || sameArgs([]string{arg}, []string{flag}, q.Dir) {
					return OriginDirective, directiveRef(p, q, d)
				}
			}
		}
	}
	for _, q := range pkgs {
		for _, c := range q.PkgConfig {
			if (stage == "link") != (len(c.Argv) > 1 && c.Argv[1] == "--libs") {
				continue
			}
			for _, w := range strings.Fields(c.Stdout) {
				if w == flag {
					return OriginPkgConfig, strings.Join(pkgConfigPackages(c.Argv), " ")
				}
			}
		}
	}
	envs := []string{"CGO_CPPFLAGS", "CGO_CFLAGS", "CGO_CXXFLAGS"}
	if stage == "link" {
		envs = []string{"CGO_LDFLAGS"}
	}
	for _, name := range envs {
		v, ok := envValue(a.o.Env, name)
		if !ok {
			continue
		}
		for _, w := range strings.Fields(v) {
			if w == flag {
				return OriginEnv, name
			}
		}
	}
	if stage == "link" {
		if where, ok := a.extldflag(flag); ok {
			return OriginGo, where
		}
	}
	switch {
	case strings.HasPrefix(flag, "-I") && (strings.Contains(flag, "$WORK") || strings.Contains(flag, "go-build") || filepath.Clean(flag[2:]) == filepath.Clean(p.Dir)):
		return OriginGo, "go build (the package and work directories)"
	case flag == "-pthread", flag == "-Wl,--no-gc-sections":
		return OriginGo, "go build (GOGCCFLAGS)"
	case flag == "-lpthread":
		return OriginGo, "runtime/cgo's #cgo LDFLAGS"
	case stage == "link" && cmdLinkFlag(flag):
		return OriginGo, "cmd/link"
	}
	if v := a.goCgoFlags("CGO_LDFLAGS"); stage == "link" && containsWord(v, flag) {
		return OriginEnv, "CGO_LDFLAGS (go env)"
	}
	if v := a.goCgoFlags("CGO_CFLAGS"); stage == "compile" && containsWord(v, flag) {
		return OriginEnv, "CGO_CFLAGS (go env)"
	}
	return OriginUnknown, ""
}

// goCgoFlags is the value go build gives the cgo variable name
// (CGO_CFLAGS, CGO_LDFLAGS, ...), as cmd/go's envList(name,
// DefaultCFlags) reads it (cmd/go/internal/work/exec.go, cfg.Getenv):
// the environment's, else the go env file's, else GOROOT/go.env's, else
// "-O2 -g" ("" for CGO_CPPFLAGS). Asking go env instead runs the C
// compiler (its GOGCCFLAGS probe, 30 ms on the critical path of a failed
// compile whose -O2 -g a #cgo line does not account for).
func (a *analysis) goCgoFlags(name string) string {
	if v, ok := envValue(a.o.Env, name); ok && v != "" {
		return v
	}
	if file := goEnvFilePath(a.o.Env); file != "" {
		if v := goEnvFileValue(file, name); v != "" {
			return v
		}
	}
	if root := a.goEnv["GOROOT"]; root != "" {
		if v := goEnvFileValue(filepath.Join(root, "go.env"), name); v != "" {
			return v
		}
	}
	if name == "CGO_CPPFLAGS" {
		return ""
	}
	return "-O2 -g"
}

// directiveRef is a #cgo line as a flag's detail: file:line in the
// flag's own package, import/path/file:line in another.
func directiveRef(own, q *Package, d Directive) string {
	ref := d.File + ":" + strconv.Itoa(d.Line)
	if q != own {
		ref = q.ImportPath + "/" + ref
	}
	return ref
}

// cmdLinkFlag reports whether cmd/link puts flag on the host link of its
// own accord (cmd/link/internal/ld/lib.go hostlink): the build ID, the
// exported cgo symbols, debug compression, and the build mode's flags.
func cmdLinkFlag(flag string) bool {
	for _, p := range []string{"-Wl,--build-id", "-Wl,--export-dynamic-symbol", "-Wl,--compress-debug-sections",
		"-Wl,-z,", "-Wl,-Bsymbolic", "-Wl,--dynamic-linker", "-Wl,-headerpad", "-Wl,-rpath,$ORIGIN",
		"-Wl,--start-group", "-Wl,--end-group", "-Wl,-soname", "-Wl,--enable-new-dtags", "-Wl,--hash-style"} {
		if strings.HasPrefix(flag, p) {
			return true
		}
	}
	return false
}

// extldflag tells whether a host link flag is one of the user's
// -ldflags=-extldflags=... words (the command line's -ldflags, else
// GOFLAGS'), and says where it was given.
func (a *analysis) extldflag(flag string) (string, bool) {
	where := "-ldflags=-extldflags (go build command line)"
	ldflags := ""
	flags, _ := scanGoArgs(a.o.Args)
	if f, ok := lastFlag(flags, "ldflags"); ok {
		ldflags = f.Value
	} else {
		gf, _ := scanGoArgs(strings.Fields(a.goEnv["GOFLAGS"]))
		f, ok := lastFlag(gf, "ldflags")
		if !ok {
			return "", false
		}
		ldflags, where = f.Value, "-ldflags=-extldflags (GOFLAGS)"
	}
	for _, w := range extldflags(ldflags) {
		if w == flag {
			return where, true
		}
	}
	return "", false
}

// extldflags are the words of the -extldflags of a go build -ldflags
// value ("-s -extldflags '-static -lm'", or the pattern form
// "all=-extldflags=-static").
func extldflags(ldflags string) []string {
	if ldflags != "" && ldflags[0] != '-' {
		if _, v, ok := strings.Cut(ldflags, "="); ok {
			ldflags = v
		}
	}
	words, err := shlex.Split(ldflags)
	if err != nil {
		words = strings.Fields(ldflags)
	}
	var out []string
	for i := 0; i < len(words); i++ {
		w := strings.TrimPrefix(words[i], "-")
		w = strings.TrimPrefix(w, "-")
		var v string
		switch {
		case strings.HasPrefix(w, "extldflags="):
			v = w[len("extldflags="):]
		case w == "extldflags" && i+1 < len(words):
			i++
			v = words[i]
		default:
			continue
		}
		vs, err := shlex.Split(v)
		if err != nil {
			vs = strings.Fields(v)
		}
		out = vs // a later -extldflags replaces an earlier one
	}
	return out
}

func containsWord(s, w string) bool {
	for _, f := range strings.Fields(s) {
		if f == w {
			return true
		}
	}
	return false
}

// pkgConfigPackages are the package names of a pkg-config argv (after --).
func pkgConfigPackages(argv []string) []string {
	for i, a := range argv {
		if a == "--" {
			return argv[i+1:]
		}
	}
	var out []string
	for _, a := range argv[1:] {
		if !strings.HasPrefix(a, "-") {
			out = append(out, a)
		}
	}
	return out
}

// attachPkgConfig gives each package the pkg-config calls the shim saw.
func (a *analysis) attachPkgConfig(calls map[string][]PkgConfigCall) {
	for _, p := range a.rep.Packages {
		p.PkgConfig = append(p.PkgConfig, calls[p.ImportPath]...)
	}
}
