package trace

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/cgotrace/cgotrace/buildlog"
	"github.com/cgotrace/cgotrace/elfinspect"
	"github.com/cgotrace/cgotrace/trace/diag"
)

// BuildOptions configure one instrumented build.
type BuildOptions struct {
	// GoCmd is the go subcommand: "build" (default), "install", or
	// "test". A go test with -c among Args builds the test binaries as
	// go build would; without -c it runs the tests too (cgotrace test,
	// see testrun.go), and its standard output goes to Stdout.
	GoCmd string
	// Args are the user's go build arguments, passed unchanged and in order.
	Args []string
	// Go is the go executable ("go" on PATH by default).
	Go string
	// Dir is the directory go build runs in.
	Dir string
	// Env is the environment of the build (os.Environ()).
	Env []string
	// KeepWork keeps go build's work directory ($WORK) afterwards.
	KeepWork bool
	// NoRerun skips the verbose re-runs and the forensic rebuild.
	NoRerun bool
	// CacheReport adds the build-cache report (Report.Cache).
	CacheReport bool
	// AllSteps keeps every step of every package (--all-steps); without
	// it a pure-Go package that built carries only its step counts.
	AllSteps bool
	// Root is the directory the output's libraries are resolved in, as
	// if it were "/" (--root); "" decides from the target (see
	// outputTargetOf).
	Root string
	// OSRelease is the os-release file that says which package manager
	// to ask for package names and whether the embedded Debian table is
	// of this release ("/etc/os-release" when empty).
	OSRelease string
	// Terminal receives what plain go build would have printed (go's
	// standard error).
	Terminal io.Writer
	// Stdout receives go test's standard output when it runs the tests:
	// what plain go test prints there, unchanged (with -json, the events
	// of the -x trace cgotrace adds are taken out).
	Stdout io.Writer
	// RawLog, when set, receives the raw instrumented log as it comes.
	RawLog io.Writer
	// Runner runs go and the C tools (ExecRunner by default).
	Runner Runner
	// Signals are the user's SIGINT and SIGTERM. The first is forwarded
	// to go build's process group and stops the build: no re-run, probe
	// or inspection follows, and the report says "interrupted" and holds
	// what go build did until then, without a diagnosis. A second signal
	// kills go build's process group and calls Abort. When Abort is set,
	// signals are watched until the caller closes the channel.
	Signals <-chan os.Signal
	// Abort is called at a second signal (the CLI exits there).
	Abort func(os.Signal)
	// Self is the cgotrace executable, used as the PKG_CONFIG shim; ""
	// disables the shim.
	Self string
	// Version is cgotrace's version, for the report.
	Version string
	Log     logrus.FieldLogger
}

func (o *BuildOptions) defaults() {
	if o.GoCmd == "" {
		o.GoCmd = "build"
	}
	if o.Go == "" {
		o.Go = "go"
	}
	if o.Runner == nil {
		o.Runner = ExecRunner{}
	}
	if o.Terminal == nil {
		o.Terminal = io.Discard
	}
	if o.Stdout == nil {
		o.Stdout = io.Discard
	}
	if o.Log == nil {
		l := logrus.New()
		l.Out = io.Discard
		o.Log = l
	}
	if o.Dir == "" {
		o.Dir, _ = os.Getwd()
	}
}

// instrumentedArgs is the go command line cgotrace runs: the user's
// arguments unchanged and in order, after -x -json -work. -ldflags is not
// touched: -ldflags=-v would be recorded in the binary's build info and
// defeat go build's up-to-date check (a 80 ms no-op build becomes a
// 600 ms relink here); the link is re-run verbosely only when it failed.
func instrumentedArgs(goCmd string, user []string) []string {
	return append([]string{goCmd, "-x", "-json", "-work"}, user...)
}

// lineWriter writes whole lines to a shared destination under a lock, so
// that stdout (JSON events) and stderr of go build interleave line by line
// in the raw log, never mid-line.
type lineWriter struct {
	mu  *sync.Mutex
	dst io.Writer
	buf []byte
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	i := strings.LastIndexByte(string(w.buf), '\n')
	if i < 0 {
		return len(p), nil
	}
	w.mu.Lock()
	_, err := w.dst.Write(w.buf[:i+1])
	w.mu.Unlock()
	w.buf = append(w.buf[:0], w.buf[i+1:]...)
	return len(p), err
}

func (w *lineWriter) flush() {
	if len(w.buf) > 0 {
		w.mu.Lock()
		w.dst.Write(w.buf)
		w.mu.Unlock()
		w.buf = w.buf[:0]
	}
}

