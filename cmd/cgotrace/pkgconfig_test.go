package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPkgConfigExplainCLI(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "foo.pc"), []byte("Name: foo\nDescription: f\nVersion: 2.1\nRequires: bar\nCflags: -DFOO\nLibs: -lfoo\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "bar.pc"), []byte("Name: bar\nDescription: b\nVersion: 1\nLibs: -lbar\nLibs.private: -lm\n"), 0o644)
	t.Setenv("PKG_CONFIG_PATH", dir)
	t.Setenv("PKG_CONFIG_LIBDIR", "")

	code, out, stderr := run(t, "pkg-config", "explain", "--format", "json", "--static", "foo")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var exs []struct {
		Found    bool     `json:"found"`
		PCFile   string   `json:"pc_file"`
		Version  string   `json:"version"`
		Cflags   []string `json:"cflags"`
		Libs     []string `json:"libs"`
		Requires []struct {
			Name   string `json:"name"`
			PCFile string `json:"pc_file"`
		} `json:"requires"`
		SearchPath  []string          `json:"search_path"`
		Suggestions []json.RawMessage `json:"suggestions"`
		Problems    []json.RawMessage `json:"problems"`
	}
	if err := json.Unmarshal([]byte(out), &exs); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	ex := exs[0]
	if !ex.Found || ex.PCFile != filepath.Join(dir, "foo.pc") || ex.Version != "2.1" ||
		strings.Join(ex.Cflags, " ") != "-DFOO" || strings.Join(ex.Libs, " ") != "-lfoo -lbar -lm" ||
		len(ex.Requires) != 1 || ex.Requires[0].PCFile != filepath.Join(dir, "bar.pc") ||
		len(ex.SearchPath) != 1 || ex.Suggestions == nil || ex.Problems == nil {
		t.Fatalf("%+v", ex)
	}

	code, out, _ = run(t, "pkg-config", "explain", "fooo")
	if code != 1 || !strings.Contains(out, "did you mean foo?") || !strings.Contains(out, "searched, in order:") {
		t.Fatalf("exit %d: %s", code, out)
	}
	code, out, _ = run(t, "pkg-config", "explain", "foo")
	if code != 0 || !strings.Contains(out, "bar → "+filepath.Join(dir, "bar.pc")) || !strings.Contains(out, "flags by package:") {
		t.Fatalf("exit %d: %s", code, out)
	}
	for _, args := range [][]string{{"pkg-config", "explain"}, {"pkg-config", "explain", "--format", "xml", "foo"}, {"pkg-config", "bogus"}} {
		if code, _, stderr := run(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, stderr)
		}
	}
}

// TestPkgConfigExplainDeepAndRelative: a deep Requires chain is one line
// per package with the indentation capped (the depth labelled), and a .pc
// given by a relative path is reported absolute.
func TestPkgConfigExplainDeepAndRelative(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "some", "dir")
	os.MkdirAll(sub, 0o755)
	for i := 1; i <= 30; i++ {
		os.WriteFile(filepath.Join(sub, fmt.Sprintf("p%d.pc", i)),
			fmt.Appendf(nil, "Name: p%d\nDescription: d\nVersion: 1\nRequires: p%d\nLibs: -lp%d\n", i, i+1, i), 0o644)
	}
	os.WriteFile(filepath.Join(sub, "p31.pc"), []byte("Name: p31\nDescription: d\nVersion: 1\n"), 0o644)
	t.Setenv("PKG_CONFIG_PATH", "")
	t.Setenv("PKG_CONFIG_LIBDIR", "")
	t.Chdir(dir)
	code, out, stderr := run(t, "pkg-config", "explain", "./some/dir/p1.pc")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(out, "\n")
	if !strings.HasPrefix(lines[0], "./some/dir/p1.pc: "+filepath.Join(sub, "p1.pc")+", version 1") {
		t.Errorf("first line %q", lines[0])
	}
	var deepest string
	for _, l := range lines {
		if strings.Contains(l, "p31 → ") {
			deepest = l
		}
	}
	if want := strings.Repeat(" ", 4+2*maxIndent) + "(depth 31) p31 → " + filepath.Join(sub, "p31.pc"); !strings.HasPrefix(deepest, want) {
		t.Errorf("deepest line %q, want prefix %q", deepest, want)
	}
	code, out, _ = run(t, "pkg-config", "explain", "--format", "json", "./some/dir/p1.pc")
	var exs []struct {
		PCFile   string `json:"pc_file"`
		Requires []struct {
			Parent int    `json:"parent"`
			PCFile string `json:"pc_file"`
		} `json:"requires"`
	}
	if err := json.Unmarshal([]byte(out), &exs); err != nil || code != 0 {
		t.Fatalf("exit %d %v: %s", code, err, out)
	}
	if ex := exs[0]; ex.PCFile != filepath.Join(sub, "p1.pc") || len(ex.Requires) != 30 || ex.Requires[29].PCFile != filepath.Join(sub, "p31.pc") || ex.Requires[29].Parent != 30 {
		t.Errorf("%+v", ex)
	}
}
