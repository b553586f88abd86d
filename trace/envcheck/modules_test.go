package envcheck

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// cdep is a cgo module whose header and C sources sit in subdirectories
// without Go files: the layout go mod vendor does not copy
// (https://github.com/golang/go/issues/26366).
var cdep = proxyMod{
	Path: "example.com/cdep", Version: "v1.0.0",
	Files: map[string]string{
		"cdep.go": `package cdep

// #cgo CFLAGS: -I${SRCDIR}/include
// #cgo LDFLAGS: -lm
// #include "cdep.h"
// #include "csrc/impl.h"
// #include "sys/types.h"
import "C"

// Answer is from C.
func Answer() int { return int(C.CDEP_ANSWER) + int(C.impl_value()) }
`,
		"include/cdep.h": "#define CDEP_ANSWER 40\n",
		"csrc/impl.h":    "static int impl_value(void) { return 2; }\n",
	},
}

// mainUsing is a main module importing pkgs and requiring reqs.
func mainUsing(goMod string, pkgs ...string) map[string]string {
	var b strings.Builder
	b.WriteString("package main\n\nimport (\n")
	for _, p := range pkgs {
		b.WriteString("\t_ \"" + p + "\"\n")
	}
	b.WriteString(")\n\nfunc main() {}\n")
	return map[string]string{"go.mod": "module example.com/app\n\ngo 1.21\n" + goMod, "main.go": b.String()}
}

func modCheck(t *testing.T, rep *Report, id string, v Verdict, observed ...string) *Check {
	t.Helper()
	c := rep.Check(id)
	if c == nil {
		t.Fatalf("no check %s", id)
	}
	if c.Verdict != v {
		t.Errorf("%s: verdict %s, want %s\nobserved: %s\ndetails: %s", id, c.Verdict, v, c.Observed, strings.Join(c.Details, "\n"))
	}
	all := c.Observed + "\n" + strings.Join(c.Details, "\n")
	for _, o := range observed {
		if !strings.Contains(all, o) {
			t.Errorf("%s: %q not in\n%s", id, o, all)
		}
	}
	if v != OK && (c.Why == "" || c.Fix == "") {
		t.Errorf("%s: %s without why or fix: %+v", id, v, *c)
	}
	return c
}

// TestModulesHealthy runs the module checks on the healthy modules of
// testdata/modules (their dependencies come from a generated proxy): no
// check may warn.
func TestModulesHealthy(t *testing.T) {
	t.Parallel()
	w := newModWorld(t,
		proxyMod{Path: "example.com/plain", Version: "v1.2.0"},
		proxyMod{Path: "example.com/flat", Version: "v1.0.0", Files: map[string]string{
			"flat.go": "package flat\n\n// #cgo CFLAGS: -I${SRCDIR}\n// #include \"flat.h\"\nimport \"C\"\n\n// V is from C.\nfunc V() int { return int(C.FLAT) }\n",
			"flat.h":  "#define FLAT 1\n",
		}},
	)
	for _, name := range []string{"healthy", "healthy-vendored"} {
		t.Run(name, func(t *testing.T) {
			dir := t2dir(t)
			if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata", "modules", name))); err != nil {
				t.Fatal(err)
			}
			w.mustGo(dir, "mod", "tidy")
			if name == "healthy-vendored" {
				w.mustGo(dir, "mod", "vendor")
			}
			// The proxy is there, and nothing is fetched from it.
			rep := w.check(dir, map[string]string{"GOPROXY": w.proxy})
			if len(modChecks(rep)) == 0 {
				t.Fatal("no module checks")
			}
			for _, c := range modChecks(rep) {
				if c.Verdict != OK {
					t.Errorf("%s %s: %s\n%s", c.Verdict, c.ID, c.Observed, strings.Join(c.Details, "\n"))
				}
			}
			modCheck(t, rep, "modules/graph", OK, "they agree")
			if name == "healthy-vendored" {
				modCheck(t, rep, "modules/vendor", OK, "vendor mode, implied by vendor/")
				modCheck(t, rep, "modules/vendor-cgo", OK, "1 vendored package with cgo")
			}
		})
	}
}

