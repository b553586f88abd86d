package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuildReportDirAndAnnotations runs the built binary on the example
// module (libgizmo.so.1 without libgizmo.so) as GitHub Actions would:
// --report-dir gets its five files, build.log is the raw log, `cgotrace
// report report.json --format markdown` gives report.md byte for byte, the
// step summary gets the Markdown, and the annotation points at the #cgo
// LDFLAGS line.
func TestBuildReportDirAndAnnotations(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: runs go build")
	}
	for _, tool := range []string{"go", "gcc"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	if out, err := exec.Command("cp", "-r", "../../testdata/example/.", dir).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	os.MkdirAll(filepath.Join(dir, "lib"), 0o755)
	if out, err := exec.Command("gcc", "-shared", "-fPIC", "-Wl,-soname,libgizmo.so.1", "-o",
		filepath.Join(dir, "lib/libgizmo.so.1"), filepath.Join(dir, "csrc/gizmo.c")).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v %s", err, out)
	}
	summary := filepath.Join(dir, "summary.md")
	cmd := exec.Command(bin, "build", "--report-dir", "out", "-o", "demo", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GITHUB_ACTIONS=true", "GITHUB_WORKSPACE="+dir, "GITHUB_STEP_SUMMARY="+summary)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit: %v (want go build's 1)\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "cannot find -lgizmo") {
		t.Errorf("the terminal does not show go build's error:\n%s", stderr.String())
	}
	var ann string
	for _, l := range strings.Split(stdout.String(), "\n") {
		if strings.HasPrefix(l, "::error ") {
			ann = l
			break
		}
	}
	if !strings.HasPrefix(ann, "::error file=gizmo/gizmo.go,line=6,") || !strings.Contains(ann, "library-dev-missing") {
		t.Errorf("annotation %q does not point at gizmo/gizmo.go:6 (#cgo LDFLAGS)", ann)
	}
	out := filepath.Join(dir, "out")
	for _, f := range []string{"report.json", "report.md", "report.html", "build.log", "compile_commands.json"} {
		if fi, err := os.Stat(filepath.Join(out, f)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	raw, _ := os.ReadFile(filepath.Join(out, "build.log"))
	if !bytes.Contains(raw, []byte(`"Action":"build-fail"`)) || !bytes.Contains(raw, []byte("WORK=")) {
		t.Errorf("build.log is not the raw -json -x log")
	}
	md, _ := os.ReadFile(filepath.Join(out, "report.md"))
	re := exec.Command(bin, "report", filepath.Join(out, "report.json"), "--format", "markdown")
	again, err := re.Output()
	if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() != 1) {
		t.Fatalf("cgotrace report: %v", err)
	}
	if !bytes.Equal(md, again) {
		t.Errorf("cgotrace report --format markdown differs from report.md (%d vs %d bytes)", len(again), len(md))
	}
	sum, _ := os.ReadFile(summary)
	if !bytes.Contains(sum, []byte("library-dev-missing")) {
		t.Errorf("step summary: %.200q", sum)
	}
}
