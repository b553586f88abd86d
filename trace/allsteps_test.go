package trace

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/cgotrace/cgotrace/trace/diag"
)

// TestAllStepsSameDiagnoses reads every log of testdata/logs (and of
// testdata/logs/gocmd) twice, as analyze does and as analyze --all-steps
// does, and checks that the trimmed report says the same: the same
// diagnoses, notes and exit code, the same packages in the same order,
// the chain packages with the same steps, and each counted package with
// the counts of the steps --all-steps keeps. The corpus logs come from
// one-package scenarios, so a real go build -x of a module with pure-Go
// packages next to a failing cgo package is added, made here.
func TestAllStepsSameDiagnoses(t *testing.T) {
	files := []string{mixedModuleLog(t)}
	for _, pat := range []string{"../testdata/logs/*.log", "../testdata/logs/gocmd/*.log"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 101 {
		t.Fatalf("%d logs in ../testdata/logs: the corpus is missing", len(files))
	}
	counted := 0
	for k, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		trim, _, err := AnalyzeWith(bytes.NewReader(data), "test", AnalyzeOptions{})
		if err != nil {
			t.Errorf("%s: %v", file, err)
			continue
		}
		all, _, err := AnalyzeWith(bytes.NewReader(data), "test", AnalyzeOptions{AllSteps: true})
		if err != nil {
			t.Errorf("%s: --all-steps: %v", file, err)
			continue
		}
		if a, b := jsonOf(t, trim.Diagnoses), jsonOf(t, all.Diagnoses); a != b {
			t.Errorf("%s: the diagnoses differ:\ntrimmed:   %s\nall steps: %s", file, a, b)
		}
		if !reflect.DeepEqual(trim.Notes, all.Notes) || trim.Command.ExitCode != all.Command.ExitCode {
			t.Errorf("%s: notes or exit code differ: %q %d vs %q %d", file, trim.Notes, trim.Command.ExitCode, all.Notes, all.Command.ExitCode)
		}
		if k == 0 {
			checkMixed(t, trim)
		}
		if len(trim.Packages) != len(all.Packages) {
			t.Errorf("%s: %d packages trimmed, %d with --all-steps", file, len(trim.Packages), len(all.Packages))
			continue
		}
		for i, p := range trim.Packages {
			q := all.Packages[i]
			if p.ImportPath != q.ImportPath || p.Failed != q.Failed {
				t.Errorf("%s: package %d is %s (failed %v) trimmed, %s (failed %v) with --all-steps", file, i, p.ImportPath, p.Failed, q.ImportPath, q.Failed)
				continue
			}
			if q.StepCounts != nil {
				t.Errorf("%s: %s has step_counts with --all-steps", file, q.ImportPath)
			}
			if !p.PureGo() {
				if p.StepCounts != nil || jsonOf(t, p.Steps) != jsonOf(t, q.Steps) {
					t.Errorf("%s: %s, a package of the chain, lost steps", file, p.ImportPath)
				}
				continue
			}
			counted++
			if p.Steps != nil {
				t.Errorf("%s: %s, a pure-Go package, keeps %d steps", file, p.ImportPath, len(p.Steps))
			}
			if want := countSteps(q.Steps); len(q.Steps) == 0 || !maps.Equal(p.StepCounts, want) {
				t.Errorf("%s: %s: step_counts %v, --all-steps has %d steps %v", file, p.ImportPath, p.StepCounts, len(q.Steps), want)
			}
		}
	}
	if counted == 0 {
		t.Error("no log has a pure-Go package: the trimming was not exercised")
	}
	t.Logf("%d logs, %d pure-Go packages counted", len(files), counted)
}

// mixedModuleLog runs go build -x ./... on a module with two pure-Go
// packages, a cgo package that links a library that does not exist and
// a main package importing them, and returns the path of its log.
func mixedModuleLog(t *testing.T) string {
	t.Helper()
	needGo(t)
	dir := writeModule(t, map[string]string{
		"go.mod":      "module example.com/mixed\n\ngo 1.22\n",
		"ok/ok.go":    "package ok\n\nfunc Two() int { return 2 }\n",
		"ok2/ok2.go":  "package ok2\n\nimport \"example.com/mixed/ok\"\n\nfunc Four() int { return ok.Two() * 2 }\n",
		"cg/cg.go":    "package cg\n\n// #cgo LDFLAGS: -lcgotracenosuchlib\n// int three(void) { return 3; }\nimport \"C\"\n\nfunc Three() int { return int(C.three()) }\n",
		"app/main.go": "package main\n\nimport (\n\t\"example.com/mixed/cg\"\n\t\"example.com/mixed/ok2\"\n)\n\nfunc main() { println(cg.Three() + ok2.Four()) }\n",
	})
	cmd := exec.Command("go", "build", "-x", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1", "GOFLAGS=-buildvcs=false", "LANG=C")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("go build -x ./... succeeded; the cgo package should not link:\n%s", out)
	}
	log := filepath.Join(dir, "mixed.x.log")
	if err := os.WriteFile(log, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return log
}

// checkMixed checks the trimmed report of mixedModuleLog: go build
// ignores the failure of cgo's _cgo_.o link (its "test for internal
// linking errors"), so the main package's host link is what fails, with
// library-not-found; that package comes first, and the two pure-Go
// packages come counted, each with its one compile.
func checkMixed(t *testing.T, rep *Report) {
	t.Helper()
	if len(rep.Packages) == 0 || rep.Packages[0].ImportPath != "example.com/mixed/app" || !rep.Packages[0].Failed {
		t.Errorf("mixed module: the failed main package is not first: %s", jsonOf(t, rep.Packages))
	}
	if d := firstErrorDiag(rep.Diagnoses, ""); d == nil || d.Package != "example.com/mixed/app" || d.Code != diag.LibraryNotFound {
		t.Errorf("mixed module: the first error is not library-not-found in example.com/mixed/app: %s", jsonOf(t, rep.Diagnoses))
	}
	var pure []string
	for _, p := range rep.Packages {
		if p.StepCounts != nil {
			pure = append(pure, p.ImportPath)
			if p.StepCounts[KindCompile] != 1 {
				t.Errorf("mixed module: %s: step_counts %v, want one compile", p.ImportPath, p.StepCounts)
			}
		}
	}
	slices.Sort(pure)
	if want := []string{"example.com/mixed/ok", "example.com/mixed/ok2"}; !slices.Equal(pure, want) {
		t.Errorf("mixed module: counted packages %q, want %q", pure, want)
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
