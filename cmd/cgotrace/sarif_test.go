package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSARIFBuild builds a real broken module (#cgo pkg-config: gizmo, whose
// .pc file names a library that does not exist) with `cgotrace build
// --format sarif --report-dir`, and checks the SARIF against the report:
// one result per diagnosis with its code, located in the package's Go
// file, the .pc file among the related locations (relative: it is in
// the module); and `cgotrace report
// report.json --format sarif` renders the same bytes.
func TestSARIFBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: runs go build")
	}
	for _, tool := range []string{"go", "gcc", "pkg-config"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	pcdir := filepath.Join(dir, "pc")
	pc := filepath.Join(pcdir, "gizmo.pc")
	files := map[string]string{
		"go.mod":  "module example.com/sarif\n\ngo 1.22\n",
		"main.go": "package main\n\n// #cgo pkg-config: gizmo\n// int gizmo(void);\nimport \"C\"\n\nfunc main() { C.gizmo() }\n",
		pc:        "prefix=" + filepath.Join(dir, "opt") + "\nName: gizmo\nDescription: test\nVersion: 1.0\nLibs: -L${prefix}/lib -lgizmo\nCflags: -I${prefix}/include\n",
	}
	for name, text := range files {
		p := name
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, name)
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "build.sarif")
	rdir := filepath.Join(t.TempDir(), "report")
	cmd := exec.Command(bin, "build", "--format", "sarif", "--output", out, "--report-dir", rdir, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PKG_CONFIG_PATH="+pcdir, "GITHUB_ACTIONS=")
	if o, err := cmd.CombinedOutput(); err == nil {
		t.Fatalf("the broken module built:\n%s", o)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Diagnoses []struct {
			Code string `json:"code"`
		} `json:"diagnoses"`
	}
	rj, err := os.ReadFile(filepath.Join(rdir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(rj, &rep); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Runs []struct {
			Results []struct {
				RuleID    string `json:"ruleId"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
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
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, data)
	}
	res := doc.Runs[0].Results
	if len(rep.Diagnoses) == 0 || len(res) != len(rep.Diagnoses) {
		t.Fatalf("%d results for %d diagnoses\n%s", len(res), len(rep.Diagnoses), data)
	}
	first := res[0]
	if first.RuleID != rep.Diagnoses[0].Code {
		t.Errorf("first ruleId %q, report's first code %q", first.RuleID, rep.Diagnoses[0].Code)
	}
	if len(first.Locations) != 1 || first.Locations[0].PhysicalLocation.ArtifactLocation.URI != "main.go" {
		t.Errorf("location %+v, want main.go (relative to the module)\n%s", first.Locations, data)
	}
	var related []string
	for _, rl := range first.RelatedLocations {
		related = append(related, rl.PhysicalLocation.ArtifactLocation.URI)
	}
	// The .pc file is inside the module, so its URI is relative.
	if !strings.Contains(" "+strings.Join(related, " ")+" ", " pc/gizmo.pc ") {
		t.Errorf("the .pc file %s is not a related location: %v", pc, related)
	}

	again := exec.Command(bin, "report", filepath.Join(rdir, "report.json"), "--format", "sarif")
	again.Dir = dir
	again.Env = append(os.Environ(), "GITHUB_ACTIONS=")
	got, err := again.Output()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("cgotrace report --format sarif: %v (want 1, the report records a failed build)", err)
	}
	if !bytes.Equal(got, data) {
		t.Errorf("cgotrace report --format sarif differs from build's:\n%s\n---\n%s", got, data)
	}
}