// TestModuleNotInCache: a requirement missing from the module cache is
// "not checked", and nothing is downloaded although a proxy is there.
func TestModuleNotInCache(t *testing.T) {
	t.Parallel()
	w := newModWorld(t, proxyMod{Path: "example.com/plain", Version: "v1.2.0"})
	dir := w.module(mainUsing("\nrequire example.com/plain v1.2.0\n", "example.com/plain"))
	rep := w.check(dir, map[string]string{"GOPROXY": w.proxy})
	modCheck(t, rep, "modules/graph", OK, "not checked: example.com/plain@v1.2.0 is not in the module cache (run go mod download)")
	if _, err := os.Stat(filepath.Join(w.env["GOMODCACHE"], "cache", "download", "example.com")); !os.IsNotExist(err) {
		t.Errorf("the checks downloaded into the module cache (stat: %v)", err)
	}
}

func TestModuleReplaceBroken(t *testing.T) {
	t.Parallel()
	w := newModWorld(t)
	root := t2dir(t)
	writeTree(t, root, mainUsing("\nrequire (\n\texample.com/a v1.0.0\n\texample.com/b v1.0.0\n)\n\nreplace example.com/a => ../missing\n\nreplace example.com/b => ../nogomod\n"))
	writeTree(t, root, map[string]string{"../nogomod/b.go": "package b\n"})
	rep := w.check(root, nil)
	c := modCheck(t, rep, "modules/replace", Fail, "/missing does not exist", "/nogomod has no go.mod")
	// The graph check shows go's own words for it.
	g := modCheck(t, rep, "modules/graph", Fail, "replaced by ../missing")
	if !strings.Contains(c.Fix, "go.mod") || !strings.Contains(g.Fix, "modules/replace") {
		t.Errorf("fixes: %q / %q", c.Fix, g.Fix)
	}
	out, _ := w.goCmd(root, "list", "-m", "all")
	if !strings.Contains(out, "(replaced by ../missing): reading ../missing/go.mod: open") {
		t.Errorf("go's message has changed; the why of modules/replace quotes it: %s", out)
	}
}

func TestModuleReplaceWrongPath(t *testing.T) {
	t.Parallel()
	w := newModWorld(t)
	root := t2dir(t)
	writeTree(t, root, map[string]string{
		"app/go.mod":       "module example.com/app\n\ngo 1.21\n\nrequire example.com/a v1.0.0\n\nreplace example.com/a => ../fork\n",
		"app/app.go":       "package app\n\nimport _ \"example.com/a\"\n",
		"fork/go.mod":      "module example.com/other\n\ngo 1.21\n",
		"fork/a.go":        "package a\n",
		"right/go.mod":     "module example.com/a\n\ngo 1.21\n",
		"right/a.go":       "package a\n",
		"rightapp/go.mod":  "module example.com/app\n\ngo 1.21\n\nrequire example.com/a v1.0.0\n\nreplace example.com/a => ../right\n",
		"rightapp/main.go": "package main\n\nimport _ \"example.com/a\"\n\nfunc main() {}\n",
	})
	// go itself builds it: the check is a warning, not a failure.
	w.mustGo(filepath.Join(root, "app"), "build", ".")
	rep := w.check(filepath.Join(root, "app"), nil)
	modCheck(t, rep, "modules/replace", Warn, "declares module example.com/other")
	onlyProblems(t, rep, "modules/replace")
	rep = w.check(filepath.Join(root, "rightapp"), nil)
	modCheck(t, rep, "modules/replace", OK, "example.com/a => ../right")
	onlyProblems(t, rep)
}

