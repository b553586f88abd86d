package elfinspect

import (
	"bufio"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
)

const (
	leafC = "int leaf(void) { return 1; }\n"
	midC  = "int leaf(void);\nint mid(void) { return leaf(); }\n"
	mainC = "int mid(void);\nint main(void) { return mid(); }\n"
	bothC = "int mid(void);\nint leaf(void);\nint main(void) { return mid() + leaf(); }\n"
	goneC = "int gone(void);\nint main(void) { return gone(); }\n"
	noneC = "int main(void) { return 0; }\n"
)

// elfFixtures builds, in a fresh directory:
//
//	lib/libleaf.so             soname libleaf.so
//	lib/libmid.so              needs libleaf.so, no search path of its own
//	bin/app_runpath            RUNPATH $ORIGIN/../lib, needs libmid.so
//	bin/app_rpath              RPATH   $ORIGIN/../lib, needs libmid.so
//	bin/app_both               RUNPATH, needs libmid.so and libleaf.so
//	bin/app_missing            RUNPATH, needs libgone.so (deleted)
type fixtures struct{ dir, leaf, mid, runpath, rpath, both, missing string }

var (
	elfFixOnce sync.Once
	elfFix     fixtures
)

// elfFixtures builds the fixtures once per test process (gcc is the slow
// part of this package's tests); tests may add files, never change them.
func elfFixtures(t *testing.T) fixtures {
	t.Helper()
	elfFixOnce.Do(func() {
		elfFix = buildELFFixtures(t, filepath.Join(fixtureDir, "elf"))
	})
	if elfFix.runpath == "" {
		t.Skip("fixtures could not be built")
	}
	return elfFix
}

func buildELFFixtures(t *testing.T, d string) fixtures {
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	fx := fixtures{dir: d}
	fx.leaf = cc(t, "gcc", d, "lib/libleaf.so", leafC, "-shared", "-fPIC", "-Wl,-soname,libleaf.so")
	fx.mid = cc(t, "gcc", d, "lib/libmid.so", midC, "-shared", "-fPIC", "-Wl,-soname,libmid.so", "-Llib", "-lleaf")
	fx.runpath = cc(t, "gcc", d, "bin/app_runpath", mainC, "-Llib", "-lmid", "-Wl,--enable-new-dtags,-rpath,$ORIGIN/../lib")
	fx.rpath = cc(t, "gcc", d, "bin/app_rpath", mainC, "-Llib", "-lmid", "-Wl,--disable-new-dtags,-rpath,$ORIGIN/../lib")
	fx.both = cc(t, "gcc", d, "bin/app_both", bothC, "-Llib", "-lmid", "-lleaf", "-Wl,--enable-new-dtags,-rpath,$ORIGIN/../lib")
	cc(t, "gcc", d, "gone/libgone.so", "int gone(void) { return 0; }\n", "-shared", "-fPIC", "-Wl,-soname,libgone.so")
	fx.missing = cc(t, "gcc", d, "bin/app_missing", goneC, "-Lgone", "-lgone", "-Wl,--enable-new-dtags,-rpath,$ORIGIN/../lib")
	os.RemoveAll(filepath.Join(d, "gone"))
	return fx
}

func inspectT(t *testing.T, p string, opts Options) *Binary {
	t.Helper()
	b, err := Inspect(p, opts)
	if err != nil {
		t.Fatalf("Inspect(%s): %v", p, err)
	}
	return b
}

func lib(b *Binary, name string) *Library {
	for i := range b.Libraries {
		if b.Libraries[i].Name == name {
			return &b.Libraries[i]
		}
	}
	return nil
}