// BuildResult is the outcome of Build.
type BuildResult struct {
	Report *Report
	// RawLog is the path of the raw instrumented log (a temporary file the
	// caller removes).
	RawLog string
	// cleanup is the removal of go build's work directory, which runs
	// in the background (see Wait).
	cleanup sync.WaitGroup
}

// Wait waits for Build's background clean-up: the removal of go build's
// work directory, which overlaps with the diagnosis and the caller's
// rendering of the report. Call it before the process exits.
func (r *BuildResult) Wait() { r.cleanup.Wait() }

// Build runs go build instrumented and returns the report. A failed build
// is a report with diagnoses and a non-zero Command.ExitCode; an error means
// cgotrace could not do its job (go could not be started, say).
func Build(ctx context.Context, o BuildOptions) (*BuildResult, error) {
	o.defaults()
	start := time.Now()
	intr, actx := newInterrupt(ctx, o.Signals, o.Abort)
	defer intr.close()
	rep := &Report{
		SchemaVersion: SchemaVersion,
		Tool:          Tool{Name: "cgotrace", Version: o.Version},
		Command:       Command{Argv: append([]string{"go", o.GoCmd}, o.Args...), Dir: o.Dir},
		Diagnoses:     []diag.Diagnosis{},
	}
	env := o.Env
	shim := newShim(o)
	if shim != nil {
		env = append(append([]string(nil), env...), shim.env...)
		defer shim.cleanup()
	}

	raw, err := os.CreateTemp("", "cgotrace-build-*.log")
	if err != nil {
		return nil, fmt.Errorf("raw log: %w", err)
	}
	res := &BuildResult{Report: rep, RawLog: raw.Name()}
	var mu sync.Mutex
	// The log is parsed as go writes it (the same bytes, in the same
	// order, as the raw log gets), so that what a failure needs starts
	// early (see early.onRecord) and nothing is left to parse at exit.
	var pre early
	live := newLiveParse(o.AllSteps, func(r *buildlog.Record) {
		pre.onRecord(actx, &o, r)
		shim.expect(r, env)
	})
	rawDst := io.MultiWriter(raw, live)
	if o.RawLog != nil {
		rawDst = io.MultiWriter(raw, live, o.RawLog)
	}
	outW := &lineWriter{mu: &mu, dst: rawDst}
	errW := &lineWriter{mu: &mu, dst: rawDst}
	// What plain go build would have printed, kept (bounded) for a
	// failure that is not a build failure (a usage error): its report
	// says go's own message.
	said := &boundedBuffer{max: 16 << 10}
	term := io.MultiWriter(o.Terminal, said)
	pcCmd := strings.Fields(pkgConfigSetting(o.Env) + " pkg-config")[0]
	echo := newEcho(term, pcCmd)
	// While go build runs, read what inspecting its output will need
	// (a successful build's binary is inspected on the critical path),
	// and inspect the output file as it is now: a warm build that finds
	// it up to date leaves it untouched, and then that result stands.
	var inspector *elfinspect.Inspector
	var spec *speculation
	var prefetched sync.WaitGroup
	runsTests := o.runsTests()
	if (o.GoCmd == "build" || o.GoCmd == "test") && !runsTests {
		inspector = newOutputInspector(&o)
		spec = &speculation{path: explicitOutputFile(&o)}
		prefetched.Go(func() {
			inspector.Prefetch()
			spec.run(inspector)
		})
	}
	// go env and `$CC -dumpmachine` start at go build's first action
	// (see early): a failed build's diagnosis needs them, and a warm
	// no-op build, which runs no action, pays nothing for them.
	fa := &firstAction{start: func() { pre.start(actx, &o) }}
	stdout, stderr := shim.hide(io.MultiWriter(outW, echo, fa)), shim.hide(io.MultiWriter(errW, term))
	goArgs := instrumentedArgs(o.GoCmd, o.Args)
	var tests *testOutcome
	var testFilter *testJSONFilter
	var pe *plainEcho
	if runsTests {
		// go test runs the tests: its stdout is the user's (see
		// testrun.go); the build log is the -json build events, or the
		// plain -x trace on stderr.
		tests = &testOutcome{}
		goArgs = testArgs(&o)
		if o.testJSON() {
			testFilter = newTestJSONFilter(o.Stdout, io.MultiWriter(outW, fa), pcCmd, tests)
			testFilter.showTrace = testFlagOn(o.Args, "x")
			stdout = shim.hide(testFilter)
		} else {
			pe = newPlainEcho(term, pcCmd)
			pe.showTrace = testFlagOn(o.Args, "x")
			stdout = io.MultiWriter(o.Stdout, &plainStdout{out: tests, log: outW})
			stderr = shim.hide(io.MultiWriter(errW, pe))
		}
	}
	code, runErr := o.Runner.Run(ctx, Cmd{
		Name: o.Go, Args: goArgs, Dir: o.Dir, Env: env,
		Stdout: stdout, Stderr: stderr, Signals: intr.fwd, Started: intr.started,
	})
	for _, w := range []io.Writer{stdout, stderr} {
		if c, ok := w.(io.Closer); ok {
			c.Close()
		}
	}
	if testFilter != nil {
		testFilter.Close()
	}
	if pe != nil {
		pe.Close()
	}
	intr.finished()
	outW.flush()
	errW.flush()
	echo.Close()
	raw.Close()
	l, x, parseErr := live.finish()
	if runErr != nil {
		return res, fmt.Errorf("run %s %s: %w", o.Go, o.GoCmd, runErr)
	}
	rep.Command.ExitCode = code
	// buildCode is the exit code the diagnosis sees: go test's, unless
	// every package built and only tests failed (nothing to diagnose).
	buildCode := code
	var testsFailed []string
	if tests != nil {
		failed, buildFailed := tests.result()
		testsFailed = failed
		if code != 0 && len(failed) > 0 && !buildFailed {
			buildCode = 0
		}
	}
	o.Log.WithFields(logrus.Fields{"exit": code, "elapsed": time.Since(start).Round(time.Millisecond)}).Debug("go build finished")
	if sig := intr.signal(); sig != nil {
		pre.stop()
		return res, interrupted(res, raw.Name(), &o, sig, &prefetched)
	}
	// go env only when a diagnosis or the cache report needs it: running
	// it costs a warm no-op build ~8 ms, even concurrently (measured:
	// 48.3 ms plain, 55.1 ms with go env alongside, 47.3 ms without). A
	// successful build's toolchain comes from its binary's build info.
	if buildCode != 0 {
		fa.fire()
		prefetchShimRecords(shim)
		prefetchFailureTables()
	}
	if buildCode == 0 && !o.CacheReport {
		pre.stop()
	} else if l := pre.goList(); buildCode == 0 && l != nil {
		// The cache report lists the packages itself.
		l.stop()
	}

	if parseErr != nil {
		return res, fmt.Errorf("parse build log: %w", parseErr)
	}
	var goEnv GoEnv
	if buildCode != 0 || o.CacheReport {
		fa.fire()
		pe, _ := pre.get()
		goEnv, err = pe.wait()
		if err != nil {
			o.Log.WithError(err).Warn("could not read go env")
		}
	}
	// A failed build needs go list's view of the packages: -deps (started
	// at the first link action, or now) when a link failed, else that of
	// the failed and cgo packages, from go/build in process where it
	// answers as go list would, else from go list -find.
	var listed *pendingList
	if buildCode != 0 {
		listed = pre.goList()
		if listed == nil {
			if pkgs := listFailed(l); pkgs == nil {
				listed = pre.listLinked(actx, &o, l)
			} else if lps, ok := findInProcess(l, pkgs, goEnv, o.Args, keptDir(o.Env, "go-build-view")); ok {
				o.Log.WithField("packages", pkgs).Debug("the failed packages' files and #cgo lines from go/build")
				listed = doneList(lps)
			} else {
				listed = startGoListFind(actx, &o, pkgs)
			}
		}
	}
	if !o.KeepWork && l.Work != "" && strings.Contains(filepath.Base(l.Work), "go-build") {
		if buildCode == 0 {
			// Nothing after a successful build reads $WORK: remove it
			// while the report is made.
			res.cleanup.Go(func() { os.RemoveAll(l.Work) })
		} else {
			// The verbose re-runs use $WORK (include directories).
			defer res.cleanup.Go(func() { os.RemoveAll(l.Work) })
		}
	}
	prefetched.Wait()
	// The diagnosis works on a report of its own, so that an interrupt
	// during it returns at once with the partial report.
	arep := *rep
	_, ccSpec := pre.get()
	a := &analysis{o: &o, goEnv: goEnv, ccSpec: ccSpec, env: env, log: l, extra: x, rep: &arep, shim: shim, inspector: inspector, spec: spec, goSaid: said.String(), listed: listed}
	done := make(chan error, 1)
	go func() { done <- a.safeRun(actx, buildCode) }()
	select {
	case err := <-done:
		if err != nil {
			// A bug in cgotrace must not change the build's outcome: the
			// report keeps go build's exit code and says what went wrong.
			o.Log.WithError(err).Error("cgotrace could not finish the diagnosis")
		}
		*rep = arep
		markTestsFailed(rep, testsFailed)
	case <-intr.hit:
		// The probes run under actx, which is cancelled: give them a
		// moment to be killed, so that none outlives cgotrace.
		select {
		case <-done:
		case <-time.After(500 * time.Millisecond):
		}
		partialReport(rep, l, x, intr.signal(), o.AllSteps)
	}
	o.Log.WithField("elapsed", time.Since(start).Round(time.Millisecond)).Debug("report ready")
	return res, nil
}