func TestModuleReplaceIgnored(t *testing.T) {
	t.Parallel()
	w := newModWorld(t,
		proxyMod{Path: "example.com/b", Version: "v1.0.0"},
		proxyMod{Path: "example.com/d", Version: "v1.0.0", GoMod: "\nrequire example.com/b v1.0.0\n\nreplace example.com/b => ../b\n"},
	)
	dir := w.module(mainUsing("", "example.com/d", "example.com/b"))
	w.mustGo(dir, "mod", "tidy")
	rep := w.check(dir, nil)
	modCheck(t, rep, "modules/replace-ignored", Warn, "example.com/d@v1.0.0: replace example.com/b => ../b")
	onlyProblems(t, rep, "modules/replace-ignored")
}

func TestModuleReplaceCgoFork(t *testing.T) {
	t.Parallel()
	needTool(t, "gcc")
	fork := cdep
	w := newModWorld(t, cdep)
	root := t2dir(t)
	files := map[string]string{"fork/go.mod": "module example.com/cdep\n\ngo 1.21\n"}
	for f, s := range fork.Files {
		files["fork/"+f] = strings.Replace(s, "#cgo LDFLAGS: -lm", "#cgo LDFLAGS: -lm -ldl", 1)
	}
	writeTree(t, root, files)
	writeTree(t, filepath.Join(root, "app"), mainUsing("\nrequire example.com/cdep v1.0.0\n\nreplace example.com/cdep => ../fork\n", "example.com/cdep"))
	// The module it replaces, in the module cache as a build without
	// the replace would have it.
	w.mustGo(t2dir(t), "mod", "download", "example.com/cdep@v1.0.0")
	rep := w.check(filepath.Join(root, "app"), nil)
	modCheck(t, rep, "modules/replace-cgo", Warn,
		"example.com/cdep: only in example.com/cdep@v1.0.0: #cgo LDFLAGS: -lm",
		"example.com/cdep: only in the replacement ../fork: #cgo LDFLAGS: -lm -ldl")
	onlyProblems(t, rep, "modules/replace-cgo")

	// The same fork with the same #cgo lines is fine.
	writeTree(t, root, map[string]string{"fork/cdep.go": cdep.Files["cdep.go"]})
	rep = w.check(filepath.Join(root, "app"), nil)
	modCheck(t, rep, "modules/replace-cgo", OK, "1 module with cgo compared with its replacement: the #cgo lines agree")
}

func TestModuleExclude(t *testing.T) {
	t.Parallel()
	w := newModWorld(t, proxyMod{Path: "example.com/f", Version: "v1.0.0"}, proxyMod{Path: "example.com/f", Version: "v1.0.1"})
	dir := w.module(mainUsing("\nrequire example.com/f v1.0.0\n", "example.com/f"))
	w.mustGo(dir, "mod", "download", "all")
	writeFile(t, filepath.Join(dir, "go.mod"), "module example.com/app\n\ngo 1.21\n\nrequire example.com/f v1.0.0\n\nexclude example.com/f v1.0.0\n")
	rep := w.check(dir, nil)
	c := modCheck(t, rep, "modules/exclude", Fail, "go.mod requires an excluded version: example.com/f v1.0.0")
	// go list -m -e carries on past it; the graph check asks go again
	// without -e and shows go's words.
	g := modCheck(t, rep, "modules/graph", Fail, "go: ignoring requirement on excluded version example.com/f v1.0.0", "updates to go.mod needed")
	if g.Fix != "see modules/exclude" {
		t.Errorf("graph fix %q", g.Fix)
	}
	onlyProblems(t, rep, "modules/exclude", "modules/graph")
	// The why quotes go: check that go says it.
	out, _ := exec.Command("sh", "-c", "cd "+dir+" && GOFLAGS=-mod=readonly GOPROXY=off GOMODCACHE="+w.env["GOMODCACHE"]+" go list -m all 2>&1").Output()
	for _, q := range []string{"go: ignoring requirement on excluded version example.com/f v1.0.0", "updates to go.mod needed"} {
		if !strings.Contains(string(out), q) || !strings.Contains(c.Why, q) {
			t.Errorf("%q: in go's output %v, in the why %v\n%s", q, strings.Contains(string(out), q), strings.Contains(c.Why, q), out)
		}
	}
}

