package trace

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWithLdflagsV(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		goflags string
		want    []string
	}{
		{"none", []string{"-o", "app", "."}, "", []string{"-ldflags=-v", "-o", "app", "."}},
		{"equals", []string{"-ldflags=-s -w", "."}, "", []string{"-ldflags=-s -w -v", "."}},
		{"separate", []string{"-ldflags", "-extldflags=-static", "-o", "app", "."}, "",
			[]string{"-ldflags", "-extldflags=-static -v", "-o", "app", "."}},
		{"double dash", []string{"--ldflags=-s", "."}, "", []string{"-ldflags=-s -v", "."}},
		{"pattern", []string{"-ldflags=all=-s", "./..."}, "", []string{"-ldflags=all=-s -v", "./..."}},
		{"last wins", []string{"-ldflags=-s", "-ldflags=-w", "."}, "", []string{"-ldflags=-s", "-ldflags=-w -v", "."}},
		{"goflags", []string{"."}, "-buildvcs=false -ldflags=-s", []string{"-ldflags=-s -v", "."}},
		{"cmdline beats goflags", []string{"-ldflags=-w", "."}, "-ldflags=-s", []string{"-ldflags=-w -v", "."}},
		{"after packages is not a flag", []string{".", "-ldflags=-s"}, "", []string{"-ldflags=-v", ".", "-ldflags=-s"}},
		{"empty value", []string{"-ldflags=", "."}, "", []string{"-ldflags=-v", "."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := withLdflagsV(tt.args, tt.goflags)
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("withLdflagsV(%q, %q) (-want +got):\n%s", tt.args, tt.goflags, d)
			}
		})
	}
}

func TestOutputFlag(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-tags", "netgo", "-o", "app", "."}, "app"},
		{[]string{"-o=bin/x", "."}, "bin/x"},
		{[]string{"."}, ""},
		{[]string{"--", "-o", "x"}, ""},
	}
	for _, tt := range tests {
		if got := outputFlag(tt.args); got != tt.want {
			t.Errorf("outputFlag(%q) = %q, want %q", tt.args, got, tt.want)
		}
	}
	if d := cmp.Diff([]string{"-tags", "x", "-o", "/tmp/o", "."}, replaceOutput([]string{"-tags", "x", "-o", "app", "."}, "/tmp/o")); d != "" {
		t.Error(d)
	}
	if d := cmp.Diff([]string{"-o", "/tmp/o", "."}, replaceOutput([]string{"."}, "/tmp/o")); d != "" {
		t.Error(d)
	}
}
