package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cgotrace/cgotrace/trace/render"
)

// runnerCommand is a workflow command the Actions runner would run.
type runnerCommand struct{ name, props, data string }

// actionsRunner reads output as the GitHub Actions runner does
// (actions/runner src/Runner.Worker/ActionCommandManager.cs and
// src/Runner.Common/ActionCommand.cs): line by line, a line ending at
// "\n", "\r\n" or "\r"; "::name props::data" after leading white space
// (TryParseV2), else "##[name props]data" anywhere in the line
// (TryParse); after "::stop-commands::TOKEN" nothing but "::TOKEN::" is
// a command.
func actionsRunner(out string) []runnerCommand {
	var cmds []runnerCommand
	stopToken := ""
	lines := strings.FieldsFunc(out, func(r rune) bool { return r == '\n' || r == '\r' })
	for _, line := range lines {
		var c runnerCommand
		if l := strings.TrimLeft(line, " \t\v\f\u00a0\u0085"); strings.HasPrefix(l, "::") {
			end := strings.Index(l[2:], "::")
			if end < 0 {
				continue
			}
			info := l[2 : 2+end]
			c.name, c.props, _ = strings.Cut(info, " ")
			c.data = l[2+end+2:]
		} else if i := strings.Index(line, "##["); i >= 0 {
			rb := strings.IndexByte(line[i:], ']')
			if rb < 0 {
				continue
			}
			info := line[i+3 : i+rb]
			c.name, c.props, _ = strings.Cut(info, " ")
			c.data = line[i+rb+1:]
		} else {
			continue
		}
		if stopToken != "" {
			if strings.EqualFold(c.name, stopToken) {
				stopToken = ""
			}
			continue
		}
		if c.name == "stop-commands" {
			stopToken = c.data
			continue
		}
		cmds = append(cmds, c)
	}
	return cmds
}

// TestActionsNoInjection: a header whose #error is 85 characters of
// padding and then "::error title=Spoofed::INJECTED" (the text report
// folds its message so that a line starts with spaces and "::error") is
// built for real under GITHUB_ACTIONS=true in every format that prints
// to stdout. The runner must see only cgotrace's own annotations, on
// stdout and on stderr, and the JSON formats must stay one document.
func TestActionsNoInjection(t *testing.T) {
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
	files := map[string]string{
		"go.mod":  "module example.com/inj\n\ngo 1.22\n",
		"main.go": "package main\n\n// #include \"spoof.h\"\nimport \"C\"\n\nfunc main() {}\n",
		"spoof.h": "#error " + strings.Repeat(" ", 85) + "::error title=Spoofed::INJECTED\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, format := range []string{"text", "markdown", "json", "html", "junit", "sarif", "github"} {
		t.Run(format, func(t *testing.T) {
			if _, err := render.Lookup(format); err != nil {
				t.Skipf("format %s is not built in: %v", format, err)
			}
			t.Parallel()
			cmd := exec.Command(bin, "build", "--format", format, ".")
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "GITHUB_ACTIONS=true", "GITHUB_WORKSPACE="+dir)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
				t.Fatalf("exit: %v (want go build's 1)\n%s", err, stderr.String())
			}
			if !strings.Contains(stdout.String(), "Spoofed") {
				t.Fatalf("the #error text is not in the output: the test proves nothing\n%s", stdout.String())
			}
			for stream, out := range map[string]string{"stdout": stdout.String(), "stderr": stderr.String()} {
				for _, c := range actionsRunner(out) {
					if c.name != "error" || !strings.Contains(c.props, "title=cgotrace") {
						t.Errorf("%s: the runner would run %q (props %q, data %.60q)", stream, c.name, c.props, c.data)
					}
				}
			}
			if format == "json" || format == "sarif" {
				var v any
				if err := json.NewDecoder(&stdout).Decode(&v); err != nil {
					t.Errorf("%s output is no longer JSON: %v", format, err)
				}
			}
		})
	}
}