func TestModuleRetract(t *testing.T) {
	t.Parallel()
	w := newModWorld(t,
		proxyMod{Path: "example.com/r", Version: "v1.0.0"},
		proxyMod{Path: "example.com/r", Version: "v1.1.0", GoMod: "\nretract v1.0.0 // loses data\n"},
	)
	dir := w.module(mainUsing("\nrequire example.com/r v1.0.0\n", "example.com/r"))
	w.mustGo(dir, "mod", "tidy")
	rep := w.check(dir, nil)
	// Only v1.0.0 is in the cache: the retraction is not known here.
	modCheck(t, rep, "modules/retract", OK, "no selected version is retracted")
	w.mustGo(t2dir(t), "mod", "download", "example.com/r@v1.1.0")
	rep = w.check(dir, nil)
	modCheck(t, rep, "modules/retract", Warn, "example.com/r@v1.0.0 (loses data)")
	onlyProblems(t, rep, "modules/retract")
}

func TestModulePseudoVersions(t *testing.T) {
	t.Parallel()
	const p1, p2 = "v0.0.0-20240101000000-aaaaaaaaaaaa", "v0.0.0-20240201000000-bbbbbbbbbbbb"
	w := newModWorld(t,
		proxyMod{Path: "example.com/c", Version: p1},
		proxyMod{Path: "example.com/c", Version: p2},
		proxyMod{Path: "example.com/d", Version: "v1.0.0", GoMod: "\nrequire example.com/c " + p1 + "\n"},
		proxyMod{Path: "example.com/e", Version: "v1.0.0", GoMod: "\nrequire example.com/c " + p2 + "\n"},
	)
	dir := w.module(mainUsing("", "example.com/d", "example.com/e"))
	w.mustGo(dir, "mod", "tidy")
	rep := w.check(dir, nil)
	modCheck(t, rep, "modules/pseudo-versions", Warn,
		"example.com/c: "+p1+" (required by example.com/d@v1.0.0), "+p2+" (required by example.com/e@v1.0.0); selected "+p2)
	onlyProblems(t, rep, "modules/pseudo-versions")
}

