// Package layering_test keeps the module's imports pointing one way:
// leaves (buildlog, pkgconfig, elfinspect) and trace/diag, then trace,
// then the renderers, then cmd.
package layering_test

import (
	"fmt"
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/cgotrace/cgotrace"

// layers ranks the module's package trees. A package may import a package
// of a lower rank, or of its own tree; nothing else of the module. The
// leaves (buildlog, pkgconfig, elfinspect) and the report vocabulary
// (trace/diag) have rank 0, so they import none of each other, trace or
// cmd — in their tests either.
var layers = []struct {
	tree string // a package directory and everything below it
	rank int
}{
	{"buildlog", 0},
	{"pkgconfig", 0},
	{"elfinspect", 0},
	{"trace/diag", 0},
	{"docs", 0},
	{"internal/monorepo", 0}, // the generator of scripts/bench-monorepo.sh
	{"trace/envcheck", 1},
	{"trace", 2}, // trace itself; its subtrees above have their own rows
	{"trace/render", 3},
	{"internal/genfedora", 3}, // the generator of scripts/gen-distpkg-fedora.sh
	{"cmd", 4},
}

// layerOf is the longest tree of layers that holds the package at rel.
func layerOf(rel string) (tree string, rank int, ok bool) {
	for _, l := range layers {
		if (rel == l.tree || strings.HasPrefix(rel, l.tree+"/")) && len(l.tree) > len(tree) {
			tree, rank, ok = l.tree, l.rank, true
		}
	}
	return tree, rank, ok
}

// violations lists the imports under root (a checkout of the module)
// that break the layering, and packages the table does not place. Files
// for every GOOS count: a darwin-only import is still an import.
func violations(root string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if p != root && (strings.HasPrefix(d.Name(), ".") || strings.HasPrefix(d.Name(), "_") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		imports := map[string]bool{}
		found := false
		for _, goos := range []string{"linux", "darwin", "windows"} {
			ctx := build.Default
			ctx.GOOS = goos
			pkg, err := ctx.ImportDir(p, 0)
			if err != nil {
				if _, ok := err.(*build.NoGoError); ok {
					continue
				}
				return fmt.Errorf("%s: %w", rel, err)
			}
			found = true
			for _, list := range [][]string{pkg.Imports, pkg.TestImports, pkg.XTestImports} {
				for _, imp := range list {
					imports[imp] = true
				}
			}
		}
		if !found || rel == "." {
			return nil // no Go files, or this test
		}
		tree, rank, ok := layerOf(rel)
		if !ok {
			out = append(out, fmt.Sprintf("%s: not in the layering table of layering_test.go", rel))
			return nil
		}
		for imp := range imports {
			dep, isMod := strings.CutPrefix(imp, module+"/")
			if !isMod {
				continue
			}
			dtree, drank, ok := layerOf(dep)
			switch {
			case !ok:
				out = append(out, fmt.Sprintf("%s imports %s, which is not in the layering table", rel, dep))
			case dtree == tree:
			case drank >= rank:
				out = append(out, fmt.Sprintf("%s (rank %d) imports %s (rank %d)", rel, rank, dep, drank))
			}
		}
		return nil
	})
	slices.Sort(out)
	return out, err
}

func TestLayering(t *testing.T) {
	got, err := violations(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range got {
		t.Error(v)
	}
	got, err = heavyImports(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range got {
		t.Error(v)
	}
}

// heavyDeps are modules that only the listed package trees (and cmd,
// which wires everything) may import: elfinspect reads images through
// its sub-package elfinspect/image, so elfinspect itself, like the other
// leaves, stays with the standard library and small modules.
var heavyDeps = map[string][]string{
	"github.com/google/go-containerregistry": {"elfinspect/image", "cmd"},
}

// heavyImports lists the non-test imports of heavyDeps outside their
// trees.
func heavyImports(root string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if p != root && (strings.HasPrefix(d.Name(), ".") || strings.HasPrefix(d.Name(), "_") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		pkg, err := build.Default.ImportDir(p, 0)
		if err != nil {
			return nil
		}
		for _, imp := range pkg.Imports {
			for mod, trees := range heavyDeps {
				if imp != mod && !strings.HasPrefix(imp, mod+"/") {
					continue
				}
				ok := false
				for _, tr := range trees {
					if rel == tr || strings.HasPrefix(rel, tr+"/") {
						ok = true
					}
				}
				if !ok {
					out = append(out, fmt.Sprintf("%s imports %s: only %s may", rel, imp, strings.Join(trees, ", ")))
				}
			}
		}
		return nil
	})
	slices.Sort(out)
	return out, err
}

// The check itself catches a leaf that imports trace, a leaf that imports
// another leaf in a test, trace importing a renderer and a package the
// table does not know.
func TestLayeringCatches(t *testing.T) {
	root := t.TempDir()
	write := func(rel, src string) {
		t.Helper()
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("elfinspect/a.go", "package elfinspect\nimport _ \""+module+"/trace/diag\"\n")
	write("elfinspect/symindex/s.go", "package symindex\nimport _ \""+module+"/elfinspect\"\n")
	write("pkgconfig/p_test.go", "package pkgconfig\nimport _ \""+module+"/buildlog\"\n")
	write("buildlog/b.go", "package buildlog\n")
	write("trace/diag/d.go", "package diag\n")
	write("trace/t.go", "package trace\nimport _ \""+module+"/trace/render\"\nimport _ \""+module+"/buildlog\"\n")
	write("trace/render/r.go", "package render\nimport _ \""+module+"/trace\"\n")
	write("newpkg/n.go", "package newpkg\n")
	write("elfinspect/e.go", "package elfinspect\nimport _ \"github.com/google/go-containerregistry/pkg/name\"\n")
	got, err := violations(root)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"elfinspect (rank 0) imports trace/diag (rank 0)",
		"newpkg: not in the layering table of layering_test.go",
		"pkgconfig (rank 0) imports buildlog (rank 0)",
		"trace (rank 2) imports trace/render (rank 3)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("violations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	heavy, err := heavyImports(root)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"elfinspect imports github.com/google/go-containerregistry/pkg/name: only elfinspect/image, cmd may"}; !slices.Equal(heavy, want) {
		t.Errorf("heavy imports %q, want %q", heavy, want)
	}
}
