package trace

import (
	"io"
	"testing"
)

// TestFirstAction: what starts go env early fires at go build's first
// package event, and never for a warm no-op build, whose -json output is
// the WORK= line alone (captured from go build -x -json -work of an
// up-to-date cgo module and of a pkg-config failure, go1.26.8).
func TestFirstAction(t *testing.T) {
	noop := `{"ImportPath":"","Action":"build-output","Output":"WORK=/tmp/go-build765690785\n"}` + "\n"
	failed := noop + `{"ImportPath":"example.com/pc","Action":"build-output","Output":"mkdir -p $WORK/b001/\n"}` + "\n" +
		`{"ImportPath":"example.com/pc","Action":"build-fail"}` + "\n"
	for _, tc := range []struct {
		name, out string
		chunk     int
		byOutput  bool
	}{
		{"no-op", noop, 1 << 20, false},
		{"no-op byte by byte", noop, 1, false},
		{"no-op in 7-byte writes", noop, 7, false},
		{"failed", failed, 1 << 20, true},
		{"failed byte by byte", failed, 1, true},
		{"failed in 7-byte writes", failed, 7, true},
		{"failed in 15-byte writes", failed, 15, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := 0
			fa := &firstAction{start: func() { n++ }}
			for s := tc.out; s != ""; {
				k := min(tc.chunk, len(s))
				if _, err := io.WriteString(fa, s[:k]); err != nil {
					t.Fatal(err)
				}
				s = s[k:]
			}
			if fa.fired != tc.byOutput {
				t.Fatalf("fired by the output: %v, want %v", fa.fired, tc.byOutput)
			}
			if n != map[bool]int{false: 0, true: 1}[tc.byOutput] {
				t.Fatalf("start ran %d times before go's exit", n)
			}
			fa.fire() // at go's exit: never a second start
			if n != 1 {
				t.Fatalf("start ran %d times in all, want 1", n)
			}
		})
	}
}

// TestOnePackage: go list -deps starts at the first link only for a build
// of one package; ./... relinks every command on a warm cache.
func TestOnePackage(t *testing.T) {
	for _, c := range []struct {
		args []string
		want bool
	}{
		{nil, true},
		{[]string{"-o", "app", "."}, true},
		{[]string{"-tags", "x", "./cmd/app"}, true},
		{[]string{"./..."}, false},
		{[]string{"-o", "out/", "./cmd/a", "./cmd/b"}, false},
		{[]string{"main.go", "util.go"}, false},
		{[]string{"./pkg", "-run", "X"}, true}, // go test's flags after the package
	} {
		if got := onePackage(c.args); got != c.want {
			t.Errorf("onePackage(%q) = %v, want %v", c.args, got, c.want)
		}
	}
}