// TestModuleVendorCgo reproduces the failure of golang/go#26366 with the
// real go command and checks that modules/vendor-cgo names the
// directories go mod vendor left behind.
func TestModuleVendorCgo(t *testing.T) {
	t.Parallel()
	needTool(t, "gcc")
	w := newModWorld(t, cdep)
	// A library package: go build compiles it (and cdep's cgo) without
	// a link.
	dir := w.module(map[string]string{
		"go.mod": "module example.com/app\n\ngo 1.21\n",
		"app.go": "package app\n\nimport \"example.com/cdep\"\n\n// A is from C.\nvar A = cdep.Answer()\n",
	})
	// (That it builds from the module cache is shown by
	// trace.TestBuildVendoredHeader; here the cgo builds are the cost.)
	w.mustGo(dir, "mod", "tidy")
	w.mustGo(dir, "mod", "vendor")
	out, err := w.goCmd(dir, "build", "-mod=vendor", ".")
	if err == nil || !strings.Contains(out, "fatal error: cdep.h: No such file or directory") {
		t.Fatalf("go build -mod=vendor: want the missing header, got %v\n%s", err, out)
	}
	rep := w.check(dir, nil)
	modCheck(t, rep, "modules/vendor-cgo", Fail,
		"vendor/example.com/cdep/include is missing (example.com/cdep: #cgo CFLAGS: -I"+filepath.Join(dir, "vendor/example.com/cdep/include")+")",
		"vendor/example.com/cdep/csrc is missing (example.com/cdep: cdep.go: #include \"csrc/impl.h\")",
		"it exists in "+filepath.Join(w.env["GOMODCACHE"], "example.com", "cdep@v1.0.0", "include"))
	c := rep.Check("modules/vendor-cgo")
	if len(c.Details) != 2 {
		// "sys/types.h" is a system header in quotes: the module has no
		// sys/ directory, so it is not one go mod vendor left out.
		t.Errorf("want the two directories only, got %q", c.Details)
	}
	if !strings.Contains(c.Why, "golang/go/issues/26366") || !strings.Contains(c.Fix, "modvendor") {
		t.Errorf("why/fix: %q / %q", c.Why, c.Fix)
	}
	onlyProblems(t, rep, "modules/vendor-cgo")

	// Without the module cache (a vendored checkout in CI): the -I
	// directory is still named; "csrc/impl.h" might be a system header
	// in quotes, and with no copy of the module to look in it is not.
	cache := t2dir(t)
	if err := os.CopyFS(cache, os.DirFS(w.env["GOMODCACHE"])); err != nil {
		t.Fatal(err)
	}
	w.mustGo(dir, "clean", "-modcache")
	rep = w.check(dir, nil)
	c = modCheck(t, rep, "modules/vendor-cgo", Fail, "vendor/example.com/cdep/include is missing")
	if len(c.Details) != 1 || strings.Contains(c.Details[0], "it exists in") {
		t.Errorf("without the module cache: %q", c.Details)
	}
	if err := os.CopyFS(w.env["GOMODCACHE"], os.DirFS(cache)); err != nil {
		t.Fatal(err)
	}

	// Copying the two directories (what the fix says) makes the vendored
	// build work, and the check agrees.
	for _, d := range []string{"include", "csrc"} {
		if err := os.CopyFS(filepath.Join(dir, "vendor/example.com/cdep", d), os.DirFS(filepath.Join(w.env["GOMODCACHE"], "example.com", "cdep@v1.0.0", d))); err != nil {
			t.Fatal(err)
		}
	}
	w.mustGo(dir, "build", "-mod=vendor", ".")
	rep = w.check(dir, nil)
	modCheck(t, rep, "modules/vendor-cgo", OK, "every directory")
}

func TestModuleVendorState(t *testing.T) {
	t.Parallel()
	w := newModWorld(t, proxyMod{Path: "example.com/plain", Version: "v1.2.0"}, proxyMod{Path: "example.com/more", Version: "v1.0.0"})
	dir := w.module(mainUsing("", "example.com/plain"))
	w.mustGo(dir, "mod", "tidy")
	w.mustGo(dir, "mod", "vendor")

	rep := w.check(dir, map[string]string{"GOFLAGS": "-mod=mod"})
	modCheck(t, rep, "modules/vendor", Warn, "vendor/ is ignored: GOFLAGS has -mod=mod")

	// A requirement added without go mod vendor.
	w.mustGo(dir, "mod", "edit", "-require", "example.com/more@v1.0.0")
	w.mustGo(dir, "mod", "download", "all")
	rep = w.check(dir, nil)
	modCheck(t, rep, "modules/vendor", Fail, "vendor/modules.txt is out of step with go.mod", "inconsistent vendoring")
	modCheck(t, rep, "modules/vendor-cgo", OK, "not checked")
}

