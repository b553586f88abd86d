package trace

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/cgotrace/cgotrace/buildlog"
	"github.com/cgotrace/cgotrace/trace/diag"
)

// staticGlibcDiags are the static-glibc-nss diagnoses by symbol.
func staticGlibcDiags(ds []diag.Diagnosis) map[string]diag.Diagnosis {
	out := map[string]diag.Diagnosis{}
	for _, d := range ds {
		if d.Code == diag.StaticGlibcNSS {
			out[d.Subject["symbol"]] = d
		}
	}
	return out
}

// TestStaticDlopenFromIssues: ld's warnings of a static link of
// github.com/mattn/go-sqlite3 with net, as pasted in
// https://github.com/mattn/go-sqlite3/issues/1076 (go-sqlite3 v1.14.15).
// getaddrinfo is NSS (netgo fixes it); dlopen is go-sqlite3's
// load_extension (its own tag fixes it, netgo does not).
func TestStaticDlopenFromIssues(t *testing.T) {
	lines := []string{
		"/usr/bin/ld: /tmp/go-link-3033769324/000010.o: in function `unixDlOpen':",
		"/home/ubuntu/go/pkg/mod/github.com/mattn/go-sqlite3@v1.14.15/sqlite3-binding.c:42031: warning: Using 'dlopen' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking",
		"/usr/bin/ld: /tmp/go-link-3033769324/000016.o: in function `_cgo_3c1cec0c9a4e_C2func_getaddrinfo':",
		"/tmp/go-build/cgo-gcc-prolog:58: warning: Using 'getaddrinfo' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking",
	}
	c := &blockCtx{l: &buildlog.Log{}, b: &buildlog.Block{}, f: &Facts{}}
	var ds []diag.Diagnosis
	for _, m := range buildlog.ParseMessages(lines) {
		if m.Kind == buildlog.MsgStaticNSS {
			ds = append(ds, c.staticGlibc(m))
		}
	}
	got := staticGlibcDiags(ds)
	dl, ok := got["dlopen"]
	if !ok {
		t.Fatalf("no diagnosis for dlopen: %+v", ds)
	}
	if strings.Contains(dl.Fix, "build with -tags netgo") || !strings.Contains(dl.Fix, "build with -tags sqlite_omit_load_extension") {
		t.Errorf("dlopen fix %q: want go-sqlite3's sqlite_omit_load_extension, not netgo", dl.Fix)
	}
	if strings.Contains(dl.Summary, "NSS") || !strings.Contains(dl.Summary, "unixDlOpen") {
		t.Errorf("dlopen summary %q: want the function that calls it, and no NSS", dl.Summary)
	}
	nss, ok := got["getaddrinfo"]
	if !ok {
		t.Fatalf("no diagnosis for getaddrinfo: %+v", ds)
	}
	if !strings.Contains(nss.Fix, "-tags netgo,osusergo") || !strings.Contains(nss.Summary, "NSS") {
		t.Errorf("getaddrinfo: summary %q, fix %q: want NSS and netgo,osusergo", nss.Summary, nss.Fix)
	}
	if dl.Summary == nss.Summary || dl.Fix == nss.Fix {
		t.Error("dlopen and getaddrinfo share a summary or a fix")
	}
}

// TestBuildStaticDlopen links a cgo program that calls dlopen statically
// (-linkmode external -extldflags -static, glibc's libc.a) with -tags
// netgo,osusergo: the real linker still warns about dlopen, and the
// diagnosis must not offer those tags.
func TestBuildStaticDlopen(t *testing.T) {
	needGo(t)
	dir := writeModule(t, map[string]string{
		"go.mod": "module example.com/staticdl\n\ngo 1.22\n",
		"main.go": `package main

// #include <dlfcn.h>
// #include <stddef.h>
// static int plugin(const char *name) { return dlopen(name, RTLD_NOW) != NULL; }
import "C"

func main() { println(C.plugin(C.CString("libplugin.so"))) }
`,
	})
	env := append(os.Environ(), "CGO_ENABLED=1")
	for _, tags := range []string{"netgo,osusergo"} {
		args := []string{"-o", "app", "-ldflags=-linkmode external -extldflags -static", "-tags", tags}
		res, err := Build(context.Background(), BuildOptions{Args: append(args, "."), Dir: dir, Env: env})
		if err != nil {
			t.Fatal(err)
		}
		os.Remove(res.RawLog)
		if res.Report.Command.ExitCode != 0 {
			t.Fatalf("tags %q: the static link failed: %+v", tags, res.Report.Diagnoses)
		}
		got := staticGlibcDiags(res.Report.Diagnoses)
		dl, ok := got["dlopen"]
		if !ok {
			t.Fatalf("tags %q: no static-glibc-nss for dlopen: %+v", tags, res.Report.Diagnoses)
		}
		if len(dl.Evidence) == 0 || !strings.Contains(strings.Join(dl.Evidence, "\n"), "warning: Using 'dlopen' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking") {
			t.Errorf("tags %q: evidence %q is not ld's warning", tags, dl.Evidence)
		}
		if dl.Severity != diag.Warning {
			t.Errorf("tags %q: severity %s, want warning", tags, dl.Severity)
		}
		if strings.Contains(dl.Fix, "build with -tags netgo") || !strings.Contains(dl.Fix, "netgo,osusergo does not remove dlopen") {
			t.Errorf("tags %q: fix %q offers netgo", tags, dl.Fix)
		}
		if !strings.Contains(dl.Fix, "link dynamically") {
			t.Errorf("tags %q: fix %q does not offer a dynamic link", tags, dl.Fix)
		}
		if !strings.Contains(dl.Summary, "plugin") {
			t.Errorf("tags %q: summary %q does not name the C function that calls dlopen", tags, dl.Summary)
		}
	}
}
