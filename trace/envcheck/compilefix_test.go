package envcheck

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestCompileProbeFixNamesNoGCCVersion: when the one-line program does
// not compile, the fix names libc6-dev, and for C++ no libstdc++-N-dev
// of a gcc version this machine may not have (issue 13).
func TestCompileProbeFixNamesNoGCCVersion(t *testing.T) {
	for _, v := range []string{"CC", "CXX"} {
		c := Compiler{Var: v, Value: "gcc", Path: "/usr/bin/gcc", Triple: "x86_64-linux-gnu", Probed: true,
			ProbeErr: "/usr/bin/ld: cannot find -lstdc++: No such file or directory"}
		var fix string
		for _, ch := range CheckCompiler(c, CgoState{Enabled: true}, "linux", "amd64") {
			if strings.HasSuffix(ch.ID, "-compile") {
				fix = ch.Fix
			}
		}
		if !strings.Contains(fix, "libc6-dev") || strings.Contains(fix, "libstdc++-12") {
			t.Errorf("%s: fix %q", v, fix)
		}
		if (v == "CXX") != strings.Contains(fix, "libstdc++-N-dev of the gcc N") {
			t.Errorf("%s: fix %q", v, fix)
		}
	}
}

// TestCrossLibcPackagesExist: every libc6-dev-*-cross and gcc-<triplet>
// the cross-compile fixes name is
// in the index of this machine's apt (Debian's own data), when apt-cache
// is here; an unknown GOARCH gets no name.
func TestCrossLibcPackagesExist(t *testing.T) {
	if strings.Contains(crossLibcFix("loong64"), "libc6-dev-") {
		t.Errorf("loong64: %q", crossLibcFix("loong64"))
	}
	if _, err := exec.LookPath("apt-cache"); err != nil {
		t.Skip("apt-cache not installed: not a Debian system")
	}
	var pkgs []string
	for goarch := range debianCrossLibc {
		pkgs = append(pkgs, "libc6-dev-"+debArch(goarch)+"-cross")
	}
	for triplet := range debianCrossGCC {
		pkgs = append(pkgs, "gcc-"+triplet)
	}
	// And the cross compilers the "no C compiler" fix names.
	for _, arch := range []string{"amd64", "386", "arm64", "arm", "riscv64", "ppc64le", "ppc64", "s390x", "mips64le", "mips64", "mipsle", "mips", "loong64"} {
		for _, goos := range []string{"linux", "windows"} {
			if names := CrossCompilerNames(goos, arch); len(names) > 0 {
				if p := debianCrossPackage(names[0]); p != "" && !slices.Contains(pkgs, p) {
					pkgs = append(pkgs, p)
				}
			}
		}
	}
	out, _ := exec.Command("apt-cache", append([]string{"show", "--no-all-versions"}, pkgs...)...).Output()
	for _, p := range pkgs {
		if !strings.Contains(string(out), "Package: "+p+"\n") {
			t.Errorf("%s is not in apt's index here", p)
		}
	}
}
