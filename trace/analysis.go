package trace

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/cgotrace/cgotrace/buildlog"
	"github.com/cgotrace/cgotrace/elfinspect"
	"github.com/cgotrace/cgotrace/pkgconfig"
	"github.com/cgotrace/cgotrace/trace/diag"
)

// analysis turns a finished build into the report.
type analysis struct {
	o     *BuildOptions
	goEnv GoEnv
	// ccTarget is `$CC -dumpmachine`, asked only after a failure (the
	// cross-compiler rule needs it; a successful build does not).
	ccTarget string
	// ccSpec is the `$CC -dumpmachine` run started with go env.
	ccSpec *speculativeCCTarget
	env    []string
	log    *buildlog.Log
	// extra is what reading the log as a stream counted instead of
	// keeping (nil for a log kept whole).
	extra *logExtra
	rep   *Report
	shim  *buildShim
	// forensic is the log of the forensic rebuild, when one ran.
	forensic *buildlog.Log
	// inspector inspects the build's output; Build prefetches its
	// ld.so.cache while go build runs.
	inspector *elfinspect.Inspector
	// spec is the output file inspected before go build ran.
	spec *speculation
	// listed is go list's run, started when go build failed.
	listed *pendingList
	// cgoVars is go env's answer for goEnvCgoVars, asked by cgoVar on
	// first use.
	cgoVars  GoEnv
	cgoVarsO sync.Once
	ctx      context.Context
	// goSaid is what go build printed on the terminal (bounded).
	goSaid string
	// headerReruns are the verbose re-runs of failed #includes.
	headerReruns []headerRerun
	// linkReruns are the linker probes' commands and output.
	linkReruns []string
}

type headerRerun struct{ importPath, step, text string }

// safeRun is run with a panic turned into an error.
func (a *analysis) safeRun(ctx context.Context, code int) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error: %v", r)
		}
	}()
	a.run(ctx, code)
	return nil
}

