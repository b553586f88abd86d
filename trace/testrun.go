package trace

import (
	"bytes"
	"encoding/json"
	"io"
	"path/filepath"
	"strings"
	"sync"

	"github.com/cgotrace/cgotrace/buildlog"
)

// A go test that runs the tests (cgotrace test, GoCmd "test" without -c)
// prints two streams that belong to the user: the test output on stdout
// and go's messages on stderr. cgotrace adds -x -work and, only when the
// user asked for -json, keeps -json:
//
//   - without -json, go test's stdout is copied to BuildOptions.Stdout
//     unchanged (-json would make go test run the test binaries with
//     -test.v=test2json and print JSON, which no filter turns back into
//     what plain go test prints); the -x trace arrives on stderr as a
//     plain -x log, which is kept as the raw log and taken out of what
//     the terminal shows (echoPlain).
//   - with -json, go test prints the -x trace as build-output events
//     among the test events on stdout; those events go to the raw log
//     and every other line to BuildOptions.Stdout, byte for byte
//     (testJSONFilter).
//
// Which packages' tests failed, and whether any package failed to build,
// is read from the same streams: the package-level "fail" events of
// -json, or go test's "FAIL\tpkg" summary lines.

// runsTests reports whether the build is a go test that runs the tests.
func (o *BuildOptions) runsTests() bool {
	return o.GoCmd == "test" && !testFlagOn(o.Args, "c")
}

// RunsTests reports whether go goCmd with args runs tests: go test
// without -c.
func RunsTests(goCmd string, args []string) bool {
	return (&BuildOptions{GoCmd: goCmd, Args: args}).runsTests()
}

// testJSON reports whether the user's go test prints JSON: -json among
// the arguments or in GOFLAGS.
func (o *BuildOptions) testJSON() bool {
	if testFlagOn(o.Args, "json") {
		return true
	}
	v, _ := envValue(o.Env, "GOFLAGS")
	return testFlagOn(strings.Fields(v), "json")
}

// testFlagOn reports whether a boolean go test flag is set among args.
// go test reads flags before and after the packages, up to -args; a
// flag's separate value (-run -json) is not a flag.
func testFlagOn(args []string, name string) bool {
	on := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "-args" || a == "--args" || a == "--" {
			break
		}
		if len(a) < 2 || a[0] != '-' {
			continue
		}
		n, v, hasV := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if n == name {
			on = !hasV || v == "true" || v == "1" || v == "t" || v == "T" || v == "TRUE" || v == "True"
			continue
		}
		if goValueFlags[n] && !hasV {
			i++
		}
	}
	return on
}

// testArgs is the go command line of a go test that runs the tests.
func testArgs(o *BuildOptions) []string {
	if o.testJSON() {
		return instrumentedArgs("test", o.Args)
	}
	return append([]string{"test", "-x", "-work"}, o.Args...)
}

// testOutcome collects what go test said about each package.
type testOutcome struct {
	mu sync.Mutex
	// failed are the packages whose tests ran and failed, in order.
	failed []string
	// buildFailed is true when go test reported a package it could not
	// build or set up ("[build failed]", "[setup failed]").
	buildFailed bool
}

func (t *testOutcome) fail(pkg string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, p := range t.failed {
		if p == pkg {
			return
		}
	}
	t.failed = append(t.failed, pkg)
}

func (t *testOutcome) setBuildFailed() {
	t.mu.Lock()
	t.buildFailed = true
	t.mu.Unlock()
}

// result returns the packages whose tests failed and whether any
// package failed to build.
func (t *testOutcome) result() ([]string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.failed...), t.buildFailed
}

