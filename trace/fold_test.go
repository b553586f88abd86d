package trace

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/cgotrace/cgotrace/buildlog"
	"github.com/cgotrace/cgotrace/trace/diag"
)

// TestUndefinedFoldedByLibrary: go build -tags libsqlite3
// -ldflags '-linkmode=external -extldflags "-static"' of a program using
// github.com/mattn/go-sqlite3 v1.14.53 on Debian 12 (testdata/
// sqlite3-static-libm.log, the output of that go build): libsqlite3.a
// references 19 functions of libm, which the static link lacks. One
// cause, one fix (-lm): one diagnosis, with every symbol and its
// evidence folded in.
func TestUndefinedFoldedByLibrary(t *testing.T) {
	f, err := os.Open("testdata/sqlite3-static-libm.log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	l, err := buildlog.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	var undefined []string
	for _, b := range l.Blocks {
		for _, m := range b.Messages {
			if m.Kind == buildlog.MsgUndefinedReference && !slices.Contains(undefined, m.Symbol) {
				undefined = append(undefined, m.Symbol)
			}
		}
	}
	if len(undefined) < 2 {
		t.Fatalf("precondition: the log has several undefined references; got %v", undefined)
	}
	libm := "/usr/lib/x86_64-linux-gnu/libm.so"
	ds := Diagnose(l, &Facts{Symbols: func(sym string) []SymbolDef {
		return []SymbolDef{{Library: libm, Flag: "-lm"}}
	}})
	var us []diag.Diagnosis
	for _, d := range ds {
		if d.Code == diag.UndefinedSymbol {
			us = append(us, d)
		}
	}
	if len(us) != 1 {
		t.Fatalf("want one undefined-symbol diagnosis for one missing library, got %d: %+v", len(us), us)
	}
	d := us[0]
	got := append([]string{d.Subject["symbol"]}, strings.Fields(d.Subject["also"])...)
	if strings.Join(got, " ") != strings.Join(undefined, " ") {
		t.Errorf("symbols %v, the log names %v", got, undefined)
	}
	ev := strings.Join(d.Evidence, "\n")
	for _, s := range undefined {
		if !strings.Contains(ev, "undefined reference to `"+s+"'") {
			t.Errorf("evidence lacks the reference to %s", s)
		}
	}
	if d.Fix != "add -lm to #cgo LDFLAGS" || d.Subject["defined_in"] != libm {
		t.Errorf("fix %q, defined_in %q", d.Fix, d.Subject["defined_in"])
	}

	// The #cgo line that links libsqlite3 is go-sqlite3's, in the module
	// cache (line 12 of its sqlite3_libsqlite3.go, "#cgo linux LDFLAGS:
	// -lsqlite3"; a directive's file is relative to the package's
	// directory, as the report has it): the fix
	// goes through CGO_LDFLAGS, which a user can set (that build links
	// with CGO_LDFLAGS=-lm), and the diagnosis is at that line.
	dep := "/root/go/pkg/mod/github.com/mattn/go-sqlite3@v1.14.53"
	line := &Package{ImportPath: "github.com/mattn/go-sqlite3", Dir: dep, Directives: []Directive{
		{File: "sqlite3_libsqlite3.go", Line: 12, Verb: "LDFLAGS", Condition: "linux", Args: []string{"-lsqlite3"}}}}
	for dir, fix := range map[string]string{
		dep:                  "add -lm to CGO_LDFLAGS (CGO_LDFLAGS=-lm go build ...): the #cgo line that links the library is in github.com/mattn/go-sqlite3, a module in the module cache, not yours to edit",
		"/home/u/go-sqlite3": "add -lm to #cgo LDFLAGS",
	} {
		p := *line
		p.Dir, p.Directives = dir, []Directive{line.Directives[0]}
		ds = Diagnose(l, &Facts{Packages: map[string]*Package{p.ImportPath: &p}, Symbols: func(sym string) []SymbolDef {
			return []SymbolDef{{Library: libm, Flag: "-lm"}}
		}})
		var got []string
		for _, d := range ds {
			if d.Code == diag.UndefinedSymbol {
				got = append(got, d.Package+": "+d.Fix)
				if d.Source == nil || d.Source.File != p.Directives[0].File {
					t.Errorf("%s: source %+v, want the #cgo line", dir, d.Source)
				}
			}
		}
		if want := []string{p.ImportPath + ": " + fix}; !slices.Equal(got, want) {
			t.Errorf("%s: undefined-symbol diagnoses %q, want %q", dir, got, want)
		}
	}

	// Symbols defined by different libraries stay apart.
	ds = Diagnose(l, &Facts{Symbols: func(sym string) []SymbolDef {
		return []SymbolDef{{Library: "/lib/lib" + sym + ".so", Flag: "-l" + sym}}
	}})
	n := 0
	for _, d := range ds {
		if d.Code == diag.UndefinedSymbol {
			n++
		}
	}
	if n != len(undefined) {
		t.Errorf("%d undefined-symbol diagnoses for %d symbols of %d libraries", n, len(undefined), len(undefined))
	}
}
