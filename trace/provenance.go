package trace

import (
	"path/filepath"
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
		argv := s.Argv
		if s.Kind == KindCgo {
			argv = cgoFlags(argv)
		}
		for i, arg := range argv {
			if i == 0 || !provenanceFlag(arg) {
				continue
			}
			if (arg == "-I" || arg == "-L") && i+1 < len(argv) {
				arg += argv[i+1]
			}
			key := stage + "\x00" + arg
			if seen[key] {
				continue
			}
			seen[key] = true
			origin, detail := a.originOf(p, arg, stage)
			p.Flags = append(p.Flags, Flag{Flag: arg, Stage: stage, Origin: origin, Detail: detail})
		}
	}
}

// cgoFlags unpacks cgo's -ldflags="..." argument and the C flags after --.
func cgoFlags(argv []string) []string {
	var out []string
	after := false
	for _, a := range argv {
		if a == "--" {
			after = true
			continue
		}
		if v, ok := strings.CutPrefix(a, "-ldflags="); ok {
			out = append(out, splitCgoLdflags(v)...)
			continue
		}
		if after && !strings.HasSuffix(a, ".go") {
			out = append(out, a)
		}
	}
	return append([]string{"cgo"}, out...)
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
	for _, d := range p.Directives {
		verbStage := "compile"
		if strings.EqualFold(d.Verb, "LDFLAGS") {
			verbStage = "link"
		}
		if d.Verb == "pkg-config" || verbStage != stage {
			continue
		}
		for _, arg := range d.Args {
			if arg == flag || expandDirectiveArg(arg, p.Dir) == flag {
				return OriginDirective, d.File + ":" + strconv.Itoa(d.Line)
			}
		}
	}
	for _, c := range p.PkgConfig {
		for _, w := range strings.Fields(c.Stdout) {
			if w == flag {
				return OriginPkgConfig, strings.Join(pkgConfigPackages(c.Argv), " ")
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
	switch {
	case strings.HasPrefix(flag, "-I") && (strings.Contains(flag, "$WORK") || strings.Contains(flag, "go-build") || filepath.Clean(flag[2:]) == filepath.Clean(p.Dir)),
		flag == "-pthread", flag == "-lpthread", strings.HasPrefix(flag, "-Wl,--build-id"),
		strings.HasPrefix(flag, "-Wl,--export-dynamic-symbol"), strings.HasPrefix(flag, "-Wl,--compress-debug-sections"),
		strings.HasPrefix(flag, "-Wl,--no-gc-sections"), strings.HasPrefix(flag, "-Wl,-z,"), flag == "-Wl,-Bsymbolic":
		return OriginGo, "go build / cmd/link"
	}
	if v := a.goEnv["CGO_LDFLAGS"]; stage == "link" && containsWord(v, flag) {
		return OriginEnv, "CGO_LDFLAGS (go env)"
	}
	if v := a.goEnv["CGO_CFLAGS"]; stage == "compile" && containsWord(v, flag) {
		return OriginEnv, "CGO_CFLAGS (go env)"
	}
	return OriginUnknown, ""
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
