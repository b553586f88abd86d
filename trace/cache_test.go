package trace

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCacheReport builds a cgo module three times and checks that the
// cache report names what go build rebuilt and why: first build seen,
// then a changed C file, then a changed CGO_CFLAGS; unchanged packages
// are reported as coming from the cache.
func TestCacheReport(t *testing.T) {
	needGo(t)
	// cgotrace's build state goes to a temporary XDG_CACHE_HOME, not the
	// user's; go's build cache stays the real one (its default would move
	// with XDG_CACHE_HOME, and a cold cache rebuilds the standard library).
	gocache, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOCACHE", strings.TrimSpace(string(gocache)))
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir := writeModule(t, map[string]string{
		"go.mod":     "module example.com/cachy\n\ngo 1.22\n",
		"main.go":    "package main\n\n// int helper(void);\nimport \"C\"\n\nfunc main() { println(C.helper()) }\n",
		"helper.c":   "int helper(void) { return 1; }\n",
		"other/o.go": "package other\n",
	})
	build := func(env []string) *CacheReport {
		t.Helper()
		res, err := Build(context.Background(), BuildOptions{Args: []string{"-o", "app", "."}, Dir: dir, Env: env, CacheReport: true, NoRerun: true})
		if err != nil {
			t.Fatal(err)
		}
		os.Remove(res.RawLog)
		if res.Report.Command.ExitCode != 0 || res.Report.Cache == nil {
			t.Fatalf("exit %d, cache %+v, diagnoses %+v", res.Report.Command.ExitCode, res.Report.Cache, res.Report.Diagnoses)
		}
		return res.Report.Cache
	}
	reasons := func(cr *CacheReport) string {
		for _, p := range cr.Rebuilt {
			if p.ImportPath == "example.com/cachy" {
				return strings.Join(p.Reasons, "; ")
			}
		}
		return "(not rebuilt)"
	}
	env := append(os.Environ(), "CGO_ENABLED=1", "CGO_CFLAGS=-O2 -g")
	cr := build(env)
	if !cr.Usable || !strings.Contains(reasons(cr), "first build") {
		t.Fatalf("first build: usable %v, reasons %q", cr.Usable, reasons(cr))
	}
	if !strings.Contains(strings.Join(cr.Cached, " "), "fmt") && !strings.Contains(strings.Join(cr.Cached, " "), "runtime") {
		t.Errorf("the standard library should come from the cache: %v", cr.Cached)
	}
	os.WriteFile(filepath.Join(dir, "helper.c"), []byte("int helper(void) { return 2; }\n"), 0o644)
	if got := reasons(build(env)); got != "C/C++ files of the package changed" {
		t.Errorf("after editing helper.c: %q", got)
	}
	env = append(env, "CGO_CFLAGS=-O2 -g -DX=1")
	if got := reasons(build(env)); got != "CGO_* flags, CC or CXX changed" {
		t.Errorf("after changing CGO_CFLAGS: %q", got)
	}
	if got := reasons(build(env)); got != "(not rebuilt)" {
		t.Errorf("unchanged: %q", got)
	}
}
