package elfinspect

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestGoMachO(t *testing.T) {
	for _, arch := range []string{"arm64"} {
		p := goBinary(t, "darwin", arch)
		b := inspectT(t, p, Options{})
		want := map[string]string{"arm64": "arm64", "amd64": "x86_64"}[arch]
		if b.Format != "macho" || b.Machine != want || b.Interpreter != "/usr/lib/dyld" || !b.PIE {
			t.Errorf("%s: format %s machine %s dylinker %s pie %v", arch, b.Format, b.Machine, b.Interpreter, b.PIE)
		}
		if !reflect.DeepEqual(b.Needed, []string{"/usr/lib/libSystem.B.dylib", "/usr/lib/libresolv.9.dylib"}) {
			t.Errorf("%s: needed %q", arch, b.Needed)
		}
		// /usr/lib lives in the dyld shared cache: never missing.
		if len(b.Missing) != 0 || b.Libraries[0].Via != "system (dyld shared cache)" {
			t.Errorf("%s: missing %q libraries %+v", arch, b.Missing, b.Libraries)
		}
		if !strings.HasPrefix(b.MinOS, "macos ") || b.Go == nil || b.Go.Settings["GOOS"] != "darwin" {
			t.Errorf("%s: min os %q go %+v", arch, b.MinOS, b.Go)
		}
		if got := Verify(b, VerifyOptions{Static: true}); len(got) != 0 {
			t.Errorf("%s: verify --static with system dylibs only: %+v", arch, got)
		}
	}
}

// TestMachORpath: a hand-built Mach-O (Linux cannot link one) exercising
// @rpath through the LC_RPATH chain, @loader_path, @executable_path, weak
// and re-exported dylibs.
func TestMachORpath(t *testing.T) {
	const arm64, exec, dylib = 0x0100000c, 2, 6
	d := t.TempDir()
	app := writeFile(t, filepath.Join(d, "bin/app"), synthMachO(arm64, exec, []machoLoad{
		{cmd: lcLoadDylib, str: "@rpath/libfoo.dylib"},
		{cmd: lcLoadWeakDylib, str: "@rpath/libweak.dylib"},
		{cmd: lcLoadDylib, str: "@executable_path/../lib/libexe.dylib"},
		{cmd: lcLoadDylib, str: "/usr/lib/libSystem.B.dylib"},
		{cmd: lcLoadDylib, str: "@rpath/libgone.dylib"},
		{cmd: lcRpath, str: "@loader_path/../lib"},
		{cmd: lcBuildVersion, vers: 0x000b0300},
	}))
	// libfoo has no LC_RPATH: @rpath/libbar resolves through app's.
	writeFile(t, filepath.Join(d, "lib/libfoo.dylib"), synthMachO(arm64, dylib, []machoLoad{
		{cmd: lcIDDylib, str: "@rpath/libfoo.dylib"},
		{cmd: lcReexportDylib, str: "@rpath/libbar.dylib"},
		{cmd: lcLoadDylib, str: "@loader_path/sub/libsub.dylib"},
	}))
	writeFile(t, filepath.Join(d, "lib/libbar.dylib"), synthMachO(arm64, dylib, []machoLoad{{cmd: lcIDDylib, str: "@rpath/libbar.dylib"}}))
	writeFile(t, filepath.Join(d, "lib/sub/libsub.dylib"), synthMachO(arm64, dylib, nil))
	writeFile(t, filepath.Join(d, "lib/libexe.dylib"), synthMachO(arm64, dylib, nil))

	b := inspectT(t, app, Options{})
	if b.MinOS != "macos 11.3" || !reflect.DeepEqual(b.Runpath, []string{"@loader_path/../lib"}) {
		t.Errorf("min os %q LC_RPATH %q", b.MinOS, b.Runpath)
	}
	want := map[string]string{
		"@rpath/libfoo.dylib":                  "@rpath (LC_RPATH @loader_path/../lib)",
		"@rpath/libbar.dylib":                  "@rpath (LC_RPATH @loader_path/../lib of " + app + ")",
		"@loader_path/sub/libsub.dylib":        "@loader_path",
		"@executable_path/../lib/libexe.dylib": "@executable_path",
		"/usr/lib/libSystem.B.dylib":           "system (dyld shared cache)",
	}
	for name, via := range want {
		l := lib(b, name)
		if l == nil || !l.Found || l.Via != via {
			t.Errorf("%s = %+v, want found via %q", name, l, via)
		}
	}
	if l := lib(b, "@rpath/libweak.dylib"); l == nil || l.Found || !l.Weak {
		t.Errorf("weak = %+v", l)
	}
	if !reflect.DeepEqual(b.Missing, []string{"@rpath/libgone.dylib"}) {
		t.Errorf("missing = %q (a weak dylib must not count)", b.Missing)
	}
	var sev []Severity
	for _, d := range b.Diagnoses {
		sev = append(sev, d.Severity)
	}
	if !reflect.DeepEqual(sev, []Severity{Info, Error}) {
		t.Errorf("severities %v, want info (weak) then error", sev)
	}
	if got := Verify(b, VerifyOptions{Static: true}); len(got) < 3 {
		t.Errorf("verify --static with non-system dylibs: %+v", got)
	}
	// The same tree seen through --root: paths are the target's.
	b = inspectT(t, app, Options{Root: d})
	if l := lib(b, "@rpath/libbar.dylib"); l == nil || l.Path != "/lib/libbar.dylib" {
		t.Errorf("with --root: libbar = %+v", l)
	}
}