// nonceMacro is the macro of the forensic rebuild's CGO_CFLAGS: never a
// flag of the user's chain.
const nonceMacro = "CGOTRACE_NONCE"

// interrupted makes the report of a build stopped by a signal while go
// build ran: the packages and steps of the log, no diagnosis (a compiler
// killed mid-way printed nothing worth explaining).
func interrupted(res *BuildResult, rawLog string, o *BuildOptions, sig os.Signal, prefetched *sync.WaitGroup) error {
	o.Log.WithField("signal", SignalName(sig)).Info("interrupted: no diagnosis, re-run or inspection")
	prefetched.Wait()
	f, err := os.Open(rawLog)
	if err != nil {
		return fmt.Errorf("raw log: %w", err)
	}
	l, x, err := streamLog(f, o.AllSteps)
	f.Close()
	if err != nil {
		return fmt.Errorf("parse build log: %w", err)
	}
	if !o.KeepWork && l.Work != "" && strings.Contains(filepath.Base(l.Work), "go-build") {
		res.cleanup.Go(func() { os.RemoveAll(l.Work) })
	}
	partialReport(res.Report, l, x, sig, o.AllSteps)
	return nil
}

// partialReport fills rep, of a build interrupted by sig, from the log.
func partialReport(rep *Report, l *buildlog.Log, x *logExtra, sig os.Signal, allSteps bool) {
	rep.Command.Outcome = OutcomeInterrupted
	rep.Command.Signal = SignalName(sig)
	rep.Toolchain = nil
	chain, counted := packagesFromLog(l, x, map[string]*Package{}, allSteps)
	rep.Packages = append(chain, counted...)
	rep.Diagnoses = []diag.Diagnosis{}
	rep.Binaries = nil
	rep.Cache = nil
}

