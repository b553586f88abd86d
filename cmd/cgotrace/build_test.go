package main

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseBuildArgs(t *testing.T) {
	tests := []struct {
		args   []string
		goArgs []string
		format string
		output string
		keep   bool
	}{
		{[]string{"-tags", "netgo", "-o", "app", "."}, []string{"-tags", "netgo", "-o", "app", "."}, "text", "", false},
		{[]string{"--format", "json", "--output", "r.json", "-o", "app", "."}, []string{"-o", "app", "."}, "json", "r.json", false},
		{[]string{"--format=json", "-ldflags=-s -w", "--keep-work", "./..."}, []string{"-ldflags=-s -w", "./..."}, "json", "", true},
		{[]string{"--tags=x", "."}, []string{"--tags=x", "."}, "text", "", false},
		{[]string{"--format", "json", "--", "--format", "x"}, []string{"--format", "x"}, "json", "", false},
	}
	for _, tt := range tests {
		o, err := parseBuildArgs(tt.args)
		if err != nil {
			t.Fatalf("%q: %v", tt.args, err)
		}
		if d := cmp.Diff(tt.goArgs, o.goArgs); d != "" {
			t.Errorf("%q: go args (-want +got):\n%s", tt.args, d)
		}
		if o.format != tt.format || o.output != tt.output || o.keepWork != tt.keep {
			t.Errorf("%q: got format %q output %q keep %v", tt.args, o.format, o.output, o.keepWork)
		}
	}
	if o, err := parseBuildArgs([]string{"--root", "/srv/arm64", "-o", "app", "."}); err != nil || o.root != "/srv/arm64" || !slices.Equal(o.goArgs, []string{"-o", "app", "."}) {
		t.Errorf("--root: %v, root %q, go args %q", err, o.root, o.goArgs)
	}
	if o, err := parseBuildArgs([]string{"--root=/srv/arm64", "."}); err != nil || o.root != "/srv/arm64" {
		t.Errorf("--root=: %v, root %q", err, o.root)
	}
	// --go-cmd test runs the tests without -c, as cgotrace test does.
	for _, good := range [][]string{{"--go-cmd", "test", "-c", "-o", "x.test", "./pkg"}, {"--go-cmd=test", "./pkg", "-c"}, {"--go-cmd", "test"}, {"--go-cmd", "test", "./pkg"}} {
		o, err := parseBuildArgs(good)
		if err != nil || o.goCmd != "test" {
			t.Errorf("%q: %v, go-cmd %q", good, err, o.goCmd)
		}
	}
	for _, bad := range [][]string{{"--format"}, {"--keep-work=yes"}, {"--go-cmd", "vet", "-c"}} {
		if _, err := parseBuildArgs(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	// test and install: build's flags, but not --go-cmd.
	for _, cmd := range []string{"test", "install"} {
		o, err := parseGoCmdArgs(cmd, []string{"--format", "json", "-v", "-run", "X", "./...", "-count=1"})
		if err != nil || o.goCmd != cmd || o.format != "json" || !slices.Equal(o.goArgs, []string{"-v", "-run", "X", "./...", "-count=1"}) {
			t.Errorf("%s: %v, %+v", cmd, err, o)
		}
		if _, err := parseGoCmdArgs(cmd, []string{"--go-cmd", "build", "."}); err == nil {
			t.Errorf("%s --go-cmd: no error", cmd)
		}
	}
}
