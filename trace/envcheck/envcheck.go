// Package envcheck is the toolchain doctor behind `cgotrace env`: it checks
// the Go build cache, module mode, CGO_ENABLED, the C and C++ compilers,
// the CGO_* flags, pkg-config and cross-compilation targets, and gives each
// finding a verdict, the observed value, why it matters and a fix.
//
// Every check reads the environment it is given (Options.Env), not the
// process's own, and runs external programs through Options.Runner, so a
// test can drive any check with a made-up environment. The checks that
// matter are real: the build cache is really written to, the compilers
// really compile and link a program.
package envcheck

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/sirupsen/logrus"
)

// Verdict of a check.
type Verdict string

const (
	OK   Verdict = "ok"
	Warn Verdict = "warn"
	Fail Verdict = "fail"
)

// Check is one finding.
type Check struct {
	// ID is stable ("gocache", "cgo-enabled", "cc", "target/linux/arm64/cgo", ...).
	ID       string  `json:"id"`
	Verdict  Verdict `json:"verdict"`
	Observed string  `json:"observed"`
	// Why the check matters, or what the observed value means here.
	Why string `json:"why,omitempty"`
	// Fix is what to do; empty when the verdict is ok.
	Fix string `json:"fix,omitempty"`
	// Details are extra lines: an error message, a list of directories.
	Details []string `json:"details,omitempty"`
}

// Report is the result of Run.
type Report struct {
	Schema  string   `json:"schema"`
	Dir     string   `json:"dir"`
	Targets []string `json:"targets,omitempty"`
	Checks  []Check  `json:"checks"`
	Summary Summary  `json:"summary"`
	// ElapsedMS is the wall time of Run in milliseconds.
	ElapsedMS int64 `json:"elapsed_ms"`
}

// Summary counts the verdicts.
type Summary struct {
	OK   int `json:"ok"`
	Warn int `json:"warn"`
	Fail int `json:"fail"`
}

// Failed reports whether any check failed.
func (r *Report) Failed() bool { return r.Summary.Fail > 0 }

// Check returns the check with id, or nil.
func (r *Report) Check(id string) *Check {
	for i := range r.Checks {
		if r.Checks[i].ID == id {
			return &r.Checks[i]
		}
	}
	return nil
}

// Command is one program run by a check.
type Command struct {
	Dir  string
	Env  []string
	Path string
	Args []string
}

// Runner runs a program to completion. err is non-nil when the program
// could not be started or exited with a non-zero status.
type Runner interface {
	Run(ctx context.Context, c Command) (stdout, stderr []byte, err error)
}

// Options configure Run.
type Options struct {
	// Env is the environment the checks look at, as os.Environ returns it.
	// Nil means the process's environment.
	Env []string
	// Dir is the directory the build would run in; "" means the current
	// directory.
	Dir string
	// Go is the go command; "" means "go" looked up on Env's PATH.
	Go string
	// Targets are extra GOOS/GOARCH pairs to check cross readiness for.
	Targets []Target
	// Runner runs external programs; nil means ExecRunner.
	Runner Runner
	// Log receives debug messages; nil discards them.
	Log logrus.FieldLogger
	// Timeout bounds each external program; 0 means 20 s.
	Timeout time.Duration
	// NoCompile skips the compile-and-link probes of CC and CXX.
	NoCompile bool
	// CacheWalkBudget bounds the time spent measuring GOCACHE's size;
	// 0 means 300 ms.
	CacheWalkBudget time.Duration
	// ProgramPackage names the package that ships a compiler program
	// that is not installed ("Debian: gcc-aarch64-linux-gnu"), from a
	// distribution's data, "" when unknown; nil names none. The caller
	// gives it: the tables are trace's.
	ProgramPackage func(program string) string
}

// Target is a GOOS/GOARCH pair.
type Target struct{ GOOS, GOARCH string }

func (t Target) String() string { return t.GOOS + "/" + t.GOARCH }

// ParseTarget parses "GOOS/GOARCH".
func ParseTarget(s string) (Target, error) {
	goos, goarch, ok := strings.Cut(s, "/")
	if !ok || goos == "" || goarch == "" || strings.Contains(goarch, "/") ||
		strings.ContainsAny(s, " \t") {
		return Target{}, fmt.Errorf("target %q: want GOOS/GOARCH, e.g. linux/arm64", s)
	}
	return Target{goos, goarch}, nil
}

// state is what every check may read: the environment, go env and the
// shared helpers.
type state struct {
	opts    Options
	env     *Env
	goenv   GoEnv
	goPath  string
	dir     string
	log     logrus.FieldLogger
	runner  Runner
	timeout time.Duration
	// localToolchain runs go env with GOTOOLCHAIN=local (never a
	// toolchain download).
	localToolchain bool
}

