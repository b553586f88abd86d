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
