package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The render package's golden files: report.json of each hand-built
// report, and what each renderer made of the report itself.
const goldenDir = "../../trace/render/testdata/golden"

// cgotrace report X.json --format F reproduces, byte for byte, what the
// renderer printed for the original report.
func TestReportReproducesGolden(t *testing.T) {
	ext := map[string]string{"text": "txt", "json": "json", "markdown": "md", "github": "github.txt", "junit": "junit.xml"}
	reports, _ := filepath.Glob(filepath.Join(goldenDir, "*.json"))
	if len(reports) < 5 {
		t.Fatalf("found %d golden reports in %s", len(reports), goldenDir)
	}
	for _, rep := range reports {
		base := strings.TrimSuffix(rep, ".json")
		for format, e := range ext {
			want, err := os.ReadFile(base + "." + e)
			if err != nil {
				t.Fatal(err)
			}
			code, out, stderr := run(t, "report", rep, "--format", format)
			if out != string(want) {
				t.Errorf("report %s --format %s differs from %s.%s", filepath.Base(rep), format, filepath.Base(base), e)
			}
			wantCode := 1
			if strings.HasSuffix(base, "healthy") {
				wantCode = 0
			}
			if code != wantCode || stderr != "" {
				t.Errorf("report %s --format %s: exit %d (want %d), stderr %q", filepath.Base(rep), format, code, wantCode, stderr)
			}
		}
	}
}

func TestReportOutputAndStdin(t *testing.T) {
	rep := filepath.Join(goldenDir, "library-dev-missing.json")
	want, _ := os.ReadFile(filepath.Join(goldenDir, "library-dev-missing.md"))
	out := filepath.Join(t.TempDir(), "summary.md")
	if code, stdout, _ := run(t, "report", rep, "--format", "markdown", "--output", out); code != 1 || stdout != "" {
		t.Errorf("--output: exit %d, stdout %q", code, stdout)
	}
	if got, _ := os.ReadFile(out); !bytes.Equal(got, want) {
		t.Error("--output file differs from the golden Markdown")
	}
	data, _ := os.ReadFile(rep)
	var o, e bytes.Buffer
	if code := Main([]string{"report", "-", "--format", "markdown"}, bytes.NewReader(data), &o, &e); code != 1 || o.String() != string(want) {
		t.Errorf("stdin: exit %d, stderr %q", code, e.String())
	}
}

func TestReportErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o644)
		return p
	}
	good, _ := os.ReadFile(filepath.Join(goldenDir, "header-not-found.json"))
	tests := []struct {
		args []string
		err  string
	}{
		{[]string{"report", filepath.Join(dir, "missing.json")}, "no such file or directory"},
		{[]string{"report", dir}, "is a directory"},
		{[]string{"report", write("trunc.json", string(good[:300]))}, "malformed report: truncated"},
		{[]string{"report", write("garbage.json", "not json at all")}, "malformed report: invalid character 'o' in literal null"},
		{[]string{"report", write("v2.json", `{"schema_version": 2, "tool": {"name": "cgotrace"}}`)}, "unsupported schema_version 2"},
		{[]string{"report", write("inspect.json", `[{"path": "app", "format": "elf"}]`)}, "not a cgotrace report"},
		{[]string{"report", write("ok.json", string(good)), "--format", "yaml"}, `--format: unknown format "yaml"`},
		{[]string{"report"}, "accepts 1 arg(s)"},
	}
	for _, tt := range tests {
		code, out, stderr := run(t, tt.args...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2", tt.args, code)
		}
		if !strings.Contains(stderr, tt.err) || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "cgotrace: ") {
			t.Errorf("%v: stderr %q, want one line with %q", tt.args, stderr, tt.err)
		}
		if out != "" {
			t.Errorf("%v: stdout %q", tt.args, out)
		}
	}
	// A failed run never leaves a half-written --output.
	out := write("keep.md", "user's file\n")
	run(t, "report", filepath.Join(dir, "v2.json"), "--output", out)
	if got, _ := os.ReadFile(out); string(got) != "user's file\n" {
		t.Errorf("--output overwritten after an error: %q", got)
	}
}
