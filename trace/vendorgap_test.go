package trace

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cgotrace/cgotrace/trace/diag"
)

// TestBuildVendoredHeader: a cgo module whose headers sit in directories
// without Go files, vendored with the real go mod vendor (here through a
// local replace, so no module cache is needed). go build -mod=vendor fails
// on the header (golang/go#26366), and the diagnosis says which directory
// go mod vendor left out.
func TestBuildVendoredHeader(t *testing.T) {
	needGo(t)
	root := writeModule(t, map[string]string{
		"cdep/go.mod":         "module example.com/cdep\n\ngo 1.21\n",
		"cdep/cdep.go":        "package cdep\n\n// #cgo CFLAGS: -I${SRCDIR}/include\n// #include \"cdep.h\"\n// #include \"csrc/impl.h\"\nimport \"C\"\n\n// Answer is from C.\nfunc Answer() int { return int(C.CDEP_ANSWER) + int(C.impl_value()) }\n",
		"cdep/include/cdep.h": "#define CDEP_ANSWER 40\n",
		"cdep/csrc/impl.h":    "static int impl_value(void) { return 2; }\n",
		"app/go.mod":          "module example.com/app\n\ngo 1.21\n\nrequire example.com/cdep v1.0.0\n\nreplace example.com/cdep => ../cdep\n",
		"app/app.go":          "package app\n\nimport \"example.com/cdep\"\n\n// A is from C.\nvar A = cdep.Answer()\n",
	})
	app := filepath.Join(root, "app")
	env := append(os.Environ(), "CGO_ENABLED=1", "GOFLAGS=", "GOPROXY=off", "GOWORK=off")
	vendor := exec.Command("go", "mod", "vendor")
	vendor.Dir, vendor.Env = app, env
	if out, err := vendor.CombinedOutput(); err != nil {
		t.Fatalf("go mod vendor: %v\n%s", err, out)
	}
	res, err := Build(context.Background(), BuildOptions{Args: []string{"."}, Dir: app, Env: env, NoRerun: true})
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(res.RawLog)
	res.Wait()
	if len(res.Report.Diagnoses) == 0 || res.Report.Diagnoses[0].Code != diag.HeaderNotFound {
		t.Fatalf("want header-not-found first, got %+v", res.Report.Diagnoses)
	}
	d := res.Report.Diagnoses[0]
	for _, want := range []string{"cdep.h", "go mod vendor left vendor/example.com/cdep/include out of vendor/"} {
		if !strings.Contains(d.Summary, want) {
			t.Errorf("summary %q does not say %q", d.Summary, want)
		}
	}
	if !strings.Contains(d.Detail, "https://github.com/golang/go/issues/26366") || !strings.Contains(d.Detail, filepath.Join(root, "cdep", "include")) {
		t.Errorf("detail %q", d.Detail)
	}
	if !strings.Contains(d.Fix, "add a .go file to each such directory") {
		t.Errorf("fix %q", d.Fix)
	}
	if d.Subject["header"] != "cdep.h" || d.Subject["missing_dir"] != filepath.Join(app, "vendor", "example.com", "cdep", "include") {
		t.Errorf("subject %v", d.Subject)
	}

	// Built from the module source (no vendoring), the same package
	// compiles: the diagnosis above is about vendor/ alone.
	ok := exec.Command("go", "build", "-mod=readonly", ".")
	ok.Dir, ok.Env = app, env
	if out, err := ok.CombinedOutput(); err != nil {
		t.Errorf("go build -mod=readonly: %v\n%s", err, out)
	}
}
