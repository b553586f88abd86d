package main

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The end-to-end tests of `cgotrace test` and `cgotrace install` compare
// cgotrace with plain go on the same module, line for line. What differs
// between two runs of plain go itself is normalised, and only that:
//   - timings: "\t0.012s" and "(0.00s)" become "Ns", "(cached)" is dropped
//     (a second run may take the result from the test cache);
//   - the name of the linker's temporary directory, /tmp/go-link-NNN,
//     which cmd/link makes anew at every run.

var (
	timingRE    = regexp.MustCompile(`\d+\.\d+s\b`)
	goLinkDirRE = regexp.MustCompile(`/go-link-\d+/`)
)

func normaliseGo(s string) string {
	s = strings.ReplaceAll(s, "\t(cached)", "\tNs")
	s = timingRE.ReplaceAllString(s, "Ns")
	return goLinkDirRE.ReplaceAllString(s, "/go-link-N/")
}

// writeModule writes files (relative names) under a new temporary module.
func writeModule(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func needGoGcc(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end: runs go test")
	}
	for _, tool := range []string{"go", "gcc"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
}

// testEnv is the environment of the end-to-end runs: no Actions
// workflow commands, no colour.
func testEnv() []string {
	return append(os.Environ(), "GITHUB_ACTIONS=", "NO_COLOR=1")
}

type e2eReport struct {
	Command struct {
		Argv     []string `json:"argv"`
		ExitCode int      `json:"exit_code"`
	} `json:"command"`
	Packages []struct {
		ImportPath string `json:"import_path"`
		Failed     bool   `json:"failed"`
		TestFailed bool   `json:"test_failed"`
	} `json:"packages"`
	Diagnoses []struct {
		Code    string `json:"code"`
		Package string `json:"package"`
		Source  *struct {
			File string `json:"file"`
			Line int    `json:"line"`
		} `json:"source"`
	} `json:"diagnoses"`
}

func readReport(t *testing.T, path string) e2eReport {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r e2eReport
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("report %s: %v\n%s", path, err, data)
	}
	return r
}

// firstDiagnosis is "code file:line" of the report's first diagnosis.
func firstDiagnosis(r e2eReport) string {
	if len(r.Diagnoses) == 0 {
		return "(none)"
	}
	d := r.Diagnoses[0]
	s := d.Code
	if d.Source != nil {
		s += " " + filepath.Base(d.Source.File) + ":" + strconv.Itoa(d.Source.Line)
	}
	return s
}

// brokenModules are cgo modules whose build fails (and so does their
// test build): a header that does not exist (compile step) and a library
// that does not exist (link step of the main package and of the test).
var brokenModules = map[string]map[string]string{
	"header": {
		"go.mod":       "module example.com/hdr\n\ngo 1.22\n",
		"main.go":      "package main\n\n// #include <cgotrace_no_such_header.h>\nimport \"C\"\n\nfunc main() {}\n",
		"main_test.go": "package main\n\nimport \"testing\"\n\nfunc TestX(t *testing.T) {}\n",
	},
	"library": {
		"go.mod":       "module example.com/lib\n\ngo 1.22\n",
		"main.go":      "package main\n\n// #cgo LDFLAGS: -lcgotrace_no_such_lib\n// int nothere(void);\nimport \"C\"\n\nfunc main() { C.nothere() }\n",
		"main_test.go": "package main\n\nimport \"testing\"\n\nfunc TestX(t *testing.T) {}\n",
	},
}

