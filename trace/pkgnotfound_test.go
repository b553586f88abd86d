package trace

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/cgotrace/cgotrace/pkgconfig"
)

// TestPkgConfigNotFound: the names a failed call of the real pkg-config
// says it could not find, read from its own output (pkgconf's and
// freedesktop's wording), so that ReadRecordsNotFound skips their
// provider search.
func TestPkgConfigNotFound(t *testing.T) {
	prog, err := exec.LookPath("pkg-config")
	if err != nil {
		t.Skip("no pkg-config")
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "there.pc"), []byte("Name: there\nDescription: d\nVersion: 1\nLibs: -lthere\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "needs.pc"), []byte("Name: needs\nDescription: d\nVersion: 1\nRequires: gone-dep\n"), 0o644)
	cmd := exec.Command(prog, "--cflags", "--", "there", "cgotrace-absent", "needs")
	cmd.Env = []string{"PKG_CONFIG_PATH=" + dir, "PKG_CONFIG_LIBDIR=" + dir}
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("pkg-config found absent packages: %s", out)
	}
	got := pkgConfigNotFound(&pkgconfig.ShimRecord{ExitCode: 1, Stdout: string(out), Merged: true})
	slices.Sort(got)
	got = slices.Compact(got)
	// pkgconf stops at the first missing package; freedesktop lists each.
	if len(got) == 0 || !slices.Contains(got, "cgotrace-absent") || slices.Contains(got, "there") || slices.Contains(got, "needs") {
		t.Errorf("not found: %q, from:\n%s", got, out)
	}
}
