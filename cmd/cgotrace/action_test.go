package main

import (
	"archive/zip"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// ciModules writes two cgo modules under dir: broken (a header that does
// not exist, so go build fails with header-not-found at main.go:4) and
// healthy (a C function defined in the preamble). It returns their paths.
func ciModules(t *testing.T, dir string) (broken, healthy string) {
	t.Helper()
	files := map[string]string{
		"broken/go.mod":  "module example.com/broken\n\ngo 1.22\n",
		"broken/main.go": "package main\n\n/*\n#include <cgotrace_ci_missing.h>\n*/\nimport \"C\"\n\nfunc main() {}\n",
		"healthy/go.mod": "module example.com/healthy\n\ngo 1.22\n",
		"healthy/main.go": "package main\n\n/*\nstatic int answer(void) { return 42; }\n*/\nimport \"C\"\n\n" +
			"import \"fmt\"\n\nfunc main() { fmt.Println(C.answer()) }\n",
		"healthy/main_test.go": "package main\n\nimport \"testing\"\n\nfunc TestNothing(t *testing.T) {}\n",
	}
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "broken"), filepath.Join(dir, "healthy")
}

// ciEnv is the environment the CI tests run steps in: this machine's,
// minus anything of a CI system, with the network off (the module cache,
// filled by go mod download, has every module) and no toolchain switch
// but the one the tests run under (GOTOOLCHAIN=go1.25.14 in .ci/run).
func ciEnv() []string {
	toolchain := os.Getenv("GOTOOLCHAIN")
	if toolchain == "" || toolchain == "auto" || strings.Contains(toolchain, "+") {
		toolchain = "local"
	}
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(name, "GITHUB_"), strings.HasPrefix(name, "RUNNER_"),
			strings.HasPrefix(name, "CI_"), name == "CI", name == "GOFLAGS",
			name == "GOTOOLCHAIN", name == "GOPROXY", name == "PATH", name == "CGOTRACE":
			continue
		}
		env = append(env, kv)
	}
	return append(env, "GOTOOLCHAIN="+toolchain, "GOPROXY=off", "GOFLAGS=")
}

// hasCommand reports whether the cgotrace binary has the subcommand
// name (cobra prints the root's help for an unknown help topic).
func hasCommand(t *testing.T, bin, name string) bool {
	t.Helper()
	out, _ := exec.Command(bin, "help", name).CombinedOutput()
	return strings.Contains(string(out), "cgotrace "+name)
}

