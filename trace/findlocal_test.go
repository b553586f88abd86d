package trace

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/cgotrace/cgotrace/buildlog"
)

// findModule is a module whose packages' files and #cgo lines depend on
// GOOS, GOARCH, CGO_ENABLED, -tags, the Go release, file names and
// ignored files: the shapes of issue 13 (grocksdb's `//go:build testing`
// files, go-sdl2's `static` files, #cgo lines for other systems).
var findModule = map[string]string{
	"go.mod": "module example.com/find\n\ngo 1.22\n",
	"a/a.go": `package a

// #cgo pkg-config: alpha
// #cgo linux LDFLAGS: -lalpha_linux
// #cgo windows LDFLAGS: -lalpha_windows
// #cgo freebsd pkg-config: epoll-shim
// #cgo linux,!arm64 CFLAGS: -DNOT_ARM64 -I${SRCDIR}/include
// #cgo arm64 CFLAGS: -DARM64
// #cgo CXXFLAGS: -std=c++17
// #cgo CPPFLAGS: -DCPP
// #cgo FFLAGS: -O1
import "C"
`,
	"a/a_windows.go": "package a\n\n// #cgo LDFLAGS: -lwinonly\nimport \"C\"\n",
	"a/a_arm64.go":   "package a\n\n// #cgo LDFLAGS: -larm64only\nimport \"C\"\n",
	"a/testing.go":   "//go:build testing\n\npackage a\n\n// #cgo LDFLAGS: -ltestingonly\nimport \"C\"\n",
	"a/ignored.go":   "//go:build ignore\n\npackage main\n\n// #cgo LDFLAGS: -lignored\nimport \"C\"\n",
	"a/new.go":       "//go:build go1.999\n\npackage a\n\n// #cgo LDFLAGS: -lfuture\nimport \"C\"\n",
	"a/old.go":       "//go:build go1.20\n\npackage a\n\n// #cgo LDFLAGS: -lold\nimport \"C\"\n",
	"a/plain.go":     "package a\n\nfunc Plain() {}\n",
	"a/nocgo.go":     "//go:build !cgo\n\npackage a\n\nfunc NoCgo() {}\n",
	"a/a_test.go":    "package a\n",
	"a/x.c":          "int x;\n",
	"a/y.cc":         "int y;\n",
	"a/z_amd64.S":    "\n",
	"a/w_linux.c":    "int w;\n",
	"b/static.go":    "//go:build static\n\npackage b\n\n// #cgo LDFLAGS: -lstatic_b\n// #cgo pkg-config: --static beta\nimport \"C\"\n",
	"b/dynamic.go":   "//go:build !static\n\npackage b\n\n// #cgo pkg-config: beta\nimport \"C\"\n",
	"b/race.go":      "//go:build race\n\npackage b\n\n// #cgo LDFLAGS: -lrace_b\nimport \"C\"\n",
	"b/old.go":       "// +build linux,cgo\n\npackage b\n\n// #cgo LDFLAGS: -lplusbuild\nimport \"C\"\n",
	"c/c.go":         "package c\n\n// #cgo LDFLAGS: -lc_c\nimport \"C\"\n",
	"c/v3.go":        "//go:build amd64.v3\n\npackage c\n\nfunc V3() {}\n",
	"d/d.go":         "package d\n\n// #cgo LDFLAGS: -ld\nimport \"C\"\n",
	"d/exp.go":       "//go:build goexperiment.greenteagc\n\npackage d\n\nfunc Exp() {}\n",
}

