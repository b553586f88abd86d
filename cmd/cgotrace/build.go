package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/cgotrace/cgotrace/trace"
	"github.com/cgotrace/cgotrace/trace/render"
)

// buildOptions are cgotrace's own flags of `build`; every other argument
// belongs to go build.
type buildOptions struct {
	format    string
	output    string
	reportDir string
	keepWork  bool
	noRerun   bool
	cacheRep  bool
	allSteps  bool
	goPath    string
	goCmd     string
	root      string
	goArgs    []string
	help      bool
}

// buildFlags are the long flags `build` owns; the bool says whether the
// flag takes a value.
var buildFlags = map[string]bool{
	"format": true, "output": true, "report-dir": true, "go": true, "go-cmd": true, "root": true,
	"keep-work": false, "no-rerun": false, "cache-report": false, "all-steps": false, "help": false,
}

// parseBuildArgs separates cgotrace's own long flags from go build's
// arguments, which keep their order. `--` ends cgotrace's flags.
func parseBuildArgs(args []string) (*buildOptions, error) {
	return parseGoCmdArgs("build", args)
}

// parseGoCmdArgs is parseBuildArgs for `cgotrace build`, `test` or
// `install` (cmd): the same flags, except that --go-cmd belongs to build
// only.
func parseGoCmdArgs(cmd string, args []string) (*buildOptions, error) {
	o := &buildOptions{format: "text", goCmd: cmd, goPath: "go"}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			o.goArgs = append(o.goArgs, args[i+1:]...)
			break
		}
		if a == "-h" && len(o.goArgs) == 0 {
			o.help = true
			continue
		}
		if !strings.HasPrefix(a, "--") {
			o.goArgs = append(o.goArgs, a)
			continue
		}
		name, val, hasVal := strings.Cut(a[2:], "=")
		takesValue, ours := buildFlags[name]
		if !ours {
			o.goArgs = append(o.goArgs, a) // go accepts --flag too
			continue
		}
		if takesValue && !hasVal {
			if i+1 >= len(args) {
				return nil, usageErrorf("flag needs an argument: --%s", name)
			}
			i++
			val = args[i]
		}
		if !takesValue && hasVal {
			return nil, usageErrorf("--%s takes no value", name)
		}
		switch name {
		case "format":
			o.format = val
		case "output":
			o.output = val
		case "report-dir":
			o.reportDir = val
		case "go":
			o.goPath = val
		case "root":
			o.root = val
		case "go-cmd":
			if cmd != "build" {
				return nil, usageErrorf("--go-cmd is a flag of cgotrace build only")
			}
			if val != "build" && val != "install" && val != "test" {
				return nil, usageErrorf("--go-cmd must be build, install or test, not %q", val)
			}
			o.goCmd = val
		case "keep-work":
			o.keepWork = true
		case "no-rerun":
			o.noRerun = true
		case "cache-report":
			o.cacheRep = true
		case "all-steps":
			o.allSteps = true
		case "help":
			o.help = true
		}
	}
	return o, nil
}

func newBuildCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "build [--format F] [--output FILE] [--report-dir DIR] [--keep-work] [--no-rerun] [--cache-report] [--all-steps] [--go PATH] [--go-cmd build|install|test] [--root DIR] [go build flags] [packages]",
		Short: "Run go build instrumented and explain why it failed",
		Long: `build runs go build with your arguments, unchanged and in order, plus -x -json
-work, and a recording PKG_CONFIG shim. The terminal shows what plain go build
prints; when the build fails, cgotrace rebuilds the chain #cgo line →
pkg-config → gcc → linker per package and names the root cause with a fix.
Its own flags are long-form only; -- ends them. The exit code is go build's.
--go-cmd install and --go-cmd test are kept as the older spellings of
cgotrace install and cgotrace test (go test -c builds test binaries only).
A successful build's binary is resolved as the loader would: on this machine,
or for a cross build in the C cross compiler's sysroot, or in --root DIR.`,
		DisableFlagParsing: true,
		RunE:               goCmdRunE(g, "build"),
	}
	return cmd
}

