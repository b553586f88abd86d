package main

import (
	"bytes"
	"strings"
	"testing"
)

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"--version"}, 0, ""},
		{[]string{"--bogus"}, 2, "unknown flag: --bogus"},
		{[]string{"no-such-command"}, 2, "unknown command"},
		{[]string{"--log-format", "xml", "completion", "bash"}, 2, "--log-format must be text or json"},
		{[]string{"-v", "-q", "completion", "bash"}, 2, "none of the others can be"},
	}
	for _, tt := range tests {
		code, _, stderr := run(t, tt.args...)
		if code != tt.code {
			t.Errorf("%v: exit %d, want %d (stderr %q)", tt.args, code, tt.code, stderr)
		}
		if tt.err != "" && !strings.Contains(stderr, tt.err) {
			t.Errorf("%v: stderr %q, want it to contain %q", tt.args, stderr, tt.err)
		}
		if tt.code == 2 && strings.Count(stderr, "cgotrace: ") != 1 {
			t.Errorf("%v: error printed %d times: %q", tt.args, strings.Count(stderr, "cgotrace: "), stderr)
		}
	}
}

func TestDecideColor(t *testing.T) {
	env := func(kv map[string]string) func(string) string {
		return func(k string) string { return kv[k] }
	}
	var buf bytes.Buffer
	if decideColor(&buf, env(nil)) {
		t.Error("a buffer is not a terminal: no colour")
	}
	if decideColor(&buf, env(map[string]string{"NO_COLOR": "1"})) {
		t.Error("NO_COLOR set: no colour")
	}
}

func TestCompletion(t *testing.T) {
	code, out, _ := run(t, "completion", "bash")
	if code != 0 || !strings.Contains(out, "bash completion") {
		t.Fatalf("completion bash: exit %d, output %.80q", code, out)
	}
}
