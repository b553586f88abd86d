package envcheck

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// CgoState is the effective CGO_ENABLED and how go arrived at it.
type CgoState struct {
	// Enabled is go env CGO_ENABLED == "1".
	Enabled bool `json:"enabled"`
	// Value is what go env CGO_ENABLED printed.
	Value string `json:"value"`
	// Raw is CGO_ENABLED as the user set it ("" when unset); Origin where.
	Raw    string `json:"raw,omitempty"`
	Origin string `json:"origin,omitempty"`
	// Explicit is true when Raw is "0" or "1", the only values go reads.
	Explicit bool `json:"explicit"`
	// ImpliedOff says why go turned cgo off by itself, "" if it did not.
	ImpliedOff string `json:"implied_off,omitempty"`
	// Cross is true when GOOS/GOARCH differ from the host's.
	Cross bool `json:"cross"`
}

// DecideCgo explains go env CGO_ENABLED with the rule of cmd/go
// (internal/cfg): an explicit 0 or 1 wins; otherwise a cross build has
// cgo off, and a native build has it off when CC is unset and the default
// compiler is not on PATH.
func DecideCgo(env *Env, ge GoEnv) CgoState {
	st := CgoState{Value: ge["CGO_ENABLED"], Enabled: ge["CGO_ENABLED"] == "1"}
	st.Raw, _ = env.Lookup("CGO_ENABLED")
	st.Origin = env.Origin("CGO_ENABLED")
	st.Explicit = st.Raw == "0" || st.Raw == "1"
	st.Cross = ge["GOOS"] != ge["GOHOSTOS"] || ge["GOARCH"] != ge["GOHOSTARCH"]
	if st.Explicit || st.Enabled {
		return st
	}
	switch {
	case st.Cross:
		st.ImpliedOff = fmt.Sprintf("cross-compiling (%s/%s on a %s/%s host): go turns cgo off unless CGO_ENABLED=1 is set, even when CC is set",
			ge["GOOS"], ge["GOARCH"], ge["GOHOSTOS"], ge["GOHOSTARCH"])
	case env.OSEnv("CC") == "":
		cc := defaultCC(ge["GOOS"])
		if _, err := LookPath(cc, env.OSEnv("PATH")); err != nil {
			st.ImpliedOff = fmt.Sprintf("no C compiler: CC is unset and the default %q is not on PATH", cc)
		}
	}
	if st.ImpliedOff == "" {
		st.ImpliedOff = "cgo is not supported on " + ge["GOOS"] + "/" + ge["GOARCH"]
	}
	return st
}

// defaultCC is cmd/go's default C compiler for goos.
func defaultCC(goos string) string {
	switch goos {
	case "darwin", "ios", "freebsd", "openbsd":
		return "clang"
	}
	return "gcc"
}

func defaultCXX(goos string) string {
	switch goos {
	case "darwin", "ios", "freebsd", "openbsd":
		return "clang++"
	}
	return "g++"
}

// CheckCgoEnabled turns a CgoState into the cgo-enabled check.
func CheckCgoEnabled(st CgoState) Check {
	c := Check{ID: "cgo-enabled"}
	why := "with cgo off, packages that import \"C\" are excluded from the build (\"build constraints exclude all Go files\"), net and os/user switch to their pure-Go versions, and -race, plugins and c-shared/c-archive do not work"
	switch {
	case st.Raw != "" && !st.Explicit:
		c.Verdict = Warn
		c.Observed = fmt.Sprintf("%s (CGO_ENABLED=%q from %s is not 0 or 1: go ignores it and uses its default)", st.Value, st.Raw, st.Origin)
		c.Why = "go reads only CGO_ENABLED=0 or 1; any other value is the same as unset, which is easy to misread"
		c.Fix = "set CGO_ENABLED=1 or CGO_ENABLED=0 explicitly"
		if !st.Enabled && st.ImpliedOff != "" {
			c.Details = []string{"go turned cgo off: " + st.ImpliedOff}
		}
	case st.Explicit && !st.Enabled:
		c.Verdict = Warn
		c.Observed = "0 (set explicitly in the " + st.Origin + ")"
		c.Why = why
		c.Fix = "unset CGO_ENABLED (or set CGO_ENABLED=1) to build cgo packages"
	case st.Explicit:
		c.Verdict = OK
		c.Observed = "1 (set explicitly in the " + st.Origin + ")"
	case st.Enabled:
		c.Verdict = OK
		c.Observed = "1 (default)"
	default:
		c.Verdict = Warn
		c.Observed = "0 (implied: " + st.ImpliedOff + ")"
		c.Why = why
		switch {
		case st.Cross:
			c.Fix = "for a cgo cross build set CGO_ENABLED=1 and CC to a cross compiler for the target (e.g. CC=aarch64-linux-gnu-gcc); see cgotrace env --target"
		default:
			c.Fix = "install a C compiler (Debian/Ubuntu: apt-get install gcc) or set CC to one, then CGO_ENABLED=1"
		}
	}
	return c
}

