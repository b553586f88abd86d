package trace

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sirupsen/logrus"

	"github.com/cgotrace/cgotrace/trace/diag"
)

// TestForensicRebuild reproduces the build-cache trap: a cgo package built
// once is taken from the cache, so after its .pc file, header and library
// are removed go build fails only at the final link ("cannot find
// -lgadget") and runs neither pkg-config nor gcc for it. cgotrace must
// rebuild the cgo packages forensically and name the real root cause.
func TestForensicRebuild(t *testing.T) {
	needGo(t)
	if _, err := exec.LookPath("pkg-config"); err != nil {
		t.Skip("pkg-config not installed")
	}
	dir := writeModule(t, map[string]string{
		"go.mod":  "module example.com/cached\n\ngo 1.22\n",
		"main.go": "package main\n\nimport \"example.com/cached/gz\"\n\nfunc main() { println(gz.Level()) }\n",
		"gz/gz.go": "package gz\n\n// #cgo pkg-config: gadget\n// #include <gadget.h>\nimport \"C\"\n\n" +
			"func Level() int { return int(C.gadget_level()) }\n",
		"dep/include/gadget.h": "int gadget_level(void);\n",
		"dep/gadget.c":         "int gadget_level(void) { return 7; }\n",
		"dep/pc/gadget.pc": "prefix=${pcfiledir}/..\nName: gadget\nDescription: test\nVersion: 1.0\n" +
			"Cflags: -I${prefix}/include\nLibs: -L${prefix}/lib -lgadget\n",
	})
	os.MkdirAll(filepath.Join(dir, "dep/lib"), 0o755)
	if out, err := exec.Command("gcc", "-shared", "-fPIC", "-o", filepath.Join(dir, "dep/lib/libgadget.so"), filepath.Join(dir, "dep/gadget.c")).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	env := append(os.Environ(), "CGO_ENABLED=1", "PKG_CONFIG_PATH="+filepath.Join(dir, "dep/pc"))
	first := exec.Command("go", "build", "-o", "app", ".")
	first.Dir, first.Env = dir, env
	if out, err := first.CombinedOutput(); err != nil {
		t.Fatalf("first build: %v\n%s", err, out)
	}
	for _, p := range []string{"dep/pc", "dep/include", "dep/lib"} {
		os.RemoveAll(filepath.Join(dir, p))
	}
	// A new output name: the old binary is up to date and go build would
	// not even link.
	plain := exec.Command("go", "build", "-o", "app2", ".")
	plain.Dir, plain.Env = dir, env
	out, err := plain.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "cannot find -lgadget") {
		t.Fatalf("precondition: plain go build should fail at the link from the cache; got %v\n%s", err, out)
	}

	var term, logBuf bytes.Buffer
	lg := logrus.New()
	lg.Out, lg.Level = &logBuf, logrus.DebugLevel
	res, err := Build(context.Background(), BuildOptions{Args: []string{"-o", "app3", "."}, Dir: dir, Env: env, Terminal: &term, Log: lg})
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(res.RawLog)
	rep := res.Report
	if rep.Command.ExitCode != 1 {
		t.Fatalf("exit %d", rep.Command.ExitCode)
	}
	if len(rep.Diagnoses) == 0 || rep.Diagnoses[0].Code != diag.PkgConfigPackageNotFound || rep.Diagnoses[0].Subject["pkg_config_package"] != "gadget" {
		t.Fatalf("root cause: %+v", rep.Diagnoses)
	}
	// The forensic rebuild's own macro is cgotrace's, never the user's.
	if js, _ := json.Marshal(rep); bytes.Contains(js, []byte(nonceMacro)) {
		t.Errorf("the report shows %s:\n%s", nonceMacro, js)
	}
	// -v says why: the cached package's pkg-config call fails now.
	if !strings.Contains(logBuf.String(), `msg="forensic rebuild" reason="example.com/cached/gz came from the build cache and its pkg-config call (gadget) fails now"`) {
		t.Errorf("the -v log does not give the reason of the rebuild:\n%s", logBuf.String())
	}
	if !strings.Contains(rep.Diagnoses[0].Detail, "forensic rebuild") {
		t.Errorf("the diagnosis does not say it comes from the forensic rebuild: %q", rep.Diagnoses[0].Detail)
	}
	// What the user saw (cannot find -lgadget) is kept, after the root cause.
	var sawLink bool
	for _, d := range rep.Diagnoses[1:] {
		if d.Subject["library"] == "gadget" {
			sawLink = true
		}
	}
	if !sawLink {
		t.Errorf("the link error go build printed is missing: %+v", rep.Diagnoses)
	}
	if !strings.Contains(term.String(), "cannot find -lgadget") || strings.Contains(term.String(), "Package gadget was not found") {
		t.Errorf("the terminal must show what plain go build showed, not the forensic build:\n%s", term.String())
	}
	var gz *Package
	for _, p := range rep.Packages {
		if p.ImportPath == "example.com/cached/gz" {
			gz = p
		}
	}
	if gz == nil || len(gz.Directives) != 1 || gz.Directives[0].Line != 3 {
		t.Fatalf("package gz and its #cgo line: %+v", gz)
	}
	var reconstructed, observedAgain bool
	for _, c := range gz.PkgConfig {
		reconstructed = reconstructed || c.Reconstructed
	}
	for _, s := range gz.Steps {
		observedAgain = observedAgain || (s.Reconstructed && s.Kind == KindPkgConfig)
	}
	if !reconstructed && !observedAgain {
		t.Errorf("gz's pkg-config call is neither observed in the forensic rebuild nor reconstructed: steps %+v calls %+v", gz.Steps, gz.PkgConfig)
	}
}
