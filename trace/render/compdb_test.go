package render

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cgotrace/cgotrace/trace"
)

func cdbRender(t *testing.T, r *trace.Report) []cdbEntry {
	t.Helper()
	f, err := Lookup("compdb")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f(&buf, r, Options{}); err != nil {
		t.Fatal(err)
	}
	var entries []cdbEntry
	if err := json.Unmarshal(buf.Bytes(), &entries); err != nil {
		t.Fatalf("compile_commands.json is not JSON: %v\n%s", err, buf.String())
	}
	return entries
}

func TestCompDBPaths(t *testing.T) {
	r := &trace.Report{
		Command: trace.Command{Argv: []string{"go", "build"}, Dir: "/src/app"},
		Packages: []*trace.Package{{
			ImportPath: "example.com/app",
			Steps: []trace.Step{
				// Generated file, compiled in the work directory.
				{Kind: trace.KindCCCompile, Dir: "$WORK/b001", Output: "$WORK/b001/_x001.o",
					Argv: []string{"gcc", "-I", "/src/app", "-o", "$WORK/b001/_x001.o", "-c", "_cgo_export.c"}},
				// Relative dir, relative file and output, no Output field.
				{Kind: trace.KindCCCompile, Dir: "sub",
					Argv: []string{"g++", "-I", "inc", "-DX", "-x", "c++", "-o", "out/h.o", "-c", "h.cpp"}},
				// No dir: the command's dir.
				{Kind: trace.KindCCCompile, Argv: []string{"gcc", "-c", "/abs/a.c", "-o", "a.o"}},
				// Not compiles, or nothing to compile: left out.
				{Kind: trace.KindCCLink, Dir: "/src/app", Argv: []string{"gcc", "-o", "x", "a.o"}},
				{Kind: trace.KindCCCompile, Dir: "/src/app", Argv: []string{"gcc", "-c"}},
				{Kind: trace.KindCCCompile, Dir: "/src/app"},
				// gcc's flag probe reads stdin.
				{Kind: trace.KindCCCompile, Dir: "$WORK", Argv: strings.Fields("gcc -fno-caret-diagnostics -c -x c - -o /dev/null")},
			},
		}, nil},
	}
	want := []cdbEntry{
		{Directory: "$WORK/b001", Arguments: r.Packages[0].Steps[0].Argv, File: "$WORK/b001/_cgo_export.c", Output: "$WORK/b001/_x001.o"},
		{Directory: "/src/app/sub", Arguments: r.Packages[0].Steps[1].Argv, File: "/src/app/sub/h.cpp", Output: "/src/app/sub/out/h.o"},
		{Directory: "/src/app", Arguments: r.Packages[0].Steps[2].Argv, File: "/abs/a.c", Output: "/src/app/a.o"},
	}
	if got := cdbRender(t, r); !reflect.DeepEqual(got, want) {
		t.Errorf("entries:\n got %+v\nwant %+v", got, want)
	}
	if got := cdbRender(t, &trace.Report{}); got == nil || len(got) != 0 {
		t.Errorf("empty report: %#v, want []", got)
	}
}

func TestCompileInputs(t *testing.T) {
	tests := []struct {
		argv []string
		want []string
	}{
		{strings.Fields("gcc -I /x -fPIC -o $WORK/b001/_x001.o -c _cgo_export.c"), []string{"_cgo_export.c"}},
		{strings.Fields("gcc -include pre.h -D X -isystem /s -MF d.d -c a.S"), []string{"a.S"}},
		{strings.Fields("gcc -c weird.inc"), []string{"weird.inc"}},
		{strings.Fields("gcc -c a.c -o b.o - extra.o"), []string{"-", "extra.o", "a.c"}},
		{[]string{"gcc"}, nil},
		{nil, nil},
	}
	for _, tt := range tests {
		if got := cdbCompileInputs(tt.argv); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("cdbCompileInputs(%q) = %q, want %q", tt.argv, got, tt.want)
		}
	}
}

