package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// libDir builds libcmdtest.so and libcmdtest.a defining cmdtest_fn and
// the C++ function cmdns::fn(int).
func libDir(t *testing.T) string {
	t.Helper()
	for _, tool := range []string{"gcc", "g++", "ar"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.cc"), []byte(`extern "C" int cmdtest_fn(void) { return 1; }
namespace cmdns { int fn(int x) { return x; } }
`), 0o644)
	for _, args := range [][]string{
		{"g++", "-fPIC", "-c", "a.cc", "-o", "a.o"},
		{"g++", "-shared", "-o", "libcmdtest.so", "a.o"},
		{"ar", "rcs", "libcmdtest.a", "a.o"},
	} {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	return dir
}

func TestSymbolCommand(t *testing.T) {
	dir := libDir(t)
	cache := t.TempDir()
	base := []string{"symbol", "--no-default-dirs", "-L", dir, "--cache-dir", cache}

	code, out, stderr := run(t, append(base, "cmdtest_fn")...)
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, out, stderr)
	}
	for _, want := range []string{"cmdtest_fn\n", "  -lcmdtest  ", filepath.Join(dir, "libcmdtest.so"), "member a.o"} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}

	code, out, _ = run(t, append(base, "--format", "json", "cmdns::fn(int)", "no_such_symbol_here")...)
	if code != 1 {
		t.Errorf("a missing symbol: exit %d, want 1", code)
	}
	var res symbolResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("json: %v\n%s", err, out)
	}
	if len(res.Symbols) != 2 || !res.Symbols[0].Found || res.Symbols[1].Found ||
		res.Symbols[0].Definitions[0].Symbol != "_ZN5cmdns2fnEi" || res.Symbols[0].Definitions[0].LinkFlag != "-lcmdtest" {
		t.Errorf("json result: %+v", res)
	}
	if res.Symbols[1].Definitions == nil {
		t.Error("definitions of a missing symbol must be [] in JSON, not null")
	}
	if !res.Index.CacheHit {
		t.Errorf("second run should hit the cache: %+v", res.Index)
	}
}

func TestSymbolUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"symbol"},
		{"symbol", "--format", "xml", "x"},
		{"symbol", "--no-default-dirs", "x"},
		{"symbol", ""},
	} {
		code, _, stderr := run(t, args...)
		if code != 2 || !strings.HasPrefix(stderr, "cgotrace: ") {
			t.Errorf("%v: exit %d, stderr %q; want 2", args, code, stderr)
		}
	}
}
