package envcheck

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// bigModule writes a module with 200 dependencies into a private module
// cache from a generated file:// proxy: 20 direct dependencies, each
// requiring 9 of the other 180, one of them with cgo. It returns the
// module's directory and the world.
func bigModule(b *testing.B) (string, *modWorld) {
	var mods []proxyMod
	var imports []string
	for i := range 20 {
		var req strings.Builder
		req.WriteString("\nrequire (\n")
		for j := range 9 {
			fmt.Fprintf(&req, "\texample.com/dep%03d v1.0.%d\n", 20+9*i+j, j%3)
		}
		req.WriteString(")\n")
		m := proxyMod{Path: fmt.Sprintf("example.com/dep%03d", i), Version: "v1.1.0", GoMod: req.String()}
		if i == 0 {
			m.Files = map[string]string{"c.go": "package dep000\n\n// #cgo CFLAGS: -I${SRCDIR}/include\n// #include \"x.h\"\nimport \"C\"\n", "include/x.h": "\n"}
		}
		mods = append(mods, m)
		imports = append(imports, m.Path)
	}
	for i := 20; i < 200; i++ {
		for v := range 3 {
			mods = append(mods, proxyMod{Path: fmt.Sprintf("example.com/dep%03d", i), Version: fmt.Sprintf("v1.0.%d", v)})
		}
	}
	w := newModWorld(b, mods...)
	dir := w.module(mainUsing("", imports...))
	w.mustGo(dir, "mod", "tidy")
	w.mustGo(dir, "mod", "download", "all")
	return dir, w
}

// BenchmarkModules200 is `cgotrace env` (every check, the compile probes
// included) on a module with 200 dependencies in the module cache, and
// the module group alone. With CGOTRACE_BENCH_KEEP=DIR it also copies
// the module to DIR/app with its module cache in DIR/gopath, for timing
// the CLI by hand (chmod -R u+w DIR before removing it).
func BenchmarkModules200(b *testing.B) {
	dir, w := bigModule(b)
	if keep := os.Getenv("CGOTRACE_BENCH_KEEP"); keep != "" {
		if err := os.CopyFS(filepath.Join(keep, "app"), os.DirFS(dir)); err != nil {
			b.Fatal(err)
		}
		kw := *w
		kw.env = map[string]string{}
		for k, v := range w.env {
			kw.env[k] = v
		}
		kw.env["GOPATH"] = filepath.Join(keep, "gopath")
		kw.env["GOMODCACHE"] = filepath.Join(keep, "gopath", "pkg", "mod")
		kw.mustGo(filepath.Join(keep, "app"), "mod", "download", "all")
		b.Logf("module: %s/app; run with GOMODCACHE=%s GOFLAGS= GOPROXY=off", keep, kw.env["GOMODCACHE"])
	}
	var env []string
	for k, v := range baseEnv(b) {
		if _, ok := w.env[k]; !ok {
			env = append(env, k+"="+v)
		}
	}
	for k, v := range w.env {
		if v != "" {
			env = append(env, k+"="+v)
		}
	}
	rep, err := runModuleChecks(context.Background(), Options{Env: env, Dir: dir})
	if err != nil {
		b.Fatal(err)
	}
	if c := rep.Check("modules/graph"); c == nil || !strings.Contains(c.Observed, "201 modules") {
		b.Fatalf("graph: %+v", c)
	}
	for _, c := range modChecks(rep) {
		if c.Verdict != OK {
			b.Fatalf("%s %s: %s", c.Verdict, c.ID, c.Observed)
		}
	}
	b.Run("all-checks", func(b *testing.B) {
		for b.Loop() {
			if _, err := Run(context.Background(), Options{Env: env, Dir: dir}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("modules", func(b *testing.B) {
		for b.Loop() {
			if _, err := runModuleChecks(context.Background(), Options{Env: env, Dir: dir}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(200*float64(b.N)/b.Elapsed().Seconds(), "deps/s")
	})
}
