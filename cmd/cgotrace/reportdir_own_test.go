package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReportDirNeverOverwrites: a report.json or build.log that cgotrace
// did not write stops build before go build runs and analyze before it
// reads the log (exit 2, one line), and is left as it was; the files
// cgotrace wrote are replaced by the next run.
func TestReportDirNeverOverwrites(t *testing.T) {
	log := "../../testdata/logs/header-not-found-basic.log"
	if _, err := os.Stat(log); err != nil {
		t.Skipf("no fixture log: %v", err)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	run := func(args ...string) (int, string) {
		var stdout, stderr bytes.Buffer
		code := Main(args, strings.NewReader(""), &stdout, &stderr)
		return code, stderr.String()
	}
	// Its own files, twice.
	for i := 0; i < 2; i++ {
		if code, stderr := run("analyze", "--report-dir", out, "--format", "json", log); code != 1 {
			t.Fatalf("analyze run %d: exit %d, want 1\n%s", i, code, stderr)
		}
	}
	if data, _ := os.ReadFile(filepath.Join(out, "build.log")); len(data) == 0 {
		t.Fatal("build.log not written")
	}

	// The user's build.log: analyze refuses.
	mine := []byte("my own notes\n")
	os.WriteFile(filepath.Join(out, "build.log"), mine, 0o644)
	code, stderr := run("analyze", "--report-dir", out, log)
	if code != 2 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, "build.log") {
		t.Errorf("analyze over a user's build.log: exit %d, stderr %q; want 2 and one line naming it", code, stderr)
	}
	if got, _ := os.ReadFile(filepath.Join(out, "build.log")); !bytes.Equal(got, mine) {
		t.Errorf("the user's build.log was replaced: %q", got)
	}

	// The user's report.json: build refuses before go build runs.
	other := filepath.Join(dir, "other")
	os.Mkdir(other, 0o755)
	report := []byte(`{"schema_version": 1, "note": "mine"}`)
	os.WriteFile(filepath.Join(other, "report.json"), report, 0o644)
	marker := filepath.Join(dir, "go-ran")
	fakeGo := filepath.Join(dir, "go")
	os.WriteFile(fakeGo, []byte("#!/bin/sh\ntouch "+marker+"\nexit 0\n"), 0o755)
	code, stderr = run("build", "--go", fakeGo, "--report-dir", other, ".")
	if code != 2 || !strings.Contains(stderr, "report.json") {
		t.Errorf("build over a user's report.json: exit %d, stderr %q; want 2", code, stderr)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("go build ran although the report directory was refused")
	}
	if got, _ := os.ReadFile(filepath.Join(other, "report.json")); !bytes.Equal(got, report) {
		t.Errorf("the user's report.json was replaced: %q", got)
	}
}
