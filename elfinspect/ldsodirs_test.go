package elfinspect

import (
	"bufio"
	"bytes"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// ldsoHelpDirs runs ld.so --help (glibc ≥ 2.33) and returns the
// directories it lists as "(system search path)".
func ldsoHelpDirs(t *testing.T, ldso string) []string {
	t.Helper()
	out, err := exec.Command(ldso, "--help").Output()
	if err != nil {
		t.Skipf("%s --help: %v", ldso, err)
	}
	var dirs []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if d, ok := strings.CutSuffix(strings.TrimSpace(sc.Text()), " (system search path)"); ok {
			dirs = append(dirs, d)
		}
	}
	if len(dirs) == 0 {
		t.Skipf("%s --help lists no system search path (glibc before 2.33?)", ldso)
	}
	return dirs
}

// TestLdsoSystemDirsHost: the directories read from this machine's ld.so
// are the ones it prints itself.
func TestLdsoSystemDirsHost(t *testing.T) {
	const ldso = "/lib64/ld-linux-x86-64.so.2"
	b, err := os.ReadFile(ldso)
	if err != nil {
		t.Skipf("no %s: %v", ldso, err)
	}
	want := ldsoHelpDirs(t, ldso)
	if got := ldsoSystemDirs(b); !slices.Equal(got, want) {
		t.Errorf("ldsoSystemDirs(%s) = %q\n`%s --help` says %q", ldso, got, ldso, want)
	}
}

func TestLdsoSystemDirsNone(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("/"), []byte("\x00/lib/\x00"), []byte("/etc/\x00/usr/\x00"), []byte("/lib/\x00/usr/lib"), []byte("\x00/li b/\x00/lib/\x00")} {
		if got := ldsoSystemDirs(b); got != nil {
			t.Errorf("ldsoSystemDirs(%q) = %q, want none", b, got)
		}
	}
}

// crossRoot is the aarch64 cross toolchain's directory, with its ld.so and
// libc (Debian libc6-arm64-cross, which gcc-aarch64-linux-gnu pulls in).
func crossRoot(t *testing.T) string {
	t.Helper()
	cc, err := exec.LookPath("aarch64-linux-gnu-gcc")
	if err != nil {
		t.Skip("aarch64-linux-gnu-gcc not on PATH (Debian gcc-aarch64-linux-gnu, installed by scripts/setup.sh)")
	}
	out, err := exec.Command(cc, "-print-file-name=libc.so.6").Output()
	if err != nil {
		t.Skipf("%s -print-file-name=libc.so.6: %v", cc, err)
	}
	libc := filepath.Clean(strings.TrimSpace(string(out)))
	if !filepath.IsAbs(libc) {
		t.Skipf("%s does not know where its libc.so.6 is (%q)", cc, libc)
	}
	return filepath.Dir(filepath.Dir(libc))
}

// TestInspectCrossRoot: an aarch64 program built here, inspected with the
// cross toolchain's directory as the root, finds its ld.so and libc.so.6
// in lib/ there (the root has no lib64 and no ld.so.cache: the target's
// own ld.so names /lib among its system directories).
func TestInspectCrossRoot(t *testing.T) {
	root := crossRoot(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "main.c")
	os.WriteFile(src, []byte("#include <stdio.h>\nint main(void) { puts(\"hi\"); return 0; }\n"), 0o644)
	exe := filepath.Join(dir, "hello")
	if out, err := exec.Command("aarch64-linux-gnu-gcc", "-o", exe, src).CombinedOutput(); err != nil {
		t.Fatalf("aarch64-linux-gnu-gcc: %v\n%s", err, out)
	}
	in := NewInspector(Options{Root: root})
	b, err := in.Inspect(exe)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Missing) != 0 {
		t.Fatalf("missing %q in %s; libraries %+v", b.Missing, root, b.Libraries)
	}
	got := map[string]Library{}
	for _, l := range b.Libraries {
		got[l.Name] = l
	}
	if l := got["libc.so.6"]; !l.Found || l.Path != "/lib/libc.so.6" || l.Via != "default path" {
		t.Errorf("libc.so.6: %+v, want /lib/libc.so.6 by default path", l)
	}
	// Without the root, this x86-64 machine's libraries are not the
	// target's: ld.so skips them, as it skips any other ABI's file.
	host, err := NewInspector(Options{}).Inspect(exe)
	if err != nil {
		t.Fatal(err)
	}
	if hostMachine() != elf.EM_AARCH64 && !slices.Contains(host.Missing, "libc.so.6") {
		t.Errorf("on the host root libc.so.6 resolved to an x86-64 file: %+v", host.Libraries)
	}
}

