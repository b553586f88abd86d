package pkgconfig

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writePC(t *testing.T, dir, name, content string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name+".pc")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func explainIn(t *testing.T, pkg string, env Env, places []string, static bool) *Explanation {
	t.Helper()
	ex, err := Explain(pkg, Options{Env: env, Defaults: testDefaults(), Static: static}, places)
	if err != nil {
		t.Fatal(err)
	}
	return ex
}

func TestExplainNearNames(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "pc")
	for _, n := range []string{"sqlite3", "libpng16", "gtk+-3.0", "zlib", "glib-2.0"} {
		writePC(t, dir, n, pc(n, ""))
	}
	env := Env{"PKG_CONFIG_PATH=" + dir, "PKG_CONFIG_LIBDIR="}
	for want, ask := range map[string]string{"sqlite3": "sqlite", "libpng16": "libpng", "gtk+-3.0": "gtk+-3", "glib-2.0": "glib"} {
		ex := explainIn(t, ask, env, []string{}, false)
		if ex.Found || ex.OK {
			t.Fatalf("%s: found", ask)
		}
		if len(ex.Suggestions) == 0 || ex.Suggestions[0].Name != want || ex.Suggestions[0].Kind != "near-name" {
			t.Errorf("%s: suggestions %+v, want %s first", ask, ex.Suggestions, want)
		}
		if len(ex.SearchPath) != 1 || ex.SearchPath[0] != dir {
			t.Errorf("search path %v", ex.SearchPath)
		}
	}
}

func TestExplainOffPath(t *testing.T) {
	root := t.TempDir()
	on := filepath.Join(root, "on")
	off := filepath.Join(root, "usr", "local", "lib", "pkgconfig")
	writePC(t, on, "other", pc("other", ""))
	writePC(t, off, "foo", pc("foo", "Libs: -lfoo\n"))
	env := Env{"PKG_CONFIG_PATH=" + on, "PKG_CONFIG_LIBDIR="}
	ex := explainIn(t, "foo", env, []string{filepath.Join(root, "usr", "local", "lib", "*")}, false)
	var got *Suggestion
	for i, s := range ex.Suggestions {
		if s.Kind == "off-path" {
			got = &ex.Suggestions[i]
		}
	}
	if got == nil || got.PCFile != filepath.Join(off, "foo.pc") || got.Fix != "PKG_CONFIG_PATH="+off+":"+on {
		t.Fatalf("suggestions %+v", ex.Suggestions)
	}
	// the fix works
	ex2 := explainIn(t, "foo", Env{got.Fix, "PKG_CONFIG_LIBDIR="}, []string{}, false)
	if !ex2.OK || strings.Join(ex2.Libs, " ") != "-lfoo" {
		t.Fatalf("with the fix: %+v", ex2)
	}
}

func TestExplainDeepChainAndVersion(t *testing.T) {
	dir := t.TempDir()
	writePC(t, dir, "vips", pc("vips", "Requires: glib-2.0\n"))
	writePC(t, dir, "glib-2.0", pc("glib-2.0", "Requires: libffi\n"))
	writePC(t, dir, "app", pc("app", "Requires: zlib >= 9.0\n"))
	writePC(t, dir, "zlib", "Name: zlib\nDescription: z\nVersion: 1.2.13\n")
	env := Env{"PKG_CONFIG_PATH=" + dir, "PKG_CONFIG_LIBDIR="}
	ex := explainIn(t, "vips", env, []string{}, false)
	if !ex.Found || ex.OK || ex.PCFile != filepath.Join(dir, "vips.pc") {
		t.Fatalf("vips: found %v ok %v", ex.Found, ex.OK)
	}
	var p *Problem
	for i := range ex.Problems {
		if ex.Problems[i].Kind == ProblemNotFound {
			p = &ex.Problems[i]
		}
	}
	if p == nil || strings.Join(p.Chain, " → ") != "vips → glib-2.0 → libffi" || !p.Fatal {
		t.Fatalf("problems %+v", ex.Problems)
	}
	if !strings.Contains(ex.Stderr, "Package 'libffi', required by 'glib-2.0', not found") {
		t.Errorf("stderr %q", ex.Stderr)
	}
	ex = explainIn(t, "app", env, []string{}, false)
	if ex.OK || len(ex.Problems) == 0 || ex.Problems[0].Kind != ProblemVersionMismatch ||
		ex.Problems[0].Wanted != "zlib >= 9.0" || ex.Problems[0].Found != "1.2.13" {
		t.Fatalf("problems %+v", ex.Problems)
	}
}

func TestExplainInvalidFileAndFlags(t *testing.T) {
	dir := t.TempDir()
	writePC(t, dir, "nodesc", "Name: nodesc\nVersion: 1\nLibs: -lx\n")
	writePC(t, dir, "bad", pc("bad", "Cflags: -fplugin=evil.so -DC=(paren)\nLibs: -Wl,--bogus-flag -lbad\n"))
	env := Env{"PKG_CONFIG_PATH=" + dir, "PKG_CONFIG_LIBDIR="}
	ex := explainIn(t, "nodesc", env, []string{}, false)
	found := false
	for _, p := range ex.Problems {
		if p.Kind == ProblemInvalidFile && strings.Contains(p.Message, "exists but is invalid, because it does not declare a Description field") {
			found = true
		}
	}
	if !found || ex.OK {
		t.Fatalf("problems %+v", ex.Problems)
	}
	ex = explainIn(t, "bad", env, []string{}, false)
	var kinds []string
	for _, p := range ex.Problems {
		kinds = append(kinds, string(p.Kind)+":"+p.Flag)
	}
	if got := strings.Join(kinds, " "); got != "shell-char: invalid-flag:-Wl,--bogus-flag" {
		t.Fatalf("problems %q: %+v", got, ex.Problems)
	}
	if !ex.OK {
		t.Fatal("pkg-config itself succeeds for bad")
	}
}