// TestFindInProcessMatchesGoList compares findInProcess with `go list
// -find` itself, field by field, for the packages of findModule and the
// scenario modules of testdata, under builds that change what go selects:
// other GOOS and GOARCH, cgo off, -tags on the command line and in
// GOFLAGS, -race. Where findInProcess declines (a constraint on a tag go
// sets from its own configuration), it must decline, not guess.
func TestFindInProcessMatchesGoList(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list and go env many times")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go on PATH")
	}
	mod := t.TempDir()
	for name, text := range findModule {
		p := filepath.Join(mod, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	type pkgDir struct{ path, dir, modDir string }
	var pkgs []pkgDir
	for _, p := range []string{"a", "b", "c", "d"} {
		pkgs = append(pkgs, pkgDir{"example.com/find/" + p, filepath.Join(mod, p), mod})
	}
	scen, _ := filepath.Glob("../testdata/scenarios/*/go.mod")
	for _, gm := range scen {
		data, err := os.ReadFile(gm)
		if err != nil {
			t.Fatal(err)
		}
		line, _, _ := strings.Cut(string(data), "\n")
		path := strings.TrimSpace(strings.TrimPrefix(line, "module"))
		dir, _ := filepath.Abs(filepath.Dir(gm))
		pkgs = append(pkgs, pkgDir{path, dir, dir})
	}
	declines := map[string]bool{"example.com/find/c": true, "example.com/find/d": true}

	// The scenario modules are compared in the first two builds only (a
	// go list run each): findModule has the shapes that vary.
	builds := []struct {
		name      string
		env       []string
		args      []string
		scenarios bool
	}{
		{"default", nil, nil, true},
		{"tags", nil, []string{"-tags", "testing,static"}, true},
		{"goflags tags", []string{"GOFLAGS=-tags=static"}, nil, false},
		{"arm64", []string{"GOARCH=arm64", "CGO_ENABLED=1", "CC=aarch64-linux-gnu-gcc"}, nil, false},
		{"windows", []string{"GOOS=windows", "CGO_ENABLED=1", "CC=x86_64-w64-mingw32-gcc"}, nil, false},
		{"freebsd", []string{"GOOS=freebsd", "CGO_ENABLED=1"}, nil, false},
		{"cgo off", []string{"CGO_ENABLED=0"}, nil, false},
		{"race", nil, []string{"-race"}, false},
	}
	compared, wantCompared := 0, 0
	for _, b := range builds {
		n := 4
		if b.scenarios {
			n = len(pkgs)
		}
		if !slices.Contains(b.env, "CGO_ENABLED=0") {
			wantCompared += n - len(declines)
		}
		t.Run(b.name, func(t *testing.T) {
			env := append(os.Environ(), "GOFLAGS=", "GOTOOLCHAIN=local")
			env = append(env, b.env...)
			ge, err := readGoEnv(context.Background(), ExecRunner{}, goBin, mod, env, goEnvVars)
			if err != nil {
				t.Fatal(err)
			}
			for _, pd := range pkgs[:n] {
				l := &buildlog.Log{Records: []buildlog.Record{{Kind: buildlog.RecCommand, ImportPath: pd.path, Dir: pd.dir, Step: "cgo"}}}
				got, ok := findInProcess(l, []string{pd.path}, ge, b.args, "")
				// The same, kept between runs: the second run reads
				// the first one's answer (the package and the #cgo
				// lines loadPackages would read).
				keep := t.TempDir()
				for run := 1; run <= 2; run++ {
					got2, ok2 := findInProcess(l, []string{pd.path}, ge, b.args, keep)
					if ok2 != ok || ok && (!sameListed(got2[0], got[0]) || len(got[0].CgoFiles) > 0 &&
						!reflect.DeepEqual(got2[0].applied, appliedDirectives(got[0], newTagSet(ge, b.args)))) {
						t.Errorf("%s: kept, run %d: %v %+v, not kept %v %+v", pd.path, run, ok2, got2, ok, got)
					}
				}
				if _, ipOK := newInProcess(ge, b.args); !ipOK {
					// Declined before reading (cgo off): nothing kept.
				} else if kept, _ := filepath.Glob(filepath.Join(keep, "*.json")); len(kept) != 1 {
					t.Errorf("%s: %d answers kept, want 1", pd.path, len(kept))
				}
				args := append(append([]string{"-find"}, listFlags(b.args)...), "--", pd.path)
				want, err := runGoList(context.Background(), ExecRunner{}, goBin, pd.modDir, env, args)
				if err != nil || len(want) != 1 {
					t.Fatalf("go list %s: %v %+v", pd.path, err, want)
				}
				switch {
				case declines[pd.path] || want[0].Error != nil || ge["CGO_ENABLED"] != "1":
					// A constraint names a tag of go's own configuration,
					// go list reports an error, or cgo is off: go list
					// is to answer.
					if ok {
						t.Errorf("%s: findInProcess answered; go list error %v", pd.path, want[0].Error)
					}
					continue
				case !ok:
					t.Errorf("%s: findInProcess declined", pd.path)
					continue
				}
				if len(got) != 1 || !sameListed(got[0], want[0]) {
					t.Errorf("%s:\n in process %+v\n go list    %+v", pd.path, *got[0], *want[0])
				}
				compared++
			}
		})
	}
	if compared != wantCompared {
		t.Fatalf("compared %d packages, want %d", compared, wantCompared)
	}
}

// sameListed compares the fields cgotrace reads, an empty list equal to
// none (go list's JSON leaves empty lists out).
func sameListed(a, b *listPackage) bool {
	norm := func(s []string) []string {
		if len(s) == 0 {
			return nil
		}
		return slices.Clone(s)
	}
	fa := []any{a.ImportPath, a.Dir, a.Name, a.Standard, norm(a.GoFiles), norm(a.CgoFiles), norm(a.IgnoredGoFiles), norm(a.CFiles), norm(a.CXXFiles), norm(a.SFiles),
		norm(a.CgoCPPFLAGS), norm(a.CgoCFLAGS), norm(a.CgoCXXFLAGS), norm(a.CgoFFLAGS), norm(a.CgoLDFLAGS), norm(a.CgoPkgConfig)}
	fb := []any{b.ImportPath, b.Dir, b.Name, b.Standard, norm(b.GoFiles), norm(b.CgoFiles), norm(b.IgnoredGoFiles), norm(b.CFiles), norm(b.CXXFiles), norm(b.SFiles),
		norm(b.CgoCPPFLAGS), norm(b.CgoCFLAGS), norm(b.CgoCXXFLAGS), norm(b.CgoFFLAGS), norm(b.CgoLDFLAGS), norm(b.CgoPkgConfig)}
	return reflect.DeepEqual(fa, fb)
}

// TestFindInProcessDeclines: findInProcess leaves to go list what go/build
// cannot see: a package whose directory the log does not name, -overlay
// and -compiler, no go env.
func TestFindInProcessDeclines(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.go"), []byte("package a\n\nimport \"C\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ge := GoEnv{"GOOS": "linux", "GOARCH": "amd64", "CGO_ENABLED": "1", "GOVERSION": "go1.26.8"}
	l := &buildlog.Log{Records: []buildlog.Record{{Kind: buildlog.RecCommand, ImportPath: "x/a", Dir: dir, Step: "cgo"}}}
	if _, ok := findInProcess(l, []string{"x/a"}, ge, nil, ""); !ok {
		t.Fatal("the plain case declined")
	}
	for name, c := range map[string]struct {
		pkgs []string
		ge   GoEnv
		args []string
	}{
		"no dir":     {[]string{"x/b"}, ge, nil},
		"overlay":    {[]string{"x/a"}, ge, []string{"-overlay", "o.json"}},
		"compiler":   {[]string{"x/a"}, ge, []string{"-compiler=gccgo"}},
		"goflags":    {[]string{"x/a"}, GoEnv{"GOOS": "linux", "GOARCH": "amd64", "GOVERSION": "go1.26.8", "GOFLAGS": "-overlay=o.json"}, nil},
		"no go env":  {[]string{"x/a"}, nil, nil},
		"no release": {[]string{"x/a"}, GoEnv{"GOOS": "linux", "GOARCH": "amd64", "GOVERSION": "devel"}, nil},
	} {
		if _, ok := findInProcess(l, c.pkgs, c.ge, c.args, ""); ok {
			t.Errorf("%s: answered", name)
		}
	}
}

func TestListFailed(t *testing.T) {
	rec := func(pkg, step string) buildlog.Record {
		return buildlog.Record{Kind: buildlog.RecCommand, ImportPath: pkg, Step: step}
	}
	for _, c := range []struct {
		name string
		l    buildlog.Log
		want []string
	}{
		{"pkg-config failure", buildlog.Log{FailedPackages: []string{"x/a"}, Records: []buildlog.Record{rec("x/a", "pkg-config")}}, []string{"x/a"}},
		{"cgo packages and the failed one", buildlog.Log{FailedPackages: []string{"x/b"},
			Records: []buildlog.Record{rec("x/a", "cgo"), rec("x/c", "compile"), rec("x/b", "cc-compile")}}, []string{"x/a", "x/b"}},
		{"a test variant", buildlog.Log{FailedPackages: []string{"x/a [x/a.test]"},
			Records: []buildlog.Record{rec("x/a [x/a.test]", "cgo"), rec("x/a_test [x/a.test]", "compile")}}, []string{"x/a"}},
		{"a failed link", buildlog.Log{FailedPackages: []string{"x/m"}, Records: []buildlog.Record{rec("x/a", "cgo"), rec("x/m", "link")}}, nil},
		{"a failed host link", buildlog.Log{FailedPackages: []string{"x/m"}, HostLinks: []buildlog.HostLink{{Failed: true}}}, nil},
		{"files on the command line", buildlog.Log{FailedPackages: []string{"command-line-arguments"}}, nil},
		{"no failed package", buildlog.Log{Records: []buildlog.Record{rec("x/a", "cgo")}}, nil},
	} {
		if got := listFailed(&c.l); !slices.Equal(got, c.want) {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// TestFindInProcessKept: a package's kept answer is the one the next run
// reads (a marker put in the kept file comes back); a change to any file
// of the directory (a #cgo line, an added file) is a new key, read
// afresh.
func TestFindInProcessKept(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("p.go", "package p\n\n// #cgo CFLAGS: -DA\nimport \"C\"\n")
	ge := GoEnv{"GOOS": "linux", "GOARCH": "amd64", "CGO_ENABLED": "1", "GOVERSION": "go1.26.8", "GOROOT": runtime.GOROOT()}
	l := &buildlog.Log{Records: []buildlog.Record{{Kind: buildlog.RecCommand, ImportPath: "example.com/p", Dir: dir, Step: "cgo"}}}
	keep := t.TempDir()
	find := func() *listPackage {
		t.Helper()
		out, ok := findInProcess(l, []string{"example.com/p"}, ge, nil, keep)
		if !ok || len(out) != 1 {
			t.Fatalf("findInProcess: %v %+v", ok, out)
		}
		return out[0]
	}
	args := func(lp *listPackage) string {
		var s []string
		for _, d := range lp.applied {
			s = append(s, d.Args...)
		}
		return lp.Name + " " + strings.Join(append(s, lp.CgoFiles...), " ")
	}
	if got := args(find()); got != "p -DA p.go" {
		t.Fatalf("first run: %q", got)
	}
	kept, _ := filepath.Glob(filepath.Join(keep, "*.json"))
	if len(kept) != 1 {
		t.Fatalf("%d answers kept", len(kept))
	}
	data, _ := os.ReadFile(kept[0])
	if err := os.WriteFile(kept[0], []byte(strings.Replace(string(data), `"Name":"p"`, `"Name":"marker"`, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := args(find()); got != "marker -DA p.go" {
		t.Errorf("second run did not read the kept answer: %q", got)
	}
	write("p.go", "package p\n\n// #cgo CFLAGS: -DB\nimport \"C\"\n")
	if got := args(find()); got != "p -DB p.go" {
		t.Errorf("after p.go changed: %q", got)
	}
	write("q.go", "package p\n\n// #cgo CFLAGS: -DQ\nimport \"C\"\n")
	if got := args(find()); got != "p -DB -DQ p.go q.go" {
		t.Errorf("after q.go was added: %q", got)
	}
}
