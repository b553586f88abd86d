package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cgotrace/cgotrace/trace/envcheck"
)

func TestEnvCommand(t *testing.T) {
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("gcc not installed")
	}
	t.Setenv("GOENV", "off")
	dir := t.TempDir()

	code, out, stderr := run(t, "env", "--dir", dir)
	if code != 0 {
		t.Fatalf("env on this machine: exit %d\n%s%s", code, out, stderr)
	}
	if !strings.Contains(out, "ok    cc-compile") {
		t.Errorf("text output:\n%s", out)
	}

	t.Setenv("CC", filepath.Join(dir, "no-such-cc"))
	code, out, _ = run(t, "env", "--dir", dir, "--format", "json")
	if code != 1 {
		t.Errorf("CC missing: exit %d, want 1", code)
	}
	var rep envcheck.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("json: %v\n%s", err, out)
	}
	if c := rep.Check("cc"); c == nil || c.Verdict != envcheck.Fail {
		t.Errorf("cc check: %+v", c)
	}

	// --output writes the file, nothing on stdout, same exit code.
	outFile := filepath.Join(dir, "env.json")
	code, out, _ = run(t, "env", "--dir", dir, "--format", "json", "--output", outFile)
	if code != 1 || out != "" {
		t.Errorf("--output: exit %d, stdout %q", code, out)
	}
	if b, err := os.ReadFile(outFile); err != nil || !json.Valid(b) {
		t.Errorf("--output file: %v", err)
	}
}

func TestEnvUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"env", "--target", "linux"},
		{"env", "--format", "xml"},
		{"env", "--dir", "/cgotrace/no/such/dir"},
		{"env", "extra"},
	} {
		code, _, stderr := run(t, args...)
		if code != 2 || !strings.HasPrefix(stderr, "cgotrace: ") {
			t.Errorf("%v: exit %d, stderr %q; want 2", args, code, stderr)
		}
	}
}
