package monorepo

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestGraph checks the shape the benchmark relies on: every level above
// the leaves imports the level below it (so the graph has depth), the cgo
// packages are spread over all levels, and some of them link a static
// library.
func TestGraph(t *testing.T) {
	for _, n := range []int{30, 2000} {
		o := Options{Packages: n}
		if n == 30 {
			o.Cgo = 3
		}
		if err := o.defaults(); err != nil {
			t.Fatal(err)
		}
		pkgs, nlev := graph(o)
		cgoLevels, cgo, libs := map[int]bool{}, 0, 0
		for _, p := range pkgs {
			if p.level > 0 {
				below := false
				for _, d := range p.deps {
					if pkgs[d].level >= p.level {
						t.Fatalf("n=%d: %s (level %d) imports %s (level %d)", n, p.name(), p.level, pkgs[d].name(), pkgs[d].level)
					}
					below = below || pkgs[d].level == p.level-1
				}
				if !below {
					t.Errorf("n=%d: %s (level %d) imports nothing of level %d", n, p.name(), p.level, p.level-1)
				}
			} else if len(p.deps) > 0 {
				t.Errorf("n=%d: leaf %s has imports", n, p.name())
			}
			if p.cgo >= 0 {
				cgo++
				cgoLevels[p.level] = true
				if p.lib >= 0 {
					libs++
				}
			}
		}
		if cgo != o.Cgo || libs == 0 || len(cgoLevels) != min(nlev, o.Cgo) {
			t.Errorf("n=%d: %d cgo packages (want %d) on %d of %d levels, %d with a static library", n, cgo, o.Cgo, len(cgoLevels), nlev, libs)
		}
	}
}

// TestHealthyBuilds builds the healthy variant with go build: it must
// succeed, or the broken variant's failure would prove nothing.
func TestHealthyBuilds(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go build")
	}
	for _, tool := range []string{"go", "gcc", "ar", "pkg-config"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	m, err := Generate(t.TempDir(), Options{Packages: 30, Cgo: 3, Libs: 1, Commands: 2})
	if err != nil {
		t.Fatal(err)
	}
	if m.BrokenPackage != "" || m.Packages != 32 || len(m.CgoPackages) != 3 {
		t.Errorf("module %+v: want 32 packages, 3 cgo, nothing broken", m)
	}
	cmd := exec.Command("go", "build", "./...")
	cmd.Dir = m.Dir
	cmd.Env = append(os.Environ(), "PKG_CONFIG_PATH="+m.PkgConfigPath)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./...: %v\n%s", err, out)
	}
	if _, err := Generate(filepath.Dir(m.Dir), Options{Packages: 30, Cgo: 3}); err == nil {
		t.Errorf("Generate wrote into a directory that is not empty")
	}
}