func TestLoaderRules(t *testing.T) {
	fx := elfFixtures(t)
	libDir := filepath.Join(fx.dir, "lib")

	t.Run("runpath is not inherited", func(t *testing.T) {
		b := inspectT(t, fx.runpath, Options{})
		if got := b.Runpath; !reflect.DeepEqual(got, []string{"$ORIGIN/../lib"}) {
			t.Errorf("runpath = %q", got)
		}
		if len(b.Rpath) != 0 {
			t.Errorf("rpath = %q, want none (--enable-new-dtags)", b.Rpath)
		}
		mid := lib(b, "libmid.so")
		if mid == nil || !mid.Found || mid.Via != "runpath" || mid.Path != filepath.Join(libDir, "libmid.so") {
			t.Errorf("libmid.so = %+v, want found via runpath in %s", mid, libDir)
		}
		if !reflect.DeepEqual(b.Missing, []string{"libleaf.so"}) {
			t.Errorf("missing = %q, want [libleaf.so]: libmid has no search path and RUNPATH is not inherited", b.Missing)
		}
		leaf := lib(b, "libleaf.so")
		if leaf == nil || leaf.NeededBy != filepath.Join(libDir, "libmid.so") || len(leaf.Tried) == 0 {
			t.Fatalf("libleaf.so = %+v, want needed_by libmid with tried paths", leaf)
		}
		hint := filepath.Join(libDir, "libleaf.so") + " exists in the DT_RUNPATH of " + fx.runpath
		if !strings.HasPrefix(leaf.Tried[len(leaf.Tried)-1], hint) {
			t.Errorf("no RUNPATH-not-inherited hint; tried %q", leaf.Tried)
		}
	})

	t.Run("rpath is inherited", func(t *testing.T) {
		b := inspectT(t, fx.rpath, Options{})
		if !reflect.DeepEqual(b.Rpath, []string{"$ORIGIN/../lib"}) || len(b.Runpath) != 0 {
			t.Errorf("rpath = %q runpath = %q", b.Rpath, b.Runpath)
		}
		leaf := lib(b, "libleaf.so")
		if leaf == nil || !leaf.Found || leaf.Via != "rpath of "+fx.rpath {
			t.Errorf("libleaf.so = %+v, want found via the executable's RPATH", leaf)
		}
		if len(b.Missing) != 0 {
			t.Errorf("missing = %q", b.Missing)
		}
	})

	t.Run("already loaded soname is reused", func(t *testing.T) {
		b := inspectT(t, fx.both, Options{})
		if len(b.Missing) != 0 {
			t.Fatalf("missing = %q, want none: the executable loads libleaf.so first", b.Missing)
		}
		var warned bool
		for _, d := range b.Diagnoses {
			if d.Kind == RuntimeLibraryMissing && d.Severity == Warning && d.Subject["library"] == "libleaf.so" {
				warned = true
			}
		}
		if !warned {
			t.Errorf("no warning that libmid.so finds libleaf.so only through load order: %+v", b.Diagnoses)
		}
	})

	t.Run("missing dependency", func(t *testing.T) {
		b := inspectT(t, fx.missing, Options{})
		if !reflect.DeepEqual(b.Missing, []string{"libgone.so"}) {
			t.Fatalf("missing = %q", b.Missing)
		}
		l := lib(b, "libgone.so")
		want := filepath.Join(libDir, "libgone.so")
		if l.Found || len(l.Tried) == 0 || l.Tried[0] != want {
			t.Errorf("libgone.so = %+v, want tried[0] = %s", l, want)
		}
		var d *Finding
		for i := range b.Diagnoses {
			if b.Diagnoses[i].Kind == RuntimeLibraryMissing {
				d = &b.Diagnoses[i]
			}
		}
		if d == nil || d.Severity != Error || d.Subject["library"] != "libgone.so" {
			t.Errorf("diagnoses = %+v", b.Diagnoses)
		}
	})

	t.Run("LD_LIBRARY_PATH before RUNPATH, reaches children", func(t *testing.T) {
		b := inspectT(t, fx.runpath, Options{LDLibraryPath: libDir})
		if len(b.Missing) != 0 {
			t.Fatalf("missing = %q", b.Missing)
		}
		if l := lib(b, "libmid.so"); l.Via != "LD_LIBRARY_PATH" {
			t.Errorf("libmid.so via %q, want LD_LIBRARY_PATH (searched before RUNPATH)", l.Via)
		}
	})

	t.Run("origin of a symlinked executable is its real directory", func(t *testing.T) {
		link := filepath.Join(fx.dir, "elsewhere", "app")
		os.MkdirAll(filepath.Dir(link), 0o755)
		if err := os.Symlink(fx.runpath, link); err != nil {
			t.Fatal(err)
		}
		b := inspectT(t, link, Options{})
		if l := lib(b, "libmid.so"); l == nil || !l.Found {
			t.Errorf("libmid.so = %+v, want found through the realpath'd $ORIGIN", l)
		}
	})

	t.Run("wrong machine candidate skipped, non-ELF candidate fatal", func(t *testing.T) {
		wrong := filepath.Join(fx.dir, "wrong")
		if _, err := exec.LookPath("aarch64-linux-gnu-gcc"); err == nil {
			cc(t, "aarch64-linux-gnu-gcc", fx.dir, "wrong/libleaf.so", leafC, "-shared", "-fPIC", "-Wl,-soname,libleaf.so")
		} else {
			writeFile(t, filepath.Join(wrong, "libleaf.so"), synthELF{machine: elf.EM_AARCH64, soname: "libleaf.so"}.bytes())
		}
		b := inspectT(t, fx.runpath, Options{LDLibraryPath: wrong + ":" + libDir})
		l := lib(b, "libleaf.so")
		if l == nil || !l.Found || l.Path != filepath.Join(libDir, "libleaf.so") {
			t.Fatalf("libleaf.so = %+v, want the x86-64 one in lib/", l)
		}
		bad := filepath.Join(fx.dir, "bad")
		writeFile(t, filepath.Join(bad, "libleaf.so"), []byte("INPUT(-lleaf)\n"))
		b = inspectT(t, fx.runpath, Options{LDLibraryPath: bad + ":" + libDir})
		l = lib(b, "libleaf.so")
		// 14 bytes: fewer than an ELF header, so ld.so says "file too
		// short" before it looks at the magic (TestOpenVerifyAgainstLdSo).
		if l == nil || l.Found || !strings.Contains(strings.Join(l.Tried, "\n"), "file too short") {
			t.Errorf("libleaf.so = %+v, want missing: ld.so stops at a non-ELF candidate", l)
		}
	})

	t.Run("NEEDED with a slash is relative to the current directory", func(t *testing.T) {
		cc(t, "gcc", fx.dir, "noso/libnoso.so", leafC, "-shared", "-fPIC")
		app := cc(t, "gcc", fx.dir, "bin/app_slash", "int leaf(void);\nint main(void){return leaf();}\n", "./noso/libnoso.so")
		b := inspectT(t, app, Options{Cwd: fx.dir})
		if !reflect.DeepEqual(b.Needed[:1], []string{"./noso/libnoso.so"}) {
			t.Fatalf("needed = %q", b.Needed)
		}
		if l := lib(b, "./noso/libnoso.so"); l == nil || !l.Found || l.Via != "path in DT_NEEDED" {
			t.Errorf("from %s: %+v", fx.dir, l)
		}
		b = inspectT(t, app, Options{Cwd: libDir})
		if !reflect.DeepEqual(b.Missing, []string{"./noso/libnoso.so"}) {
			t.Errorf("from %s: missing = %q", libDir, b.Missing)
		}
	})

	t.Run("NODEFLIB rejects cache and default directories", func(t *testing.T) {
		app := cc(t, "gcc", fx.dir, "bin/app_nodeflib", noneC, "-Wl,-z,nodefaultlib")
		b := inspectT(t, app, Options{})
		if !reflect.DeepEqual(b.Missing, []string{"libc.so.6"}) {
			t.Errorf("missing = %q, want [libc.so.6] (ldd says not found too)", b.Missing)
		}
		if !contains(b.Flags, "NODEFLIB") {
			t.Errorf("flags = %q", b.Flags)
		}
	})
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func TestStatic(t *testing.T) {
	d := t.TempDir()
	for _, tc := range []struct {
		name      string
		args      []string
		pie, skip bool
	}{
		{"static", []string{"-static"}, false, false},
		{"static-pie", []string{"-static-pie"}, true, false},
	} {
		p := cc(t, "gcc", d, tc.name, noneC, tc.args...)
		b := inspectT(t, p, Options{})
		if !b.Static || b.PIE != tc.pie || b.Interpreter != "" || len(b.Needed) != 0 || len(b.Libraries) != 0 {
			t.Errorf("%s: static=%v pie=%v interp=%q needed=%q libs=%d", tc.name, b.Static, b.PIE, b.Interpreter, b.Needed, len(b.Libraries))
		}
		if got := Verify(b, VerifyOptions{Static: true}); len(got) != 0 {
			t.Errorf("%s: verify --static: %+v", tc.name, got)
		}
	}
	dyn := cc(t, "gcc", d, "dynamic", noneC)
	b := inspectT(t, dyn, Options{})
	got := Verify(b, VerifyOptions{Static: true})
	if len(got) != 2 || got[0].Kind != NotStatic || got[0].Subject["reason"] != "PT_INTERP /lib64/ld-linux-x86-64.so.2" || got[1].Subject["reason"] != "DT_NEEDED libc.so.6" {
		t.Errorf("verify --static on a dynamic binary: %+v", got)
	}
	if got := Verify(b, VerifyOptions{Static: true, Allow: []string{"libc.so.6", "ld-linux-*"}}); len(got) != 0 {
		t.Errorf("--allow: %+v", got)
	}
	// A gcc 12 / glibc 2.36 hello world needs GLIBC_2.34 for
	// __libc_start_main: the symbol is named as evidence.
	got = Verify(b, VerifyOptions{MaxGlibc: "2.17"})
	if len(got) != 1 || got[0].Kind != GlibcTooNew || !contains(got[0].Evidence, "__libc_start_main@GLIBC_"+b.GlibcMin) {
		t.Errorf("--max-glibc 2.17: %+v", got)
	}
}

func TestStaticGlibcNSS(t *testing.T) {
	d := t.TempDir()
	nss := cc(t, "gcc", d, "nss", "#include <pwd.h>\nint main(void){ return getpwnam(\"x\") != 0; }\n", "-static")
	b := inspectT(t, nss, Options{})
	var found bool
	for _, dg := range b.Diagnoses {
		if dg.Kind == StaticGlibcNSS && dg.Subject["symbol"] == "getpwnam" {
			found = true
		}
	}
	if !found {
		t.Errorf("static getpwnam binary: diagnoses %+v", b.Diagnoses)
	}
	plain := cc(t, "gcc", d, "plain", noneC, "-static")
	if b := inspectT(t, plain, Options{}); len(b.Diagnoses) != 0 {
		t.Errorf("static hello (has dlopen, no NSS): %+v", b.Diagnoses)
	}
	if _, err := exec.LookPath("musl-gcc"); err == nil {
		m := cc(t, "musl-gcc", d, "musl", "#include <pwd.h>\nint main(void){ return getpwnam(\"x\") != 0; }\n", "-static")
		if b := inspectT(t, m, Options{}); len(b.Diagnoses) != 0 {
			t.Errorf("static musl getpwnam: %+v", b.Diagnoses)
		}
	}
}

func TestAArch64(t *testing.T) {
	if _, err := exec.LookPath("aarch64-linux-gnu-gcc"); err != nil {
		t.Skip("aarch64-linux-gnu-gcc not installed")
	}
	d := t.TempDir()
	p := cc(t, "aarch64-linux-gnu-gcc", d, "app", noneC)
	b := inspectT(t, p, Options{})
	if b.Machine != "aarch64" || b.Class != "ELF64" || b.Interpreter != "/lib/ld-linux-aarch64.so.1" {
		t.Errorf("got %s %s %s", b.Class, b.Machine, b.Interpreter)
	}
	// The cross libc lives in /usr/aarch64-linux-gnu/lib; resolving with
	// it as LD_LIBRARY_PATH must skip every x86-64 libc.so.6.
	if _, err := os.Stat("/usr/aarch64-linux-gnu/lib/libc.so.6"); err == nil {
		b = inspectT(t, p, Options{LDLibraryPath: "/usr/aarch64-linux-gnu/lib"})
		if l := lib(b, "libc.so.6"); l == nil || l.Path != "/usr/aarch64-linux-gnu/lib/libc.so.6" {
			t.Errorf("libc.so.6 = %+v", l)
		}
	}
}

// TestAgainstReadelf compares NEEDED, RPATH, RUNPATH and SONAME with
// readelf -d on the fixtures and a sample of this machine's files.
func TestAgainstReadelf(t *testing.T) {
	if _, err := exec.LookPath("readelf"); err != nil {
		t.Skip("readelf not installed")
	}
	fx := elfFixtures(t)
	files := []string{fx.leaf, fx.mid, fx.runpath, fx.rpath, fx.both, fx.missing}
	files = append(files, sampleSystemELFs(t, 15)...)
	for _, f := range files {
		if msg := compareReadelf(f); msg != "" {
			t.Error(msg)
		}
	}
}

var readelfLine = regexp.MustCompile(`\((NEEDED|SONAME|RPATH|RUNPATH)\)\s+[^\[]*\[(.*)\]$`)

// compareReadelf returns "" when elfinspect agrees with readelf -d on f.
func compareReadelf(f string) string {
	out, err := exec.Command("readelf", "-dW", f).Output()
	if err != nil {
		return ""
	}
	want := map[string][]string{}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		if m := readelfLine.FindStringSubmatch(strings.TrimSpace(sc.Text())); m != nil {
			want[m[1]] = append(want[m[1]], m[2])
		}
	}
	b, err := Inspect(f, Options{})
	if err != nil {
		return f + ": " + err.Error()
	}
	got := map[string][]string{}
	if len(b.Needed) > 0 {
		got["NEEDED"] = b.Needed
	}
	if b.Soname != "" {
		got["SONAME"] = []string{b.Soname}
	}
	if len(b.Rpath) > 0 {
		got["RPATH"] = []string{strings.Join(b.Rpath, ":")}
	}
	if len(b.Runpath) > 0 {
		got["RUNPATH"] = []string{strings.Join(b.Runpath, ":")}
	}
	if !reflect.DeepEqual(got, want) {
		return f + ": elfinspect " + fmtMap(got) + ", readelf -d " + fmtMap(want)
	}
	return ""
}