// nonce makes a throwaway macro value that misses the build cache for
// every cgo package and nothing else.
func nonce() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// echo shows on the terminal what plain go build would have printed: the
// error and warning blocks of the BuildEvents, not the -x trace.
type echo struct {
	pw   *io.PipeWriter
	done chan struct{}
}

func newEcho(term io.Writer, pcCmd string) *echo {
	pr, pw := io.Pipe()
	e := &echo{pw: pw, done: make(chan struct{})}
	go func() {
		defer close(e.done)
		br := bufio.NewReaderSize(pr, 64<<10)
		echoBlocks(br, term, pcCmd)
		io.Copy(io.Discard, br)
	}()
	return e
}

// liveParse parses the log as it is written (streamLog on a pipe).
type liveParse struct {
	pw   *io.PipeWriter
	done chan struct{}
	l    *buildlog.Log
	x    *logExtra
	err  error
}

func newLiveParse(allSteps bool, onRecord func(*buildlog.Record)) *liveParse {
	pr, pw := io.Pipe()
	p := &liveParse{pw: pw, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		br := bufio.NewReaderSize(pr, 256<<10)
		p.l, p.x, p.err = streamLogFunc(br, allSteps, onRecord)
		// A parse error must not stop go build's output: drain.
		io.Copy(io.Discard, br)
	}()
	return p
}

func (p *liveParse) Write(b []byte) (int, error) {
	p.pw.Write(b)
	return len(b), nil
}

// finish ends the input and returns what streamLog returned.
func (p *liveParse) finish() (*buildlog.Log, *logExtra, error) {
	p.pw.Close()
	<-p.done
	return p.l, p.x, p.err
}

func (e *echo) Write(p []byte) (int, error) {
	e.pw.Write(p)
	return len(p), nil
}

func (e *echo) Close() {
	e.pw.Close()
	<-e.done
}

// boundedBuffer keeps the first max bytes written to it.
type boundedBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (w *boundedBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if n := w.max - len(w.b); n > 0 {
		w.b = append(w.b, p[:min(n, len(p))]...)
	}
	return len(p), nil
}

func (w *boundedBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return string(w.b)
}
