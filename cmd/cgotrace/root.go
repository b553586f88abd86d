package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"
)

// Exit codes, the same for every --format (STYLE.md).
const (
	exitOK     = 0 // success
	exitFailed = 1 // the build or a check failed; the report was still written
	exitUsage  = 2 // usage error, unreadable input
	exitBroken = 3 // cgotrace itself could not do its job
)

// version is set with -ldflags "-X main.version=..." by release builds;
// otherwise it comes from the module's build info.
var version = ""

func toolVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

// globals are the settings every command shares. They are decided once in
// Main: commands never look at the terminal or the environment for them.
type globals struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	log    *logrus.Logger
	// color is true when stdout is a terminal and colour is not disabled
	// (NO_COLOR, TERM=dumb); logColor the same for stderr.
	color    bool
	logColor bool

	verbose   bool
	quiet     bool
	logFormat string
}

// exitError carries an exit code up to Main. A nil err means the command
// already said what it had to say (a failed build, a failed check).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// exitCode makes a command end with code without printing anything more.
func exitCode(code int) error {
	if code == exitOK {
		return nil
	}
	return &exitError{code: code}
}

// usageErrorf reports a usage error (exit 2).
func usageErrorf(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// inputError reports input cgotrace cannot read (a missing or corrupt
// file): exit 2, like a usage error.
func inputError(err error) error {
	return &exitError{code: exitUsage, err: err}
}

// Main runs cgotrace with args (without the program name) and returns the
// process exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if code, ok := runShimIfActive(args, stdin, stdout, stderr); ok {
		return code
	}
	g := &globals{stdin: stdin, stdout: stdout, stderr: stderr}
	g.color = decideColor(stdout, os.Getenv)
	g.logColor = decideColor(stderr, os.Getenv)
	g.log = logrus.New()
	g.log.SetOutput(stderr)

	root := newRootCmd(g)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)

	err := root.Execute()
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(stderr, "cgotrace: %v\n", ee.err)
		}
		return ee.code
	}
	// Anything cobra itself rejects (unknown command or flag, wrong
	// number of arguments) is a usage error.
	fmt.Fprintf(stderr, "cgotrace: %v\n", err)
	if isCobraUsageError(err) {
		return exitUsage
	}
	return exitBroken
}

func isCobraUsageError(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag",
		"accepts ", "requires at least", "requires at most", "invalid argument",
		"flag needs an argument", "bad flag syntax", "if any flags in the group"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

// decideColor is the one place that decides colour: only on a terminal,
// never with NO_COLOR set (https://no-color.org) or TERM=dumb.
func decideColor(w io.Writer, getenv func(string) string) bool {
	if getenv("NO_COLOR") != "" || getenv("TERM") == "dumb" {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	return fi.Mode()&os.ModeCharDevice != 0
}

func newRootCmd(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:   "cgotrace",
		Short: "Explain cgo build failures and inspect what cgo binaries need at run time",
		Long: `cgotrace follows a cgo build through its whole chain — #cgo line, pkg-config,
gcc, the external linker — and names the root cause of a failure with a fix.
It also reads ELF, Mach-O and PE binaries and resolves their shared libraries
the way the dynamic loader would, without running them.`,
		Version: toolVersion(),
		// Global flags (-v, -q, --log-format) are read before the
		// subcommand, so that build can hand all of its own to go build.
		TraverseChildren: true,
		SilenceUsage:     true,
		SilenceErrors:    true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			return g.setupLogger()
		},
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErrorf("unknown command %q (see 'cgotrace --help')", args[0])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return &exitError{code: exitUsage, err: fmt.Errorf("%w (see '%s --help')", err, cmd.CommandPath())}
	})
	pf := root.PersistentFlags()
	pf.BoolVarP(&g.verbose, "verbose", "v", false, "log debug messages to stderr")
	pf.BoolVarP(&g.quiet, "quiet", "q", false, "log only errors to stderr")
	pf.StringVar(&g.logFormat, "log-format", "text", "log format on stderr: text or json")
	root.MarkFlagsMutuallyExclusive("verbose", "quiet")

	for _, c := range commands(g) {
		root.AddCommand(c)
	}
	return root
}

// commands lists the subcommands. Each lives in its own file.
func commands(g *globals) []*cobra.Command {
	return []*cobra.Command{
		newAnalyzeCmd(g),
		newBuildCmd(g),
		newTestCmd(g),
		newInstallCmd(g),
		newReportCmd(g),
		newInspectCmd(g),
		newVerifyCmd(g),
		newPkgConfigCmd(g),
		newEnvCmd(g),
		newSymbolCmd(g),
		newExplainCmd(g),
	}
}

func (g *globals) setupLogger() error {
	switch {
	case g.verbose:
		g.log.SetLevel(logrus.DebugLevel)
	case g.quiet:
		g.log.SetLevel(logrus.ErrorLevel)
	default:
		g.log.SetLevel(logrus.InfoLevel)
	}
	switch g.logFormat {
	case "text":
		g.log.SetFormatter(&logrus.TextFormatter{
			DisableColors:    !g.logColor,
			DisableTimestamp: true,
		})
	case "json":
		g.log.SetFormatter(&logrus.JSONFormatter{})
	default:
		return usageErrorf("--log-format must be text or json, not %q", g.logFormat)
	}
	return nil
}
