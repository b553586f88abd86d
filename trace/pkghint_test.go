package trace

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cgotrace/cgotrace/buildlog"
	"github.com/cgotrace/cgotrace/trace/diag"
)

// realMessages runs a tool and parses what it printed on stderr.
func realMessages(t *testing.T, env []string, name string, args ...string) []buildlog.Message {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s not on PATH", name)
	}
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	out, _ := cmd.CombinedOutput()
	ms := buildlog.ParseMessages(strings.Split(strings.TrimRight(string(out), "\n"), "\n"))
	if len(ms) == 0 {
		t.Fatalf("%s %q printed nothing cgotrace parses: %s", name, args, out)
	}
	return ms
}

func firstOf(ms []buildlog.Message, k buildlog.MessageKind) buildlog.Message {
	for _, m := range ms {
		if m.Kind == k {
			return m
		}
	}
	return buildlog.Message{}
}

// TestFixPackageNames: the fixes name the packages Debian's index has for
// the files the real tools said they could not find, and no package when
// none is known.
func TestFixPackageNames(t *testing.T) {
	empty := t.TempDir()
	c := &blockCtx{l: &buildlog.Log{}, b: &buildlog.Block{}, f: &Facts{}}
	pcEnv := []string{"PKG_CONFIG_LIBDIR=" + empty, "PKG_CONFIG_PATH="}
	for pc, want := range map[string]string{
		"libzmq":                 "(Debian: libzmq3-dev)",
		"portaudio-2.0":          "(Debian: portaudio19-dev)",
		"zlib":                   "(Debian: zlib1g-dev)",
		"openssl":                "(Debian: libssl-dev)",
		"glib-2.0":               "(Debian: libglib2.0-dev)",
		"libusb-1.0":             "(Debian: libusb-1.0-0-dev)",
		"cgotrace-no-such-thing": "(no package known to cgotrace ships it",
	} {
		m := firstOf(realMessages(t, pcEnv, "pkg-config", "--cflags", "--", pc), buildlog.MsgPkgConfigPackage)
		if m.Package != pc {
			t.Fatalf("pkg-config %s: parsed %+v", pc, m)
		}
		if d := c.pkgConfigPackage(m); !strings.Contains(d.Fix, want) {
			t.Errorf("%s.pc: fix %q, want %q", pc, d.Fix, want)
		}
	}
	src := filepath.Join(empty, "x.c")
	for h, want := range map[string]string{
		"rocksdb/c.h":            "(Debian: librocksdb-dev)",
		"X11/Xcursor/Xcursor.h":  "(Debian: libxcursor-dev)",
		"cgotrace/no-such-hdr.h": "(no package known to cgotrace ships it",
	} {
		os.WriteFile(src, []byte("#include <"+h+">\n"), 0o644)
		m := firstOf(realMessages(t, nil, "gcc", "-fsyntax-only", src), buildlog.MsgHeaderNotFound)
		if m.Header != h {
			t.Skipf("gcc found %s (installed here?): %+v", h, m)
		}
		if d := c.headerNotFound(m); !strings.Contains(d.Fix, want) {
			t.Errorf("%s: fix %q, want %q", h, d.Fix, want)
		}
	}
}

