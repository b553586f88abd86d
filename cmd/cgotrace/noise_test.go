package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

type noiseReport struct {
	Packages []struct {
		ImportPath string `json:"import_path"`
		PkgConfig  []struct {
			PCFiles []string `json:"pc_files"`
		} `json:"pkg_config"`
		Steps []struct {
			Kind   string
			Argv   []string
			Failed bool
		}
	}
	Diagnoses []struct {
		Code     string
		Severity string
		Evidence []string
	}
}

// TestBuildNoiseCrossCompiler: GOARCH=arm64 with the host's x86-64 gcc.
// go fails in runtime/cgo's gcc_arm64.S with one assembler error per
// line; cgotrace gives one error diagnosis (the wrong compiler) with all
// those lines as its evidence, marks the compile of gcc_arm64.S as the
// failed step (not whichever C file compiled last), and the text report
// shows a screen's worth of evidence and the count of the rest.
func TestBuildNoiseCrossCompiler(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go build")
	}
	out, err := exec.Command("gcc", "-dumpmachine").Output()
	if err != nil || !strings.HasPrefix(string(out), "x86_64-") {
		t.Skipf("needs an x86-64 host gcc (gcc -dumpmachine: %q %v)", out, err)
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/cross\n\ngo 1.22\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\n// #include <stdlib.h>\nimport \"C\"\n\nfunc main() { println(C.abs(-1)) }\n"), 0o644)
	env := append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=1", "CC=gcc")

	_, _, goErr := runCapture(t, dir, env, "go", "build", "-o", "plain", ".")
	var asmLines []string
	for _, l := range strings.Split(string(goErr), "\n") {
		if strings.HasPrefix(l, "gcc_arm64.S:") && strings.Contains(l, ": Error: ") {
			asmLines = append(asmLines, l)
		}
	}
	if len(asmLines) < 2 {
		t.Fatalf("precondition: go build fails on gcc_arm64.S line after line; it printed\n%s", goErr)
	}

	code, js, _ := runCapture(t, dir, env, bin, "build", "--format", "json", "-o", "traced", ".")
	if code != 1 {
		t.Errorf("exit %d", code)
	}
	var rep noiseReport
	if err := json.Unmarshal(js, &rep); err != nil {
		t.Fatalf("report: %v\n%s", err, js)
	}
	var errs []string
	for _, d := range rep.Diagnoses {
		if d.Severity == "error" {
			errs = append(errs, d.Code)
		}
	}
	if len(errs) != 1 || errs[0] != "cross-cc-mismatch" {
		t.Fatalf("want one error diagnosis, cross-cc-mismatch; got %v", errs)
	}
	ev := strings.Join(rep.Diagnoses[0].Evidence, "\n")
	for _, l := range asmLines {
		if !strings.Contains(ev, l) {
			t.Errorf("evidence lacks %q", l)
		}
	}
	var failed []string
	for _, p := range rep.Packages {
		for _, s := range p.Steps {
			if s.Failed {
				failed = append(failed, p.ImportPath+": "+s.Argv[len(s.Argv)-1])
			}
		}
	}
	if len(failed) != 1 || failed[0] != "runtime/cgo: gcc_arm64.S" {
		t.Errorf("failed steps %q, want the compile of runtime/cgo's gcc_arm64.S", failed)
	}

	// The text of the same report (a second build for arm64 would cost
	// as much again).
	saved := filepath.Join(dir, "report.json")
	os.WriteFile(saved, js, 0o644)
	_, text, _ := runCapture(t, dir, env, bin, "report", saved)
	shown := 0
	for _, l := range strings.Split(string(text), "\n") {
		for _, e := range rep.Diagnoses[0].Evidence {
			if strings.TrimSpace(l) == e {
				shown++
				break
			}
		}
	}
	more := fmt.Sprintf("… and %d more lines", len(rep.Diagnoses[0].Evidence)-shown)
	if shown >= len(asmLines) || !bytes.Contains(text, []byte(more)) {
		t.Errorf("text report shows %d of %d evidence lines, without %q:\n%s", shown, len(rep.Diagnoses[0].Evidence), more, text)
	}
}

// TestBuildNoiseMissingPC: a missing .pc file on a search path of 40 .pc
// files. The report keeps every .pc file the lookup read; the text only
// counts them, once.
func TestBuildNoiseMissingPC(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go build")
	}
	if _, err := exec.LookPath("pkg-config"); err != nil {
		t.Skip("pkg-config not installed")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	pcs := filepath.Join(dir, "pcs")
	os.MkdirAll(pcs, 0o755)
	for i := 0; i < 40; i++ {
		os.WriteFile(filepath.Join(pcs, fmt.Sprintf("other%d.pc", i)), []byte(fmt.Sprintf("Name: other%d\nDescription: x\nVersion: 1\nLibs: -lother%d\n", i, i)), 0o644)
	}
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/pcmissing\n\ngo 1.22\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\n// #cgo pkg-config: cgotrace-no-such-lib\nimport \"C\"\n\nfunc main() {}\n"), 0o644)
	env := append(os.Environ(), "CGO_ENABLED=1", "PKG_CONFIG_LIBDIR="+pcs, "PKG_CONFIG_PATH=")

	_, js, verbose := runCapture(t, dir, env, bin, "-v", "build", "--format", "json", ".")
	// The failed lookup's .pc files were worked out while go build ran,
	// from its -x line, and the shim's record used them.
	if !bytes.Contains(verbose, []byte(`were worked out while go build ran" calls=1`)) {
		t.Errorf("the call's .pc files were not worked out ahead:\n%s", verbose)
	}
	var rep noiseReport
	if err := json.Unmarshal(js, &rep); err != nil {
		t.Fatalf("report: %v\n%s", err, js)
	}
	recorded := 0
	for _, p := range rep.Packages {
		for _, c := range p.PkgConfig {
			recorded += len(c.PCFiles)
		}
	}
	if recorded < 40 {
		t.Fatalf("precondition: the failed lookup records the .pc files it read; got %d", recorded)
	}
	_, text, _ := runCapture(t, dir, env, bin, "build", ".")
	// pkg-config read every .pc file looking for a Provides: the text
	// names none of them, and counts them once.
	if n := strings.Count(string(text), pcs+"/other"); n > 0 {
		t.Errorf("the text names %d .pc files a failed lookup scanned:\n%s", n, text)
	}
	if strings.Count(string(text), ".pc files scanned") != 1 {
		t.Errorf("the text does not count the scanned .pc files once:\n%s", text)
	}
	if lines := bytes.Count(text, []byte("\n")); lines > 30 {
		t.Errorf("%d lines for one missing .pc file:\n%s", lines, text)
	}
}