func (a *analysis) run(ctx context.Context, code int) {
	o := a.o
	a.ctx = ctx
	if code != 0 && a.goEnv != nil {
		a.ccTarget = a.ccSpec.ccTargetFor(ctx, o, a.goEnv)
	}
	f := &Facts{GoEnv: a.goEnv, Packages: map[string]*Package{}}
	_, f.CgoExplicit = envValue(o.Env, "CGO_ENABLED")
	a.rep.Toolchain = a.toolchain(ctx)
	f.CCTarget = a.rep.Toolchain.CCTarget

	phase := func(name string, t0 time.Time) {
		o.Log.WithFields(logrus.Fields{"phase": name, "elapsed": time.Since(t0).Round(time.Millisecond)}).Debug("diagnosis")
	}
	var fp *failureProbes
	if code != 0 {
		fp = &failureProbes{}
		f.TableCurrent = tableIsThisRelease(a.osRelease())
		f.Table, f.TableForeign = machineTable(a.osRelease(), runtime.GOOS)
		pf := a.probeFuncs(ctx)
		// The probes start now, alongside go list (see prewarm); the
		// rules' pass below waits for their results.
		prewarmed := make(chan struct{})
		dry := fp.startingFacts(f, pf)
		go func() {
			defer close(prewarmed)
			prewarm(a.log, dry)
		}()
		defer fp.wait()
		t0 := time.Now()
		a.loadPackages(ctx, f)
		phase("go list and #cgo lines", t0)
		if a.listed != nil {
			o.Log.WithFields(logrus.Fields{"took": a.listed.took.Round(time.Millisecond)}).Debug("go list")
		}
		if reason := a.forensicReason(f); !o.NoRerun && reason != "" {
			t0 = time.Now()
			o.Log.WithField("reason", reason).Debug("forensic rebuild")
			a.forensicRebuild(ctx)
			phase("forensic rebuild", t0)
		} else if reason != "" {
			o.Log.WithField("reason", reason).Debug("no rebuild (--no-rerun) although the build log lacks the failed step")
		} else {
			o.Log.Debug("no rebuild: the build log has the failed step")
		}
		f.VendorGap = vendorGapFinder(ctx, o)
		f.Mangled = mangler(a.log)
		fp.waitingFacts(f, pf, func(rerun string) {
			if rerun != "" && !slices.Contains(a.linkReruns, rerun) {
				a.linkReruns = append(a.linkReruns, rerun)
			}
			a.attachRerun(a.linkReruns)
		}, func(rec *buildlog.Record, p *HeaderProbe) {
			if p != nil && rec != nil {
				a.headerReruns = append(a.headerReruns, headerRerun{rec.ImportPath, rec.Step, p.Rerun})
			}
		})
		<-prewarmed
	}

	if f.GoEnv != nil {
		// The rules read PKG_CONFIG (which program a failed step ran):
		// the setting go build saw, as newShim reads it.
		ge := maps.Clone(f.GoEnv)
		ge["PKG_CONFIG"] = pkgConfigSetting(o.Env)
		f.GoEnv = ge
	}
	logs := []*buildlog.Log{a.log}
	extras := []*logExtra{a.extra}
	if a.forensic != nil {
		logs = []*buildlog.Log{a.forensic, a.log}
		extras = []*logExtra{nil, a.extra}
	}
	t0 := time.Now()
	defer func() { phase("rules, probes, inspection", t0) }()
	var ds []diag.Diagnosis
	seenPkg := map[string]bool{}
	for i, l := range logs {
		chain, counted := packagesFromLog(l, extras[i], f.Packages, a.o.AllSteps)
		for _, p := range append(chain, counted...) {
			if i == 0 && a.forensic != nil {
				for j := range p.Steps {
					p.Steps[j].Reconstructed = true
					p.Steps[j].Argv = withoutNonce(p.Steps[j].Argv)
				}
			}
			if !seenPkg[p.ImportPath] {
				seenPkg[p.ImportPath] = true
				a.rep.Packages = append(a.rep.Packages, p)
			}
		}
		for _, d := range Diagnose(l, f) {
			if i == 0 && a.forensic != nil {
				d.Detail = strings.TrimSpace(d.Detail + "\nseen in cgotrace's forensic rebuild: the failed build took this package from the build cache, so go build did not run its cgo steps")
			}
			ds = append(ds, d)
		}
	}
	for _, hr := range a.headerReruns {
		a.attachStepRerun(hr)
	}
	if a.shim != nil {
		a.attachPkgConfig(a.shim.records())
	}
	if code != 0 {
		a.reconstructPkgConfig()
	}
	for _, p := range a.rep.Packages {
		a.flagProvenance(p)
	}
	a.rep.Diagnoses = orderDiagnoses(ds)
	if code == 0 {
		a.inspectOutputs(ctx)
	}
	if o.CacheReport {
		a.rep.Cache = a.cacheReport(ctx)
	}
	if code != 0 && !hasError(a.rep.Diagnoses) {
		if len(a.log.Blocks) == 0 && len(a.log.HostLinks) == 0 && strings.TrimSpace(a.goSaid) != "" {
			// go stopped before building (go build -bogus-flag exits
			// 2): no step failed, and no diagnosis is invented.
			a.rep.Command.Output = strings.TrimSpace(a.goSaid)
		} else if said := goOwnFailure(a.log); said != "" {
			// go itself failed, not a build step (an output path that
			// is a directory): go's own words, no diagnosis.
			a.rep.Command.Output = said
		} else {
			a.rep.Diagnoses = append(a.rep.Diagnoses, a.unexplained(code))
		}
	}
	for i := range a.rep.Packages {
		a.rep.Packages[i].Failed = a.rep.Packages[i].Failed || failedIn(a.log, a.rep.Packages[i].ImportPath)
	}
}

// goOwnFailure returns go's own error lines when they are all that the
// failed build printed (no build step failed: no tool wrote an error, no
// link failed), else "".
func goOwnFailure(l *buildlog.Log) string {
	for _, h := range l.HostLinks {
		if h.Failed {
			return ""
		}
	}
	var said []string
	for _, b := range l.Blocks {
		for _, line := range b.Lines {
			if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "# ") {
				continue
			}
			if !buildlog.GoCommandError(line) {
				return ""
			}
			said = append(said, strings.TrimSpace(line))
		}
	}
	return strings.Join(said, "\n")
}

func hasError(ds []diag.Diagnosis) bool {
	for _, d := range ds {
		if d.Severity == diag.Error {
			return true
		}
	}
	return false
}

func failedIn(l *buildlog.Log, path string) bool {
	for _, p := range l.FailedPackages {
		if p == path {
			return true
		}
	}
	return false
}

