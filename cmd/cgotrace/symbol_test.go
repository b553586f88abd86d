package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
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

// TestSymbolSkipped: a corrupt library, a file that is no library and an
// unreadable one (as nobody, when run as root) in a -L directory each
// get a warning line with the file and why, and are listed in the JSON;
// the old code said nothing.
func TestSymbolSkipped(t *testing.T) {
	dir := libDir(t)
	good, err := os.ReadFile(filepath.Join(dir, "libcmdtest.so"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "libbroken.so"), good[:200], 0o644) // ELF header, then nothing
	os.WriteFile(filepath.Join(dir, "libnotes.so"), []byte("just some text\n"), 0o644)
	base := []string{"symbol", "--no-default-dirs", "--no-cache", "-L", dir}

	code, out, stderr := run(t, append(base, "cmdtest_fn")...)
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, out, stderr)
	}
	for _, want := range []string{
		filepath.Join(dir, "libbroken.so") + " reason=\"truncated ELF file\"",
		filepath.Join(dir, "libnotes.so") + " reason=\"neither ELF, an ar archive nor a linker script\"",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if n := strings.Count(stderr, "level=warning"); n != 2 {
		t.Errorf("%d warnings, want 2 (one per skipped file):\n%s", n, stderr)
	}
	code, out, _ = run(t, append(base, "--format", "json", "cmdtest_fn")...)
	var res symbolResult
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != 0 {
		t.Fatalf("exit %d, json: %v\n%s", code, err, out)
	}
	if len(res.Skipped) != 2 || !res.Skipped[0].UserDir || res.Skipped[0].Reason == "" {
		t.Errorf("skipped = %+v, want libbroken.so and libnotes.so with reasons", res.Skipped)
	}

	t.Run("unreadable", func(t *testing.T) {
		secret := filepath.Join(dir, "libsecret.so")
		os.WriteFile(secret, good, 0)
		defer os.Remove(secret)
		args := append(base, "cmdtest_fn")
		var stderr string
		if os.Geteuid() != 0 {
			_, _, stderr = run(t, args...)
		} else {
			// root reads any file: run cgotrace as nobody.
			bin := buildBinary(t)
			pub := t.TempDir()
			os.Chmod(filepath.Dir(pub), 0o755)
			os.Chmod(pub, 0o755)
			os.Chmod(filepath.Dir(dir), 0o755)
			os.Chmod(dir, 0o755)
			data, _ := os.ReadFile(bin)
			os.WriteFile(filepath.Join(pub, "cgotrace"), data, 0o755)
			cmd := exec.Command(filepath.Join(pub, "cgotrace"), args...)
			cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + pub}
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
			var eb bytes.Buffer
			cmd.Stderr = &eb
			cmd.Run()
			stderr = eb.String()
		}
		if !strings.Contains(stderr, secret+" reason=\"permission denied\"") {
			t.Errorf("stderr lacks the unreadable %s:\n%s", secret, stderr)
		}
	})
}
