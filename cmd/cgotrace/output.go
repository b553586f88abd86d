package main

import (
	"bytes"
	"io"
	"os"

	"github.com/cgotrace/cgotrace/trace"
	"github.com/cgotrace/cgotrace/trace/render"
)

// writeReport renders r in format to --output FILE (written to a temporary
// name in the same directory and renamed, so an interrupted run never
// leaves half a file) or to stdout when path is empty or "-".
func (g *globals) writeReport(r *trace.Report, format, path string) error {
	f, err := render.Lookup(format)
	if err != nil {
		return usageErrorf("--format: %v", err)
	}
	if path == stderrPath {
		w, done := g.actionsGuard(g.stderr, format)
		err := f(w, r, render.Options{Color: g.logColor})
		if derr := done(); err == nil {
			err = derr
		}
		return err
	}
	opts := render.Options{Color: g.color && (path == "" || path == "-")}
	if path == "" || path == "-" {
		w, done := g.actionsGuard(g.stdout, format)
		err := f(w, r, opts)
		if derr := done(); err == nil {
			err = derr
		}
		return err
	}
	var buf bytes.Buffer
	if err := f(&buf, r, opts); err != nil {
		return err
	}
	if err := render.WriteFileAtomic(path, &buf); err != nil {
		// A --output path that cannot be written is the user's input.
		return inputError(err)
	}
	return nil
}

// stderrPath is the writeReport path of standard error (no file can have
// this name: it holds a NUL byte).
const stderrPath = "\x00stderr"

// writeFileAtomic writes data to path through render.WriteFileAtomic
// (temporary file and rename; devices and pipes written in place).
func writeFileAtomic(path string, data []byte) error {
	return render.WriteFileAtomic(path, bytes.NewReader(data))
}

// actionsGuard guards w, under GitHub Actions, against text from the
// build that the runner would read as a workflow command (see
// render.ActionsGuard); the github format is made of commands and
// escapes its own. done must be called when the output is complete.
func (g *globals) actionsGuard(w io.Writer, format string) (io.Writer, func() error) {
	if format == "github" || !render.ActionsEnvFrom(os.Getenv).Active() {
		return w, func() error { return nil }
	}
	ag := render.NewActionsGuard(w, format == "json" || format == "sarif")
	return ag, ag.Close
}