// TestTestBrokenModule: on a module that does not build, `cgotrace test
// ./...` gives the same first diagnosis as `cgotrace build ./...`, exits
// as go test does, and prints on stdout and stderr what plain go test
// prints, line for line (normalised as normaliseGo says).
func TestTestBrokenModule(t *testing.T) {
	needGoGcc(t)
	bin := buildBinary(t)
	for _, name := range slices.Sorted(maps.Keys(brokenModules)) {
		t.Run(name, func(t *testing.T) {
			dir := writeModule(t, brokenModules[name])
			env := testEnv()
			goCode, goOut, goErr := runCapture(t, dir, env, "go", "test", "./...")
			if goCode == 0 {
				t.Fatalf("precondition: go test of the broken module passed:\n%s", goOut)
			}
			rb := filepath.Join(t.TempDir(), "build.json")
			if code, _, _ := runCapture(t, dir, env, bin, "build", "--format", "json", "--output", rb, "./..."); code == 0 {
				t.Fatal("cgotrace build of the broken module exited 0")
			}
			rt := filepath.Join(t.TempDir(), "test.json")
			code, out, errb := runCapture(t, dir, env, bin, "test", "--format", "json", "--output", rt, "./...")
			if code != goCode {
				t.Errorf("exit %d, go test's %d", code, goCode)
			}
			if d := cmp.Diff(normaliseGo(string(goOut)), normaliseGo(string(out))); d != "" {
				t.Errorf("stdout differs from go test's (-go +cgotrace):\n%s", d)
			}
			if d := cmp.Diff(normaliseGo(string(goErr)), normaliseGo(string(errb))); d != "" {
				t.Errorf("stderr differs from go test's (-go +cgotrace):\n%s", d)
			}
			build, test := readReport(t, rb), readReport(t, rt)
			if firstDiagnosis(build) == "(none)" {
				t.Fatal("cgotrace build made no diagnosis")
			}
			if got, want := firstDiagnosis(test), firstDiagnosis(build); got != want {
				t.Errorf("first diagnosis of test %q, of build %q", got, want)
			}
			if test.Command.ExitCode != goCode || !slices.Equal(test.Command.Argv, []string{"go", "test", "./..."}) {
				t.Errorf("report command %+v", test.Command)
			}

			if name != "library" {
				return
			}
			// -json: go test's JSON stream, with the build's error
			// events (the linker's, the longest), and the same diagnosis.
			goCode, goOut, _ = runCapture(t, dir, env, "go", "test", "-json", "./...")
			rj := filepath.Join(t.TempDir(), "testjson.json")
			code, out, _ = runCapture(t, dir, env, bin, "test", "--format", "json", "--output", rj, "-json", "./...")
			if code != goCode {
				t.Errorf("-json: exit %d, go test's %d", code, goCode)
			}
			if d := cmp.Diff(jsonEvents(t, goOut), jsonEvents(t, out)); d != "" {
				t.Errorf("-json stdout differs from go test's (-go +cgotrace):\n%s", d)
			}
			if got, want := firstDiagnosis(readReport(t, rj)), firstDiagnosis(build); got != want {
				t.Errorf("-json: first diagnosis %q, of build %q", got, want)
			}
		})
	}
}

// jsonEvents are the lines of go test -json, each a JSON object, with
// what differs between two runs of go test itself normalised: Time
// dropped, Elapsed zeroed, timings in Output as normaliseGo does, and the
// interleaving of packages: go test -json prints the events of packages
// tested in parallel as they come, so the lines are grouped by package
// (Package, or ImportPath for build events), keeping their order within
// each. A line that is not a JSON object is kept as text.
func jsonEvents(t *testing.T, out []byte) []string {
	t.Helper()
	type keyed struct{ pkg, ev string }
	var evs []keyed
	for _, line := range strings.SplitAfter(string(out), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			evs = append(evs, keyed{"", "text: " + normaliseGo(line)})
			continue
		}
		pkg, _ := m["Package"].(string)
		if ip, ok := m["ImportPath"].(string); ok && pkg == "" {
			pkg = strings.TrimSuffix(ip, ".test")
		}
		delete(m, "Time")
		if _, ok := m["Elapsed"]; ok {
			m["Elapsed"] = 0
		}
		if s, ok := m["Output"].(string); ok {
			m["Output"] = normaliseGo(s)
		}
		b, _ := json.Marshal(m)
		evs = append(evs, keyed{pkg, string(b)})
	}
	slices.SortStableFunc(evs, func(a, b keyed) int { return strings.Compare(a.pkg, b.pkg) })
	var lines []string
	for _, e := range evs {
		lines = append(lines, e.ev)
	}
	return lines
}

