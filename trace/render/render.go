// Package render turns a report-v1 Report into text for people and for CI:
// one report, many renderers, each a Func. A renderer never decides an exit
// code and never reads the environment: everything it needs is in Options.
package render

import (
	"fmt"
	"io"
	"sort"

	"github.com/cgotrace/cgotrace/trace"
	"github.com/cgotrace/cgotrace/trace/diag"
)

// Options are the settings shared by the renderers.
type Options struct {
	// Color enables ANSI colour (text only). The CLI decides it once.
	Color bool
	// Width is the column to fold long lines at (text); 0 means 100.
	Width int
	// MaxBytes caps the output size where a renderer supports it
	// (markdown: GitHub step summaries are capped at 1 MiB); 0 = default.
	MaxBytes int
	// RepoRoot makes source paths relative (github annotations).
	RepoRoot string
}

// Func renders r to w.
type Func func(w io.Writer, r *trace.Report, o Options) error

var funcs = map[string]Func{}

// register is called from each renderer's file, once, at init.
func register(name string, f Func) {
	if _, dup := funcs[name]; dup {
		panic("render: duplicate format " + name)
	}
	funcs[name] = f
}

// Lookup returns the renderer for a --format name.
func Lookup(name string) (Func, error) {
	f, ok := funcs[name]
	if !ok {
		return nil, fmt.Errorf("unknown format %q (known: %v)", name, Formats())
	}
	return f, nil
}

// Formats lists the known format names, sorted.
func Formats() []string {
	names := make([]string, 0, len(funcs))
	for n := range funcs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ExplainPointer is the line every rendered diagnosis ends with: the
// command that prints its code's section of docs/diagnoses.md.
func ExplainPointer(d *diag.Diagnosis) string {
	return "more: cgotrace explain " + string(d.Code)
}
