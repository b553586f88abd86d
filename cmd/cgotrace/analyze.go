package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/cgotrace/cgotrace/buildlog"
	"github.com/cgotrace/cgotrace/trace"
	"github.com/cgotrace/cgotrace/trace/diag"
	"github.com/cgotrace/cgotrace/trace/render"
)

type analyzeOptions struct {
	format    string
	output    string
	reportDir string
	input     string
	allSteps  bool
}

func newAnalyzeCmd(g *globals) *cobra.Command {
	o := &analyzeOptions{}
	cmd := &cobra.Command{
		Use:   "analyze [--format F] [-o FILE] [--report-dir DIR] [--all-steps] LOG|-",
		Short: "Explain an existing build log (with or without -x, plain or -json)",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErrorf("analyze takes one log file, or - for standard input (see 'cgotrace analyze --help')")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.input = args[0]
			return runAnalyze(g, o)
		},
	}
	cmd.Flags().StringVar(&o.format, "format", "text", "output format: text, json, markdown, github, html, junit, sarif")
	cmd.Flags().StringVarP(&o.output, "output", "o", "", "write the report to FILE instead of stdout")
	cmd.Flags().StringVar(&o.reportDir, "report-dir", "", "write report.json, report.md, report.html, build.log and compile_commands.json to DIR")
	cmd.Flags().BoolVar(&o.allSteps, "all-steps", false, "keep every step of every package (without it a pure-Go package that built carries only its step counts)")
	return cmd
}

func runAnalyze(g *globals, o *analyzeOptions) error {
	defer streamGC()()
	if o.reportDir != "" {
		if err := render.CheckDir(o.reportDir); err != nil {
			return usageErrorf("%v", err)
		}
	}
	var r io.Reader = g.stdin
	name := "standard input"
	var stdinCopy *os.File
	if o.input == "-" && o.reportDir != "" {
		// build.log of the report directory: what is read is written
		// through to a temporary file, never held in memory.
		f, err := os.CreateTemp("", "cgotrace-stdin-*.log")
		if err != nil {
			return &exitError{code: exitBroken, err: fmt.Errorf("analyze: %w", err)}
		}
		defer os.Remove(f.Name())
		defer f.Close()
		stdinCopy = f
		r = io.TeeReader(r, f)
	}
	if o.input != "-" {
		f, err := os.Open(o.input)
		if err != nil {
			return inputError(fmt.Errorf("analyze: %w", err))
		}
		defer f.Close()
		r, name = f, o.input
	}
	br := bufio.NewReaderSize(r, 64<<10)
	if head, _ := br.Peek(8 << 10); bytes.IndexByte(head, 0) >= 0 && bytes.Count(head, []byte{0}) > len(head)/64 {
		return inputError(fmt.Errorf("analyze %s: binary data, not a build log", name))
	}
	rep, l, err := trace.AnalyzeWith(br, toolVersion(), trace.AnalyzeOptions{AllSteps: o.allSteps})
	if err != nil {
		return inputError(fmt.Errorf("analyze %s: %w", name, err))
	}
	if l.Lines == 0 {
		return inputError(fmt.Errorf("analyze %s: the log is empty (go build without -x prints nothing when it succeeds, so there is nothing to explain)", name))
	}
	if l.Outcome == buildlog.OutcomeUnknown && !hasErrorDiagnosis(rep) && l.Truncated != "" {
		return inputError(fmt.Errorf("analyze %s: truncated: %s; what it shows cannot be diagnosed", name, l.Truncated))
	}
	if l.Outcome == buildlog.OutcomeUnknown && !hasErrorDiagnosis(rep) {
		return inputError(fmt.Errorf("analyze %s: the log does not show how the build ended: it stops before go build finished (truncated?) or is not go build output (%d lines read, %d not understood)", name, l.Lines, l.Skipped))
	}
	rep.Command.Argv = []string{"cgotrace", "analyze", o.input}
	if err := g.writeReport(rep, o.format, o.output); err != nil {
		return err
	}
	publish(g, rep)
	if o.reportDir != "" {
		raw := ""
		if o.input != "-" {
			raw = o.input
		} else if stdinCopy != nil {
			// Everything read went through to the file; the parser reads
			// to the end, so this copies nothing unless it stopped early.
			if _, err := io.Copy(stdinCopy, g.stdin); err != nil {
				return &exitError{code: exitBroken, err: fmt.Errorf("analyze: copy of standard input: %w", err)}
			}
			raw = stdinCopy.Name()
		}
		if err := writeReportDir(g, o.reportDir, rep, raw); err != nil {
			return &exitError{code: exitBroken, err: err}
		}
	}
	if hasErrorDiagnosis(rep) || rep.Command.ExitCode != 0 {
		return exitCode(exitFailed)
	}
	return nil
}

// streamGC tunes the garbage collector for reading a log as a stream: the
// live heap is small (the cgo part of the build) and the parser allocates
// per line, so the default GOGC=100 collects every few MB read. GOGC=400
// under a 48 MiB soft limit collects about a quarter as often (a quarter
// less CPU in all, measured on a 50 MB log) and keeps the heap near the
// limit; a larger cgo part makes the limit collect more often, no more.
// GOGC or GOMEMLIMIT in the environment win. It returns the restore.
func streamGC() func() {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	pct := debug.SetGCPercent(400)
	lim := debug.SetMemoryLimit(48 << 20)
	return func() {
		debug.SetGCPercent(pct)
		debug.SetMemoryLimit(lim)
	}
}

func hasErrorDiagnosis(r *trace.Report) bool {
	for _, d := range r.Diagnoses {
		if d.Severity == diag.Error {
			return true
		}
	}
	return false
}

// writeReportDir writes the --report-dir files; rawLog is the path of the
// raw log to copy byte for byte ("" when there is none, e.g. stdin).
func writeReportDir(g *globals, dir string, r *trace.Report, rawLog string) error {
	var raw io.Reader
	if rawLog != "" {
		f, err := os.Open(rawLog)
		if err != nil {
			return fmt.Errorf("report directory: %w", err)
		}
		defer f.Close()
		raw = f
	}
	return render.WriteDir(dir, r, raw, render.DirOptions{Log: g.log})
}

// publish does what CI expects of a run: under GitHub Actions, the
// annotations on stdout and the Markdown in the step summary.
func publish(g *globals, r *trace.Report) {
	env := render.ActionsEnvFrom(os.Getenv)
	if !env.Active() {
		return
	}
	if err := render.WriteGitHubActions(g.stdout, r, env, render.Options{}); err != nil {
		g.log.WithError(err).Warn("github actions output")
	}
}