// Compiler is what is known of CC or CXX.
type Compiler struct {
	// Var is "CC" or "CXX"; Value its go env value; Explicit whether the
	// user set it.
	Var      string `json:"var"`
	Value    string `json:"value"`
	Explicit bool   `json:"explicit"`
	// Path is the executable Value names, "" when not found (LookErr).
	Path    string `json:"path,omitempty"`
	LookErr string `json:"look_error,omitempty"`
	// Args are the words after the executable in Value (e.g. "zig cc").
	Args []string `json:"args,omitempty"`
	// Version is the first line of --version; Triple -dumpmachine.
	Version string `json:"version,omitempty"`
	Triple  string `json:"triple,omitempty"`
	// ProbeErr is set when the test program did not compile and link.
	Probed   bool   `json:"probed"`
	ProbeErr string `json:"probe_error,omitempty"`
	// Package names the package that ships the program when it is not
	// found (Options.ProgramPackage), "" when unknown.
	Package string `json:"package,omitempty"`
}

// ProbeOptions say how to probe a compiler.
type ProbeOptions struct {
	Runner Runner
	// Env is the environment the compiler runs with; PATH is read from it.
	Env []string
	// GOOS, GOARCH select the -m64/-m32/-marm flags go adds.
	GOOS, GOARCH string
	// Lang is "c" or "c++".
	Lang string
	// Flags are the CGO_CPPFLAGS + CGO_CFLAGS (or CXXFLAGS) words and
	// LDFlags CGO_LDFLAGS, added to the probe as go would.
	Flags, LDFlags []string
	// Compile, when true, really compiles and links a one-line program in
	// a temporary directory.
	Compile bool
}

// ProbeCompiler finds and runs the compiler named by value (a command line,
// as in CC="ccache gcc"): its path, --version, -dumpmachine and, with
// o.Compile, a real compile and link. The three runs are concurrent.
func ProbeCompiler(ctx context.Context, varName, value string, explicit bool, o ProbeOptions) Compiler {
	c := Compiler{Var: varName, Value: value, Explicit: explicit}
	words, err := SplitQuoted(value)
	if err != nil || len(words) == 0 {
		c.LookErr = fmt.Sprintf("%s=%q: cannot split into a command", varName, value)
		return c
	}
	c.Args = words[1:]
	p, err := LookPath(words[0], envGet(o.Env, "PATH"))
	if err != nil {
		c.LookErr = err.Error()
		return c
	}
	c.Path = p
	if o.Runner == nil {
		o.Runner = ExecRunner{}
	}
	run := func(args ...string) (string, string, error) {
		out, errb, err := o.Runner.Run(ctx, Command{Env: o.Env, Path: p, Args: append(append([]string{}, c.Args...), args...)})
		return string(out), string(errb), err
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		if out, _, err := run("--version"); err == nil {
			c.Version = firstLine(out)
		}
	})
	wg.Go(func() {
		if out, _, err := run("-dumpmachine"); err == nil {
			c.Triple = firstLine(out)
		}
	})
	if o.Compile {
		wg.Go(func() {
			c.Probed = true
			if err := compileProbe(ctx, o, p, c.Args); err != nil {
				c.ProbeErr = err.Error()
			}
		})
	}
	wg.Wait()
	return c
}

func envGet(env []string, k string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], k+"="); ok {
			return v
		}
	}
	return ""
}

