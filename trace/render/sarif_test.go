package render

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cgotrace/cgotrace/trace"
)

// sarifDoc is the part of a SARIF log the tests look at.
type sarifDoc struct {
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Rules []struct {
					ID string `json:"id"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID    string `json:"ruleId"`
			RuleIndex int    `json:"ruleIndex"`
			Level     string `json:"level"`
			Message   struct {
				Text     string `json:"text"`
				Markdown string `json:"markdown"`
			} `json:"message"`
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI string `json:"uri"`
					} `json:"artifactLocation"`
					Region *struct {
						StartLine   int `json:"startLine"`
						StartColumn int `json:"startColumn"`
					} `json:"region"`
				} `json:"physicalLocation"`
			} `json:"locations"`
			RelatedLocations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI string `json:"uri"`
					} `json:"artifactLocation"`
				} `json:"physicalLocation"`
			} `json:"relatedLocations"`
		} `json:"results"`
	} `json:"runs"`
}

// sarifReports are real reports: every log of testdata/logs and of
// buildlog's real -x logs through trace.Analyze (what `cgotrace analyze`
// does), and the hand-built fixtures, which have #cgo lines and .pc files.
func sarifReports(t *testing.T) map[string]*trace.Report {
	t.Helper()
	reps := map[string]*trace.Report{}
	var logs []string
	for _, pat := range []string{"../../testdata/logs/*.log", filepath.Join(realLogs, "*.log")} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		logs = append(logs, m...)
	}
	if len(logs) < 20 {
		t.Fatalf("only %d real logs found", len(logs))
	}
	for _, path := range logs {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		rep, _, err := trace.Analyze(bytes.NewReader(data), "v0.3.0")
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		reps[path] = rep
	}
	reps["fixture/library-dev-missing"] = libraryDevMissing()
	reps["fixture/header-not-found"] = headerNotFound()
	reps["fixture/cxx-runtime-missing"] = cxxRuntimeMissing()
	reps["fixture/runtime-library-missing"] = runtimeLibraryMissing()
	reps["fixture/healthy"] = healthy()
	reps["fixture/many"] = manyDiagnoses()
	return reps
}

func renderSARIF(t *testing.T, rep *trace.Report, o Options) ([]byte, sarifDoc) {
	t.Helper()
	var buf bytes.Buffer
	if err := SARIF(&buf, rep, o); err != nil {
		t.Fatal(err)
	}
	var doc sarifDoc
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, buf.String())
	}
	return buf.Bytes(), doc
}

// TestSARIFResults: one result per diagnosis, in order, ruleId = code,
// level from the severity, the location at the diagnosis's source, the
// fix in the message, and the chain's .pc files and #cgo lines as
// related locations.
func TestSARIFResults(t *testing.T) {
	levels := map[string]string{"error": "error", "warning": "warning", "info": "note"}
	sawPC, sawSource, sawDirective := false, false, false
	for name, rep := range sarifReports(t) {
		_, doc := renderSARIF(t, rep, Options{})
		if doc.Version != "2.1.0" || len(doc.Runs) != 1 {
			t.Fatalf("%s: version %q, %d runs", name, doc.Version, len(doc.Runs))
		}
		run := doc.Runs[0]
		if len(run.Results) != len(rep.Diagnoses) {
			t.Fatalf("%s: %d results for %d diagnoses", name, len(run.Results), len(rep.Diagnoses))
		}
		for i, res := range run.Results {
			d := rep.Diagnoses[i]
			if res.RuleID != string(d.Code) || run.Tool.Driver.Rules[res.RuleIndex].ID != res.RuleID {
				t.Errorf("%s #%d: ruleId %q (rule %d), want %s", name, i, res.RuleID, res.RuleIndex, d.Code)
			}
			if res.Level != levels[string(d.Severity)] {
				t.Errorf("%s #%d: level %q for severity %s", name, i, res.Level, d.Severity)
			}
			if !strings.HasPrefix(res.Message.Text, d.Summary) {
				t.Errorf("%s #%d: message %q does not start with the summary %q", name, i, res.Message.Text, d.Summary)
			}
			if d.Fix != "" && (!strings.Contains(res.Message.Text, d.Fix) || !strings.Contains(res.Message.Markdown, "**Fix:**")) {
				t.Errorf("%s #%d: the fix %q is not in the message", name, i, d.Fix)
			}
			if d.Source != nil && d.Source.File != "" {
				sawSource = true
				if len(res.Locations) != 1 {
					t.Fatalf("%s #%d: %d locations for source %v", name, i, len(res.Locations), d.Source)
				}
				pl := res.Locations[0].PhysicalLocation
				if !strings.HasSuffix(pl.ArtifactLocation.URI, filepath.Base(d.Source.File)) {
					t.Errorf("%s #%d: location %q, source %s", name, i, pl.ArtifactLocation.URI, d.Source.File)
				}
				if d.Source.Line > 0 && (pl.Region == nil || pl.Region.StartLine != d.Source.Line || pl.Region.StartColumn != d.Source.Column) {
					t.Errorf("%s #%d: region %+v, source %+v", name, i, pl.Region, d.Source)
				}
			}
			p := findPackage(rep, d.Package)
			if p == nil {
				continue
			}
			related := map[string]bool{}
			for _, rl := range res.RelatedLocations {
				related[rl.PhysicalLocation.ArtifactLocation.URI] = true
			}
			for _, dv := range p.Directives {
				sawDirective = true
				if !related[dv.File] {
					t.Errorf("%s #%d: #cgo line %s:%d is not a related location (%v)", name, i, dv.File, dv.Line, related)
				}
			}
			for _, pc := range p.PkgConfig {
				for _, f := range pc.PCFiles {
					sawPC = true
					if !related["file://"+f] {
						t.Errorf("%s #%d: .pc file %s is not a related location (%v)", name, i, f, related)
					}
				}
			}
		}
	}
	if !sawPC || !sawSource || !sawDirective {
		t.Errorf("the reports had no .pc file (%v), no source (%v) or no #cgo line (%v): the test checks less than it says", sawPC, sawSource, sawDirective)
	}
}

// TestSARIFPaths: a source inside the repository root is a relative URI
// (what code scanning matches against the checkout), one outside it an
// absolute file: URI; spaces are percent-encoded.
func TestSARIFPaths(t *testing.T) {
	rep := headerNotFound()
	rep.Diagnoses[0].Source.File = "/home/ci/src/frobapp/sub dir/main.go"
	_, doc := renderSARIF(t, rep, Options{RepoRoot: "/home/ci/src"})
	if got := doc.Runs[0].Results[0].Locations[0].PhysicalLocation.ArtifactLocation.URI; got != "frobapp/sub%20dir/main.go" {
		t.Errorf("inside the root: uri %q", got)
	}
	_, doc = renderSARIF(t, rep, Options{RepoRoot: "/elsewhere"})
	if got := doc.Runs[0].Results[0].Locations[0].PhysicalLocation.ArtifactLocation.URI; got != "file:///home/ci/src/frobapp/sub%20dir/main.go" {
		t.Errorf("outside the root: uri %q", got)
	}
}

// TestSARIFSchema validates the SARIF of every real report against the
// official SARIF 2.1.0 schema (testdata/sarif, see SOURCE.md there) with
// ajv, which scripts/setup.sh installs from npm; and checks the
// validator rejects a document that breaks the schema, so a validator
// that accepts anything cannot pass the test.
func TestSARIFSchema(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed (scripts/setup.sh installs it): cannot run the SARIF schema validator")
	}
	mods := os.Getenv("CGOTRACE_NPM_DIR")
	if mods == "" {
		mods = "/usr/local/lib/cgotrace-npm"
	}
	mods = filepath.Join(mods, "node_modules")
	if _, err := os.Stat(filepath.Join(mods, "ajv-draft-04")); err != nil {
		t.Skipf("ajv-draft-04 is not in %s (scripts/setup.sh installs it; CGOTRACE_NPM_DIR overrides the place): %v", mods, err)
	}
	dir := t.TempDir()
	var files []string
	for name, rep := range sarifReports(t) {
		out, _ := renderSARIF(t, rep, Options{})
		f := filepath.Join(dir, strings.NewReplacer("/", "_", ".", "_").Replace(name)+".sarif")
		if err := os.WriteFile(f, out, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	// A broken copy: a level the schema does not allow.
	out, _ := renderSARIF(t, headerNotFound(), Options{})
	broken := strings.Replace(string(out), `"level": "error"`, `"level": "fatal"`, 1)
	if broken == string(out) {
		t.Fatal("the broken copy is not broken")
	}
	bad := filepath.Join(dir, "broken.sarif")
	if err := os.WriteFile(bad, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	validate := func(files ...string) (string, error) {
		cmd := exec.Command(node, "testdata/sarif/validate.js", "testdata/sarif/sarif-schema-2.1.0.json")
		cmd.Args = append(cmd.Args, files...)
		cmd.Env = append(os.Environ(), "NODE_PATH="+mods)
		o, err := cmd.CombinedOutput()
		return string(o), err
	}
	if o, err := validate(files...); err != nil {
		t.Errorf("%d SARIF files, not all valid: %v\n%s", len(files), err, o)
	}
	o, err := validate(bad)
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(o, "level") {
		t.Errorf("the validator did not reject a level of \"fatal\": %v\n%s", err, o)
	}
}