// summaryLine reads go test's per-package summary line
// "FAIL\tpkg\t0.01s", "FAIL\tpkg [build failed]", "FAIL\tpkg [setup failed]"
// (cmd/go/internal/test: the "FAIL\t" prefix is only ever printed by go
// test itself at the start of a line of its own stdout).
func (t *testOutcome) summaryLine(line string) {
	rest, ok := strings.CutPrefix(strings.TrimRight(line, "\r\n"), "FAIL\t")
	if !ok {
		return
	}
	if pkg, how, ok := strings.Cut(rest, " ["); ok {
		if (how == "build failed]" || how == "setup failed]") && pkg != "" && !strings.ContainsAny(pkg, " \t") {
			t.setBuildFailed()
		}
		return
	}
	pkg, _, _ := strings.Cut(rest, "\t")
	if pkg != "" && !strings.ContainsAny(pkg, " ") {
		t.fail(pkg)
	}
}

// testEvent is the part of a test2json event cgotrace reads.
type testEvent struct {
	Action      string
	Package     string
	Test        string
	FailedBuild string
}

// event reads one line of go test -json: a package-level "fail" event
// says the package failed, with FailedBuild when its build did.
func (t *testOutcome) event(line []byte) {
	if !bytes.Contains(line, []byte(`"Action":"fail"`)) {
		return
	}
	var ev testEvent
	if json.Unmarshal(line, &ev) != nil || ev.Action != "fail" || ev.Test != "" || ev.Package == "" {
		return
	}
	if ev.FailedBuild != "" {
		t.setBuildFailed()
		return
	}
	t.fail(ev.Package)
}

// plainStdout watches go test's stdout (copied to the user elsewhere) for
// the summary lines. A test binary that could not start is said there
// too, apart from the build log: that line, and those after it up to the
// package's FAIL line (whose package it is), go to log as well, so that
// the diagnosis sees what `go test 2>&1` shows.
type plainStdout struct {
	out *testOutcome
	log io.Writer
	buf []byte
	// fwd is how many more lines go to log after a start-up failure.
	fwd int
}

// startFailureLines bounds the lines passed on after a start-up failure
// before the FAIL line (dyld's indented "Referenced from:" lines).
const startFailureLines = 16

func (w *plainStdout) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		line := string(w.buf[:i+1])
		if w.log != nil {
			switch {
			case buildlog.IsStartFailure(strings.TrimRight(line, "\r\n")):
				w.log.Write(w.buf[:i+1])
				w.fwd = startFailureLines
			case w.fwd > 0:
				w.log.Write(w.buf[:i+1])
				w.fwd--
				if strings.HasPrefix(line, "FAIL\t") {
					w.fwd = 0
				}
			}
		}
		w.out.summaryLine(line)
		w.buf = w.buf[i+1:]
	}
	if len(w.buf) > 64<<10 {
		// A test printing a long line without a newline: it is not a
		// summary line.
		w.buf = w.buf[:0]
	}
	return len(p), nil
}

// testJSONFilter splits the stdout of go test -x -json: the build events
// that carry the -x trace (which plain go test -json does not print) go to
// log only; every other line goes to user unchanged. Build events that go
// test -json prints anyway (compiler errors, build-fail) go to both, as do
// lines that are not JSON. Test events go to the user only.
type testJSONFilter struct {
	user, log io.Writer
	pcCmd     string
	out       *testOutcome
	buf       []byte
	// afterFailed: the previous output of the package was a linker's
	// "running X failed" line, so this one (X's command line) is output.
	afterFailed map[string]bool
	// showTrace: the user asked for -x; nothing is taken out.
	showTrace bool
}

func newTestJSONFilter(user, log io.Writer, pcCmd string, out *testOutcome) *testJSONFilter {
	return &testJSONFilter{user: user, log: log, pcCmd: pcCmd, out: out, afterFailed: map[string]bool{}}
}

func (f *testJSONFilter) Write(p []byte) (int, error) {
	f.buf = append(f.buf, p...)
	for {
		i := bytes.IndexByte(f.buf, '\n')
		if i < 0 {
			break
		}
		if err := f.line(f.buf[:i+1]); err != nil {
			return len(p), err
		}
		f.buf = f.buf[i+1:]
	}
	return len(p), nil
}

// Close passes on an unterminated last line.
func (f *testJSONFilter) Close() error {
	if len(f.buf) == 0 {
		return nil
	}
	err := f.line(f.buf)
	f.buf = nil
	return err
}

