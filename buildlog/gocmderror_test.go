package buildlog

import (
	"strings"
	"testing"
)

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

// TestIsStartFailure: the loader's line about a program go run or go
// test built (real go1.26.8 lines, ../testdata/logs/handmade and gocmd)
// is a start-up failure, as a line and inside go test -json's package
// output event; the C compiler that cannot start, a test's own output
// (an event of a test) and a build event are not.
func TestIsStartFailure(t *testing.T) {
	test := "/tmp/go-build3324723671/b001/startfail.test: error while loading shared libraries: libgreet.so.1: cannot open shared object file: No such file or directory"
	run := "/tmp/go-build2504811141/b001/exe/runtime-library-missing-basic: error while loading shared libraries: libgreet.so.1: cannot open shared object file: No such file or directory"
	cc := "/tmp/cap3/tool/gcc: error while loading shared libraries: libgreet.so.1: cannot open shared object file: No such file or directory"
	for line, want := range map[string]bool{test: true, run: true, cc: false, "FAIL\texample.com/startfail\t0.003s": false} {
		if got := IsStartFailure(line); got != want {
			t.Errorf("IsStartFailure(%q) = %v", line, got)
		}
	}
	event := `{"Time":"2026-12-05T12:03:49.904665502Z","Action":"output","Package":"example.com/startfail","Output":"/tmp/go-build1548777326/b001/startfail.test: error while loading shared libraries: libgreet.so.1: cannot open shared object file: No such file or directory\n"}`
	inTest := strings.Replace(event, `"Package":`, `"Test":"TestX","Package":`, 1)
	build := `{"ImportPath":"example.com/startfail","Action":"build-output","Output":"` + test + `\n"}`
	ccEvent := strings.Replace(event, "/tmp/go-build1548777326/b001/startfail.test", "/tmp/cap3/tool/gcc", 1)
	for line, want := range map[string]bool{event: true, inTest: false, build: false, ccEvent: false, "{": false} {
		if got := IsStartFailureEvent([]byte(line)); got != want {
			t.Errorf("IsStartFailureEvent(%s) = %v", line, got)
		}
	}
}
