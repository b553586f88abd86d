package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAnalyzeExitCodes(t *testing.T) {
	dir := t.TempDir()
	log := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		return p
	}
	failed := "../../testdata/logs/header-not-found-basic.log"
	good := "../../testdata/logs/healthy-pkg-config-sqlite3.x.log"
	x, _ := os.ReadFile("../../testdata/logs/library-not-found-basic.x.log")
	tests := []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"failure", []string{"analyze", failed}, 1, ""},
		{"success", []string{"analyze", good}, 0, ""},
		{"json format keeps the exit code", []string{"analyze", "--format", "json", failed}, 1, ""},
		{"missing file", []string{"analyze", filepath.Join(dir, "nope.log")}, 2, "no such file"},
		{"directory", []string{"analyze", dir}, 2, "is a directory"},
		{"empty", []string{"analyze", log("empty.log", "")}, 2, "the log is empty"},
		{"binary", []string{"analyze", log("bin.log", strings.Repeat("\x00\x01ELF", 1000))}, 2, "binary data"},
		{"truncated", []string{"analyze", log("trunc.log", string(x[:3000]))}, 2, "truncated: "},
		{"not a build log", []string{"analyze", log("readme.log", "hello\nworld\n")}, 2, "does not show how the build ended"},
		// Issue 20.7: cut in the middle of the error line, the name on it
		// (-ln of -lnotify) is not diagnosed.
		{"cut error line", []string{"analyze", log("cut.log", "# example.com/x\n/usr/bin/ld: cannot find -ln")}, 2, "truncated: the log stops in the middle of line 2"},
		{"no argument", []string{"analyze"}, 2, "takes one log file"},
		{"unknown format", []string{"analyze", "--format", "yaml", failed}, 2, "unknown format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, stderr)
			}
			if tt.err != "" && !strings.Contains(stderr, tt.err) {
				t.Errorf("stderr %q, want %q", stderr, tt.err)
			}
			if tt.code == 2 && strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
				t.Errorf("error is not one line: %q", stderr)
			}
		})
	}
}

func TestAnalyzeJSON(t *testing.T) {
	code, out, _ := run(t, "analyze", "--format", "json", "../../testdata/logs/pkg-config-package-not-found-basic.json.log")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	var rep struct {
		SchemaVersion int `json:"schema_version"`
		Command       struct {
			ExitCode int `json:"exit_code"`
		} `json:"command"`
		Diagnoses []struct {
			Code    string            `json:"code"`
			Subject map[string]string `json:"subject"`
		} `json:"diagnoses"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(strings.TrimSpace(out), `{`+"\n"+`  "schema_version": 1`) {
		t.Errorf("schema_version is not first: %.60q", out)
	}
	if rep.Command.ExitCode != 1 || len(rep.Diagnoses) == 0 || rep.Diagnoses[0].Code != "pkg-config-package-not-found" ||
		rep.Diagnoses[0].Subject["pkg_config_package"] != "libfrobnicate" {
		t.Errorf("report: %+v", rep)
	}
}

// TestOutputToDevice: --output /dev/null (or a pipe) is written to, never
// replaced by a regular file (a temporary file renamed over /dev/null
// would turn the device into a file for the whole machine).
func TestOutputToDevice(t *testing.T) {
	fi, err := os.Stat(os.DevNull)
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Skipf("%s is not a character device here", os.DevNull)
	}
	code, _, stderr := run(t, "analyze", "--format", "json", "-o", os.DevNull, "../../testdata/logs/header-not-found-basic.log")
	if code != 1 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	fi, err = os.Stat(os.DevNull)
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("%s is no longer a character device: %v %v", os.DevNull, fi.Mode(), err)
	}
	dir := t.TempDir()
	code, _, stderr = run(t, "analyze", "-o", dir, "../../testdata/logs/header-not-found-basic.log")
	if code != 2 || !strings.Contains(stderr, "is a directory") {
		t.Errorf("--output DIR: exit %d, %q", code, stderr)
	}
}