// unexplained is the diagnosis of a failure no rule recognised: nothing
// go build printed is lost.
func (a *analysis) unexplained(code int) diag.Diagnosis {
	var ev []string
	for _, b := range a.log.Blocks {
		ev = append(ev, b.Lines...)
	}
	if len(ev) > 30 {
		ev = ev[:30]
	}
	summary := fmt.Sprintf("go build failed (exit %d) with no message cgotrace recognises", code)
	for _, l := range ev {
		if strings.TrimSpace(l) != "" && !strings.HasPrefix(l, "#") {
			summary = strings.TrimSpace(l)
			break
		}
	}
	return diag.Diagnosis{Code: diag.CompileError, Severity: diag.Error, Summary: summary,
		Fix: "read go build's output in the evidence; run with --report-dir to keep the raw log", Evidence: ev}
}

// ccWords is CC split into words (CC may carry flags: "gcc -m32").
func (a *analysis) ccWords() []string { return ccWords(a.goEnv) }

func ccWords(ge GoEnv) []string {
	cc := strings.Fields(ge["CC"])
	if len(cc) == 0 {
		cc = []string{"gcc"}
	}
	return cc
}

// ccTarget is `$CC -dumpmachine`, or "" when CC cannot say.
func ccTarget(ctx context.Context, r Runner, cc []string, dir string, env []string) string {
	var out bytes.Buffer
	if code, err := r.Run(ctx, Cmd{Name: cc[0], Args: append(cc[1:len(cc):len(cc)], "-dumpmachine"), Dir: dir, Env: env, Stdout: &out}); err == nil && code == 0 {
		return strings.TrimSpace(out.String())
	}
	return ""
}

func (a *analysis) toolchain(ctx context.Context) *Toolchain {
	tc := &Toolchain{Env: reportEnv(a.o.Env)}
	if a.goEnv == nil {
		// A successful build: no go env (see Build); what the binary's
		// build info says is added by inspectOutputs.
		tc.CC, tc.CXX = goSetting(a.o.Env, "CC", "gcc"), goSetting(a.o.Env, "CXX", "g++")
		tc.GOOS, tc.GOARCH = goSetting(a.o.Env, "GOOS", ""), goSetting(a.o.Env, "GOARCH", "")
		tc.CgoEnabled = goSetting(a.o.Env, "CGO_ENABLED", "")
		if a.shim != nil {
			tc.PkgConfig = a.shim.real // newShim looked it up already
		} else {
			tc.PkgConfig = lookPathOr(pkgConfigSetting(a.o.Env))
		}
		return tc
	}
	tc.GoVersion, tc.GOOS, tc.GOARCH = a.goEnv["GOVERSION"], a.goEnv["GOOS"], a.goEnv["GOARCH"]
	tc.CgoEnabled, tc.CC, tc.CXX = a.goEnv["CGO_ENABLED"], a.goEnv["CC"], a.goEnv["CXX"]
	tc.CCTarget = a.ccTarget
	// The pkg-config program go build ran: PKG_CONFIG as newShim read it
	// (go env would say the same, at the cost of running the C
	// compiler: see loadCgoVars).
	if a.shim != nil {
		tc.PkgConfig = a.shim.real
	} else {
		tc.PkgConfig = lookPathOr(pkgConfigSetting(a.o.Env))
	}
	return tc
}

// cgoVar is a cgo variable of go env (goEnvCgoVars), "" when go env was
// not run or could not say.
func (a *analysis) cgoVar(name string) string { return a.loadCgoVars()[name] }

// loadCgoVars asks go env for goEnvCgoVars, once, when go env ran for the
// others. go env runs the C compiler to say them (its GOGCCFLAGS probe):
// 21 ms of CPU against 6 ms for the other variables, so they are asked
// apart, only where one is read (a flag no #cgo line or pkg-config call
// accounts for, the forensic rebuild).
func (a *analysis) loadCgoVars() GoEnv {
	a.cgoVarsO.Do(func() {
		a.cgoVars = GoEnv{}
		if a.goEnv != nil {
			ctx := a.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			if ge, err := readGoEnv(ctx, a.o.Runner, a.o.Go, a.o.Dir, a.o.Env, goEnvCgoVars); err == nil {
				a.cgoVars = ge
			} else {
				a.o.Log.WithError(err).Debug("go env of the cgo variables")
			}
		}
	})
	return a.cgoVars
}

// lookPathOr resolves the first word of a command setting on PATH, or
// returns the setting as it is.
func lookPathOr(cmd string) string {
	if p, err := exec.LookPath(strings.Fields(cmd + " x")[0]); err == nil {
		return p
	}
	return cmd
}

