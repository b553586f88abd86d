package elfinspect

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

func TestLegacyHWCapsOrder(t *testing.T) {
	in := NewInspector(Options{})
	in.cpuOnce.Do(func() {}) // the CPU below, not this machine's
	in.cpuIntel = true
	in.cpuFlags = map[string]bool{"avx512f": true, "avx512cd": true, "avx512bw": true, "avx512dq": true, "avx512vl": true}
	// LD_DEBUG=libs of glibc 2.36 on this Intel AVX-512 machine.
	want := strings.Fields(`tls/haswell/avx512_1/x86_64 tls/haswell/avx512_1 tls/haswell/x86_64 tls/haswell
		tls/avx512_1/x86_64 tls/avx512_1 tls/x86_64 tls
		haswell/avx512_1/x86_64 haswell/avx512_1 haswell/x86_64 haswell avx512_1/x86_64 avx512_1 x86_64`)
	if got := in.legacyHWCaps("haswell"); !reflect.DeepEqual(got, want) {
		t.Errorf("legacyHWCaps(haswell) =\n%q\nwant\n%q", got, want)
	}
	in.cpuIntel = false // AMD: no avx512_1, and $PLATFORM is x86_64
	if got, want := in.legacyHWCaps("x86_64"), []string{"tls/x86_64", "tls", "x86_64"}; !reflect.DeepEqual(got, want) {
		t.Errorf("legacyHWCaps on AMD = %q, want %q", got, want)
	}
}

// TestLegacyHWCapsLdd puts a library in legacy hwcaps subdirectories of
// an LD_LIBRARY_PATH directory and compares the file chosen with the real
// ld.so's (ldd): glibc up to 2.36 takes tls/x86_64/ over the directory
// itself, 2.37 and later ignore it.
func TestLegacyHWCapsLdd(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("legacy hwcaps are modelled for x86-64")
	}
	if _, err := exec.LookPath("ldd"); err != nil {
		t.Skip("ldd not installed")
	}
	d := t.TempDir()
	so := cc(t, "gcc", d, "build/libleg.so", "int leg(void) { return 1; }\n", "-shared", "-fPIC", "-Wl,-soname,libleg.so")
	exe := cc(t, "gcc", d, "app", "int leg(void);\nint main(void) { return leg(); }\n", "-Lbuild", "-lleg")
	data, _ := os.ReadFile(so)
	llp := filepath.Join(d, "llp")
	for _, sub := range []string{"", "x86_64", "tls/x86_64"} {
		writeFile(t, filepath.Join(llp, sub, "libleg.so"), data)
	}
	cmd := exec.Command("ldd", exe)
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LD_LIBRARY_PATH="+llp)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ldd: %v", err)
	}
	var want string
	for _, line := range strings.Split(string(out), "\n") {
		if name, rest, ok := strings.Cut(strings.TrimSpace(line), " => "); ok && name == "libleg.so" {
			want, _, _ = strings.Cut(rest, " (")
		}
	}
	b := inspectT(t, exe, Options{LDLibraryPath: llp})
	l := lib(b, "libleg.so")
	if l == nil || !l.Found {
		t.Fatalf("libleg.so not resolved: %+v", b.Libraries)
	}
	if l.Path != want {
		t.Errorf("libleg.so: %s (%s), ld.so chose %s", l.Path, l.Via, want)
	}
	v := NewInspector(Options{}).glibcVersion("", targetKey{elf.ELFCLASS64, elf.ELFDATA2LSB, elf.EM_X86_64})
	t.Logf("glibc %s: ld.so chose %s, via %q", v, want, l.Via)
	if v != "" && compareVersions(v, "2.37") < 0 && !strings.Contains(l.Via, "legacy hwcaps tls/x86_64") {
		t.Errorf("glibc %s searches legacy hwcaps, but via is %q", v, l.Via)
	}
}
