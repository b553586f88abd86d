package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite the example blocks of README.md and docs/ from real runs (scripts/gen-doc-examples.sh)")

// docFiles hold example blocks: "<!-- example: NAME -->", a fenced block,
// "<!-- end example -->". Paths are relative to this package.
var docFiles = []string{"../../README.md", "../../docs/commands.md"}

// TestDocExamples runs, for real, what the documentation shows (the
// example's cgotrace build, analyze of a CI log, inspect and verify of
// gcc-built binaries, env), with the scratch directory shown as
// /home/dev/app, go's work directory as $WORK and $HOME as /home/dev, and
// fails when a block differs from the run. Sizes and durations are
// compared as N. -update-docs rewrites the blocks.
func TestDocExamples(t *testing.T) {
	for _, tool := range []string{"go", "gcc"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not on PATH: the examples are real runs (scripts/setup-example.sh installs it)", tool)
		}
	}
	var files []string
	for _, f := range docFiles {
		abs, err := filepath.Abs(f)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, abs)
	}
	got := docExamples(t)
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		out, names, err := replaceExamples(string(data), func(name, old string) string {
			ex, ok := got[name]
			if !ok {
				t.Errorf("%s: example %q is not one TestDocExamples runs", file, name)
				return old
			}
			if *updateDocs {
				return ex
			}
			if masked(old) != masked(ex) {
				t.Errorf("%s: example %q is not what a run prints now (scripts/gen-doc-examples.sh rewrites it):\n--- doc\n%s\n--- run\n%s", file, name, old, ex)
			}
			return old
		})
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for _, n := range names {
			delete(got, n)
		}
		if *updateDocs && out != string(data) {
			if err := os.WriteFile(file, []byte(out), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for name := range got {
		t.Errorf("example %q appears in none of %v", name, docFiles)
	}
}

var exampleRE = regexp.MustCompile("(?s)<!-- example: ([a-z-]+) -->\n```console\n(.*?)```\n<!-- end example -->")

// replaceExamples calls fn for every example block of doc and puts what
// it returns in the block's place.
func replaceExamples(doc string, fn func(name, text string) string) (string, []string, error) {
	var names []string
	out := exampleRE.ReplaceAllStringFunc(doc, func(m string) string {
		sm := exampleRE.FindStringSubmatch(m)
		names = append(names, sm[1])
		return "<!-- example: " + sm[1] + " -->\n```console\n" + fn(sm[1], sm[2]) + "```\n<!-- end example -->"
	})
	if strings.Count(doc, "<!-- example: ") != len(names) {
		return "", nil, fmt.Errorf("%d example markers, %d well-formed blocks", strings.Count(doc, "<!-- example: "), len(names))
	}
	return out, names, nil
}

var volatileRE = regexp.MustCompile(`\d+(\.\d+)? ?(GiB|MiB|KiB|bytes|ms|files)\b`)

// masked replaces sizes and durations, which differ from run to run.
func masked(s string) string { return volatileRE.ReplaceAllString(s, "N $2") }

// neutral rewrites the paths of this run to the documentation's.
type neutral struct{ pairs []string }

func (n *neutral) add(from, to string) { n.pairs = append(n.pairs, from, to) }

var (
	goBuildRE = regexp.MustCompile(`/tmp/go-build\d+`)
	goLinkRE  = regexp.MustCompile(`/tmp/go-link-\d+`)
	buildIDRE = regexp.MustCompile(`--build-id=0x[0-9a-f]+`)
)

func (n *neutral) apply(s string) string {
	s = strings.NewReplacer(n.pairs...).Replace(s)
	s = goBuildRE.ReplaceAllString(s, "$$WORK")
	s = goLinkRE.ReplaceAllString(s, "/tmp/go-link-NNN")
	return buildIDRE.ReplaceAllString(s, "--build-id=0x…")
}

// runIn runs cgotrace's Main in dir and returns stdout and stderr.
func runIn(t *testing.T, dir string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	t.Chdir(dir)
	var out, errb bytes.Buffer
	code := Main(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func docExamples(t *testing.T) map[string]string {
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	app := filepath.Join(tmp, "app")
	n := &neutral{}
	n.add(app, "/home/dev/app")
	if home, err := os.UserHomeDir(); err == nil && home != "/" {
		n.add(home+"/", "/home/dev/")
	}
	for _, k := range []string{"LD_LIBRARY_PATH", "LD_PRELOAD", "GOFLAGS", "CGO_CFLAGS", "CGO_CPPFLAGS", "CGO_CXXFLAGS",
		"CGO_FFLAGS", "CGO_LDFLAGS", "CC", "CXX", "PKG_CONFIG", "PKG_CONFIG_PATH", "PKG_CONFIG_LIBDIR", "GOOS", "GOARCH",
		"CGO_ENABLED", "GO111MODULE", "GOPRIVATE", "GONOSUMDB", "GONOPROXY", "NO_COLOR"} {
		unsetenv(t, k)
	}
	t.Setenv("GOPROXY", "https://proxy.golang.org,direct")
	t.Setenv("GOENV", "off") // no go env -w settings of this machine
	t.Setenv("TERM", "dumb")
	ex := map[string]string{}
	start := time.Now()
	lap := func(what string) { t.Logf("%s: %v", what, time.Since(start)); start = time.Now() }
	sh := func(dir string, argv ...string) {
		t.Helper()
		c := exec.Command(argv[0], argv[1:]...)
		c.Dir = dir
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", argv, err, out)
		}
	}

	// build: scripts/example.sh, in app.
	copyDir(t, filepath.Join(repo, "testdata/example"), app)
	os.MkdirAll(filepath.Join(app, "lib"), 0o755)
	sh(app, "gcc", "-shared", "-fPIC", "-Wl,-soname,libgizmo.so.1", "-o", "lib/libgizmo.so.1", "csrc/gizmo.c")
	_, js, echo := runIn(t, app, "", "build", "--format", "json", "-o", "demo", ".")
	_, text, _ := runIn(t, app, n.apply(js), "report", "-")
	lap("build")
	ex["build"] = "$ scripts/example.sh\n$ cgotrace build -o demo .\n" + n.apply(echo) + text

	// analyze: the plain go build output a CI log holds, of the
	// header-not-found scenario (testdata/logs, captured by
	// buildlog/testdata/capture.sh), built in /home/dev/app.
	log, err := os.ReadFile(filepath.Join(repo, "testdata/logs/header-not-found-basic.log"))
	if err != nil {
		t.Fatal(err)
	}
	captured := regexp.MustCompile(`/tmp/cgotrace-capture\.[A-Za-z0-9]+/plain/header-not-found-basic`)
	ci := filepath.Join(tmp, "ci")
	os.MkdirAll(ci, 0o755)
	os.WriteFile(filepath.Join(ci, "build.log"), []byte(goLinkRE.ReplaceAllString(captured.ReplaceAllString(string(log), "/home/dev/app"), "/tmp/go-link-NNN")), 0o644)
	code, out, _ := runIn(t, ci, "", "analyze", "build.log")
	ex["analyze"] = fmt.Sprintf("$ cgotrace analyze build.log\n%s$ echo $?\n%d\n", out, code)

	lap("analyze")
	// inspect and verify: app's RUNPATH finds libmid, whose own
	// dependency libleaf sits next to it (RUNPATH is not inherited).
	bin := filepath.Join(app, "bin")
	os.MkdirAll(bin, 0o755)
	os.WriteFile(filepath.Join(tmp, "leaf.c"), []byte("int leaf(void) { return 1; }\n"), 0o644)
	os.WriteFile(filepath.Join(tmp, "mid.c"), []byte("int leaf(void);\nint mid(void) { return leaf(); }\n"), 0o644)
	os.WriteFile(filepath.Join(tmp, "main.c"), []byte("int mid(void);\nint main(void) { return mid(); }\n"), 0o644)
	sh(tmp, "gcc", "-shared", "-fPIC", "-Wl,-soname,libleaf.so.1", "-o", "app/lib/libleaf.so.1", "leaf.c")
	sh(tmp, "gcc", "-shared", "-fPIC", "-Wl,-soname,libmid.so.1", "-o", "app/lib/libmid.so.1", "mid.c", "app/lib/libleaf.so.1")
	sh(tmp, "gcc", "-o", "app/bin/app", "main.c", "app/lib/libmid.so.1", "-Wl,-rpath,$ORIGIN/../lib")
	code, out, _ = runIn(t, app, "", "inspect", "bin/app")
	ex["inspect"] = fmt.Sprintf("$ cgotrace inspect bin/app\n%s$ echo $?\n%d\n", n.apply(out), code)
	code, out, _ = runIn(t, app, "", "verify", "--static", "--max-glibc", "2.28", "bin/app")
	ex["verify"] = fmt.Sprintf("$ cgotrace verify --static --max-glibc 2.28 bin/app\n%s$ echo $?\n%d\n", n.apply(out), code)

	lap("inspect, verify")
	// env: in app (a module), with a relative -I in CGO_CFLAGS.
	t.Setenv("CGO_CFLAGS", "-O2 -Iinclude")
	t.Setenv("GOCACHE", filepath.Join(tmp, "gocache")) // empty: its size is the same on every machine
	n.add(filepath.Join(tmp, "gocache"), "/home/dev/.cache/go-build")
	code, out, _ = runIn(t, app, "", "env")
	lap("env")
	ex["env"] = fmt.Sprintf("$ CGO_CFLAGS='-O2 -Iinclude' cgotrace env\n%s$ echo $?\n%d\n", n.apply(out), code)
	return ex
}

func unsetenv(t *testing.T, k string) {
	if v, ok := os.LookupEnv(k); ok {
		t.Setenv(k, v) // restores it after the test
		os.Unsetenv(k)
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
