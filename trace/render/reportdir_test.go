package render

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sirupsen/logrus"
	logtest "github.com/sirupsen/logrus/hooks/test"
)

func TestWriteDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out", "report")
	raw := []byte("WORK=/tmp/go-build123\n# example.com/x\r\n\xff\xfe binary \x00 bytes\n/usr/bin/ld: cannot find -lgizmo: No such file or directory\n")
	log, hook := logtest.NewNullLogger()
	log.SetLevel(logrus.DebugLevel)
	r := libraryDevMissing()
	// A tool that printed Latin-1: invalid UTF-8 in the report.
	r.Diagnoses[0].Evidence = append(r.Diagnoses[0].Evidence, "gcc: erreur fatale : caf\xe9.h")
	if err := WriteDir(dir, r, bytes.NewReader(raw), DirOptions{Log: log}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "build.log"))
	if err != nil || !bytes.Equal(got, raw) {
		t.Errorf("build.log differs from the raw log (err %v)", err)
	}
	for file, format := range map[string]string{"report.json": "json", "report.md": "markdown"} {
		got, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		if want := renderString(t, format, r, Options{}); string(got) != want {
			t.Errorf("%s differs from the %s renderer's output", file, format)
		}
	}
	// html and compdb: written when their renderer is built in, otherwise
	// skipped with a note.
	for _, f := range []struct{ file, format string }{{"report.html", "html"}, {"compile_commands.json", "compdb"}} {
		_, statErr := os.Stat(filepath.Join(dir, f.file))
		if _, err := Lookup(f.format); err == nil {
			if statErr != nil {
				t.Errorf("%s not written: %v", f.file, statErr)
			}
			continue
		}
		if statErr == nil {
			t.Errorf("%s written without a renderer", f.file)
		}
		noted := false
		for _, e := range hook.AllEntries() {
			noted = noted || (e.Data["file"] == f.file && strings.Contains(e.Message, "skipped"))
		}
		if !noted {
			t.Errorf("skipping %s was not logged", f.file)
		}
	}
	// report.json read back renders report.md byte for byte (what
	// `cgotrace report report.json --format markdown` does).
	js, _ := os.ReadFile(filepath.Join(dir, "report.json"))
	back, err := Decode(bytes.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	md, _ := os.ReadFile(filepath.Join(dir, "report.md"))
	if again := renderString(t, "markdown", back, Options{}); again != string(md) {
		t.Error("report.json re-rendered differs from report.md")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") && e.Name() != ManifestName {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
	// Written again over the old files: replaced, not appended to.
	if err := WriteDir(dir, healthy(), nil, DirOptions{}); err != nil {
		t.Fatal(err)
	}
	md, _ = os.ReadFile(filepath.Join(dir, "report.md"))
	if want := renderString(t, "markdown", healthy(), Options{}); string(md) != want {
		t.Errorf("report.md not replaced:\n%s", md)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "build.log")); !bytes.Equal(got, raw) {
		t.Error("build.log changed although no log was given")
	}
}

// TestWriteDirOwnFiles: cgotrace replaces the files it wrote (listed
// with their SHA-256 in the manifest) and nothing else: a user's
// report.json or build.log, or one of its own files edited since, is
// left as it is, and CheckDir refuses the directory before a build.
func TestWriteDirOwnFiles(t *testing.T) {
	dir := t.TempDir()
	raw := []byte("WORK=/tmp/go-build1\n")
	if err := CheckDir(filepath.Join(dir, "new")); err != nil {
		t.Errorf("a directory to be made: %v", err)
	}
	if err := WriteDir(dir, libraryDevMissing(), bytes.NewReader(raw), DirOptions{}); err != nil {
		t.Fatal(err)
	}
	man, _ := os.ReadFile(filepath.Join(dir, ManifestName))
	if !strings.Contains(string(man), "  report.json\n") || !strings.Contains(string(man), "  build.log\n") {
		t.Errorf("manifest:\n%s", man)
	}
	// Its own files: checked and replaced.
	if err := CheckDir(dir); err != nil {
		t.Fatalf("own files refused: %v", err)
	}
	if err := WriteDir(dir, healthy(), bytes.NewReader([]byte("second\n")), DirOptions{}); err != nil {
		t.Fatalf("own files not replaced: %v", err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "build.log")); string(got) != "second\n" {
		t.Errorf("build.log = %q, want the second log", got)
	}
	if err := CheckDir(dir); err != nil {
		t.Fatalf("after the second write: %v", err)
	}

	for _, tc := range []struct {
		name  string
		setup func(dir string)
		file  string
	}{
		{"user's report.json", func(d string) { os.WriteFile(filepath.Join(d, "report.json"), []byte(`{"mine": true}`), 0o644) }, "report.json"},
		{"user's build.log", func(d string) { os.WriteFile(filepath.Join(d, "build.log"), []byte("my notes\n"), 0o644) }, "build.log"},
		{"own file edited", func(d string) {
			WriteDir(d, healthy(), bytes.NewReader(raw), DirOptions{})
			os.WriteFile(filepath.Join(d, "report.md"), []byte("my edits\n"), 0o644)
		}, "report.md"},
		{"directory in the way", func(d string) { os.Mkdir(filepath.Join(d, "report.html"), 0o755) }, "report.html"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := t.TempDir()
			tc.setup(d)
			before, _ := os.ReadFile(filepath.Join(d, tc.file))
			var fe *ForeignFileError
			if err := CheckDir(d); !errors.As(err, &fe) || fe.Name != tc.file {
				t.Errorf("CheckDir: %v, want %s refused", err, tc.file)
			} else if strings.Contains(err.Error(), "\n") {
				t.Errorf("not one line: %q", err)
			}
			err := WriteDir(d, libraryDevMissing(), bytes.NewReader([]byte("new log\n")), DirOptions{})
			if !errors.As(err, &fe) || fe.Name != tc.file {
				t.Errorf("WriteDir: %v, want %s refused", err, tc.file)
			}
			if after, _ := os.ReadFile(filepath.Join(d, tc.file)); !bytes.Equal(before, after) {
				t.Errorf("%s was replaced: %q -> %q", tc.file, before, after)
			}
		})
	}
}

func TestWriteDirErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, []byte("x"), 0o644)
	if err := WriteDir(file, libraryDevMissing(), nil, DirOptions{}); err == nil {
		t.Error("a regular file as the directory: no error")
	}
	if err := WriteDir(t.TempDir(), nil, nil, DirOptions{}); err == nil {
		t.Error("nil report: no error")
	}
}

type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("disk on fire")
	}
	k := min(len(p), f.n)
	for i := range p[:k] {
		p[i] = 'x'
	}
	f.n -= k
	return k, nil
}

// An interrupted write leaves the old file as it was and no temporary.
func TestWriteAtomicInterrupted(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "build.log")
	os.WriteFile(path, []byte("old log\n"), 0o644)
	err := writeAtomic(path, &failingReader{n: 100 << 10})
	if err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("err = %v", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old log\n" {
		t.Errorf("old file changed: %q", got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("files left: %v", entries)
	}
}

func TestWriteGitHubActions(t *testing.T) {
	r := libraryDevMissing()
	summary := filepath.Join(t.TempDir(), "step_summary")
	var out bytes.Buffer

	// Outside Actions: nothing at all.
	if err := WriteGitHubActions(&out, r, ActionsEnv{StepSummary: summary}, Options{}); err != nil || out.Len() != 0 {
		t.Fatalf("inactive: err %v, output %q", err, out.String())
	}
	if _, err := os.Stat(summary); !os.IsNotExist(err) {
		t.Fatal("inactive: step summary written")
	}

	earlier := "## Earlier step output\n\n"
	os.WriteFile(summary, []byte(earlier), 0o644)
	env := ActionsEnvFrom(func(k string) string {
		return map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summary, "GITHUB_WORKSPACE": "/home/ci/src"}[k]
	})
	if err := WriteGitHubActions(&out, r, env, Options{Color: true}); err != nil {
		t.Fatal(err)
	}
	as := parseAnnotations(t, out.String())
	if len(as) != 1 || as[0].kind != "error" || as[0].props["file"] != "library-dev-missing-basic/main.go" || as[0].props["line"] != "3" {
		t.Errorf("annotations: %+v", as)
	}
	got, _ := os.ReadFile(summary)
	if !strings.HasPrefix(string(got), earlier) || !strings.HasSuffix(string(got), renderString(t, "markdown", r, Options{})) {
		t.Errorf("step summary is not the earlier text plus the Markdown:\n%s", got)
	}

	// The summary budget shrinks by what is already there.
	big := filepath.Join(t.TempDir(), "big_summary")
	os.WriteFile(big, bytes.Repeat([]byte("x"), DefaultMaxBytes-200<<10), 0o644)
	env.StepSummary = big
	if err := WriteGitHubActions(io.Discard, huge(), env, Options{}); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(big); fi.Size() > DefaultMaxBytes {
		t.Errorf("step summary grew to %d bytes, over GitHub's 1 MiB", fi.Size())
	}

	// An unwritable summary is an error, the annotations are still out.
	out.Reset()
	env.StepSummary = filepath.Join(t.TempDir(), "no", "such", "dir")
	if err := WriteGitHubActions(&out, r, env, Options{}); err == nil || out.Len() == 0 {
		t.Errorf("unwritable summary: err %v, %d bytes of annotations", err, out.Len())
	}
}