func TestFatMachO(t *testing.T) {
	a := mustRead(t, goBinary(t, "darwin", "arm64"))
	// A second slice, hand-built (a second Go cross build would double
	// the test's cold-cache time).
	x := synthMachO(0x01000007, 2, []machoLoad{{cmd: lcLoadDylib, str: "/usr/lib/libSystem.B.dylib"}, {cmd: lcLoadDylib, str: "/usr/lib/libc++.1.dylib"}})
	// fat header: magic, nfat_arch, then (cputype, subtype, offset, size, align) each.
	var buf bytes.Buffer
	be := func(v ...uint32) {
		for _, x := range v {
			buf.Write([]byte{byte(x >> 24), byte(x >> 16), byte(x >> 8), byte(x)})
		}
	}
	const align = 1 << 14
	offA := uint32(align)
	offX := (offA + uint32(len(a)) + align - 1) &^ (align - 1)
	be(0xcafebabe, 2, 0x0100000c, 0, offA, uint32(len(a)), 14, 0x01000007, 3, offX, uint32(len(x)), 14)
	out := make([]byte, int(offX)+len(x))
	copy(out, buf.Bytes())
	copy(out[offA:], a)
	copy(out[offX:], x)
	p := writeFile(t, filepath.Join(t.TempDir(), "fat"), out)
	b := inspectT(t, p, Options{})
	if len(b.Slices) != 2 || b.Slices[0].Machine != "arm64" || b.Slices[1].Machine != "x86_64" {
		t.Fatalf("slices %+v", b.Slices)
	}
	if len(b.Missing) != 0 || len(b.Slices[1].Needed) != 2 {
		t.Errorf("missing %q, x86_64 needed %q", b.Missing, b.Slices[1].Needed)
	}
}

func mustRead(t *testing.T, p string) []byte {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPE(t *testing.T) {
	p := goBinary(t, "windows", "amd64")
	b := inspectT(t, p, Options{})
	if b.Format != "pe" || b.Class != "PE32+" || b.Machine != "x86-64" || b.Type != "exe" {
		t.Errorf("format %s class %s machine %s type %s", b.Format, b.Class, b.Machine, b.Type)
	}
	if !reflect.DeepEqual(b.Needed, []string{"kernel32.dll"}) || len(b.Missing) != 0 || b.Libraries[0].Via != "system" {
		t.Errorf("needed %q missing %q libs %+v", b.Needed, b.Missing, b.Libraries)
	}
	if b.Go == nil || b.Go.Settings["GOOS"] != "windows" {
		t.Errorf("go %+v", b.Go)
	}
	if got := Verify(b, VerifyOptions{Static: true}); len(got) != 0 {
		t.Errorf("verify --static with system DLLs only: %+v", got)
	}

	// Rename the import to a DLL that is not a system one: missing, then
	// found (case-insensitively) in the application directory.
	data := mustRead(t, p)
	i := bytes.Index(data, []byte("kernel32.dll\x00"))
	if i < 0 {
		t.Fatal("no kernel32.dll import name")
	}
	copy(data[i:], "mylib999.dll")
	d := t.TempDir()
	app := writeFile(t, filepath.Join(d, "app.exe"), data)
	b = inspectT(t, app, Options{})
	if !reflect.DeepEqual(b.Missing, []string{"mylib999.dll"}) {
		t.Fatalf("missing %q", b.Missing)
	}
	writeFile(t, filepath.Join(d, "MyLib999.DLL"), mustRead(t, p))
	b = inspectT(t, app, Options{})
	l := lib(b, "mylib999.dll")
	if len(b.Missing) != 0 || l == nil || l.Via != "application directory" || filepath.Base(l.Path) != "MyLib999.DLL" {
		t.Errorf("missing %q, mylib999.dll = %+v", b.Missing, l)
	}
	if l != nil && !reflect.DeepEqual(l.Needed, []string{"kernel32.dll"}) {
		t.Errorf("the found DLL's own imports: %q", l.Needed)
	}
}

// TestGoCgoBuildInfo: an externally linked (cgo) Go binary carries its
// build ID note among the C toolchain's notes; build info is found.
func TestGoCgoBuildInfo(t *testing.T) {
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("gcc not installed")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go not on PATH")
	}
	d := t.TempDir()
	writeFile(t, filepath.Join(d, "go.mod"), []byte("module cgoh\n\ngo 1.22\n"))
	writeFile(t, filepath.Join(d, "main.go"), []byte("package main\n\n// static int one(void) { return 1; }\nimport \"C\"\n\nfunc main() { println(C.one()) }\n"))
	cmd := exec.Command(gobin, "build", "-o", "app", ".")
	cmd.Dir = d
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1", "GOFLAGS=-buildvcs=false")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	b := inspectT(t, filepath.Join(d, "app"), Options{})
	if b.Go == nil || b.Go.Settings["CGO_ENABLED"] != "1" || !contains(b.Needed, "libc.so.6") {
		t.Errorf("go %+v needed %q", b.Go, b.Needed)
	}
}
