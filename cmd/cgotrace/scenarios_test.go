package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

// TestMain removes the binary the end-to-end tests share.
func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// buildBinary builds cgotrace once per test run for the end-to-end tests.
func buildBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "cgotrace-e2e-"); binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "cgotrace")
		if out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// TestScenarios scores the built binary against the broken cgo builds in
// testdata/scenarios with the team's scorer: every scenario must pass.
// Each run copies the scenario to a fresh directory, runs its setup.sh
// (fake libraries built with gcc), and runs `cgotrace build` for real.
func TestScenarios(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: runs go build on every scenario")
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed: the scorer is a Python script")
	}
	bin := buildBinary(t)
	root, _ := filepath.Abs("../../testdata/scenarios")
	cmd := exec.Command(py, filepath.Join(root, "score.py"), "--cgotrace", bin, root)
	cmd.Env = append(os.Environ(), "TMPDIR="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("score.py: %v\n%s", err, out)
	}
	text := string(out)
	m := regexp.MustCompile(`(?m)^(\d+) passed, (\d+) failed`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("score.py printed no summary:\n%s", text)
	}
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "FAIL") {
			t.Error(line)
		}
	}
	if m[2] != "0" || m[1] == "0" {
		t.Errorf("score: %s passed, %s failed", m[1], m[2])
	}
	t.Logf("score: %s passed, %s failed", m[1], m[2])
}