// ArchArgs are the machine flags go passes to the C compiler
// (cmd/go/internal/work gccArchArgs).
func ArchArgs(goos, goarch string) []string {
	switch goarch {
	case "386":
		return []string{"-m32"}
	case "amd64":
		if goos == "darwin" {
			return []string{"-arch", "x86_64", "-m64"}
		}
		return []string{"-m64"}
	case "arm64":
		if goos == "darwin" {
			return []string{"-arch", "arm64"}
		}
	case "arm":
		return []string{"-marm"}
	case "s390x":
		return []string{"-m64", "-march=z13"}
	case "mips64", "mips64le":
		return []string{"-mabi=64"}
	case "mips", "mipsle":
		return []string{"-mabi=32"}
	case "ppc64":
		if goos == "aix" {
			return []string{"-maix64"}
		}
	}
	return nil
}

func compileProbe(ctx context.Context, o ProbeOptions, path string, pre []string) error {
	dir, err := os.MkdirTemp("", "cgotrace-env-cc-")
	if err != nil {
		return fmt.Errorf("temporary directory: %w", err)
	}
	defer os.RemoveAll(dir)
	src, prog := "probe.c", "int main(void) { return 0; }\n"
	if o.Lang == "c++" {
		src, prog = "probe.cc", "#include <cstdio>\nint main() { std::puts(\"\"); return 0; }\n"
	}
	if err := os.WriteFile(filepath.Join(dir, src), []byte(prog), 0o644); err != nil {
		return fmt.Errorf("write probe source: %w", err)
	}
	args := append([]string{}, pre...)
	args = append(args, ArchArgs(o.GOOS, o.GOARCH)...)
	args = append(args, o.Flags...)
	args = append(args, "-o", "probe", src)
	args = append(args, o.LDFlags...)
	_, errb, err := o.Runner.Run(ctx, Command{Dir: dir, Env: o.Env, Path: path, Args: args})
	if err != nil {
		return fmt.Errorf("%s %s: %s", path, strings.Join(args, " "), errText(string(errb), err))
	}
	return nil
}

// checkCgo runs CGO_ENABLED, CC, CXX and the CGO_* flag checks.
func (s *state) checkCgo(ctx context.Context) []Check {
	st := DecideCgo(s.env, s.goenv)
	out := []Check{CheckCgoEnabled(st)}

	goos, goarch := s.goenv["GOOS"], s.goenv["GOARCH"]
	flags := map[string][]string{}
	var flagChecks []Check
	for _, v := range []string{"CGO_CPPFLAGS", "CGO_CFLAGS", "CGO_CXXFLAGS", "CGO_FFLAGS", "CGO_LDFLAGS"} {
		c, words := CheckCgoFlags(v, s.goenv[v], s.dir)
		flags[v] = words
		flagChecks = append(flagChecks, c)
	}
	cat := func(a, b []string) []string { return append(append([]string{}, a...), b...) }
	var cc, cxx Compiler
	var wg sync.WaitGroup
	wg.Go(func() {
		_, exp := s.env.Lookup("CC")
		cc = ProbeCompiler(ctx, "CC", s.goenv["CC"], exp, ProbeOptions{
			Runner: s.runner, Env: s.env.List(), GOOS: goos, GOARCH: goarch, Lang: "c",
			Flags: cat(flags["CGO_CPPFLAGS"], flags["CGO_CFLAGS"]), LDFlags: flags["CGO_LDFLAGS"], Compile: !s.opts.NoCompile,
		})
	})
	wg.Go(func() {
		_, exp := s.env.Lookup("CXX")
		cxx = ProbeCompiler(ctx, "CXX", s.goenv["CXX"], exp, ProbeOptions{
			Runner: s.runner, Env: s.env.List(), GOOS: goos, GOARCH: goarch, Lang: "c++",
			Flags: cat(flags["CGO_CPPFLAGS"], flags["CGO_CXXFLAGS"]), LDFlags: flags["CGO_LDFLAGS"], Compile: !s.opts.NoCompile,
		})
	})
	wg.Wait()
	if s.opts.ProgramPackage != nil {
		for _, c := range []*Compiler{&cc, &cxx} {
			if words := strings.Fields(c.Value); c.Path == "" && len(words) > 0 {
				c.Package = s.opts.ProgramPackage(filepath.Base(words[0]))
			}
		}
	}
	out = append(out, CheckCompiler(cc, st, goos, goarch)...)
	out = append(out, CheckCompiler(cxx, st, goos, goarch)...)
	return append(out, flagChecks...)
}