func TestModuleWorkspace(t *testing.T) {
	t.Parallel()
	w := newModWorld(t, proxyMod{Path: "example.com/lib", Version: "v1.0.0"})
	root := t2dir(t)
	writeTree(t, root, map[string]string{
		"go.work":     "go 1.21\n\nuse (\n\t./app\n\t./lib\n)\n",
		"app/go.mod":  "module example.com/app\n\ngo 1.21\n\nrequire example.com/lib v1.0.0\n",
		"app/main.go": "package main\n\nimport \"example.com/lib\"\n\nfunc main() { lib.X() }\n",
		"lib/go.mod":  "module example.com/lib\n\ngo 1.21\n",
		"lib/lib.go":  "package lib\n\n// X is a function.\nfunc X() {}\n",
	})
	app := filepath.Join(root, "app")
	// lib v1.0.0 in the cache, as a build without the workspace needs.
	w.mustGo(t2dir(t), "mod", "download", "example.com/lib@v1.0.0")

	rep := w.check(app, nil)
	modCheck(t, rep, "modules/workspace", Warn, "GOWORK is unset", "go.mod requires example.com/lib v1.0.0, the workspace uses ./lib")
	onlyProblems(t, rep, "modules/workspace")

	rep = w.check(app, map[string]string{"GOWORK": filepath.Join(root, "go.work")})
	modCheck(t, rep, "modules/workspace", OK, "(GOWORK is set)")

	rep = w.check(app, map[string]string{"GOWORK": "off"})
	modCheck(t, rep, "modules/workspace", OK, "GOWORK=off")

	writeFile(t, filepath.Join(root, "go.work"), "go 1.21\n\nuse (\n\t./app\n\t./lib\n\t./gone\n)\n")
	rep = w.check(app, nil)
	modCheck(t, rep, "modules/workspace", Fail, "use ./gone: "+filepath.Join(root, "gone", "go.mod")+" does not exist")

	writeFile(t, filepath.Join(root, "go.work"), "go 1.21\n\nuse ./lib\n")
	rep = w.check(app, nil)
	c := modCheck(t, rep, "modules/workspace", Fail, "example.com/app is not one of them")
	out, _ := exec.Command("sh", "-c", "cd "+app+" && GOPROXY=off GOFLAGS= go build -o /dev/null . 2>&1").Output()
	if q := "current directory is contained in a module that is not one of the workspace modules listed in go.work"; !strings.Contains(string(out), q) || !strings.Contains(c.Why, q) {
		t.Errorf("go says %q; why says %q", out, c.Why)
	}
}

func TestModuleToolchain(t *testing.T) {
	t.Parallel()
	w := newModWorld(t)
	dir := w.module(map[string]string{"go.mod": "module example.com/app\n\ngo 1.999\n", "main.go": "package main\n\nfunc main() {}\n"})
	rep := w.check(dir, map[string]string{"GOTOOLCHAIN": "local"})
	c := modCheck(t, rep, "modules/toolchain", Fail, "go.mod: go 1.999", "GOTOOLCHAIN=local (environment)")
	out, _ := exec.Command("sh", "-c", "cd "+dir+" && GOTOOLCHAIN=local go list -m 2>&1").Output()
	if q := strings.TrimSpace(string(out)); !strings.Contains(c.Why, q) {
		t.Errorf("go says %q; why says %q", q, c.Why)
	}
	// With GOTOOLCHAIN=auto go would download go1.999: the check warns,
	// and nothing (go env included) tries the download.
	rep = w.check(dir, map[string]string{"GOTOOLCHAIN": "auto", "GOPROXY": "https://proxy.invalid"})
	modCheck(t, rep, "modules/toolchain", Warn, "GOTOOLCHAIN=auto")
	if rep.Checks[0].Verdict != OK {
		t.Errorf("go env: %+v", rep.Checks[0])
	}
	if _, err := os.Stat(filepath.Join(w.env["GOMODCACHE"], "cache", "download", "golang.org", "toolchain")); !os.IsNotExist(err) {
		t.Errorf("a toolchain download was tried: %v", err)
	}

	// In a workspace the newer go line of go.work and go.mod counts, and
	// go names the file as it is seen from the directory.
	ws := t2dir(t)
	writeTree(t, ws, map[string]string{
		"go.work":     "go 1.999\n\nuse ./app\n",
		"app/go.mod":  "module example.com/app\n\ngo 1.21\n",
		"app/main.go": "package main\n\nfunc main() {}\n",
	})
	rep = w.check(filepath.Join(ws, "app"), map[string]string{"GOTOOLCHAIN": "local"})
	c = modCheck(t, rep, "modules/toolchain", Fail, "go.work: go 1.999")
	out, _ = exec.Command("sh", "-c", "cd "+filepath.Join(ws, "app")+" && GOTOOLCHAIN=local go list -m 2>&1").Output()
	if q := strings.TrimSpace(string(out)); !strings.Contains(c.Why, q) {
		t.Errorf("go says %q; why says %q", q, c.Why)
	}

	writeFile(t, filepath.Join(dir, "go.mod"), "module example.com/app\n\ngo 1.21\n\ntoolchain go1.999.0\n")
	rep = w.check(dir, map[string]string{"GOTOOLCHAIN": "local"})
	modCheck(t, rep, "modules/toolchain", OK, "the toolchain line is ignored with GOTOOLCHAIN=local")
}

