package trace

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/cgotrace/cgotrace/elfinspect"
)

func TestSpeculationBuildID(t *testing.T) {
	needGo(t)
	dir := writeModule(t, map[string]string{"go.mod": "module example.com/specid\n\ngo 1.22\n",
		"main.go": "package main\n\nfunc main() { println(1) }\n"})
	exe := filepath.Join(dir, "exe")
	gobuild := func(src string) {
		t.Helper()
		os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644)
		cmd := exec.Command("go", "build", "-o", exe, ".")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
	}
	gobuild("package main\n\nfunc main() { println(1) }\n")
	in := elfinspect.NewInspector(elfinspect.Options{})
	s := &speculation{path: exe}
	s.run(in)
	if _, ok := s.result(exe); !ok {
		t.Fatal("an untouched file: speculative result not used")
	}
	// An up-to-date go build touches the file (mtime) and nothing else.
	time.Sleep(10 * time.Millisecond)
	gobuild("package main\n\nfunc main() { println(1) }\n")
	if _, ok := s.result(exe); !ok {
		t.Error("an up-to-date rebuild: speculative result not used")
	}
	if _, ok := s.result(filepath.Join(dir, "other")); ok {
		t.Error("a result used for another path")
	}
	if _, ok := (*speculation)(nil).result(exe); ok {
		t.Error("nil speculation gave a result")
	}
	// A real rebuild: a new build ID.
	gobuild("package main\n\nfunc main() { println(2) }\n")
	if _, ok := s.result(exe); ok {
		t.Error("a rebuilt binary: stale result used")
	}
	// A file that did not exist before the build, and a file with no Go
	// build ID, are never speculated on.
	for _, p := range []string{filepath.Join(dir, "absent"), filepath.Join(dir, "go.mod")} {
		s = &speculation{path: p}
		s.run(in)
		if _, ok := s.result(p); ok {
			t.Errorf("%s gave a result", p)
		}
	}
}

// TestBuildSpeculativeInspection: the output inspected while go build runs
// is used only when go build left it unchanged. The second build adds an
// rpath, so go build rewrites the binary that was inspected (missing
// library) before it ran; the third finds it up to date.
func TestBuildSpeculativeInspection(t *testing.T) {
	needGo(t)
	dir := writeModule(t, map[string]string{
		"go.mod":     "module example.com/spec\n\ngo 1.22\n",
		"lib/spec.c": "int spec_answer(void) { return 42; }\n",
		"main.go": `package main

// #cgo LDFLAGS: -L${SRCDIR}/lib -lspec
// int spec_answer(void);
import "C"

import "fmt"

func main() { fmt.Println(C.spec_answer()) }
`,
	})
	lib := filepath.Join(dir, "lib")
	if out, err := exec.Command("gcc", "-shared", "-fPIC", "-o", filepath.Join(lib, "libspec.so"), filepath.Join(lib, "spec.c")).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	env := append(os.Environ(), "CGO_ENABLED=1", "LD_LIBRARY_PATH=")
	build := func() (missing []string, logText string) {
		t.Helper()
		var logBuf bytes.Buffer
		l := logrus.New()
		l.SetOutput(&logBuf)
		l.SetLevel(logrus.DebugLevel)
		res, err := Build(context.Background(), BuildOptions{Args: []string{"-o", "app", "."}, Dir: dir, Env: env, Log: l})
		if err != nil {
			t.Fatal(err)
		}
		os.Remove(res.RawLog)
		if res.Report.Command.ExitCode != 0 || len(res.Report.Binaries) != 1 {
			t.Fatalf("exit %d, %d binaries\n%s", res.Report.Command.ExitCode, len(res.Report.Binaries), logBuf.String())
		}
		return res.Report.Binaries[0].Missing, logBuf.String()
	}
	const used = "inspected while it ran"
	if missing, _ := build(); len(missing) != 1 || missing[0] != "libspec.so" {
		t.Fatalf("first build: missing %v, want [libspec.so]", missing)
	}
	main := filepath.Join(dir, "main.go")
	src, _ := os.ReadFile(main)
	os.WriteFile(main, bytes.Replace(src, []byte("-lspec"), []byte("-lspec -Wl,-rpath,${SRCDIR}/lib"), 1), 0o644)
	missing, logText := build()
	if len(missing) != 0 {
		t.Errorf("rebuilt with an rpath: missing %v (the binary inspected before go build rewrote it?)", missing)
	}
	if strings.Contains(logText, used) {
		t.Error("the speculative result was used for a binary go build rewrote")
	}
	missing, logText = build()
	if len(missing) != 0 || !strings.Contains(logText, used) {
		t.Errorf("up-to-date build: missing %v, speculative result used: %v", missing, strings.Contains(logText, used))
	}
}
