package trace

import (
	"bytes"
	"context"
	"go/build"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sirupsen/logrus"

	"github.com/cgotrace/cgotrace/trace/diag"
)

// TestMatchCondGoBuild checks the #cgo condition evaluation against
// go/build itself: a file whose +build line is the condition matches
// exactly when go/build's Context.MatchFile says so.
func TestMatchCondGoBuild(t *testing.T) {
	conds := []string{"", "linux", "windows", "linux,!android", "darwin amd64", "freebsd", "!windows",
		"linux,arm64", "unix", "cgo", "!cgo", "static", "testing", "linux,static", "go1.20", "go1.99",
		"linux && (amd64 || arm64)", "android", "solaris", "gc", "gccgo", "openbsd,!cgo linux,cgo"}
	ctxts := []struct {
		goos, goarch string
		cgo          bool
		tags         []string
	}{
		{"linux", "amd64", true, nil},
		{"linux", "arm64", true, []string{"static"}},
		{"windows", "amd64", false, []string{"testing"}},
		{"android", "arm64", true, nil},
		{"illumos", "amd64", true, nil},
	}
	dir := t.TempDir()
	for _, c := range ctxts {
		bc := build.Default
		bc.GOOS, bc.GOARCH, bc.CgoEnabled, bc.BuildTags = c.goos, c.goarch, c.cgo, c.tags
		bc.ReleaseTags = nil
		for i := 1; i <= 26; i++ {
			bc.ReleaseTags = append(bc.ReleaseTags, "go1."+strconv.Itoa(i))
		}
		cgo := "0"
		if c.cgo {
			cgo = "1"
		}
		ts := newTagSet(GoEnv{"GOOS": c.goos, "GOARCH": c.goarch, "CGO_ENABLED": cgo, "GOVERSION": "go1.26.8"},
			[]string{"-tags", strings.Join(c.tags, ",")})
		for _, cond := range conds {
			line := "// +build " + cond
			if strings.ContainsAny(cond, "&|()") {
				line = "//go:build " + cond
			}
			if cond == "" {
				line = ""
			}
			name := "f.go"
			os.WriteFile(filepath.Join(dir, name), []byte(line+"\n\npackage p\n"), 0o644)
			want, err := bc.MatchFile(dir, name)
			if err != nil {
				t.Fatal(err)
			}
			if got := ts.matchCond(cond); got != want {
				t.Errorf("%s/%s cgo=%v tags=%v: matchCond(%q) = %v, go/build says %v", c.goos, c.goarch, c.cgo, c.tags, cond, got, want)
			}
		}
	}
}

// appliedModule is a main package whose #cgo lines are for other systems
// and tags too (a windows and a freebsd line, a //go:build testing file, a
// static tag file), and a dependency module (replaced to a local
// directory) whose linux line links libfoo.a, which calls bar, defined
// nowhere: the link fails in the dependency's library.
func appliedModule(t *testing.T) string {
	dir := writeModule(t, map[string]string{
		"go.mod": "module example.com/app\n\ngo 1.22\n\nrequire example.com/dep v0.0.0\n\nreplace example.com/dep => ./dep\n",
		"main.go": "package main\n\n/*\n#cgo windows LDFLAGS: -lgdi32\n#cgo freebsd pkg-config: epoll-shim\n#cgo LDFLAGS: -lm\n#include <math.h>\n*/\nimport \"C\"\n\n" +
			"import \"example.com/dep\"\n\nfunc main() { println(dep.Foo(), float64(C.sqrt(4))) }\n",
		"testing.go": "//go:build testing\n\npackage main\n\n// #cgo LDFLAGS: -lnotthere\nimport \"C\"\n",
		"static.go":  "//go:build static\n\npackage main\n\n// #cgo LDFLAGS: -static -lstaticonly\nimport \"C\"\n",
		"dep/go.mod": "module example.com/dep\n\ngo 1.22\n",
		"dep/dep.go": "package dep\n\n/*\n#cgo windows LDFLAGS: -lws2_32\n#cgo freebsd pkg-config: epoll-shim\n#cgo linux LDFLAGS: -L${SRCDIR}/../lib -lfoo\n" +
			"#cgo openbsd LDFLAGS: -lfoo -lm\nint foo(void);\n*/\nimport \"C\"\n\nfunc Foo() int { return int(C.foo()) }\n",
		"lib/foo.c":    "int bar(void);\nint foo(void) { return bar() + 1; }\n",
		"envlib/.keep": "",
	})
	obj := filepath.Join(dir, "lib/foo.o")
	if out, err := exec.Command("gcc", "-c", "-o", obj, filepath.Join(dir, "lib/foo.c")).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	if out, err := exec.Command("ar", "rcs", filepath.Join(dir, "lib/libfoo.a"), obj).CombinedOutput(); err != nil {
		t.Fatalf("ar: %v\n%s", err, out)
	}
	return dir
}

