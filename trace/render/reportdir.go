package render

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

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

// ManifestName is the file in a report directory that lists what
// cgotrace wrote there: one line per file, "SHA-256  NAME", the format of
// sha256sum (so `sha256sum -c .cgotrace.sha256` checks the directory).
const ManifestName = ".cgotrace.sha256"

// dirNames are the files WriteDir may write.
func dirNames() []string {
	names := []string{BuildLogName}
	for _, f := range dirFiles {
		names = append(names, f.name)
	}
	return names
}

// ForeignFileError is a file in a report directory that cgotrace would
// replace but did not write.
type ForeignFileError struct {
	Dir, Name string
	Reason    string
}

func (e *ForeignFileError) Error() string {
	return fmt.Sprintf("--report-dir %s: %s %s, and cgotrace writes only over files it wrote (listed with their SHA-256 in %s): move it, or choose another directory",
		e.Dir, e.Name, e.Reason, ManifestName)
}

// readManifest reads dir's manifest: the SHA-256 sums listed per name
// (a name may be listed with more than one while WriteDir runs).
func readManifest(dir string) map[string][]string {
	m := map[string][]string{}
	data, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil || len(data) > 1<<16 {
		return m
	}
	for _, line := range strings.Split(string(data), "\n") {
		sum, name, ok := strings.Cut(line, "  ")
		if ok && len(sum) == 64 {
			m[name] = append(m[name], sum)
		}
	}
	return m
}

// fileSum is the hex SHA-256 of the regular file p.
func fileSum(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// CheckDir reports, before anything is built, whether WriteDir may write
// into dir: every file of a report directory that exists there must be
// cgotrace's own, a regular file whose SHA-256 the manifest lists (what
// cgotrace wrote, unchanged since). A report.json of the user's, or one
// they edited, is never replaced. dir itself may be missing (it is made).
func CheckDir(dir string) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("--report-dir %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("--report-dir %s: not a directory", dir)
	}
	m := readManifest(dir)
	for _, name := range dirNames() {
		if err := checkOwn(dir, name, m); err != nil {
			return err
		}
	}
	return nil
}

func checkOwn(dir, name string, m map[string][]string) error {
	p := filepath.Join(dir, name)
	fi, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("--report-dir %s: %w", dir, err)
	}
	if !fi.Mode().IsRegular() {
		return &ForeignFileError{Dir: dir, Name: name, Reason: "exists and is not a regular file"}
	}
	if len(m[name]) == 0 {
		return &ForeignFileError{Dir: dir, Name: name, Reason: "exists"}
	}
	sum, err := fileSum(p)
	if err != nil {
		return fmt.Errorf("--report-dir %s: %w", dir, err)
	}
	for _, s := range m[name] {
		if s == sum {
			return nil
		}
	}
	return &ForeignFileError{Dir: dir, Name: name, Reason: "was changed since cgotrace wrote it"}
}

// writeManifest writes m (name → sums) atomically.
func writeManifest(dir string, m map[string][]string) error {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	var b bytes.Buffer
	for _, n := range names {
		for _, s := range m[n] {
			fmt.Fprintf(&b, "%s  %s\n", s, n)
		}
	}
	return writeAtomic(filepath.Join(dir, ManifestName), &b)
}

// WriteDir writes the --report-dir files into dir (created if needed):
// report.json, report.md, report.html, compile_commands.json and, when
// rawLog is not nil, build.log with the raw build log byte for byte. Each
// file is written under a temporary name in dir and renamed into place,
// so an interrupted run never leaves a half-written file. A format whose
// renderer is not built in is skipped with a note in the log. A file
// that cannot be written does not stop the others; the errors are
// returned together.
//
// WriteDir replaces only files it wrote (CheckDir): a file of the user's
// is left alone and reported as a *ForeignFileError. The manifest lists
// the new files' sums before they are renamed into place (with the old
// sums, so that an interrupted run leaves every file recognised) and
// only the new ones afterwards.
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
	m := readManifest(dir)
	type staged struct{ name, tmp, sum string }
	var files []staged
	stage := func(name string, src io.Reader) {
		if err := checkOwn(dir, name, m); err != nil {
			errs = append(errs, err)
			return
		}
		tmp, sum, err := writeTemp(dir, name, src)
		if err != nil {
			errs = append(errs, err)
			return
		}
		files = append(files, staged{name, tmp, sum})
	}
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
		stage(f.name, &buf)
	}
	if rawLog != nil {
		stage(BuildLogName, rawLog)
	}
	defer func() {
		for _, f := range files {
			os.Remove(f.tmp) // renamed ones are gone already
		}
	}()
	for _, f := range files {
		m[f.name] = append(m[f.name], f.sum)
	}
	if err := writeManifest(dir, m); err != nil {
		return errors.Join(append(errs, err)...)
	}
	for _, f := range files {
		if err := os.Rename(f.tmp, filepath.Join(dir, f.name)); err != nil {
			errs = append(errs, fmt.Errorf("write %s: %w", filepath.Join(dir, f.name), err))
			continue
		}
		m[f.name] = []string{f.sum}
		log.WithFields(logrus.Fields{"file": filepath.Join(dir, f.name)}).Debug("report directory: wrote")
	}
	for name := range m {
		if _, err := os.Lstat(filepath.Join(dir, name)); err != nil {
			delete(m, name)
		}
	}
	if err := writeManifest(dir, m); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// writeTemp copies src to a new temporary file in dir, synced, mode 0644,
// and returns its name and SHA-256.
func writeTemp(dir, name string, src io.Reader) (string, string, error) {
	tmp, err := os.CreateTemp(dir, "."+name+".tmp*")
	if err != nil {
		return "", "", fmt.Errorf("write %s: %w", filepath.Join(dir, name), err)
	}
	h := sha256.New()
	_, werr := io.Copy(io.MultiWriter(tmp, h), src)
	if werr == nil {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp.Name(), 0o644)
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return "", "", fmt.Errorf("write %s: %w", filepath.Join(dir, name), werr)
	}
	return tmp.Name(), hex.EncodeToString(h.Sum(nil)), nil
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
