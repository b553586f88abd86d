package elfinspect

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSecureExecution: a set-user-ID executable runs in ld.so's secure
// mode (for a user other than its owner): LD_LIBRARY_PATH is ignored; the
// executable's own $ORIGIN expands only to a trusted (system) directory,
// and only as the whole first component of an element; a library's
// $ORIGIN still works.
func TestSecureExecution(t *testing.T) {
	d := t.TempDir()
	cc(t, "gcc", d, "lib/libleaf.so", leafC, "-shared", "-fPIC", "-Wl,-soname,libleaf.so")
	// libmid finds libleaf through its own $ORIGIN.
	cc(t, "gcc", d, "lib/libmid.so", midC, "-shared", "-fPIC", "-Wl,-soname,libmid.so", "-Llib", "-lleaf", "-Wl,--enable-new-dtags,-rpath,$ORIGIN")
	plain := cc(t, "gcc", d, "bin/app", mainC, "-Llib", "-lmid", "-Wl,--enable-new-dtags,-rpath,$ORIGIN/../lib")
	abs := cc(t, "gcc", d, "bin/app_abs", mainC, "-Llib", "-lmid", "-Wl,--enable-new-dtags,-rpath,"+filepath.Join(d, "lib"))
	data, _ := os.ReadFile(plain)
	suid := writeFile(t, filepath.Join(d, "bin/app_suid"), data)
	absData, _ := os.ReadFile(abs)
	suidAbs := writeFile(t, filepath.Join(d, "bin/app_abs_suid"), absData)
	for _, p := range []string{suid, suidAbs} {
		if err := os.Chmod(p, 0o755|os.ModeSetuid); err != nil {
			t.Skipf("chmod u+s: %v", err)
		}
		if fi, _ := os.Stat(p); fi.Mode()&os.ModeSetuid == 0 {
			t.Skip("the file system drops the set-user-ID bit")
		}
	}
	opts := Options{LDLibraryPath: filepath.Join(d, "lib")}

	if b := inspectT(t, plain, opts); len(b.Missing) != 0 {
		t.Errorf("the plain executable: missing %q", b.Missing)
	}
	b := inspectT(t, suid, opts)
	if !contains(b.Missing, "libmid.so") {
		t.Errorf("set-user-ID with RUNPATH $ORIGIN/../lib outside the system directories: missing %q, want libmid.so (and LD_LIBRARY_PATH ignored)", b.Missing)
	}
	for _, l := range b.Libraries {
		for _, tr := range l.Tried {
			if strings.HasPrefix(tr, filepath.Join(d, "lib")) {
				t.Errorf("%s was searched in %s: LD_LIBRARY_PATH and the untrusted $ORIGIN must be ignored", l.Name, tr)
			}
		}
	}
	// An absolute RUNPATH is kept; libmid's own $ORIGIN still finds libleaf.
	b = inspectT(t, suidAbs, opts)
	if len(b.Missing) != 0 {
		t.Errorf("set-user-ID with an absolute RUNPATH: missing %q", b.Missing)
	}
	if l := lib(b, "libleaf.so"); l == nil || l.Via != "runpath" {
		t.Errorf("libleaf.so through libmid's $ORIGIN: %+v", l)
	}
}