// TestFixLibraryPackage: "cannot find -lNAME" from the real linker, then
// the fix for each way the probe can find things.
func TestFixLibraryPackage(t *testing.T) {
	needGCC(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "main.c")
	os.WriteFile(src, []byte("int main(void) { return 0; }\n"), 0o644)
	m := firstOf(realMessages(t, nil, "gcc", "-o", filepath.Join(dir, "a.out"), src, "-lcgotrace-usb-1.0"), buildlog.MsgCannotFindLib)
	if m.Library == "" {
		t.Fatal("no cannot-find message")
	}
	for _, tc := range []struct {
		lib  string
		p    *LibProbe
		want string
		not  string
	}{
		{"-lusb-1.0", &LibProbe{Searched: []string{"/usr/lib"}}, "(Debian: libusb-1.0-0-dev)", "libusb-1.0-dev"},
		{"-lz", &LibProbe{Versioned: []string{"/usr/lib/x86_64-linux-gnu/libz.so.1"}}, "(Debian: zlib1g-dev)", "libz-dev"},
		{"-lz", &LibProbe{Static: true}, "libz.a (Debian: zlib1g-dev)", "libz-dev"},
		// Debian ships no libasound.a (libasound2-dev has only the .so).
		{"-lasound", &LibProbe{Static: true}, "no package known to cgotrace ships libasound.a", "libasound-dev"},
		{"-lcurl", &LibProbe{}, "libcurl4-gnutls-dev, libcurl4-nss-dev or libcurl4-openssl-dev (any one)", "libcurl-dev)"},
		{"-lcgotrace-none", &LibProbe{}, "libcgotrace-none.so (no package known to cgotrace ships it", "libcgotrace-none-dev"},
	} {
		mm := m
		mm.Library = tc.lib
		f := &Facts{Probe: func(string, *buildlog.HostLink) *LibProbe { return tc.p }}
		d := (&blockCtx{l: &buildlog.Log{}, b: &buildlog.Block{}, f: f}).cannotFind(mm, map[string]string{})
		if !strings.Contains(d.Fix, tc.want) || strings.Contains(d.Fix, tc.not) {
			t.Errorf("%s (%s): fix %q, want %q and not %q", tc.lib, d.Code, d.Fix, tc.want, tc.not)
		}
	}
}

// TestFixLibstdcxxFollowsGCC: libstdc++'s development files are named for
// the gcc that links, as `gcc -dumpversion` says.
func TestFixLibstdcxxFollowsGCC(t *testing.T) {
	needGCC(t)
	major := ccMajor(context.Background(), ExecRunner{}, []string{"gcc"}, "", os.Environ())
	if major == "" {
		t.Fatal("gcc -dumpversion gave no version")
	}
	m := buildlog.Message{Kind: buildlog.MsgCannotFindLib, Library: "-lstdc++", Raw: []string{"/usr/bin/ld: cannot find -lstdc++: No such file or directory"}}
	f := &Facts{
		Probe:   func(string, *buildlog.HostLink) *LibProbe { return &LibProbe{} },
		CCMajor: func() string { return major },
	}
	d := (&blockCtx{l: &buildlog.Log{}, b: &buildlog.Block{}, f: f}).cannotFind(m, map[string]string{})
	if want := "(Debian: libstdc++-" + major + "-dev)"; !strings.Contains(d.Fix, want) {
		t.Errorf("fix %q, want %q (gcc %s)", d.Fix, want, major)
	}
	f.CCMajor = nil // the version unknown: no name, and none asked for
	f.AskPackages = func(q pkgQuery) pkgAnswer {
		t.Errorf("asked the package manager for %s without a gcc version", q.name)
		return pkgAnswer{from: "apt-file", pkgs: []string{"libstdc++-11-dev", "libstdc++-12-dev"}}
	}
	d = (&blockCtx{l: &buildlog.Log{}, b: &buildlog.Block{}, f: f}).cannotFind(m, map[string]string{})
	if strings.Contains(d.Fix, "libstdc++-") || d.Code != diag.LibraryNotFound {
		t.Errorf("without a gcc version: %s %q", d.Code, d.Fix)
	}
}