func fmtMap(m map[string][]string) string {
	var s []string
	for _, k := range []string{"NEEDED", "SONAME", "RPATH", "RUNPATH"} {
		if v, ok := m[k]; ok {
			s = append(s, k+"="+strings.Join(v, ","))
		}
	}
	return "{" + strings.Join(s, " ") + "}"
}

// sampleSystemELFs returns up to n regular ELF files from /usr/bin and
// the multiarch library directory, spread over the listing.
func sampleSystemELFs(t *testing.T, n int) []string {
	var out []string
	for _, dir := range []string{"/usr/bin", "/usr/lib/x86_64-linux-gnu"} {
		all := listELFs(dir)
		if len(all) == 0 {
			continue
		}
		step := max(1, len(all)/n)
		for i := 0; i < len(all) && len(out) < 2*n; i += step {
			out = append(out, all[i])
		}
	}
	if len(out) == 0 {
		t.Log("no system ELF files to sample")
	}
	return out
}

// listELFs lists the regular (non-symlink) files of dir that start with
// the ELF magic.
func listELFs(dir string) []string {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		if !e.Type().IsRegular() {
			continue
		}
		p := filepath.Join(dir, e.Name())
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		var m [4]byte
		_, err = f.ReadAt(m[:], 0)
		f.Close()
		if err == nil && string(m[:]) == elf.ELFMAG {
			out = append(out, p)
		}
	}
	return out
}

// TestGoBuildID compares GoBuildID with `go tool buildid`.
func TestGoBuildID(t *testing.T) {
	exe := goBinary(t, "linux", "amd64")
	out, err := exec.Command("go", "tool", "buildid", exe).Output()
	if err != nil {
		t.Skipf("go tool buildid: %v", err)
	}
	id, ok, err := GoBuildID(exe)
	if err != nil || !ok {
		t.Fatalf("GoBuildID: %q %v %v", id, ok, err)
	}
	if want := strings.TrimSpace(string(out)); id != want {
		t.Errorf("GoBuildID = %q, go tool buildid says %q", id, want)
	}
	c := elfFixtures(t).runpath
	if id, ok, err := GoBuildID(c); ok || err != nil {
		t.Errorf("GoBuildID(%s), a C program = %q, %v, %v; want no ID and no error", c, id, ok, err)
	}
	if _, _, err := GoBuildID(filepath.Join(t.TempDir(), "absent")); err == nil {
		t.Error("GoBuildID of a missing file: no error")
	}
}
