package buildlog

import "testing"

// TestGoCommandError: go's own errors, as go1.26.8 printed them here
// (`go build .` in example.com/okmod with ./okmod a directory, then a
// text file; `go build -bogus .`), against a tool's lines that look
// alike.
func TestGoCommandError(t *testing.T) {
	for _, tc := range []struct {
		line string
		want bool
	}{
		{`go: build output "okmod" already exists and is a directory`, true},
		{`example.com/okmod: go build example.com/okmod: build output "okmod" already exists and is not an object file`, true},
		{`example.com/okmod: go install example.com/okmod: mkdir /bin/x: permission denied` + "\r", true},
		{`go: `, false},
		{`flag provided but not defined: -bogus`, false},
		{`./main.go:4:10: fatal error: frobnicate.h: No such file or directory`, false},
		{`example.com/a: go build example.com/b: something`, false},
		{`/usr/bin/ld: cannot find -lgizmo: No such file or directory`, false},
		{`cgo: C compiler "nope" not found: exec: "nope": executable file not found in $PATH`, false},
	} {
		if got := GoCommandError(tc.line); got != tc.want {
			t.Errorf("GoCommandError(%q) = %v, want %v", tc.line, got, tc.want)
		}
	}
}
