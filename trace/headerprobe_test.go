package trace

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/cgotrace/cgotrace/trace/diag"
)

func TestIncludeSearchList(t *testing.T) {
	// gcc 12 -v -E, as printed here (abridged), and clang's framework marker.
	out := `ignoring nonexistent directory "/usr/local/include/x86_64-linux-gnu"
#include "..." search starts here:
 /home/u/quoted
#include <...> search starts here:
 /tmp/go-build1391048153/b001/
 /usr/lib/gcc/x86_64-linux-gnu/12/include
 /usr/include
 /System/Library/Frameworks (framework directory)
End of search list.
<stdin>:1:10: fatal error: frobnicate.h: No such file or directory
`
	want := []string{"/home/u/quoted", "/tmp/go-build1391048153/b001", "/usr/lib/gcc/x86_64-linux-gnu/12/include", "/usr/include", "/System/Library/Frameworks"}
	if got := includeSearchList(out); !reflect.DeepEqual(got, want) {
		t.Errorf("includeSearchList = %q\nwant %q", got, want)
	}
}

// TestBuildHeaderProbe: a header that sits one directory below an -I
// directory, included from the cgo preamble and from a .c file of the
// package. The verbose re-run gives the compiler's search list, the file
// is found where it is, and the fix names the -I to add.
func TestBuildHeaderProbe(t *testing.T) {
	needGo(t)
	for _, tc := range []struct {
		name, mainGo, cFile, step string
	}{
		{name: "preamble", step: KindCgo, mainGo: "package main\n\n// #cgo CFLAGS: -I${SRCDIR}/inc\n// #include <gadget.h>\nimport \"C\"\n\nfunc main() { println(C.GADGET) }\n"},
		{name: "c-file", step: KindCCCompile, cFile: "#include <gadget.h>\nint use(void) { return GADGET; }\n",
			mainGo: "package main\n\n// #cgo CFLAGS: -I${SRCDIR}/inc\n// int use(void);\nimport \"C\"\n\nfunc main() { println(C.use()) }\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{
				"go.mod":            "module example.com/hdr\n\ngo 1.22\n",
				"main.go":           tc.mainGo,
				"inc/sub/gadget.h":  "#define GADGET 7\n",
				"inc/placeholder.h": "\n",
			}
			if tc.cFile != "" {
				files["use.c"] = tc.cFile
			}
			dir := writeModule(t, files)
			env := append(os.Environ(), "CGO_ENABLED=1")
			res, err := Build(context.Background(), BuildOptions{Args: []string{"-o", "app", "."}, Dir: dir, Env: env})
			if err != nil {
				t.Fatal(err)
			}
			os.Remove(res.RawLog)
			var d *diag.Diagnosis
			for i := range res.Report.Diagnoses {
				if res.Report.Diagnoses[i].Code == diag.HeaderNotFound {
					d = &res.Report.Diagnoses[i]
				}
			}
			if d == nil {
				t.Fatalf("no header-not-found: %+v", res.Report.Diagnoses)
			}
			inc := filepath.Join(dir, "inc")
			if !strings.Contains(d.Detail, "searched: ") || !strings.Contains(d.Detail, inc) {
				t.Errorf("detail %q does not list %s among the searched directories", d.Detail, inc)
			}
			if want := filepath.Join(inc, "sub", "gadget.h"); d.Subject["found"] != want {
				t.Errorf("found = %q, want %s", d.Subject["found"], want)
			}
			if want := "-I" + filepath.Join(inc, "sub"); !strings.Contains(d.Fix, want) {
				t.Errorf("fix %q does not say %s", d.Fix, want)
			}
			var rerun string
			for _, p := range res.Report.Packages {
				for _, s := range p.Steps {
					if s.Kind == tc.step && s.Rerun != "" {
						rerun = s.Rerun
					}
				}
			}
			if !strings.Contains(rerun, "search starts here:") || !strings.Contains(rerun, "gadget.h") {
				t.Errorf("no verbose re-run on the %s step:\n%s", tc.step, rerun)
			}
		})
	}
}

// TestHeaderElsewhere: a header one level below a searched directory
// (the -I that is missing) is found, through a symlinked directory too;
// files and directories without it are not; and on this machine's own
// include directories the answer is filepath.Glob's of DIR/*/HEADER,
// which it replaced.
func TestHeaderElsewhere(t *testing.T) {
	root := t.TempDir()
	for _, f := range []string{"libxml2/libxml/parser.h", "other/libxml/tree.h", "deep/a/libxml/parser.h", "stray.h", "libxml/parser.h/x"} {
		p := filepath.Join(root, f)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(root, "libxml2"), filepath.Join(root, "linked")); err != nil {
		t.Fatal(err)
	}
	got := headerElsewhere("libxml/parser.h", []string{root, filepath.Join(root, "missing")})
	want := []string{filepath.Join(root, "libxml2/libxml/parser.h"), filepath.Join(root, "linked/libxml/parser.h")}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := headerElsewhere("../etc/passwd", []string{root}); got != nil {
		t.Errorf("a header with ..: %q", got)
	}
	dirs := []string{"/usr/include", "/usr/local/include", "/usr/include/x86_64-linux-gnu"}
	for _, h := range []string{"libxml/parser.h", "X11/Xcursor/Xcursor.h", "glib.h", "openssl/ssl.h", "asm/types.h", "sys/types.h"} {
		var glob []string
		for _, d := range dirs {
			m, _ := filepath.Glob(filepath.Join(d, "*", h))
			for _, p := range m {
				if fi, err := os.Stat(p); err == nil && !fi.IsDir() && !slices.Contains(glob, p) {
					glob = append(glob, p)
				}
			}
			if len(glob) >= 5 {
				break
			}
		}
		if got := headerElsewhere(h, dirs); !slices.Equal(got, glob) {
			t.Errorf("%s: %q, filepath.Glob gives %q", h, got, glob)
		}
	}
}