// CheckCompiler turns a probed compiler into its checks: found (id "cc" or
// "cxx"), target ("cc-target") and compile ("cc-compile"). A C++ problem is
// a warning: only packages with C++ files need CXX. With cgo off, C
// problems are warnings too.
func CheckCompiler(c Compiler, st CgoState, goos, goarch string) []Check {
	id := strings.ToLower(c.Var)
	severe := Fail
	if c.Var == "CXX" || !st.Enabled {
		severe = Warn
	}
	found := Check{ID: id}
	origin := "default"
	if c.Explicit {
		origin = "set"
	}
	if c.Path == "" {
		found.Verdict = severe
		found.Observed = fmt.Sprintf("%s=%q (%s): not found", c.Var, c.Value, origin)
		found.Details = []string{c.LookErr}
		switch {
		case c.Var == "CXX":
			found.Why = "packages with C++ files (.cc, .cpp, .cxx) compile them with CXX"
		case st.Enabled:
			found.Why = "cgo is on, so every package that imports \"C\" (and runtime/cgo, which net and os/user use) runs CC: go build fails with \"cgo: C compiler \\\"" + c.Value + "\\\" not found\""
		default:
			found.Why = "cgo is off, so CC is not needed now; it is as soon as CGO_ENABLED=1"
		}
		switch {
		case c.Package != "":
			// A cross or versioned compiler: the package of that very
			// program, not the system's gcc.
			prog := c.Value
			if w := strings.Fields(c.Value); len(w) > 0 {
				prog = filepath.Base(w[0])
			}
			found.Fix = fmt.Sprintf("install the package that ships %s (%s), or point %s at an installed compiler", prog, c.Package, c.Var)
		case c.Explicit:
			found.Fix = fmt.Sprintf("point %s at an installed compiler (e.g. %s=%s) or unset it to use the default", c.Var, c.Var, defaultName(c.Var, goos))
		default:
			found.Fix = "install one (Debian/Ubuntu: apt-get install " + map[string]string{"CC": "gcc", "CXX": "g++"}[c.Var] + ") or set " + c.Var + " to a compiler"
		}
		return []Check{found}
	}
	found.Verdict = OK
	found.Observed = c.Path
	if len(c.Args) > 0 {
		found.Observed += " " + strings.Join(c.Args, " ")
	}
	if c.Version != "" {
		found.Observed += ": " + c.Version
	}
	out := []Check{found}

	tc := Check{ID: id + "-target"}
	tos, tarch, ok := ParseTriple(c.Triple)
	switch {
	case c.Triple == "":
		tc.Verdict, tc.Observed = Warn, "unknown ("+c.Var+" -dumpmachine printed nothing)"
		tc.Why = "cannot tell which machine " + c.Var + " compiles for"
	case !ok:
		tc.Verdict, tc.Observed = Warn, c.Triple+" (not understood)"
	case TargetMatches(tos, tarch, goos, goarch):
		tc.Verdict, tc.Observed = OK, fmt.Sprintf("%s matches %s/%s", c.Triple, goos, goarch)
	default:
		tc.Verdict = severe
		tc.Observed = fmt.Sprintf("%s (%s/%s), but GOOS/GOARCH is %s/%s", c.Triple, tos, tarch, goos, goarch)
		tc.Why = c.Var + " builds for another machine than go: objects of the wrong architecture make the link fail (\"file in wrong format\", \"incompatible\" or unknown -m flags)"
		cand := CrossCompilerNames(goos, goarch)
		if len(cand) > 0 {
			tc.Fix = fmt.Sprintf("set %s to a compiler for %s/%s, e.g. %s=%s", c.Var, goos, goarch, c.Var, cand[0])
			if c.Var == "CXX" {
				tc.Fix = fmt.Sprintf("set %s to a compiler for %s/%s, e.g. %s=%s", c.Var, goos, goarch, c.Var, strings.TrimSuffix(cand[0], "gcc")+"g++")
			}
		} else {
			tc.Fix = fmt.Sprintf("set %s to a compiler for %s/%s", c.Var, goos, goarch)
		}
	}
	out = append(out, tc)

	if c.Probed {
		pc := Check{ID: id + "-compile"}
		lang := map[string]string{"CC": "C", "CXX": "C++"}[c.Var]
		if c.ProbeErr != "" {
			pc.Verdict = severe
			pc.Observed = "a one-line " + lang + " program does not compile and link"
			pc.Details = strings.Split(c.ProbeErr, "\n")
			pc.Why = "go build runs the same compiler and linker with the same CGO_* flags; what fails here fails in every cgo package"
			// libstdc++'s development package is gcc's own, one per gcc
			// version (Debian: libstdc++-12-dev is gcc 12's): no version
			// is named that this machine's gcc may not be.
			pc.Fix = "fix the error above: a missing C library development package (Debian: libc6-dev), or a bad flag in CGO_CFLAGS/CGO_LDFLAGS"
			if c.Var == "CXX" {
				pc.Fix = "fix the error above: a missing C or C++ library development package (Debian: libc6-dev, and the libstdc++-N-dev of the gcc N that links, as gcc -dumpversion prints N), or a bad flag in CGO_CXXFLAGS/CGO_LDFLAGS"
			}
		} else {
			pc.Verdict = OK
			pc.Observed = "a one-line " + lang + " program compiles and links with the CGO_* flags"
		}
		out = append(out, pc)
	}
	return out
}

