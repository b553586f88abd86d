package trace

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/cgotrace/cgotrace/buildlog"

	"github.com/cgotrace/cgotrace/trace/distpkg"
)

// pendingEnv is a go env run started before its result is needed.
type pendingEnv struct {
	done   chan struct{}
	cancel context.CancelFunc
	env    GoEnv
	err    error
}

// startGoEnv runs readGoEnv for the variables in the background.
func startGoEnv(ctx context.Context, o *BuildOptions, vars []string) *pendingEnv {
	ctx, cancel := context.WithCancel(ctx)
	pe := &pendingEnv{done: make(chan struct{}), cancel: cancel}
	go func() {
		defer close(pe.done)
		pe.env, pe.err = readGoEnv(ctx, o.Runner, o.Go, o.Dir, o.Env, vars)
	}()
	return pe
}

// wait returns the result of the go env run.
func (pe *pendingEnv) wait() (GoEnv, error) {
	<-pe.done
	return pe.env, pe.err
}

// stop kills the run when its result is not needed.
func (pe *pendingEnv) stop() {
	pe.cancel()
	<-pe.done
}

// firstAction calls start once, at the first -json event of a package
// ({"ImportPath":"x",...): go build has begun to run actions. A warm no-op
// build prints only the WORK= line (ImportPath "") and never gets there,
// so it pays nothing for what start runs.
type firstAction struct {
	once  sync.Once
	fired bool
	start func()
	// tail is the end of what was written before, for a marker split
	// across writes.
	tail []byte
}

// fire runs start unless it ran already.
func (w *firstAction) fire() { w.once.Do(w.start) }

var actionMarker = []byte(`{"ImportPath":"`)

func (w *firstAction) Write(p []byte) (int, error) {
	if w.fired {
		return len(p), nil
	}
	buf := append(w.tail, p...)
	for rest := buf; ; {
		i := bytes.Index(rest, actionMarker)
		if i < 0 {
			break
		}
		rest = rest[i+len(actionMarker):]
		if len(rest) == 0 {
			break // the next write says whether the path is empty
		}
		if rest[0] != '"' {
			w.fired, w.tail = true, nil
			w.fire()
			return len(p), nil
		}
	}
	// Keep enough to find a marker (and the byte after it) that
	// straddles this write and the next.
	keep := min(len(buf), len(actionMarker))
	w.tail = append(w.tail[:0:0], buf[len(buf)-keep:]...)
	return len(p), nil
}

// speculativeCCTarget runs `$CC -dumpmachine` for the CC the build's
// environment or go env file names (gcc when neither does) while go env
// runs; ccTargetFor uses it when go env names the same CC.
type speculativeCCTarget struct {
	cc     string
	done   chan struct{}
	cancel context.CancelFunc
	target string
	// keep is the file to keep go env's answer and the target in (see
	// keptToolchainFile), "" when they came from it or are not kept.
	keep string
}

func startCCTarget(ctx context.Context, o *BuildOptions) *speculativeCCTarget {
	ctx, cancel := context.WithCancel(ctx)
	s := &speculativeCCTarget{cc: goSetting(o.Env, "CC", "gcc"), done: make(chan struct{}), cancel: cancel}
	go func() {
		defer close(s.done)
		s.target = ccTarget(ctx, o.Runner, ccWords(GoEnv{"CC": s.cc}), o.Dir, o.Env)
	}()
	return s
}

// ccTargetFor is `$CC -dumpmachine` for go env's CC: the speculative
// run's answer when it ran that CC, else a run of its own.
// A target found for a go env run is kept with it (see keptToolchain).
func (s *speculativeCCTarget) ccTargetFor(ctx context.Context, o *BuildOptions, ge GoEnv) string {
	var target string
	if s != nil && ge["CC"] == s.cc {
		<-s.done
		target = s.target
	} else {
		target = ccTarget(ctx, o.Runner, ccWords(ge), o.Dir, o.Env)
	}
	if s != nil && s.keep != "" && ctx.Err() == nil {
		// A C compiler that is not installed (a cross build without its
		// toolchain, an image without gcc) is kept as such: each run
		// would otherwise ask go env again, 13 ms after go build fails.
		if k := (keptToolchain{Env: ge, CC: ge["CC"], CCTarget: target}); target != "" {
			writeKept(s.keep, k)
		} else if ccMissing(o.Env, ge["CC"]) {
			k.CCMissing = true
			writeKept(s.keep, k)
		}
	}
	return target
}