// loadPackages asks go list for the build's packages, with the build's
// flags and environment, and keeps of each cgo package the #cgo lines go
// applied (see appliedDirectives). With cgo off, go lists the cgo files
// as ignored: those still tell that the package imports "C".
func (a *analysis) loadPackages(ctx context.Context, f *Facts) {
	var pkgs []*listPackage
	var err error
	if a.listed != nil {
		pkgs, err = a.listed.wait()
	} else {
		pkgs, err = goList(ctx, a.o.Runner, a.o.Go, a.o.Dir, a.o.Env, a.o.Args)
	}
	if err != nil {
		a.o.Log.WithError(err).Debug("go list failed")
	}
	ts := newTagSet(a.goEnv, a.o.Args)
	for _, lp := range pkgs {
		p := &Package{ImportPath: lp.ImportPath, Dir: lp.Dir}
		if len(lp.CgoFiles) > 0 {
			p.importsC = true
			if lp.appliedRead {
				p.Directives = lp.applied // read by findInProcess
			} else {
				p.Directives = appliedDirectives(lp, ts)
			}
		} else if !ts.cgo {
			for _, name := range lp.IgnoredGoFiles {
				if importsC(filepath.Join(lp.Dir, name)) {
					p.importsC = true
					break
				}
			}
		}
		if p.importsC {
			f.Packages[p.ImportPath] = p
		}
	}
}

// importsC reports whether a Go file imports "C".
func importsC(path string) bool {
	src, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	return bytes.Contains(src, []byte(`import "C"`)) || bytes.Contains(src, []byte("\t\"C\"\n"))
}

// forensicReason says why the log lacks the failed step, or "" when it
// has it. go build's log shows every step it ran, and a failed step is
// never cached, so the log lacks it only when
//   - a failed package ran no command in the log (its error came without
//     the command that printed it), or
//   - the link failed and a cgo package on it came from the build cache
//     with flags from a pkg-config call that fails now: the call that
//     would have failed first is not in the log (golang/go#24355).
//
// A cgo package that did not run because another one failed first, or
// whose cached #cgo flags are known from go list, is no reason.
func (a *analysis) forensicReason(f *Facts) string {
	if a.goEnv["CGO_ENABLED"] != "1" {
		return ""
	}
	ran := map[string]bool{}
	for _, r := range a.log.Records {
		if r.Kind == buildlog.RecCommand && r.ImportPath != "" {
			ran[r.ImportPath] = true
		}
	}
	if a.extra != nil {
		for path, t := range a.extra.pkgs {
			ran[path] = ran[path] || t.ran // commands of pure-Go packages were counted
		}
	}
	linkFailed := false
	for _, h := range a.log.HostLinks {
		if h.Failed {
			linkFailed = true
			if h.ImportPath != "" {
				ran[h.ImportPath] = true
			}
		}
	}
	failed := append([]string(nil), a.log.FailedPackages...)
	for i := range a.log.Blocks {
		if blockFailed(&a.log.Blocks[i]) {
			failed = append(failed, a.log.Blocks[i].ImportPath)
		}
	}
	for _, path := range failed {
		if path != "" && !ran[path] && f.Packages[path] != nil {
			return fmt.Sprintf("the log shows no command of %s, which failed", path)
		}
	}
	if !linkFailed {
		return ""
	}
	for _, path := range sortedPkgPaths(f.Packages) {
		p := f.Packages[path]
		if ran[path] {
			continue
		}
		flags, names := pkgConfigDirectiveArgs(p)
		if len(names) == 0 {
			continue
		}
		res, err := pkgconfig.Resolve(names, pkgconfig.Options{Env: pkgconfig.Env(a.o.Env), Dir: p.Dir, Static: slices.Contains(flags, "--static"), PkgConfig: lookPathOr(pkgConfigSetting(a.o.Env))})
		if err != nil || !res.CflagsOK || !res.LibsOK {
			return fmt.Sprintf("%s came from the build cache and its pkg-config call (%s) fails now", path, strings.Join(names, " "))
		}
	}
	return ""
}