func defaultName(v, goos string) string {
	if v == "CXX" {
		return defaultCXX(goos)
	}
	return defaultCC(goos)
}

// dirFlags are the compiler and linker options whose argument is a
// directory.
var dirFlags = []string{"-isystem", "-iquote", "-idirafter", "-I", "-L", "-F", "--sysroot="}

// CheckCgoFlags shows one CGO_*FLAGS variable and flags relative and
// missing directories in it. wd is the directory of the build (for the
// absolute path in the fix). It also returns the split words.
//
// cmd/go's flag allow-list applies to #cgo lines and pkg-config output,
// not to these variables: nothing here is reported as rejected.
func CheckCgoFlags(name, value, wd string) (Check, []string) {
	c := Check{ID: strings.ToLower(strings.ReplaceAll(name, "_", "-")), Verdict: OK, Observed: value}
	if value == "" {
		c.Observed = "(empty)"
		return c, nil
	}
	words, err := SplitQuoted(value)
	if err != nil {
		c.Verdict = Fail
		c.Why = "go cannot split " + name + ": " + err.Error()
		c.Fix = "fix the quoting in " + name
		return c, nil
	}
	var relative, missing []string
	fixed := append([]string{}, words...)
	for i := 0; i < len(words); i++ {
		w := words[i]
		for _, f := range dirFlags {
			if !strings.HasPrefix(w, f) {
				continue
			}
			dir := strings.TrimPrefix(w, f)
			at, prefix := i, f
			if dir == "" && !strings.HasSuffix(f, "=") {
				if i+1 >= len(words) {
					break
				}
				dir, at, prefix = words[i+1], i+1, ""
				i++
			}
			if dir == "" {
				break
			}
			if !filepath.IsAbs(dir) {
				relative = append(relative, f+" "+dir)
				fixed[at] = prefix + filepath.Join(wd, dir)
			} else if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
				missing = append(missing, f+" "+dir)
			}
			break
		}
	}
	switch {
	case len(relative) > 0:
		c.Verdict = Fail
		c.Details = append(c.Details, "relative: "+strings.Join(relative, ", "))
		c.Why = "go build runs the C compiler in the package directory for some steps and in its temporary work directory for others, so a relative path resolves for some files and not others (and differently in every package): headers or libraries are found in one step and \"not found\" in the next"
		c.Fix = fmt.Sprintf("use absolute paths: %s=%q", name, strings.Join(fixed, " "))
	case len(missing) > 0:
		c.Verdict = Warn
		c.Why = "the compiler silently skips a -I or -L directory that does not exist; the header or library is then reported missing"
		c.Fix = "create the directories or remove them from " + name
	}
	if len(missing) > 0 {
		c.Details = append(c.Details, "does not exist: "+strings.Join(missing, ", "))
	}
	return c, words
}
