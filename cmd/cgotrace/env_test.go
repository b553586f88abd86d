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

// TestEnvVendoredCgo: the module checks through the CLI, on a module
// vendored with the real go mod vendor whose cgo dependency keeps its
// header in a directory without Go files (golang/go#26366).
func TestEnvVendoredCgo(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go not installed")
	}
	t.Setenv("GOENV", "off")
	t.Setenv("GOFLAGS", "")
	t.Setenv("GOWORK", "")
	t.Setenv("GOPROXY", "off")
	root := t.TempDir()
	for name, body := range map[string]string{
		"cdep/go.mod":         "module example.com/cdep\n\ngo 1.21\n",
		"cdep/cdep.go":        "package cdep\n\n// #cgo CFLAGS: -I${SRCDIR}/include\n// #include \"cdep.h\"\nimport \"C\"\n\n// Answer is from C.\nfunc Answer() int { return int(C.CDEP_ANSWER) }\n",
		"cdep/include/cdep.h": "#define CDEP_ANSWER 42\n",
		"app/go.mod":          "module example.com/app\n\ngo 1.21\n\nrequire example.com/cdep v1.0.0\n\nreplace example.com/cdep => ../cdep\n",
		"app/app.go":          "package app\n\nimport \"example.com/cdep\"\n\n// A is from C.\nvar A = cdep.Answer()\n",
	} {
		p := filepath.Join(root, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	app := filepath.Join(root, "app")
	vendor := exec.Command("go", "mod", "vendor")
	vendor.Dir = app
	if out, err := vendor.CombinedOutput(); err != nil {
		t.Fatalf("go mod vendor: %v\n%s", err, out)
	}
	code, out, stderr := run(t, "env", "--dir", app, "--no-compile", "--format", "json")
	if code != 1 {
		t.Errorf("exit %d, want 1\n%s", code, stderr)
	}
	var rep envcheck.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("json: %v\n%s", err, out)
	}
	c := rep.Check("modules/vendor-cgo")
	if c == nil || c.Verdict != envcheck.Fail || !strings.Contains(c.Observed, "vendor/example.com/cdep/include") {
		t.Errorf("modules/vendor-cgo: %+v", c)
	}
	if c := rep.Check("modules/vendor"); c == nil || c.Verdict != envcheck.OK {
		t.Errorf("modules/vendor: %+v", c)
	}
}