// TestPackageManagerAsk asks the real apt-file, when it is installed,
// for a header, and checks that the timeout stops it.
func TestPackageManagerAsk(t *testing.T) {
	if _, err := exec.LookPath("apt-file"); err != nil {
		t.Skip("apt-file not installed (apt-get install apt-file && apt-file update)")
	}
	osr := writeOSRelease(t, "ID=debian\nVERSION_ID=\"13\"\n")
	a := newPkgAsker(context.Background(), ExecRunner{}, os.Environ(), osr)
	a.timeout = time.Millisecond
	if ans := a.ask(pkgQuery{kind: kindHeader, name: "rocksdb/c.h"}); ans.pkgs != nil {
		t.Errorf("with a 1 ms timeout apt-file answered %q", ans.pkgs)
	}
	if testing.Short() {
		t.Skip("-short: apt-file search reads the whole Contents index")
	}
	a = newPkgAsker(context.Background(), ExecRunner{}, os.Environ(), osr)
	a.timeout = time.Minute
	ans := a.ask(pkgQuery{kind: kindHeader, name: "rocksdb/c.h"})
	if ans.from != "apt-file" || len(ans.pkgs) != 1 || ans.pkgs[0] != "librocksdb-dev" {
		t.Errorf("apt-file: %+v, want librocksdb-dev", ans)
	}
}

// TestBuildPackageNames: cgotrace build of a module whose packages need
// libzmq through pkg-config and <rocksdb/c.h>, neither of which is
// installed for the build (an empty pkg-config path): the fixes name
// Debian's libzmq3-dev and librocksdb-dev; on a Fedora machine (its
// os-release) where dnf does not answer, Fedora's zeromq-devel and
// rocksdb-devel from Fedora's table.
func TestBuildPackageNames(t *testing.T) {
	for _, tc := range []struct {
		name, osRelease, zmq, rocksdb string
	}{
		{"debian", "", "(Debian: libzmq3-dev)", "(Debian: librocksdb-dev)"},
		{"fedora", "ID=fedora\nVERSION_ID=41\n", "(Fedora: zeromq-devel)", "(Fedora: rocksdb-devel)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			osr := ""
			if tc.osRelease != "" {
				osr = writeOSRelease(t, tc.osRelease)
			}
			buildPackageNames(t, osr, tc.zmq, tc.rocksdb)
		})
	}
}

func buildPackageNames(t *testing.T, osRelease, zmq, rocksdb string) {
	needGo(t)
	if _, err := exec.LookPath("pkg-config"); err != nil {
		t.Skip("pkg-config not on PATH")
	}
	dir := writeModule(t, map[string]string{
		"go.mod":   "module example.com/names\n\ngo 1.22\n",
		"zmq/z.go": "package zmq\n\n// #cgo pkg-config: libzmq\n// #include <zmq.h>\nimport \"C\"\n\nfunc V() { C.zmq_version(nil, nil, nil) }\n",
		"rdb/r.go": "package rdb\n\n// #include <rocksdb/c.h>\nimport \"C\"\n\nfunc O() { C.rocksdb_options_create() }\n",
	})
	env := append(os.Environ(), "CGO_ENABLED=1", "PKG_CONFIG_LIBDIR="+t.TempDir(), "PKG_CONFIG_PATH=")
	res, err := Build(context.Background(), BuildOptions{Args: []string{"./..."}, Dir: dir, Env: env, NoRerun: true, OSRelease: osRelease})
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(res.RawLog)
	got := map[diag.Code]diag.Diagnosis{}
	for _, d := range res.Report.Diagnoses {
		got[d.Code] = d
	}
	t.Logf("fixes: %q / %q", got[diag.PkgConfigPackageNotFound].Fix, got[diag.HeaderNotFound].Fix)
	if d, ok := got[diag.PkgConfigPackageNotFound]; !ok || !strings.Contains(d.Fix, zmq) {
		t.Errorf("pkg-config-package-not-found: %+v, want the fix to name %s", d, zmq)
	}
	if d, ok := got[diag.HeaderNotFound]; !ok {
		t.Skipf("no header-not-found (is librocksdb-dev installed here?): %+v", res.Report.Diagnoses)
	} else if !strings.Contains(d.Fix, rocksdb) {
		t.Errorf("header-not-found fix %q, want %s", d.Fix, rocksdb)
	}
}