// TestAction runs the repository's GitHub Action (action.yml) without
// GitHub: its run steps in order with bash (ghrunner_test.go), the
// install step building this checkout as the action's own files
// (github.action_path), on a broken and a healthy cgo module, and checks
// what GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH, GITHUB_STEP_SUMMARY and the
// step's output received, and the upload step's if: and with:.
func TestAction(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds cgotrace and runs go build")
	}
	for _, tool := range []string{"go", "gcc", "bash", "xargs"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	checkout, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	a := loadAction(t, filepath.Join(checkout, "action.yml"))
	for _, in := range []string{"command", "args", "report-dir", "version"} {
		if _, ok := a.Inputs[in]; !ok {
			t.Errorf("action.yml has no input %q", in)
		}
	}
	if got := a.Inputs["command"].Default; got != "build" {
		t.Errorf("input command defaults to %q, want build", got)
	}
	var upload *actionStep
	for i, st := range a.Runs.Steps {
		if st.Uses != "" {
			if !strings.HasPrefix(st.Uses, "actions/upload-artifact@v4") {
				t.Errorf("step %q uses %s: the only action the test knows is actions/upload-artifact@v4", st.Name, st.Uses)
			}
			upload = &a.Runs.Steps[i]
		}
	}
	if upload == nil {
		t.Fatal("action.yml uploads nothing: no actions/upload-artifact step")
	}
	if !strings.Contains(upload.If, "failure()") {
		t.Errorf("the upload step's if: %q does not depend on failure()", upload.If)
	}

	newRunner := func(t *testing.T, workspace string) runnerContext {
		return runnerContext{
			actionPath: checkout,
			actionRef:  "v0-test",
			workspace:  workspace,
			temp:       t.TempDir(),
			baseEnv:    ciEnv(),
		}
	}
	// The annotation's file is relative to GITHUB_WORKSPACE; ":" in a
	// property is escaped as %3A, as the runner expects.
	errorAt := func(file string) *regexp.Regexp {
		return regexp.MustCompile(`(?m)^::error file=` + regexp.QuoteMeta(file) +
			`,line=4,col=10,title=cgotrace%3A header-not-found in example\.com/broken::the C compiler cannot find the header cgotrace_ci_missing\.h%0A`)
	}
	errorLine := errorAt("main.go")

	t.Run("broken", func(t *testing.T) {
		broken, _ := ciModules(t, t.TempDir())
		rc := newRunner(t, broken)
		run := runAction(t, a, rc, map[string]string{"args": "-o app ."})
		install := run.step(t, "install")
		if install.exit != 0 {
			t.Fatalf("install failed: %v", install)
		}
		bin := filepath.Join(rc.temp, "cgotrace-bin", "cgotrace")
		if install.outputs["cgotrace"] != bin || install.env["CGOTRACE"] != bin {
			t.Errorf("install: output cgotrace %q, GITHUB_ENV CGOTRACE %q, want %s", install.outputs["cgotrace"], install.env["CGOTRACE"], bin)
		}
		if len(install.path) != 1 || install.path[0] != filepath.Dir(bin) {
			t.Errorf("install: GITHUB_PATH %q, want %s", install.path, filepath.Dir(bin))
		}
		if !strings.HasPrefix(install.outputs["version"], "cgotrace version ") {
			t.Errorf("install: output version %q", install.outputs["version"])
		}
		if !strings.Contains(install.output, "building the action's own ref (v0-test)") {
			t.Errorf("install did not say what it built:\n%s", install.output)
		}

		r := run.step(t, "run")
		if r.exit != 1 || !run.failed {
			t.Fatalf("run: exit %d, want 1 (go build's): %v", r.exit, r)
		}
		if !errorLine.MatchString(r.output) {
			t.Errorf("run: no ::error annotation at main.go:4 for the missing header:\n%s", r.output)
		}
		if !strings.Contains(r.summary, "header-not-found") || !strings.Contains(r.summary, "cgotrace_ci_missing.h") {
			t.Errorf("run: the step summary does not name the root cause:\n%s", r.summary)
		}
		reportDir := filepath.Join(broken, "cgotrace-report")
		want := map[string]string{
			"exit-code":  "1",
			"report-dir": reportDir,
			"report":     filepath.Join(reportDir, "report.json"),
		}
		for k, v := range want {
			if r.outputs[k] != v {
				t.Errorf("run: output %s = %q, want %q", k, r.outputs[k], v)
			}
		}
		for _, f := range []string{"report.json", "report.md", "build.log"} {
			if _, err := os.Stat(filepath.Join(reportDir, f)); err != nil {
				t.Errorf("report dir: %v", err)
			}
		}

		up := run.steps[len(run.steps)-1]
		if up.step.Uses == "" || up.skipped {
			t.Fatalf("the upload step did not run after the failure (if: %q)", up.step.If)
		}
		if up.with["name"] != "cgotrace-report" || up.with["path"] != reportDir {
			t.Errorf("upload with: %v, want name cgotrace-report, path %s", up.with, reportDir)
		}
		if run.outputs["exit-code"] != "1" || run.outputs["report"] != want["report"] || run.outputs["cgotrace"] != bin {
			t.Errorf("action outputs: %v", run.outputs)
		}

		// upload: false keeps the report directory but uploads nothing.
		run = runAction(t, a, newRunner(t, broken), map[string]string{"args": "-o app .", "upload": "false"})
		if up := run.steps[len(run.steps)-1]; !up.skipped {
			t.Errorf("upload: false: the upload step ran")
		}
	})

	t.Run("healthy", func(t *testing.T) {
		_, healthy := ciModules(t, t.TempDir())
		// Quoted arguments stay whole, and nothing in args is expanded.
		run := runAction(t, a, newRunner(t, healthy), map[string]string{
			"args": `-ldflags="-s -w" -o 'my app $(touch pwned)' .`,
		})
		r := run.step(t, "run")
		if r.exit != 0 || run.failed {
			t.Fatalf("run: exit %d, want 0: %v", r.exit, r)
		}
		if _, err := os.Stat(filepath.Join(healthy, "my app $(touch pwned)")); err != nil {
			t.Errorf("-o 'my app $(touch pwned)' did not make that file: %v", err)
		}
		if _, err := os.Stat(filepath.Join(healthy, "pwned")); err == nil {
			t.Error("args were expanded by a shell: pwned exists")
		}
		if strings.Contains(r.output, "::error") || strings.Contains(r.output, "::warning") {
			t.Errorf("run: annotations on a healthy build:\n%s", r.output)
		}
		if r.outputs["exit-code"] != "0" {
			t.Errorf("run: output exit-code %q, want 0", r.outputs["exit-code"])
		}
		if up := run.steps[len(run.steps)-1]; !up.skipped {
			t.Errorf("the upload step ran after a healthy build (if: %q)", up.step.If)
		}
	})

	t.Run("working-directory and no report-dir", func(t *testing.T) {
		ws := t.TempDir()
		ciModules(t, ws)
		run := runAction(t, a, newRunner(t, ws), map[string]string{
			"working-directory": "broken", "report-dir": "", "args": "-o app .",
		})
		r := run.step(t, "run")
		if r.exit != 1 {
			t.Fatalf("run: exit %d, want 1: %v", r.exit, r)
		}
		if !errorAt("broken/main.go").MatchString(r.output) {
			t.Errorf("run: no ::error annotation at broken/main.go:4:\n%s", r.output)
		}
		if r.outputs["report-dir"] != "" || r.outputs["report"] != "" {
			t.Errorf("run: report outputs without report-dir: %v", r.outputs)
		}
		if up := run.steps[len(run.steps)-1]; !up.skipped {
			t.Errorf("the upload step ran with no report directory")
		}
	})

	t.Run("version: go install from a module proxy", func(t *testing.T) {
		// The version input installs with go install ...@VERSION. The
		// module is not published, so a file:// module proxy serves this
		// checkout as that version; its dependencies come from the
		// module cache's download directory, itself a proxy's layout.
		const version = "v0.0.1-actiontest"
		proxy := moduleProxy(t, checkout, version)
		modCache := t.TempDir()
		t.Cleanup(func() { makeWritable(modCache) })
		realCache := filepath.Join(goEnv(t, "GOMODCACHE"), "cache", "download")
		_, healthy := ciModules(t, t.TempDir())
		rc := newRunner(t, healthy)
		rc.actionPath = t.TempDir() // not this checkout: nothing to build there
		rc.baseEnv = append(rc.baseEnv,
			"GOPROXY=file://"+proxy+",file://"+realCache,
			// No checksum database offline: the dependencies are the
			// module cache's, verified against go.sum when downloaded.
			"GOSUMDB=off",
			"GOMODCACHE="+modCache)
		run := runAction(t, a, rc, map[string]string{"version": version, "args": "-o app ."})
		install := run.step(t, "install")
		if install.exit != 0 {
			t.Fatalf("install: %v", install)
		}
		if !strings.Contains(install.output, "go install github.com/cgotrace/cgotrace/cmd/cgotrace@"+version) {
			t.Errorf("install did not say what it installed:\n%s", install.output)
		}
		if want := "cgotrace version " + version; install.outputs["version"] != want {
			t.Errorf("install: output version %q, want %q", install.outputs["version"], want)
		}
		if r := run.step(t, "run"); r.exit != 0 {
			t.Errorf("run: %v", r)
		}
	})

	t.Run("bad command", func(t *testing.T) {
		_, healthy := ciModules(t, t.TempDir())
		run := runAction(t, a, newRunner(t, healthy), map[string]string{"command": "deploy"})
		r := run.step(t, "run")
		if r.exit != 2 || r.outputs["exit-code"] != "2" {
			t.Fatalf("run: exit %d, output exit-code %q, want 2: %v", r.exit, r.outputs["exit-code"], r)
		}
		if !strings.Contains(r.output, `::error title=cgotrace::input command is "deploy": want build or test`) {
			t.Errorf("run: no error annotation for the bad command:\n%s", r.output)
		}
	})

	t.Run("test", func(t *testing.T) {
		if !hasCommand(t, buildBinary(t), "test") {
			t.Skip("cgotrace test is not a command yet (issue 18 item 1, another branch)")
		}
		broken, healthy := ciModules(t, t.TempDir())
		run := runAction(t, a, newRunner(t, broken), map[string]string{"command": "test", "args": "./..."})
		r := run.step(t, "run")
		if r.exit != 1 || !errorLine.MatchString(r.output) {
			t.Errorf("cgotrace test of the broken module: exit %d, want 1 and the header annotation: %v", r.exit, r)
		}
		run = runAction(t, a, newRunner(t, healthy), map[string]string{"command": "test", "args": "./..."})
		if r := run.step(t, "run"); r.exit != 0 {
			t.Errorf("cgotrace test of the healthy module: exit %d: %v", r.exit, r)
		}
	})
}

