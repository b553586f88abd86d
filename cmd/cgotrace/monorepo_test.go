package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/cgotrace/cgotrace/internal/monorepo"
)

// TestMonorepoBroken runs `cgotrace build ./...` on small broken variants
// of the synthetic monorepo of scripts/bench-monorepo.sh (30 packages, 3
// of them cgo, a static library) and checks that the root cause is the
// code of what the generator broke, in the package it broke. A missing
// static library fails the link of a command, not the cgo package's own
// build (go build ignores a failed link of _cgo_.o and links externally):
// there the root cause is in the command, and its -l flag must be traced
// to the broken package's .pc file.
func TestMonorepoBroken(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: runs go build on generated modules")
	}
	for _, tool := range []string{"go", "gcc", "ar", "pkg-config"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	bin := buildBinary(t)
	for _, kind := range []string{monorepo.BreakPC, monorepo.BreakHeader, monorepo.BreakLib} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			m, err := monorepo.Generate(t.TempDir(), monorepo.Options{Packages: 30, Cgo: 3, Libs: 1, Commands: 2, Break: kind})
			if err != nil {
				t.Fatal(err)
			}
			if m.BrokenPackage == "" || m.BrokenCode == "" {
				t.Fatalf("generator broke nothing: %+v", m)
			}
			if _, err := os.Stat(m.BrokenFile); !os.IsNotExist(err) {
				t.Fatalf("%s still exists (%v)", m.BrokenFile, err)
			}
			cmd := exec.Command(bin, "build", "--format", "json", "./...")
			cmd.Dir = m.Dir
			cmd.Env = append(os.Environ(), "PKG_CONFIG_PATH="+m.PkgConfigPath)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err = cmd.Run()
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
				t.Fatalf("exit: %v (want go build's 1)\n%s", err, stderr.String())
			}
			var rep struct {
				Diagnoses []struct {
					Code, Severity, Package string
				}
				Packages []struct {
					ImportPath string `json:"import_path"`
					Failed     bool
					Flags      []struct{ Flag, Origin, Detail string }
				}
			}
			if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
				t.Fatalf("report: %v\n%s", err, stdout.String())
			}
			if len(rep.Diagnoses) == 0 {
				t.Fatalf("no diagnosis\n%s", stderr.String())
			}
			root := rep.Diagnoses[0]
			if root.Code != m.BrokenCode || root.Severity != "error" {
				t.Errorf("root cause %s (%s) in %s, want %s", root.Code, root.Severity, root.Package, m.BrokenCode)
			}
			if kind != monorepo.BreakLib {
				if root.Package != m.BrokenPackage {
					t.Errorf("root cause in %s, want the broken package %s", root.Package, m.BrokenPackage)
				}
				return
			}
			if filepath.Dir(root.Package) != monorepo.ModulePath+"/cmd" {
				t.Errorf("root cause in %s, want the link of a command", root.Package)
			}
			traced := false
			for _, p := range rep.Packages {
				if p.ImportPath != root.Package {
					continue
				}
				for _, f := range p.Flags {
					if f.Flag == "-lmono1" && f.Origin == "pkg-config" && f.Detail == m.BrokenPC {
						traced = true
					}
				}
			}
			if !traced {
				t.Errorf("the link of %s does not trace -lmono1 to pkg-config %s", root.Package, m.BrokenPC)
			}
		})
	}
}