// prefetchShimRecords reads the shim's records of a failed build in the
// background, once go build has exited: working out their .pc files asks
// the real pkg-config for its defaults (four runs) and, for a package
// that is not found, loads every .pc file on the search path as pkgconf
// does looking for a provider (10 to 15 ms for 130 files), which would
// otherwise come after go env and the rules, on the critical path.
func prefetchShimRecords(s *buildShim) {
	if s == nil {
		return
	}
	if fi, err := os.Stat(s.record); err != nil || fi.Size() == 0 {
		return
	}
	go s.records()
}

var _ io.Writer = (*firstAction)(nil)

// early is what starts while go build runs, for a failed build's
// diagnosis: go env and `$CC -dumpmachine` at its first action, go list
// -deps at its first link (see onRecord). A build that fails before any
// action starts what it needs when go exits. A successful build kills
// them, and a warm no-op build, which runs no action, never starts them.
//
// A failure before any link is a package's own: its diagnosis needs go
// list's view of the failed and cgo packages only, which findInProcess
// gives at go's exit, or else `go list -find` (see listFailed).
type early struct {
	mu   sync.Mutex
	env  *pendingEnv
	cc   *speculativeCCTarget
	list *pendingList
}

func (e *early) start(ctx context.Context, o *BuildOptions) {
	var env *pendingEnv
	var cc *speculativeCCTarget
	file := keptToolchainFile(o)
	if k := (keptToolchain{}); readKept(file, &k) && k.usable() {
		o.Log.WithField("file", file).Debug("go env and the C compiler's target: kept answers")
		env = &pendingEnv{done: make(chan struct{}), cancel: func() {}, env: k.Env}
		close(env.done)
		cc = &speculativeCCTarget{cc: k.CC, done: make(chan struct{}), cancel: func() {}, target: k.CCTarget}
		close(cc.done)
	} else {
		env, cc = startGoEnv(ctx, o, goEnvVars), startCCTarget(ctx, o)
		cc.keep = file
	}
	e.mu.Lock()
	e.env, e.cc = env, cc
	e.mu.Unlock()
}

// onRecord sees each record of the log as go build prints it: the first
// link of a build of one package starts go list -deps (a failed link's
// flags come from every cgo package the program imports, and the link is
// long enough to hide it). A build of many packages (./...) relinks
// every command even with a warm cache, and go list -deps of all of them
// would cost a successful build (2,000 packages: +1.6 s of CPU, 1.21x):
// there it runs only for a failed link, of the failed program.
func (e *early) onRecord(ctx context.Context, o *BuildOptions, r *buildlog.Record) {
	if r.Kind == buildlog.RecCommand && r.Step == "link" && onePackage(o.Args) {
		e.startList(ctx, o)
	}
}

// onePackage reports whether the go command line names at most one
// package and no pattern.
func onePackage(args []string) bool {
	pkgs := goPackages(args)
	for _, a := range pkgs {
		if strings.Contains(a, "...") || strings.HasSuffix(a, ".go") {
			return false
		}
	}
	return len(pkgs) <= 1
}

// listLinked starts go list -deps of the programs whose link failed,
// once, or of the build's packages when one of them cannot be named.
func (e *early) listLinked(ctx context.Context, o *BuildOptions, l *buildlog.Log) *pendingList {
	var mains []string
	for _, p := range l.FailedPackages {
		path, ok := listablePath(p)
		if !ok || path == "" || strings.Contains(p, " [") {
			return e.startList(ctx, o)
		}
		mains = append(mains, path)
	}
	if len(mains) == 0 {
		return e.startList(ctx, o)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.list == nil {
		e.list = startGoListPkgs(ctx, o, mains)
	}
	return e.list
}

// startList starts go list -deps of the build's packages, once.
func (e *early) startList(ctx context.Context, o *BuildOptions) *pendingList {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.list == nil {
		e.list = startGoList(ctx, o)
	}
	return e.list
}

// stop kills what started, when a successful build needs none of it.
func (e *early) stop() {
	env, cc := e.get()
	if env != nil {
		env.stop()
	}
	if cc != nil {
		cc.cancel()
		<-cc.done
	}
	if l := e.goList(); l != nil {
		l.stop()
	}
}

// goList is the go list run, or nil when none started.
func (e *early) goList() *pendingList {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.list
}

func (e *early) get() (*pendingEnv, *speculativeCCTarget) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.env, e.cc
}

// prefetchFailureTables decompresses, in the background, the tables a
// failed build's fix texts read (the Debian package index): 10 to 25 ms
// that would otherwise come after go list, on the critical path.
func prefetchFailureTables() {
	go distpkg.Debian()
}