// TestCompDBFromRealBuild builds a small cgo package with C and C++ files
// (go build -x -work, in its own module), turns the logged compiler
// commands into a Report the way the log shows them ($WORK kept), and
// runs every entry of the rendered database with -fsyntax-only from its
// directory, after putting the real work directory in for $WORK.
func TestCompDBFromRealBuild(t *testing.T) {
	for _, tool := range []string{"go", "gcc", "g++"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not on PATH: %v", tool, err)
		}
	}
	if testing.Short() {
		t.Skip("-short: skipping the go build")
	}
	mod := t.TempDir()
	files := map[string]string{
		"go.mod": "module example.com/compdb\n\ngo 1.22\n",
		"main.go": `package main

// #cgo CFLAGS: -I${SRCDIR}/include -DFROM_DIRECTIVE=1
// #cgo CXXFLAGS: -I${SRCDIR}/include -DFROM_DIRECTIVE=1
// #include "helper.h"
import "C"

import "fmt"

func main() { fmt.Println(C.helper(2), C.cxx_helper(3)) }
`,
		"include/helper.h": `#ifndef FROM_DIRECTIVE
#error "FROM_DIRECTIVE is set by the #cgo line: the flags did not reach the compiler"
#endif
#ifdef __cplusplus
extern "C" {
#endif
int helper(int);
int cxx_helper(int);
#ifdef __cplusplus
}
#endif
`,
		"helper.c":  "#include \"helper.h\"\nint helper(int x) { return x * 2; }\n",
		"extra.cpp": "#include \"helper.h\"\n#include <vector>\nint cxx_helper(int x) { std::vector<int> v(x, 1); return (int)v.size(); }\n",
	}
	for name, data := range files {
		p := filepath.Join(mod, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		htmlWriteFile(t, p, data)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-x", "-work", "-o", filepath.Join(mod, "app"), ".")
	cmd.Dir = mod
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1", "GOFLAGS=-buildvcs=false", "GOWORK=off", "GO111MODULE=on")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	log := stderr.String()
	work := cdbWorkDir(log)
	if work != "" && strings.HasPrefix(work, os.TempDir()) {
		t.Cleanup(func() { os.RemoveAll(work) })
	}
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, log)
	}
	if work == "" {
		t.Fatalf("no WORK= line in the log:\n%s", log)
	}

	r := &trace.Report{
		SchemaVersion: trace.SchemaVersion,
		Command:       trace.Command{Argv: []string{"go", "build", "-o", "app", "."}, Dir: mod},
		Packages:      []*trace.Package{{ImportPath: "example.com/compdb", Dir: mod, Steps: cdbCompileSteps(t, log, mod)}},
	}
	entries := cdbRender(t, r)

	for _, e := range entries {
		t.Logf("entry: dir %s file %s output %s", e.Directory, e.File, e.Output)
	}
	var names []string
	for _, e := range entries {
		names = append(names, filepath.Base(e.File))
		if !filepath.IsAbs(e.Directory) && !cdbIsWork(e.Directory) {
			t.Errorf("directory %q is neither absolute nor under $WORK", e.Directory)
		}
		if !filepath.IsAbs(e.File) && !cdbIsWork(e.File) {
			t.Errorf("file %q is neither absolute nor under $WORK", e.File)
		}
		if base := filepath.Base(e.File); (base == "helper.c" || base == "extra.cpp") && filepath.Dir(e.File) != mod {
			t.Errorf("the package's own %s resolved to %q, want it in %s", base, e.File, mod)
		}
	}
	sort.Strings(names)
	if want := []string{"_cgo_export.c", "_cgo_main.c", "extra.cpp", "helper.c", "main.cgo2.c"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("files %q, want %q", names, want)
	}

	for _, e := range entries {
		dir := strings.Replace(e.Directory, "$WORK", work, 1)
		args := make([]string, 0, len(e.Arguments)+1)
		for _, a := range e.Arguments {
			args = append(args, strings.ReplaceAll(a, "$WORK", work))
		}
		if _, err := os.Stat(strings.Replace(e.File, "$WORK", work, 1)); err != nil {
			t.Errorf("file of entry: %v", err)
		}
		args = append(args, "-fsyntax-only")
		c := exec.CommandContext(ctx, args[0], args[1:]...)
		c.Dir = dir
		if out, err := c.CombinedOutput(); err != nil {
			t.Errorf("in %s: %s: %v\n%s", dir, strings.Join(args, " "), err, out)
		}
	}

	// The check can fail: without the #cgo flags, helper.h stops the compile.
	bad := []string{"gcc", "-fsyntax-only", "-I", filepath.Join(mod, "include"), filepath.Join(mod, "helper.c")}
	if out, err := exec.CommandContext(ctx, bad[0], bad[1:]...).CombinedOutput(); err == nil {
		t.Errorf("%s succeeded without -DFROM_DIRECTIVE; the syntax check proves nothing\n%s", strings.Join(bad, " "), out)
	}
}

func cdbWorkDir(log string) string {
	for _, l := range strings.Split(log, "\n") {
		if w, ok := strings.CutPrefix(l, "WORK="); ok {
			return w
		}
	}
	return ""
}