func TestIsPseudoVersion(t *testing.T) {
	for v, want := range map[string]bool{
		"v0.0.0-20240101000000-aaaaaaaaaaaa":       true,
		"v1.2.4-0.20191109021931-daa7c04131f5":     true,
		"v1.2.3-pre.0.20191109021931-daa7c04131f5": true,
		"v1.2.3":                 false,
		"v1.2.3-rc1":             false,
		"v0.0.0-2024-aaaaaaaaaa": false,
	} {
		if got := IsPseudoVersion(v); got != want {
			t.Errorf("IsPseudoVersion(%q) = %v", v, got)
		}
	}
}

func TestFlagDirs(t *testing.T) {
	dirs, words := flagDirs([]string{"-O2", "-I", "/a", "-I/b", "-isystem", "rel", "-L/c", "-lz", "-iquote/d"}, "/pkg")
	want := []string{"/a", "/b", "/pkg/rel", "/c", "/d"}
	if strings.Join(dirs, " ") != strings.Join(want, " ") {
		t.Errorf("dirs %v, want %v (words %v)", dirs, want, words)
	}
}

// TestCheckGraphDisagreement drives the comparison itself with a list and
// a graph that disagree (the go command keeps them in step, so a real
// module shows a disagreement only through an error, tested above): each
// side's extra module is named, with the directive that may explain it.
func TestCheckGraphDisagreement(t *testing.T) {
	m := &modDoctor{
		list: []*listModule{{Path: "example.com/app", Main: true}, {Path: "example.com/a", Version: "v1.1.0"}, {Path: "example.com/c", Version: "v1.0.0"}},
		graph: [][2]string{
			{"example.com/app", "example.com/a@v1.0.0"}, {"example.com/app", "example.com/c@v1.0.0"},
			{"example.com/c@v1.0.0", "example.com/gone@v0.0.0-20240101000000-aaaaaaaaaaaa"},
			{"example.com/app", "example.com/gone@v0.0.0-20240201000000-bbbbbbbbbbbb"},
			{"example.com/app", "go@1.21"}, {"go@1.21", "toolchain@go1.21"},
		},
		edit: &modFileJSON{Replace: []modReplace{{Old: modVersion{Path: "example.com/a"}, New: modVersion{Path: "../a"}}}},
	}
	c := m.checkGraph()
	if c.Verdict != Warn || !strings.Contains(c.Observed, "3 modules in go list -m all, 6 edges in go mod graph: they disagree") {
		t.Fatalf("%+v", c)
	}
	want := []string{
		"example.com/a@v1.1.0 is in the list but no edge of the graph names it (replace example.com/a => ../a)",
		"example.com/gone is in the graph but not in the list (pseudo-versions v0.0.0-20240101000000-aaaaaaaaaaaa, v0.0.0-20240201000000-bbbbbbbbbbbb)",
	}
	if strings.Join(c.Details, "\n") != strings.Join(want, "\n") {
		t.Errorf("details:\n%s\nwant:\n%s", strings.Join(c.Details, "\n"), strings.Join(want, "\n"))
	}
	// In step: ok.
	m.list[1].Version = "v1.0.0"
	m.graph = m.graph[:2]
	if c := m.checkGraph(); c.Verdict != OK || !strings.Contains(c.Observed, "they agree") {
		t.Errorf("%+v", c)
	}
}