// TestBuildAppliedDirectives: the chain holds only what go applied for
// linux/amd64 without tags; the undefined reference inside the
// dependency's library is traced to the dependency's linux line and
// attributed to the dependency; every flag of the failed host link has an
// origin (#cgo lines in both packages, CGO_LDFLAGS, -extldflags, cmd/link);
// and with the failed link in go's log there is no forensic rebuild, even
// though the dependency came from the build cache.
func TestBuildAppliedDirectives(t *testing.T) {
	needGo(t)
	dir := appliedModule(t)
	envlib := filepath.Join(dir, "envlib")
	env := append(os.Environ(), "CGO_ENABLED=1", "GOOS=linux", "CGO_LDFLAGS=-O2 -g -L"+envlib)
	// Building the dependency alone first puts it in the build cache:
	// the failed build then runs none of its steps.
	plain := exec.Command("go", "build", "example.com/dep")
	plain.Dir, plain.Env = dir, env
	if out, err := plain.CombinedOutput(); err != nil {
		t.Fatalf("go build example.com/dep: %v\n%s", err, out)
	}

	var logBuf bytes.Buffer
	lg := logrus.New()
	lg.Out, lg.Level = &logBuf, logrus.DebugLevel
	res, err := Build(context.Background(), BuildOptions{
		Args: []string{"-ldflags=-extldflags=-static", "-o", "app1", "."}, Dir: dir, Env: env, Log: lg})
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(res.RawLog)
	res.Wait()
	rep := res.Report
	if rep.Command.ExitCode != 1 || len(rep.Diagnoses) == 0 {
		t.Fatalf("exit %d, diagnoses %+v", rep.Command.ExitCode, rep.Diagnoses)
	}
	d := rep.Diagnoses[0]
	if d.Code != diag.UndefinedSymbol || d.Subject["symbol"] != "bar" {
		t.Fatalf("root cause: %+v", d)
	}
	if d.Package != "example.com/dep" || d.Source == nil || *d.Source != (diag.Source{File: "dep.go", Line: 6}) {
		t.Errorf("bar is referenced in libfoo.a, linked by dep.go:6 of example.com/dep; got package %q source %+v", d.Package, d.Source)
	}
	for _, r := range rep.Packages {
		if r.ImportPath == "example.com/dep" && len(r.Steps) > 0 {
			t.Errorf("precondition: example.com/dep must come from the build cache; it ran %+v", r.Steps)
		}
	}
	if strings.Contains(logBuf.String(), "forensic rebuild") || strings.Contains(d.Detail, "forensic") {
		t.Errorf("the failed link is in go's log: no forensic rebuild; log:\n%s", logBuf.String())
	}

	byPath := map[string]*Package{}
	for _, p := range rep.Packages {
		byPath[p.ImportPath] = p
		for _, c := range p.PkgConfig {
			t.Errorf("%s: pkg-config call go never made: %v", p.ImportPath, c.Argv)
		}
		for _, s := range p.Steps {
			if s.Reconstructed {
				t.Errorf("%s: step from a forensic rebuild: %v", p.ImportPath, s.Argv)
			}
		}
	}
	want := map[string][]Directive{
		"example.com/app": {{File: "main.go", Line: 6, Verb: "LDFLAGS", Args: []string{"-lm"}}},
		"example.com/dep": {{File: "dep.go", Line: 6, Verb: "LDFLAGS", Condition: "linux", Args: []string{"-L${SRCDIR}/../lib", "-lfoo"}}},
	}
	for path, w := range want {
		p := byPath[path]
		if p == nil {
			t.Errorf("package %s missing from the report", path)
			continue
		}
		if diff := cmp.Diff(w, p.Directives); diff != "" {
			t.Errorf("%s directives (-want +got):\n%s", path, diff)
		}
	}

	app := byPath["example.com/app"]
	origins := map[string]Flag{}
	for _, f := range app.Flags {
		if f.Stage == "link" {
			origins[f.Flag] = f
		}
		if f.Origin == OriginUnknown {
			t.Errorf("flag %s (%s) has no origin", f.Flag, f.Stage)
		}
	}
	for flag, w := range map[string]Flag{
		"-lm":                                {Origin: OriginDirective, Detail: "main.go:6"},
		"-lfoo":                              {Origin: OriginDirective, Detail: "example.com/dep/dep.go:6"},
		"-L" + dir + "/dep/../lib":           {Origin: OriginDirective, Detail: "example.com/dep/dep.go:6"},
		"-L" + envlib:                        {Origin: OriginEnv, Detail: "CGO_LDFLAGS"},
		"-static":                            {Origin: OriginGo, Detail: "-ldflags=-extldflags (go build command line)"},
		"-Wl,--compress-debug-sections=zlib": {Origin: OriginGo, Detail: "cmd/link"},
	} {
		got, ok := origins[flag]
		if !ok {
			t.Errorf("link flag %s not in the report; flags: %+v", flag, app.Flags)
			continue
		}
		if got.Origin != w.Origin || got.Detail != w.Detail {
			t.Errorf("origin of %s = %s %q, want %s %q", flag, got.Origin, got.Detail, w.Origin, w.Detail)
		}
	}
}
