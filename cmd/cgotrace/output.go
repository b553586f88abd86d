package main

import (
	"bytes"

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
	opts := render.Options{Color: g.color && (path == "" || path == "-")}
	if path == "" || path == "-" {
		return f(g.stdout, r, opts)
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

// writeFileAtomic writes data to path through render.WriteFileAtomic
// (temporary file and rename; devices and pipes written in place).
func writeFileAtomic(path string, data []byte) error {
	return render.WriteFileAtomic(path, bytes.NewReader(data))
}