// goEnv is go env NAME.
func goEnv(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatalf("go env %s: %v", name, err)
	}
	return strings.TrimSpace(string(out))
}

// makeWritable makes the tree under dir writable again: the go command
// makes what it extracts into a module cache read-only.
func makeWritable(dir string) {
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			os.Chmod(p, 0o755)
		}
		return nil
	})
}

// moduleProxy writes a file:// module proxy (the GOPROXY protocol's
// files, https://go.dev/ref/mod#goproxy-protocol) that serves the tracked
// files of the checkout as github.com/cgotrace/cgotrace at version, and
// returns its directory. Directories with a go.mod of their own (the
// test modules under testdata) are not part of the module, as in a
// module zip.
func moduleProxy(t *testing.T, checkout, version string) string {
	t.Helper()
	const mod = "github.com/cgotrace/cgotrace"
	out, err := exec.Command("git", "-C", checkout, "ls-files", "-z").Output()
	if err != nil {
		t.Skipf("git ls-files: %v (the proxy serves the tracked files)", err)
	}
	files := strings.Split(strings.TrimRight(string(out), "\x00"), "\x00")
	nested := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "/go.mod") {
			nested[strings.TrimSuffix(f, "/go.mod")] = true
		}
	}
	inNested := func(f string) bool {
		for d := filepath.Dir(f); d != "."; d = filepath.Dir(d) {
			if nested[d] {
				return true
			}
		}
		return false
	}
	dir := t.TempDir()
	vdir := filepath.Join(dir, mod, "@v")
	if err := os.MkdirAll(vdir, 0o755); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		if inNested(f) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(checkout, f))
		if err != nil {
			if os.IsNotExist(err) {
				continue // deleted in the work tree
			}
			t.Fatal(err)
		}
		w, err := zw.Create(mod + "@" + version + "/" + f)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	goMod, err := os.ReadFile(filepath.Join(checkout, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"list":            []byte(version + "\n"),
		version + ".info": []byte(`{"Version":"` + version + `","Time":"2026-01-01T00:00:00Z"}`),
		version + ".mod":  goMod,
		version + ".zip":  buf.Bytes(),
	} {
		if err := os.WriteFile(filepath.Join(vdir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
