package envcheck

import (
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
