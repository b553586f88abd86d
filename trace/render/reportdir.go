package render

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/sirupsen/logrus"

	"github.com/cgotrace/cgotrace/trace"
)

// DirOptions are the settings of WriteDir.
type DirOptions struct {
	// Render is passed to every renderer. Color is ignored: files never
	// get colour.
	Render Options
	// Log receives a note for each file written or skipped; nil discards.
	Log logrus.FieldLogger
}

// The files of a --report-dir, and the renderer of each.
var dirFiles = []struct{ name, format string }{
	{"report.json", "json"},
	{"report.md", "markdown"},
	{"report.html", "html"},
	{"compile_commands.json", "compdb"},
}

// BuildLogName is the raw log's name in a report directory.
const BuildLogName = "build.log"

// WriteDir writes the --report-dir files into dir (created if needed):
// report.json, report.md, report.html, compile_commands.json and, when
// rawLog is not nil, build.log with the raw build log byte for byte. Each
// file is written under a temporary name in dir and renamed into place,
// so an interrupted run never leaves a half-written file. A format whose
// renderer is not built in is skipped with a note in the log. A file
// that cannot be written does not stop the others; the errors are
// returned together.
func WriteDir(dir string, r *trace.Report, rawLog io.Reader, o DirOptions) error {
	log := o.Log
	if log == nil {
		l := logrus.New()
		l.SetOutput(io.Discard)
		log = l
	}
	if r == nil {
		return errors.New("write report directory: no report")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write report directory: %w", err)
	}
	ro := o.Render
	ro.Color = false
	var errs []error
	for _, f := range dirFiles {
		fn, err := Lookup(f.format)
		if err != nil {
			log.WithFields(logrus.Fields{"file": f.name, "format": f.format}).Info("report directory: renderer not built in, file skipped")
			continue
		}
		var buf bytes.Buffer
		if err := fn(&buf, r, ro); err != nil {
			errs = append(errs, fmt.Errorf("render %s: %w", f.name, err))
			continue
		}
		if err := writeAtomic(filepath.Join(dir, f.name), &buf); err != nil {
			errs = append(errs, err)
			continue
		}
		log.WithFields(logrus.Fields{"file": filepath.Join(dir, f.name), "bytes": buf.Len()}).Debug("report directory: wrote")
	}
	if rawLog != nil {
		if err := writeAtomic(filepath.Join(dir, BuildLogName), rawLog); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// writeAtomic copies src to path through a temporary file in the same
// directory and a rename; on any error the temporary file is removed and
// path is left as it was.
func writeAtomic(path string, src io.Reader) error { return WriteFileAtomic(path, src) }

// WriteFileAtomic writes src to path through a temporary file in the same
// directory and a rename, so that an interrupted run never leaves half a
// file. A path that exists and is not a regular file (/dev/null, /dev/stdout,
// a named pipe) is written to directly: renaming over it would replace
// the device or pipe with a regular file.
func WriteFileAtomic(path string, src io.Reader) error {
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		if fi.IsDir() {
			return fmt.Errorf("write %s: is a directory", path)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
		if err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		_, werr := io.Copy(f, src)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return fmt.Errorf("write %s: %w", path, werr)
		}
		return nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, werr := io.Copy(tmp, src)
	if werr == nil {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
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
