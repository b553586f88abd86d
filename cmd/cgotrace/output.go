package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

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
	if err := writeFileAtomic(path, buf.Bytes()); err != nil {
		// A --output path that cannot be written is the user's input.
		return inputError(err)
	}
	return nil
}

// writeFileAtomic writes data to path through a temporary file and a
// rename in the same directory.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, werr := io.Copy(tmp, bytes.NewReader(data))
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp.Name(), 0o644)
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, werr)
	}
	return nil
}