// healthyModule is a cgo module that builds, with a test that passes and
// one that fails, both printing.
var healthyModule = map[string]string{
	"go.mod": "module example.com/tests\n\ngo 1.22\n",
	"add.go": "package tests\n\n// int add(int a, int b) { return a + b; }\nimport \"C\"\n\nfunc Add(a, b int) int { return int(C.add(C.int(a), C.int(b))) }\n",
	"add_test.go": `package tests

import (
	"fmt"
	"os"
	"testing"
)

func TestAdd(t *testing.T) {
	fmt.Println("stdout of TestAdd")
	t.Log("log of TestAdd")
	if Add(1, 2) != 3 {
		t.Fatal("1+2 != 3")
	}
}

func TestFail(t *testing.T) {
	fmt.Fprintln(os.Stderr, "stderr of TestFail")
	t.Error("TestFail fails on purpose")
}
`,
	"other/other.go":      "package other\n\nfunc One() int { return 1 }\n",
	"other/other_test.go": "package other\n\nimport \"testing\"\n\nfunc TestOne(t *testing.T) { t.Log(\"one\") }\n",
}

// TestTestFailingTests: on a module that builds and whose tests fail,
// `cgotrace test` prints what plain go test prints, line for line, with
// -v, -run, -count and -json as given, exits as go test does, and its
// report has no diagnosis and the package failed (test_failed); a run
// of the passing tests only exits 0 with nothing failed.
func TestTestFailingTests(t *testing.T) {
	needGoGcc(t)
	bin := buildBinary(t)
	dir := writeModule(t, healthyModule)
	env := testEnv()
	for _, args := range [][]string{
		{"./..."},
		{"-v", "-count=1", "./..."},
		{"./...", "-run", "TestFail", "-v"},
		{"-json", "-count=1", "./..."},
		{"-v", "-run", "TestAdd|TestOne", "./..."},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			goCode, goOut, goErr := runCapture(t, dir, env, "go", append([]string{"test"}, args...)...)
			rp := filepath.Join(t.TempDir(), "r.json")
			code, out, errb := runCapture(t, dir, env, bin, append([]string{"test", "--format", "json", "--output", rp}, args...)...)
			if code != goCode {
				t.Errorf("exit %d, go test's %d", code, goCode)
			}
			if slices.Contains(args, "-json") {
				if d := cmp.Diff(jsonEvents(t, goOut), jsonEvents(t, out)); d != "" {
					t.Errorf("stdout differs from go test's (-go +cgotrace):\n%s", d)
				}
			} else if d := cmp.Diff(strings.Split(normaliseGo(string(goOut)), "\n"), strings.Split(normaliseGo(string(out)), "\n")); d != "" {
				t.Errorf("stdout differs from go test's (-go +cgotrace):\n%s", d)
			}
			if d := cmp.Diff(normaliseGo(string(goErr)), normaliseGo(string(errb))); d != "" {
				t.Errorf("stderr differs from go test's (-go +cgotrace):\n%s", d)
			}
			r := readReport(t, rp)
			if len(r.Diagnoses) != 0 {
				t.Errorf("diagnoses for a module that built: %+v", r.Diagnoses)
			}
			var failed []string
			for _, p := range r.Packages {
				if p.Failed {
					failed = append(failed, p.ImportPath)
					if !p.TestFailed {
						t.Errorf("%s failed without test_failed", p.ImportPath)
					}
				}
			}
			var want []string
			if goCode != 0 {
				want = []string{"example.com/tests"}
			}
			if d := cmp.Diff(want, failed); d != "" {
				t.Errorf("failed packages (-want +got):\n%s", d)
			}
		})
	}

	// The text report goes to stderr, after go test's, and says that
	// tests failed, not the build (stdout was compared above).
	code, _, errb := runCapture(t, dir, env, bin, "test", "./...")
	if code != 1 {
		t.Errorf("text: exit %d", code)
	}
	if !bytes.Contains(errb, []byte("tests failed: go test ./... (exit status 1); every package built, no diagnosis\n  FAIL example.com/tests\n")) {
		t.Errorf("text report on stderr:\n%s", errb)
	}
}

