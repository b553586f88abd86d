package trace

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestBuildGoOwnFailure: when go itself fails and no build step does (the
// output path is taken by a directory, or by a file that is not an
// object), the report says go's own words and invents no diagnosis; the
// exit code is go's. The messages are go1.26.8's, checked here against
// the go on PATH: `go build .` with a directory named like the binary
// ("go: build output "m" already exists and is a directory", before any
// action) and with a text file of that name ("example.com/m: go build
// example.com/m: build output "m" already exists and is not an object
// file", after the link).
func TestBuildGoOwnFailure(t *testing.T) {
	needGo(t)
	for _, tc := range []struct {
		name  string
		setup func(path string) error
		want  string
	}{
		{"directory", func(p string) error { return os.Mkdir(p, 0o755) }, `go: build output "m" already exists and is a directory`},
		{"not an object", func(p string) error { return os.WriteFile(p, []byte("notes\n"), 0o644) },
			`example.com/m: go build example.com/m: build output "m" already exists and is not an object file`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{"go.mod": "module example.com/m\n\ngo 1.22\n", "main.go": healthyCgo}
			if tc.name == "not an object" {
				// go1.26 refuses to write over a file that is not an
				// object; older releases (go1.25.14: seen in .ci/run's
				// oldest-Go run) overwrite it. Ask the go on PATH first.
				plain := writeModule(t, files)
				if err := tc.setup(filepath.Join(plain, "m")); err != nil {
					t.Fatal(err)
				}
				cmd := exec.Command("go", "build", ".")
				cmd.Dir = plain
				if out, err := cmd.CombinedOutput(); err == nil {
					t.Skipf("this go writes over a non-object output file (plain go build succeeded: %q); the refusal is go1.26's", out)
				}
			}
			dir := writeModule(t, files)
			if err := tc.setup(filepath.Join(dir, "m")); err != nil {
				t.Fatal(err)
			}
			res, err := Build(context.Background(), BuildOptions{Args: []string{"."}, Dir: dir, Env: os.Environ()})
			if err != nil {
				t.Fatal(err)
			}
			res.Wait()
			defer os.Remove(res.RawLog)
			rep := res.Report
			if rep.Command.ExitCode != 1 {
				t.Errorf("exit code %d, want go's 1", rep.Command.ExitCode)
			}
			if len(rep.Diagnoses) != 0 {
				t.Errorf("diagnoses %+v, want none: no build step failed", rep.Diagnoses)
			}
			if rep.Command.Output != tc.want {
				t.Errorf("output %q, want go's own message %q", rep.Command.Output, tc.want)
			}
			if data, err := os.ReadFile(filepath.Join(dir, "m")); tc.name == "not an object" && (err != nil || string(data) != "notes\n") {
				t.Errorf("the user's file m was changed: %q, %v", data, err)
			}
		})
	}
}

// TestGoOwnFailureNeedsOnlyGoLines: a failed build whose blocks hold any
// other line (a compiler's, an unknown tool's) is not go's own failure.
func TestGoOwnFailureNeedsOnlyGoLines(t *testing.T) {
	for _, tc := range []struct {
		log  string
		want string
	}{
		{`{"ImportPath":"","Action":"build-output","Output":"WORK=/tmp/go-build1\n"}` + "\n" +
			`go: build output "m" already exists and is a directory` + "\n", `go: build output "m" already exists and is a directory`},
		{`{"ImportPath":"example.com/m","Action":"build-output","Output":"# example.com/m\n"}` + "\n" +
			`{"ImportPath":"example.com/m","Action":"build-output","Output":"./main.go:3:2: undefined: x\n"}` + "\n" +
			`{"ImportPath":"example.com/m","Action":"build-fail"}` + "\n", ""},
		{`{"ImportPath":"example.com/m","Action":"build-output","Output":"# example.com/m\n"}` + "\n" +
			`{"ImportPath":"example.com/m","Action":"build-output","Output":"go: something\n"}` + "\n" +
			`{"ImportPath":"example.com/m","Action":"build-output","Output":"./main.go:3:2: undefined: y\n"}` + "\n" +
			`{"ImportPath":"example.com/m","Action":"build-fail"}` + "\n", ""},
	} {
		l, err := parseLog(tc.log)
		if err != nil {
			t.Fatal(err)
		}
		if got := goOwnFailure(l); got != tc.want {
			t.Errorf("goOwnFailure(%q) = %q, want %q", tc.log, got, tc.want)
		}
	}
}