// TestInspectRootConfNotSearched: a copy of the cross toolchain's ld.so
// and libc.so.6 in lib/ of a root resolves through the system directories
// that ld.so names. A library only in a directory of the root's
// ld.so.conf stays missing, with or without an ld.so.cache (written here
// by the real ldconfig -r, without that directory): ld.so reads only the
// cache, never ld.so.conf, and the hint says to run ldconfig.
func TestInspectRootConfNotSearched(t *testing.T) {
	cross := crossRoot(t)
	root := t.TempDir()
	for _, d := range []string{"lib", "etc/ld.so.conf.d", "opt/vendor/lib"} {
		os.MkdirAll(filepath.Join(root, d), 0o755)
	}
	for _, f := range []string{"ld-linux-aarch64.so.1", "libc.so.6"} {
		b, err := os.ReadFile(filepath.Join(cross, "lib", f))
		if err != nil {
			t.Skipf("cross toolchain without %s: %v", f, err)
		}
		os.WriteFile(filepath.Join(root, "lib", f), b, 0o755)
	}
	src, main := filepath.Join(t.TempDir(), "v.c"), filepath.Join(t.TempDir(), "main.c")
	os.WriteFile(src, []byte("int vendor(void) { return 1; }\n"), 0o644)
	os.WriteFile(main, []byte("int vendor(void);\nint main(void) { return vendor(); }\n"), 0o644)
	lib := filepath.Join(root, "opt/vendor/lib/libvendor.so")
	if out, err := exec.Command("aarch64-linux-gnu-gcc", "-shared", "-fPIC", "-o", lib, src).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	exe := filepath.Join(root, "app")
	if out, err := exec.Command("aarch64-linux-gnu-gcc", "-o", exe, main, "-L"+filepath.Dir(lib), "-lvendor").CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	os.WriteFile(filepath.Join(root, "etc/ld.so.conf"), []byte("include /etc/ld.so.conf.d/*.conf\n"), 0o644)
	os.WriteFile(filepath.Join(root, "etc/ld.so.conf.d/vendor.conf"), []byte("# vendor\n/opt/vendor/lib\n"), 0o644)

	check := func(what string) {
		t.Helper()
		b, err := NewInspector(Options{Root: root}).Inspect(exe)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(b.Missing, []string{"libvendor.so"}) {
			t.Fatalf("%s: missing %q, want only libvendor.so; libraries %+v", what, b.Missing, b.Libraries)
		}
		for _, l := range b.Libraries {
			switch {
			case l.Name == "libc.so.6" && (l.Path != "/lib/libc.so.6" || l.Via != "default path"):
				t.Errorf("%s: libc.so.6 %+v, want /lib/libc.so.6 by default path", what, l)
			case l.Name == "libvendor.so" && !slices.ContainsFunc(l.Tried, func(s string) bool {
				return strings.Contains(s, "/opt/vendor/lib/libvendor.so exists and /etc/ld.so.conf.d/vendor.conf lists /opt/vendor/lib") && strings.Contains(s, "run ldconfig")
			}):
				t.Errorf("%s: tried %q, want the hint to run ldconfig", what, l.Tried)
			}
		}
	}
	check("no ld.so.cache")
	ldconfig, err := exec.LookPath("ldconfig")
	if err != nil {
		t.Skip("no ldconfig to write a cache")
	}
	os.WriteFile(filepath.Join(root, "etc/empty.conf"), nil, 0o644)
	if out, err := exec.Command(ldconfig, "-r", root, "-f", "/etc/empty.conf", "-C", "/etc/ld.so.cache", "-X").CombinedOutput(); err != nil {
		t.Skipf("ldconfig -r: %v\n%s", err, out)
	}
	check("an ld.so.cache without /opt/vendor/lib")
}

// FuzzLdsoSystemDirs: any bytes, no panic; what is returned is absolute,
// clean and has a "lib" component.
func FuzzLdsoSystemDirs(f *testing.F) {
	f.Add([]byte("\x00/lib/x86_64-linux-gnu/\x00/usr/lib/x86_64-linux-gnu/\x00/lib/\x00/usr/lib/\x00\x00"))
	f.Add([]byte("/lib64/\x00/usr/lib64/\x00"))
	f.Add([]byte("/\x00/"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, d := range ldsoSystemDirs(b) {
			if !filepath.IsAbs(d) || filepath.Clean(d) != d || !strings.Contains(d, "lib") {
				t.Fatalf("dir %q", d)
			}
		}
	})
}