func TestTableIsThisRelease(t *testing.T) {
	dir := t.TempDir()
	for body, want := range map[string]bool{
		"ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n": true,
		"ID=debian\nVERSION_ID=\"13\"\nVERSION_CODENAME=trixie\n":   false,
		"ID=ubuntu\nVERSION_ID=\"24.04\"\nVERSION_CODENAME=noble\n": false,
		"NAME=whatever\n": false,
	} {
		p := filepath.Join(dir, "os-release")
		os.WriteFile(p, []byte(body), 0o644)
		if got := tableIsThisRelease(p); got != want {
			t.Errorf("%q: %v, want %v (table: %s)", body, got, want, "debian 12 (bookworm)")
		}
	}
	if tableIsThisRelease(filepath.Join(dir, "none")) {
		t.Error("no os-release: true")
	}
}

// TestBuildCrossCCNotInstalled: a cross build whose CC is not installed
// (issue 13's cross build, on a machine without the toolchain) names the
// package that ships that compiler, from Debian's index, not
// build-essential.
func TestBuildCrossCCNotInstalled(t *testing.T) {
	needGo(t)
	const cc = "arm-linux-gnueabihf-gcc"
	if p, err := exec.LookPath(cc); err == nil {
		t.Skipf("%s is installed here (%s): the build would not fail", cc, p)
	}
	dir := writeModule(t, map[string]string{
		"go.mod":  "module example.com/cross\n\ngo 1.22\n",
		"main.go": "package main\n\n// int f(void) { return 1; }\nimport \"C\"\n\nfunc main() { println(C.f()) }\n",
	})
	env := append(os.Environ(), "CGO_ENABLED=1", "GOOS=linux", "GOARCH=arm", "GOARM=7", "CC="+cc)
	res, err := Build(context.Background(), BuildOptions{Args: []string{"-o", os.DevNull, "."}, Dir: dir, Env: env, NoRerun: true,
		// The release the table is of: it answers, nothing is asked.
		OSRelease: writeOSRelease(t, "ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n")})
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(res.RawLog)
	if len(res.Report.Diagnoses) == 0 {
		t.Fatalf("no diagnosis (exit %d)", res.Report.Command.ExitCode)
	}
	d := res.Report.Diagnoses[0]
	if d.Code != diag.CCNotFound || d.Subject["tool"] != cc {
		t.Fatalf("%s %v, want cc-not-found of %s", d.Code, d.Subject, cc)
	}
	if want := "install the package that ships arm-linux-gnueabihf-gcc (Debian: gcc-arm-linux-gnueabihf)"; !strings.HasPrefix(d.Fix, want) {
		t.Errorf("fix %q, want it to start %q", d.Fix, want)
	}
}

// TestProgramPackage: what cgotrace env says of a compiler that is not
// installed, by the machine's family.
func TestProgramPackage(t *testing.T) {
	for _, tc := range []struct {
		osRelease, goos, prog, want string
	}{
		{"ID=debian\n", "linux", "aarch64-linux-gnu-gcc", "Debian: gcc-aarch64-linux-gnu"},
		{"ID=ubuntu\nID_LIKE=debian\n", "linux", "musl-gcc", "Debian: musl-tools"},
		{"ID=debian\n", "linux", "cgotrace-no-such-cc", ""},
		// Fedora's specs list their cross compilers only in file lists
		// made at build time: nothing known, no Debian name either.
		{"ID=fedora\n", "linux", "aarch64-linux-gnu-gcc", ""},
		{"ID=alpine\n", "linux", "aarch64-linux-gnu-gcc", ""},
		{"", "darwin", "aarch64-linux-gnu-gcc", ""},
	} {
		if got := programPackage(writeOSRelease(t, tc.osRelease), tc.goos, tc.prog); got != tc.want {
			t.Errorf("%q on %s, %s: %q, want %q", tc.osRelease, tc.goos, tc.prog, got, tc.want)
		}
	}
}
