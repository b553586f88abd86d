package trace

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadDirectives(t *testing.T) {
	src := `package main

/*
#cgo CFLAGS: -I${SRCDIR}/inc -DX="a b"
#cgo linux,amd64 LDFLAGS: -L/opt/lib -lfoo
#cgo pkg-config: sqlite3
#include <foo.h>
*/
import "C"

// #cgo LDFLAGS: -lnot_a_directive_not_before_import_C
func main() {}
`
	dir := t.TempDir()
	path := filepath.Join(dir, "main.go")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ReadDirectives(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []Directive{
		{File: "main.go", Line: 4, Verb: "CFLAGS", Args: []string{"-I${SRCDIR}/inc", "-DX=a b"}},
		{File: "main.go", Line: 5, Verb: "LDFLAGS", Condition: "linux,amd64", Args: []string{"-L/opt/lib", "-lfoo"}},
		{File: "main.go", Line: 6, Verb: "pkg-config", Args: []string{"sqlite3"}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestReadDirectivesLineComments(t *testing.T) {
	src := "package p\n\n// #cgo LDFLAGS: -lm\n// #include <math.h>\nimport \"C\"\n"
	path := filepath.Join(t.TempDir(), "p.go")
	os.WriteFile(path, []byte(src), 0o644)
	got, err := ReadDirectives(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Line != 3 || got[0].Verb != "LDFLAGS" {
		t.Fatalf("got %+v", got)
	}
}