// TestTestSARIF: `cgotrace test --format sarif` on a broken module has a
// result for the diagnosis, ruleId its code, located in the Go file; on a
// module whose tests fail, none.
func TestTestSARIF(t *testing.T) {
	needGoGcc(t)
	bin := buildBinary(t)
	env := testEnv()
	type sarif struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []struct {
				RuleID    string `json:"ruleId"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
			Invocations []struct {
				ExitCode *int `json:"exitCode"`
			} `json:"invocations"`
		} `json:"runs"`
	}
	read := func(dir string) (sarif, int) {
		out := filepath.Join(t.TempDir(), "r.sarif")
		code, _, _ := runCapture(t, dir, env, bin, "test", "--format", "sarif", "--output", out, "./...")
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		var s sarif
		if err := json.Unmarshal(data, &s); err != nil {
			t.Fatalf("%v\n%s", err, data)
		}
		if s.Version != "2.1.0" || len(s.Runs) != 1 || len(s.Runs[0].Invocations) != 1 || s.Runs[0].Invocations[0].ExitCode == nil || *s.Runs[0].Invocations[0].ExitCode != code {
			t.Errorf("SARIF run (exit %d): %s", code, data)
		}
		return s, code
	}
	s, code := read(writeModule(t, brokenModules["header"]))
	if code == 0 || len(s.Runs[0].Results) == 0 || s.Runs[0].Results[0].RuleID != "header-not-found" ||
		len(s.Runs[0].Results[0].Locations) == 0 || s.Runs[0].Results[0].Locations[0].PhysicalLocation.ArtifactLocation.URI != "main.go" {
		t.Errorf("broken module: exit %d, SARIF %+v", code, s)
	}
	s, code = read(writeModule(t, healthyModule))
	if code != 1 || len(s.Runs[0].Results) != 0 {
		t.Errorf("failing tests: exit %d, results %+v", code, s.Runs[0].Results)
	}
}

// TestInstall: `cgotrace install` installs what go install installs
// (into GOBIN) and exits 0; on a broken module it exits as go install
// does, shows go install's stderr, and gives build's first diagnosis.
func TestInstall(t *testing.T) {
	needGoGcc(t)
	bin := buildBinary(t)
	gobin := t.TempDir()
	env := append(testEnv(), "GOBIN="+gobin)
	dir := writeModule(t, map[string]string{
		"go.mod":  "module example.com/inst\n\ngo 1.22\n",
		"main.go": "package main\n\n// int one(void) { return 1; }\nimport \"C\"\n\nfunc main() { println(C.one()) }\n",
	})
	code, _, errb := runCapture(t, dir, env, bin, "install", ".")
	if code != 0 {
		t.Fatalf("install exit %d:\n%s", code, errb)
	}
	if _, err := os.Stat(filepath.Join(gobin, "inst")); err != nil {
		t.Errorf("nothing installed: %v", err)
	}

	dir = writeModule(t, brokenModules["library"])
	goCode, _, goErr := runCapture(t, dir, env, "go", "install", ".")
	rb := filepath.Join(t.TempDir(), "build.json")
	runCapture(t, dir, env, bin, "build", "--format", "json", "--output", rb, ".")
	ri := filepath.Join(t.TempDir(), "install.json")
	code, _, errb = runCapture(t, dir, env, bin, "install", "--format", "json", "--output", ri, ".")
	if goCode == 0 || code != goCode {
		t.Errorf("exit %d, go install's %d", code, goCode)
	}
	if d := cmp.Diff(normaliseGo(string(goErr)), normaliseGo(string(errb))); d != "" {
		t.Errorf("stderr differs from go install's (-go +cgotrace):\n%s", d)
	}
	build, inst := readReport(t, rb), readReport(t, ri)
	if got, want := firstDiagnosis(inst), firstDiagnosis(build); got != want || want == "(none)" {
		t.Errorf("first diagnosis of install %q, of build %q", got, want)
	}
	if !slices.Equal(inst.Command.Argv, []string{"go", "install", "."}) {
		t.Errorf("argv %q", inst.Command.Argv)
	}
}