// goCmdRunE runs `cgotrace build`, `test` or `install` (goCmd): its
// arguments parsed by parseGoCmdArgs, then runBuild.
func goCmdRunE(g *globals, goCmd string) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		o, err := parseGoCmdArgs(goCmd, args)
		if err != nil {
			return err
		}
		if o.help {
			return cmd.Help()
		}
		return runBuild(cmd.Context(), g, o)
	}
}

func runBuild(ctx context.Context, g *globals, o *buildOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	self, err := os.Executable()
	if err != nil {
		self = ""
	}
	dir, err := os.Getwd()
	if err != nil {
		return &exitError{code: exitBroken, err: err}
	}
	if o.reportDir != "" {
		// Before the build: a user's file in the way is a usage error,
		// not something to find out after a long build.
		if err := render.CheckDir(o.reportDir); err != nil {
			return usageErrorf("%v", err)
		}
	}
	// The first SIGINT or SIGTERM stops go build and everything after
	// it; the partial report is written and cgotrace exits 128+signal.
	// A second one exits at once (trace.Build kills go build's process
	// group first).
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer func() {
		signal.Stop(sigs)
		close(sigs)
	}()
	// What go build prints is echoed to stderr, which the Actions runner
	// reads for workflow commands too.
	term, termDone := g.actionsGuard(g.stderr, "text")
	res, err := trace.Build(ctx, trace.BuildOptions{
		GoCmd: o.goCmd, Args: o.goArgs, Go: o.goPath, Dir: dir, Env: os.Environ(),
		KeepWork: o.keepWork, NoRerun: o.noRerun, CacheReport: o.cacheRep, AllSteps: o.allSteps, Root: o.root, Terminal: term, Signals: sigs,
		Abort: func(s os.Signal) {
			fmt.Fprintf(g.stderr, "cgotrace: %s again: exiting without a report\n", trace.SignalName(s))
			if res := signalExit(s); res > 0 {
				os.Exit(res)
			}
			os.Exit(exitBroken)
		},
		Stdout: g.stdout,
		Self:   self, Version: toolVersion(), Log: g.log,
	})
	termDone()
	if res != nil && res.RawLog != "" {
		defer os.Remove(res.RawLog)
	}
	if res != nil {
		defer res.Wait()
	}
	if err != nil && (res == nil || res.Report == nil) {
		return &exitError{code: exitBroken, err: fmt.Errorf("build: %w", err)}
	}
	if err != nil {
		g.log.WithError(err).Error("build")
	}
	rep := res.Report
	out := o.output
	if out == "" && trace.RunsTests(o.goCmd, o.goArgs) {
		// go test's output is on stdout, which stays the user's: the
		// report goes to stderr (--output - puts it on stdout).
		out = stderrPath
	}
	if werr := g.writeReport(rep, o.format, out); werr != nil {
		g.log.WithError(werr).Error("could not write the report")
	}
	publish(g, rep)
	if o.reportDir != "" {
		if werr := writeReportDir(g, o.reportDir, rep, res.RawLog); werr != nil {
			g.log.WithError(werr).Error("could not write the report directory")
		}
	}
	if rep.Command.Outcome == trace.OutcomeInterrupted {
		// The shell's convention for a process ended by a signal.
		return exitCode(signalExitName(rep.Command.Signal))
	}
	code := rep.Command.ExitCode
	if err != nil && code == 0 {
		return exitCode(exitBroken)
	}
	return exitCode(code)
}

// signalExit is the shell's exit status of a process ended by s:
// 128 + its number (130 for SIGINT, 143 for SIGTERM).
func signalExit(s os.Signal) int {
	if n, ok := s.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return 0
}

// signalExitName is signalExit for a signal named in a report.
func signalExitName(name string) int {
	switch name {
	case "SIGINT":
		return signalExit(syscall.SIGINT)
	case "SIGTERM":
		return signalExit(syscall.SIGTERM)
	}
	return exitBroken
}