// forensicRebuild builds the cgo packages again with a throwaway macro in
// CGO_CFLAGS, which misses the build cache for every cgo package and
// nothing else, with -ldflags=-v, into a discarded output file.
func (a *analysis) forensicRebuild(ctx context.Context) {
	tmp, err := os.MkdirTemp("", "cgotrace-forensic-")
	if err != nil {
		return
	}
	defer os.RemoveAll(tmp)
	args := withLdflagsV(a.o.Args, a.goEnv["GOFLAGS"])
	if a.o.runsTests() {
		// Build the test binaries, do not run them.
		args = forensicTestArgs(args, tmp)
	} else {
		args = replaceOutput(args, filepath.Join(tmp, "out"))
	}
	env := setEnv(a.env, "CGO_CFLAGS", strings.TrimSpace(a.cgoVar("CGO_CFLAGS")+" -D"+nonceMacro+"="+nonce()))
	var out bytes.Buffer
	// go install's arguments are go build's; go test -c's need go test.
	goCmd := "build"
	if a.o.GoCmd == "test" {
		goCmd = "test"
	}
	_, err = a.o.Runner.Run(ctx, Cmd{Name: a.o.Go, Args: instrumentedArgs(goCmd, args), Dir: a.o.Dir, Env: env, Stdout: &out, Stderr: &out})
	if err != nil {
		return
	}
	l, err := buildlog.Parse(&out)
	if err != nil {
		return
	}
	if !a.o.KeepWork && l.Work != "" && strings.Contains(filepath.Base(l.Work), "go-build") {
		os.RemoveAll(l.Work)
	}
	a.forensic = l
}

// attachStepRerun keeps a verbose re-run on the step it re-ran: the
// failed step of that kind in the package, else its last one.
func (a *analysis) attachStepRerun(hr headerRerun) {
	for _, p := range a.rep.Packages {
		if p.ImportPath != hr.importPath {
			continue
		}
		at := -1
		for i := range p.Steps {
			if p.Steps[i].Kind == hr.step && (at < 0 || !p.Steps[at].Failed) {
				at = i
			}
		}
		if at < 0 {
			return
		}
		if p.Steps[at].Rerun != "" {
			p.Steps[at].Rerun += "\n\n"
		}
		p.Steps[at].Rerun += hr.text
		return
	}
}

// attachRerun keeps the probes' verbose linker output on the failed host
// link step.
func (a *analysis) attachRerun(reruns []string) {
	if len(reruns) == 0 {
		return
	}
	text := strings.Join(reruns, "\n\n")
	for _, p := range a.rep.Packages {
		for i := range p.Steps {
			if p.Steps[i].Kind == KindHostLink && p.Steps[i].Failed {
				p.Steps[i].Rerun = text
				return
			}
		}
	}
	for _, p := range a.rep.Packages {
		for i := range p.Steps {
			if p.Steps[i].Failed {
				p.Steps[i].Rerun = text
				return
			}
		}
	}
}

// withoutNonce drops the forensic rebuild's -DCGOTRACE_NONCE=... from a
// command: it is cgotrace's, not part of the user's chain.
func withoutNonce(argv []string) []string {
	out := argv[:0:0]
	for _, a := range argv {
		if !strings.HasPrefix(a, "-D"+nonceMacro+"=") {
			out = append(out, a)
		}
	}
	return out
}

// probeFuncs are the computations behind a failed build's probes, each
// safe to run concurrently with the others (see failureProbes).
func (a *analysis) probeFuncs(ctx context.Context) *probeFuncs {
	o := a.o
	pf := &probeFuncs{sym: a.symbols(ctx), modver: a.modversion(ctx)}
	pf.major = func() string { return ccMajor(ctx, o.Runner, a.ccWords(), o.Dir, a.env) }
	// Asked only where the embedded table is not this release's index
	// (Facts.TableCurrent, which the rules check before asking).
	pf.ask = packageManagerAsk(ctx, o.Runner, a.env, a.osRelease())
	if !o.NoRerun {
		lp := &linkProbe{runner: o.Runner, cc: a.ccWords(), dir: o.Dir, env: a.env, goarch: a.goEnv["GOARCH"]}
		pf.lib = func(lib string, link *buildlog.HostLink) libProbeResult {
			p, rerun := lp.search(ctx, lib, link)
			return libProbeResult{p, rerun}
		}
		pf.header = func(header string, rec *buildlog.Record, work string) *HeaderProbe {
			hp := &headerProbe{runner: o.Runner, cc: a.ccWords(), env: a.env, work: work}
			if _, ok := o.Runner.(ExecRunner); ok {
				hp.keepIn = keptDir(a.env, "header-probe")
			}
			return hp.probe(ctx, header, rec)
		}
	}
	return pf
}

// osRelease is the os-release file that says which distribution this
// is (BuildOptions.OSRelease, for tests).
func (a *analysis) osRelease() string {
	if a.o.OSRelease != "" {
		return a.o.OSRelease
	}
	return "/etc/os-release"
}
