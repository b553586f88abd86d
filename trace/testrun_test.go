package trace

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cgotrace/cgotrace/trace/diag"
	"github.com/google/go-cmp/cmp"
)

func readGotest(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "gotest", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var goLinkTmpRE = regexp.MustCompile(`/go-link-\d+/`)

func TestTestFlagOn(t *testing.T) {
	tests := []struct {
		args []string
		name string
		want bool
	}{
		{[]string{"-json", "./..."}, "json", true},
		{[]string{"./...", "-json"}, "json", true}, // go test reads flags after the packages
		{[]string{"--json=true", "."}, "json", true},
		{[]string{"-json=false", "."}, "json", false},
		{[]string{"-json", "-json=false", "."}, "json", false}, // the last one counts
		{[]string{"-run", "-json", "."}, "json", false},        // -run's value
		{[]string{".", "-args", "-json"}, "json", false},       // the test binary's
		{[]string{"-c", "-o", "x.test", "."}, "c", true},
		{[]string{"-o", "-c", "."}, "c", false},
		{[]string{"-count=1", "./..."}, "c", false},
	}
	for _, tt := range tests {
		if got := testFlagOn(tt.args, tt.name); got != tt.want {
			t.Errorf("testFlagOn(%q, %s) = %v", tt.args, tt.name, got)
		}
	}
	o := &BuildOptions{GoCmd: "test", Args: []string{"./..."}, Env: []string{"GOFLAGS=-mod=mod -json"}}
	if !o.testJSON() || !o.runsTests() {
		t.Errorf("GOFLAGS=-json: testJSON %v runsTests %v", o.testJSON(), o.runsTests())
	}
	if RunsTests("test", []string{"-c", "."}) || RunsTests("build", nil) || !RunsTests("test", []string{"-v"}) {
		t.Error("RunsTests")
	}
}

// TestPlainEchoRealLog: the stderr of a real `go test -x -work` of a
// broken module, through plainEcho, is what plain `go test` printed on
// stderr (only cmd/link's temporary directory differs between the runs).
func TestPlainEchoRealLog(t *testing.T) {
	var got bytes.Buffer
	e := newPlainEcho(&got, "pkg-config")
	in := readGotest(t, "bad-x.stderr.txt")
	// In pieces of every size, as pipes deliver them.
	for len(in) > 0 {
		n := min(len(in), 1+len(in)%97)
		e.Write(in[:n])
		in = in[n:]
	}
	e.Close()
	want := readGotest(t, "bad.stderr.txt")
	if d := cmp.Diff(goLinkTmpRE.ReplaceAllString(string(want), "/go-link-N/"), goLinkTmpRE.ReplaceAllString(got.String(), "/go-link-N/")); d != "" {
		t.Errorf("(-go test +echo):\n%s", d)
	}
	var out testOutcome
	w := &plainStdout{out: &out}
	w.Write(readGotest(t, "bad-x.stdout.txt"))
	if failed, built := out.result(); len(failed) != 0 || !built {
		t.Errorf("stdout of the broken module: failed %q, build failed %v", failed, built)
	}
}

// TestTestJSONFilterRealLog: the stdout of a real `go test -x -json -work`
// through testJSONFilter is, event for event, what plain `go test -json`
// printed (times aside), and the build log gets every build event.
func TestTestJSONFilterRealLog(t *testing.T) {
	var user, log bytes.Buffer
	var out testOutcome
	f := newTestJSONFilter(&user, &log, "pkg-config", &out)
	in := readGotest(t, "ok-xjson.stdout.txt")
	f.Write(in[:1000])
	f.Write(in[1000:])
	f.Close()
	norm := func(b []byte) []string {
		var evs []string
		for _, line := range strings.SplitAfter(string(b), "\n") {
			if line == "" {
				continue
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatalf("not JSON: %q", line)
			}
			delete(m, "Time")
			delete(m, "Elapsed")
			if s, ok := m["Output"].(string); ok {
				m["Output"] = regexp.MustCompile(`\d+\.\d+s`).ReplaceAllString(s, "Ns")
			}
			j, _ := json.Marshal(m)
			evs = append(evs, string(j))
		}
		return evs
	}
	if d := cmp.Diff(norm(readGotest(t, "ok-json.stdout.txt")), norm(user.Bytes())); d != "" {
		t.Errorf("(-go test -json +filter):\n%s", d)
	}
	nBuild := strings.Count(string(in), `"Action":"build-output"`)
	if nBuild == 0 || strings.Count(log.String(), `"Action":"build-output"`) != nBuild || strings.Contains(log.String(), `"Action":"run"`) {
		t.Errorf("build log: %d of %d build events, or test events in it", strings.Count(log.String(), `"Action":"build-output"`), nBuild)
	}
	if failed, built := out.result(); !cmp.Equal(failed, []string{"example.com/ok"}) || built {
		t.Errorf("failed %q, build failed %v", failed, built)
	}
}

func TestSummaryLine(t *testing.T) {
	var out testOutcome
	for _, l := range []string{
		"FAIL\texample.com/a\t0.012s\n",
		"FAIL\texample.com/b [build failed]\n",
		"ok  \texample.com/c\t0.010s\n",
		"FAIL\n",
		"--- FAIL: TestX (0.00s)\n",
		"FAIL\texample.com/a\t0.020s\n",
	} {
		out.summaryLine(l)
	}
	if failed, built := out.result(); !cmp.Equal(failed, []string{"example.com/a"}) || !built {
		t.Errorf("failed %q, build failed %v", failed, built)
	}
}

// fakeGoTest is a Runner that prints a go test's streams.
type fakeGoTest struct {
	stdout, stderr string
	code           int
	args           []string
}

func (f *fakeGoTest) Run(ctx context.Context, c Cmd) (int, error) {
	if len(c.Args) > 0 && c.Args[0] == "test" {
		f.args = c.Args
		io.WriteString(c.Stdout, f.stdout)
		io.WriteString(c.Stderr, f.stderr)
		return f.code, nil
	}
	return 1, nil
}

// TestBuildRunsTestsFailed: a go test whose tests failed (every package
// built): go test's stdout reaches Stdout unchanged, -json is not added,
// no diagnosis, the package is failed and test_failed, the exit code is
// go test's.
func TestBuildRunsTestsFailed(t *testing.T) {
	stdout := "--- FAIL: TestFail (0.00s)\n    x_test.go:5: no\nFAIL\nFAIL\texample.com/x\t0.003s\nok  \texample.com/x/y\t0.002s\nFAIL\n"
	r := &fakeGoTest{stdout: stdout, stderr: "WORK=/tmp/go-build123\n", code: 1}
	var user, term bytes.Buffer
	res, err := Build(context.Background(), BuildOptions{GoCmd: "test", Args: []string{"-count=1", "./..."}, Runner: r, Stdout: &user, Terminal: &term, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(res.RawLog)
	res.Wait()
	if !cmp.Equal(r.args, []string{"test", "-x", "-work", "-count=1", "./..."}) {
		t.Errorf("ran go %q", r.args)
	}
	if user.String() != stdout || term.String() != "" {
		t.Errorf("stdout %q, terminal %q", user.String(), term.String())
	}
	rep := res.Report
	if rep.Command.ExitCode != 1 || len(rep.Diagnoses) != 0 {
		t.Errorf("exit %d, diagnoses %+v", rep.Command.ExitCode, rep.Diagnoses)
	}
	var failed []string
	for _, p := range rep.Packages {
		if p.Failed && p.TestFailed {
			failed = append(failed, p.ImportPath)
		}
	}
	if !cmp.Equal(failed, []string{"example.com/x"}) {
		t.Errorf("failed packages %q", failed)
	}
}

// TestBuildTestBinaryCannotStart: go test prints on its stdout, apart
// from the build log, that a test binary could not start; cgotrace test
// gives the user that stdout unchanged and diagnoses it as analyze does
// (one runtime-library-missing, in the package whose FAIL line follows),
// plain and with -json. go test's stdout is that of the real go1.26.8
// runs of ../testdata/logs/handmade (the .testjson.log with the build
// events, which go test -json prints on stdout too).
func TestBuildTestBinaryCannotStart(t *testing.T) {
	for _, tc := range []struct {
		file string
		args []string
	}{
		{"test-binary-cannot-start.test.log", []string{"./..."}},
		{"test-binary-cannot-start.testjson.log", []string{"-json", "./..."}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			stdout, err := os.ReadFile(filepath.Join("..", "testdata", "logs", "handmade", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			r := &fakeGoTest{stdout: string(stdout), stderr: "WORK=/tmp/go-build123\n", code: 1}
			var user, term bytes.Buffer
			res, err := Build(context.Background(), BuildOptions{GoCmd: "test", Args: tc.args, Runner: r, Stdout: &user, Terminal: &term, Dir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			defer os.Remove(res.RawLog)
			res.Wait()
			if !bytes.Contains(user.Bytes(), []byte("startfail.test: error while loading shared libraries: libgreet.so.1")) {
				t.Errorf("the user's stdout lacks the loader's line:\n%s", user.String())
			}
			rep := res.Report
			if rep.Command.ExitCode != 1 || len(rep.Diagnoses) != 1 {
				t.Fatalf("exit %d, diagnoses %+v: want go's 1 and one diagnosis", rep.Command.ExitCode, rep.Diagnoses)
			}
			d := rep.Diagnoses[0]
			if d.Code != diag.RuntimeLibraryMissing || d.Package != "example.com/startfail" || d.Subject["library"] != "libgreet.so.1" {
				t.Errorf("diagnosis %s in %q, subject %v", d.Code, d.Package, d.Subject)
			}
		})
	}
}

// FuzzTestJSONFilter: any stream is split, never lost: every line goes
// to the user or to the build log (build events of the trace only to the
// log), and nothing panics.
func FuzzTestJSONFilter(f *testing.F) {
	f.Add(string(readGotest(f, "ok-xjson.stdout.txt")[:3000]))
	f.Add(`{"ImportPath":"x","Action":"build-output","Output":"cd /x\n"}` + "\n" + `{"Action":"fail","Package":"x"}` + "\nplain\n")
	f.Add("{\"Action\":\"fail\"\n{")
	f.Fuzz(func(t *testing.T, s string) {
		var user, log bytes.Buffer
		var out testOutcome
		fl := newTestJSONFilter(&user, &log, "pkg-config", &out)
		fl.Write([]byte(s))
		fl.Close()
		for _, line := range strings.SplitAfter(s, "\n") {
			if line != "" && !strings.Contains(user.String(), line) && !strings.Contains(log.String(), line) {
				t.Fatalf("line lost: %q", line)
			}
		}
		e := newPlainEcho(io.Discard, "pkg-config")
		e.Write([]byte(s))
		e.Close()
		(&plainStdout{out: &out}).Write([]byte(s))
	})
}

// TestUserTraceKept: a user's own -x is not taken out of what they see.
func TestUserTraceKept(t *testing.T) {
	stderr := "WORK=/tmp/go-build1\nmkdir -p $WORK/b001/\n"
	r := &fakeGoTest{stdout: "ok  \texample.com/x\t0.001s\n", stderr: stderr}
	var user, term bytes.Buffer
	res, err := Build(context.Background(), BuildOptions{GoCmd: "test", Args: []string{"-x", "./..."}, Runner: r, Stdout: &user, Terminal: &term, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(res.RawLog)
	res.Wait()
	if term.String() != stderr {
		t.Errorf("terminal %q, want go's %q", term.String(), stderr)
	}
	term.Reset()
	res, err = Build(context.Background(), BuildOptions{GoCmd: "test", Args: []string{"./..."}, Runner: r, Stdout: &user, Terminal: &term, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(res.RawLog)
	res.Wait()
	if term.String() != "" {
		t.Errorf("without -x, terminal %q", term.String())
	}
}
