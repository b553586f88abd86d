package trace

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"github.com/cgotrace/cgotrace/trace/diag"
	"github.com/cgotrace/cgotrace/trace/envcheck"
)

// vendorGapFinder returns the Facts.VendorGap of a failed build: for a
// header not found while compiling a package from vendor/, the directory
// of that package's module that go mod vendor left out (envcheck's
// modules/vendor-cgo check), asked of the go command once, and only when
// such a failure is seen.
func vendorGapFinder(ctx context.Context, o *BuildOptions) func(importPath, file, header string) *envcheck.VendorGap {
	var once sync.Once
	var gaps []envcheck.VendorGap
	return func(importPath, file, header string) *envcheck.VendorGap {
		f := filepath.ToSlash(file)
		if !strings.HasPrefix(f, "vendor/") && !strings.Contains(f, "/vendor/") {
			return nil
		}
		once.Do(func() {
			var err error
			gaps, err = envcheck.VendorGaps(ctx, envcheck.Options{Env: o.Env, Dir: o.Dir, Go: o.Go, Log: o.Log})
			if err != nil {
				o.Log.WithError(err).Debug("vendor gaps")
			}
		})
		for i := range gaps {
			if gaps[i].Package == importPath && gaps[i].Explains(header) {
				return &gaps[i]
			}
		}
		return nil
	}
}

// vendorHeader makes a header-not-found diagnosis say that go mod vendor
// left the header's directory out.
func vendorHeader(d *diag.Diagnosis, g *envcheck.VendorGap, header string) {
	dir := g.Dir
	if i := strings.LastIndex(filepath.ToSlash(dir), "/vendor/"); i >= 0 {
		dir = dir[i+1:]
	}
	d.Summary = fmt.Sprintf("the C compiler cannot find the header %s: go mod vendor left %s out of vendor/ (it holds no .go files)", header, dir)
	d.Detail = fmt.Sprintf("%s reaches %s with %s; go mod vendor copies only the directories of Go packages (%s), so the build from vendor/ misses it while a build from the module cache works",
		g.Package, dir, strings.Join(g.By, "; "), envcheck.IssueVendorC)
	if g.Source != "" {
		d.Detail += "; it exists in " + g.Source
	}
	d.Fix = envcheck.VendorCFix
	d.Subject["missing_dir"] = g.Dir
}