// cdbCompileSteps turns the gcc/g++ -c lines of a plain -x log into steps,
// following the cd lines. Minimal: enough for the commands go build
// prints for a small cgo package.
func cdbCompileSteps(t *testing.T, log, mod string) []trace.Step {
	t.Helper()
	var steps []trace.Step
	cwd := mod
	sc := bufio.NewScanner(strings.NewReader(log))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if d, ok := strings.CutPrefix(line, "cd "); ok {
			cwd = d
			continue
		}
		if strings.Contains(line, " # ") || strings.Contains(line, " || ") {
			continue // the dynimport echo, internal work, flag probes
		}
		words, err := cdbWords(line)
		if err != nil {
			t.Fatalf("tokenize %q: %v", line, err)
		}
		env := map[string]string{}
		for len(words) > 0 && strings.Contains(words[0], "=") && !strings.HasPrefix(words[0], "-") {
			k, v, _ := strings.Cut(words[0], "=")
			env[k] = strings.Trim(v, "'")
			words = words[1:]
		}
		if len(words) == 0 || (words[0] != "gcc" && words[0] != "g++") || !cdbContains(words, "-c") {
			continue
		}
		steps = append(steps, trace.Step{
			Kind: trace.KindCCCompile, Dir: cwd, Argv: words, Env: env, Output: cdbOptionValue(words, "-o"),
		})
	}
	if len(steps) == 0 {
		t.Fatalf("no compile lines in the log:\n%s", log)
	}
	return steps
}

// cdbWords splits a -x line: words separated by single spaces, Go-quoted
// when they start with a double quote.
func cdbWords(line string) ([]string, error) {
	var words []string
	for line != "" {
		if line[0] == ' ' {
			line = line[1:]
			continue
		}
		if line[0] == '"' {
			q, err := strconv.QuotedPrefix(line)
			if err != nil {
				return nil, err
			}
			w, err := strconv.Unquote(q)
			if err != nil {
				return nil, err
			}
			words = append(words, w)
			line = line[len(q):]
			continue
		}
		i := strings.IndexByte(line, ' ')
		if i < 0 {
			i = len(line)
		}
		words = append(words, line[:i])
		line = line[i:]
	}
	return words, nil
}

func cdbContains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func BenchmarkCompDB(b *testing.B) {
	r := htmlFixtureHostile()
	var n int
	for b.Loop() {
		var buf bytes.Buffer
		if err := renderCDB(&buf, r, Options{}); err != nil {
			b.Fatal(err)
		}
		n = buf.Len()
	}
	b.SetBytes(int64(n))
	b.ReportMetric(float64(len(cdbEntries(r))), "entries")
}

func TestCompDBJSONShape(t *testing.T) {
	r := &trace.Report{Packages: []*trace.Package{{Steps: []trace.Step{{
		Kind: trace.KindCCCompile, Dir: "/src/app",
		Argv: []string{"gcc", "-DQ=\"x y\"", "-c", "a.c"},
	}}}}}
	var buf bytes.Buffer
	if err := renderCDB(&buf, r, Options{}); err != nil {
		t.Fatal(err)
	}
	want := `[
  {
    "directory": "/src/app",
    "arguments": [
      "gcc",
      "-DQ=\"x y\"",
      "-c",
      "a.c"
    ],
    "file": "/src/app/a.c"
  }
]
`
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
}

// FuzzCompDB feeds arbitrary compiler command lines and directories: never
// a panic, always valid JSON, and every file is one of the arguments,
// resolved against the directory.
func FuzzCompDB(f *testing.F) {
	f.Add("gcc -I /x -fPIC -o $WORK/b001/_x001.o -c _cgo_export.c", "$WORK/b001", "/src/app")
	f.Add("g++ -x c++ -o out.o -c ../a.cpp", "sub", "")
	f.Add("gcc -c -", "", "rel")
	f.Fuzz(func(t *testing.T, line, dir, cmdDir string) {
		argv := strings.Fields(line)
		r := &trace.Report{Command: trace.Command{Dir: cmdDir}, Packages: []*trace.Package{{Steps: []trace.Step{
			{Kind: trace.KindCCCompile, Dir: dir, Argv: argv},
		}}}}
		var buf bytes.Buffer
		if err := renderCDB(&buf, r, Options{}); err != nil {
			t.Fatal(err)
		}
		var entries []cdbEntry
		if err := json.Unmarshal(buf.Bytes(), &entries); err != nil {
			t.Fatalf("not JSON: %v", err)
		}
		// JSON strings hold only UTF-8: encoding/json writes U+FFFD for
		// invalid bytes.
		valid := func(s string) string {
			b, _ := json.Marshal(s)
			var v string
			if err := json.Unmarshal(b, &v); err != nil {
				t.Fatal(err)
			}
			return v
		}
		for _, e := range entries {
			ok := false
			for _, a := range argv[1:] {
				ok = ok || e.File == valid(a) || e.File == valid(filepath.Join(e.Directory, a))
			}
			if !ok {
				t.Fatalf("file %q is not an argument of %q in %q", e.File, argv, e.Directory)
			}
		}
	})
}