func (f *testJSONFilter) line(line []byte) error {
	ev, ok := buildlog.DecodeEvent(line)
	if !ok {
		if line[0] == '{' && json.Valid(bytes.TrimRight(line, "\r\n")) {
			// A test event: the user's, and the build log's when it
			// says that a test binary could not start.
			f.out.event(line)
			if buildlog.IsStartFailureEvent(line) {
				f.log.Write(line)
			}
			_, err := f.user.Write(line)
			return err
		}
		// Text go printed: the user's, and part of the build log.
		f.log.Write(line)
		_, err := f.user.Write(line)
		return err
	}
	f.log.Write(line)
	if ev.Action == "build-output" {
		first, _, _ := strings.Cut(ev.Output, "\n")
		trace := !f.showTrace && !f.afterFailed[ev.ImportPath] && (buildlog.IsTraceLine(first) || isCommandLine(first, f.pcCmd) || buildlog.IsTestRunLine(first))
		f.afterFailed[ev.ImportPath] = isRunningFailed(first)
		if trace {
			return nil
		}
	}
	_, err := f.user.Write(line)
	return err
}

// plainEcho copies to term what plain go test prints on stderr, from the
// stderr of go test -x: every line but the -x trace (commands, heredoc
// bodies, WORK=, the test binaries' command lines). It writes each line
// as it comes, so that go test's stderr and stdout keep their order.
type plainEcho struct {
	term                   io.Writer
	pcCmd                  string
	buf                    []byte
	inHeredoc, afterFailed bool
	// showTrace: the user asked for -x; nothing is taken out.
	showTrace bool
}

func newPlainEcho(term io.Writer, pcCmd string) *plainEcho {
	return &plainEcho{term: term, pcCmd: pcCmd}
}

func (e *plainEcho) Write(p []byte) (int, error) {
	e.buf = append(e.buf, p...)
	for {
		i := bytes.IndexByte(e.buf, '\n')
		if i < 0 {
			break
		}
		e.line(string(e.buf[:i+1]))
		e.buf = e.buf[i+1:]
	}
	return len(p), nil
}

// Close passes on an unterminated last line.
func (e *plainEcho) Close() error {
	if len(e.buf) > 0 {
		e.line(string(e.buf))
		e.buf = nil
	}
	return nil
}

func (e *plainEcho) line(line string) {
	text := strings.TrimRight(line, "\r\n")
	switch {
	case e.showTrace:
		io.WriteString(e.term, line)
	case e.inHeredoc:
		e.inHeredoc = text != "EOF"
	case e.afterFailed:
		io.WriteString(e.term, line)
		e.afterFailed = false
	case buildlog.IsTraceLine(text) || isCommandLine(text, e.pcCmd) || buildlog.IsTestRunLine(text):
		e.inHeredoc = buildlog.StartsHeredoc(text)
	default:
		io.WriteString(e.term, line)
		e.afterFailed = isRunningFailed(text)
	}
}

// markTestsFailed marks the packages whose tests failed: Failed and
// TestFailed, adding a package the log does not show (its build came
// from the cache).
func markTestsFailed(rep *Report, failed []string) {
	for _, path := range failed {
		var p *Package
		for _, q := range rep.Packages {
			if q.ImportPath == path {
				p = q
				break
			}
		}
		if p == nil {
			p = &Package{ImportPath: path}
			rep.Packages = append(rep.Packages, p)
		}
		p.Failed, p.TestFailed = true, true
	}
}

// forensicTestArgs are the arguments of the forensic rebuild of a go test
// that runs the tests: the test binaries are built (-c) into dir, not run.
func forensicTestArgs(args []string, dir string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "-args" || a == "--args" {
			break
		}
		n, _, hasV := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if len(a) > 1 && a[0] == '-' && (n == "json" || n == "o") {
			if n == "o" && !hasV {
				i++
			}
			continue
		}
		out = append(out, a)
	}
	return append([]string{"-c", "-o", dir + string(filepath.Separator)}, out...)
}
