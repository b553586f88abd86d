package trace

import (
	"context"
	"path/filepath"
)

// symbols returns the symbol lookup for undefined-symbol's defined_in.
func (a *analysis) symbols(ctx context.Context) func(string) []SymbolDef { return nil }

// inspectOutputs inspects the binary a successful build produced.
func (a *analysis) inspectOutputs(ctx context.Context) {
	out := outputFlag(a.o.Args)
	if out == "" {
		return
	}
	if !filepath.IsAbs(out) {
		out = filepath.Join(a.o.Dir, out)
	}
	_ = out
}