// Run runs every check and returns the report. The error is non-nil only
// when envcheck itself could not work (no working directory); a missing or
// broken toolchain is a failed check.
func Run(ctx context.Context, opts Options) (*Report, error) {
	start := time.Now()
	s, err := newState(opts, true)
	if err != nil {
		return nil, err
	}
	var checks []Check
	goCheck, ok := s.loadEnv(ctx)
	checks = append(checks, goCheck)

	// Every group of checks is independent: run them concurrently and keep
	// the output order fixed.
	type group func(context.Context) []Check
	groups := []group{
		s.checkGoCache,
		s.checkModules,
		s.checkCgo,
		s.checkPkgConfig,
		s.checkTargets,
	}
	if !ok {
		// Without go env only what does not depend on it can be said.
		groups = []group{s.checkGoCache}
	}
	results := make([][]Check, len(groups))
	var wg sync.WaitGroup
	for i, g := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.Now()
			results[i] = g(ctx)
			if len(results[i]) > 0 {
				s.log.WithFields(logrus.Fields{"first": results[i][0].ID, "ms": time.Since(t).Milliseconds()}).Debug("group")
			}
		}()
	}
	wg.Wait()
	for _, r := range results {
		checks = append(checks, r...)
	}

	rep := &Report{Schema: "cgotrace-env/v1", Dir: s.dir, Checks: checks}
	for _, t := range opts.Targets {
		rep.Targets = append(rep.Targets, t.String())
	}
	for _, c := range checks {
		switch c.Verdict {
		case OK:
			rep.Summary.OK++
		case Warn:
			rep.Summary.Warn++
		case Fail:
			rep.Summary.Fail++
		}
	}
	rep.ElapsedMS = time.Since(start).Milliseconds()
	return rep, nil
}

// newState prepares what the checks share from o, with the defaults of
// Options filled in; localToolchain makes go env run with
// GOTOOLCHAIN=local. The error is non-nil when there is no working
// directory.
func newState(o Options, localToolchain bool) (*state, error) {
	if o.Env == nil {
		o.Env = os.Environ()
	}
	s := &state{opts: o, env: NewEnv(o.Env), dir: o.Dir, log: o.Log, runner: o.Runner, timeout: o.Timeout, localToolchain: localToolchain}
	if s.dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, fmt.Errorf("working directory: %w", err)
		}
		s.dir = wd
	}
	if s.log == nil {
		l := logrus.New()
		l.SetOutput(io.Discard)
		s.log = l
	}
	if s.runner == nil {
		s.runner = ExecRunner{}
	}
	if s.timeout == 0 {
		s.timeout = 20 * time.Second
	}
	return s, nil
}

// loadEnv runs go env -json and reads the go env file it names; ok is
// false when go env gave nothing to go on.
func (s *state) loadEnv(ctx context.Context) (Check, bool) {
	c, ge, ok := s.loadGoEnv(ctx)
	s.goenv = ge
	if ok {
		s.env.loadGoEnvFile(ge["GOENV"])
		if s.localToolchain {
			// go env ran with GOTOOLCHAIN=local: report the user's.
			ge["GOTOOLCHAIN"], _ = s.goToolchain()
		}
	}
	return c, ok
}

// goEnvState is newState and loadEnv for the entry points that need go
// env to work: the error says why it did not.
func goEnvState(ctx context.Context, o Options, localToolchain bool) (*state, error) {
	s, err := newState(o, localToolchain)
	if err != nil {
		return nil, err
	}
	if c, ok := s.loadEnv(ctx); !ok {
		return nil, fmt.Errorf("go env: %s %v", c.Observed, c.Details)
	}
	return s, nil
}

// run runs one program with the check environment in dir.
func (s *state) run(ctx context.Context, env []string, dir, path string, args ...string) (string, string, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if env == nil {
		env = s.env.List()
	}
	if dir == "" {
		dir = s.dir
	}
	t := time.Now()
	out, errb, err := s.runner.Run(ctx, Command{Dir: dir, Env: env, Path: path, Args: args})
	s.log.WithFields(logrus.Fields{"cmd": path, "args": args, "ms": time.Since(t).Milliseconds()}).Debug("probe")
	return string(out), string(errb), err
}

// firstLine returns the first non-empty line of s, trimmed.
func firstLine(s string) string {
	for l := range strings.SplitSeq(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return ""
}

// errText is a one-line description of a failed run: the last lines of
// stderr, or err.
func errText(stderr string, err error) string {
	stderr = strings.TrimSpace(stderr)
	if stderr != "" {
		lines := strings.Split(stderr, "\n")
		if len(lines) > 6 {
			lines = lines[len(lines)-6:]
		}
		return strings.Join(lines, "\n")
	}
	if err != nil {
		return err.Error()
	}
	return ""
}
