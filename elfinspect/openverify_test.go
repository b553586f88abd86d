package elfinspect

import (
	"bytes"
	"debug/elf"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// loaderCase is an odd file named libq.so in the first RUNPATH entry of
// a program whose second entry has a good libq.so.
type loaderCase struct {
	name string
	// make puts the odd file at p; first is a good libq.so to copy from,
	// which prints "first" (the one in d2 prints "good").
	make func(t *testing.T, p, first string)
	// unprivileged runs the program and cgotrace as nobody.
	unprivileged bool
}

func copyFile(t *testing.T, dst, src string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o755); err != nil {
		t.Fatal(err)
	}
}

// patched copies first (a good libq.so that prints "first") to p with
// the bytes at off replaced.
func patched(off int, b ...byte) func(t *testing.T, p, first string) {
	return func(t *testing.T, p, first string) {
		data, err := os.ReadFile(first)
		if err != nil {
			t.Fatal(err)
		}
		copy(data[off:], b)
		if err := os.WriteFile(p, data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

func runGCC(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command("gcc", args...).CombinedOutput(); err != nil {
		t.Fatalf("gcc %v: %v\n%s", args, err, out)
	}
}

// TestOpenVerifyAgainstLdSo puts odd files where ld.so looks first and
// compares the real loader (the program run, as nobody where permission
// matters) with cgotrace: the same library found, or both failing with
// ld.so's message. The old code said ok for a directory (ld.so fails)
// and "ld.so stops searching here" for an unreadable file (ld.so skips
// it).
func TestOpenVerifyAgainstLdSo(t *testing.T) {
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("gcc not installed")
	}
	base := t.TempDir()
	// nobody must reach the fixtures.
	os.Chmod(filepath.Dir(base), 0o755)
	os.Chmod(base, 0o755)
	src := writeFile(t, filepath.Join(base, "src", "q.c"), []byte(`#include <stdio.h>
const char *q_name(void) { return QNAME; }
`))
	main := writeFile(t, filepath.Join(base, "src", "main.c"), []byte(`#include <stdio.h>
const char *q_name(void);
int main(void) { puts(q_name()); return 0; }
`))
	good := filepath.Join(base, "src", "libq.so")
	runGCC(t, "-shared", "-fPIC", "-DQNAME=\"good\"", "-o", good, src)
	first := filepath.Join(base, "src", "libq-first.so")
	runGCC(t, "-shared", "-fPIC", "-DQNAME=\"first\"", "-o", first, src)
	obj := filepath.Join(base, "src", "q.o")
	runGCC(t, "-c", "-fPIC", "-DQNAME=\"obj\"", "-o", obj, src)
	// One program for every case: its RUNPATH is relative to $ORIGIN.
	app0 := filepath.Join(base, "src", "app")
	runGCC(t, "-o", app0, main, "-L"+filepath.Join(base, "src"), "-lq", "-Wl,-rpath,$ORIGIN/../d1:$ORIGIN/../d2")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	selfCopy := filepath.Join(base, "elfinspect.test")
	copyFile(t, selfCopy, self)

	cases := []loaderCase{
		{name: "directory", make: func(t *testing.T, p, good string) { os.Mkdir(p, 0o755) }},
		{name: "unreadable", unprivileged: true, make: func(t *testing.T, p, good string) {
			copyFile(t, p, first)
			os.Chmod(p, 0)
		}},
		{name: "unreadable, as root", make: func(t *testing.T, p, good string) {
			copyFile(t, p, first)
			os.Chmod(p, 0)
		}},
		{name: "empty", make: func(t *testing.T, p, good string) { os.WriteFile(p, nil, 0o644) }},
		{name: "linker script", make: func(t *testing.T, p, good string) { os.WriteFile(p, []byte("INPUT(-lq)\n"), 0o644) }},
		{name: "not ELF, long", make: func(t *testing.T, p, good string) {
			os.WriteFile(p, bytes.Repeat([]byte("/* not an ELF file */\n"), 10), 0o644)
		}},
		{name: "ELF header cut", make: func(t *testing.T, p, good string) {
			data, _ := os.ReadFile(good)
			os.WriteFile(p, data[:40], 0o644)
		}},
		{name: "wrong class", make: patched(elf.EI_CLASS, byte(elf.ELFCLASS32))},
		{name: "big-endian", make: patched(elf.EI_DATA, byte(elf.ELFDATA2MSB))},
		{name: "ident version", make: patched(elf.EI_VERSION, 2)},
		{name: "OS ABI FreeBSD", make: patched(elf.EI_OSABI, byte(elf.ELFOSABI_FREEBSD))},
		{name: "OS ABI GNU", make: patched(elf.EI_OSABI, byte(elf.ELFOSABI_LINUX))},
		{name: "ABI version", make: patched(elf.EI_ABIVERSION, 1)},
		{name: "padding", make: patched(elf.EI_PAD+2, 1)},
		{name: "e_version", make: patched(20, 2)},
		{name: "wrong machine", make: patched(18, byte(elf.EM_AARCH64), 0)},
		{name: "relocatable object", make: func(t *testing.T, p, good string) { copyFile(t, p, obj) }},
		{name: "phentsize", make: patched(54, 40)},
		{name: "program headers past the end", make: patched(56, 0xff, 0x7f)},
		{name: "symlink loop", make: func(t *testing.T, p, good string) { os.Symlink(filepath.Base(p), p) }},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.unprivileged && os.Geteuid() != 0 {
				t.Skip("needs root to run the program as nobody (permissions)")
			}
			dir := filepath.Join(base, fmt.Sprintf("case%d", i))
			for _, d := range []string{"d1", "d2", "bin"} {
				os.MkdirAll(filepath.Join(dir, d), 0o755)
			}
			copyFile(t, filepath.Join(dir, "d2", "libq.so"), good)
			tc.make(t, filepath.Join(dir, "d1", "libq.so"), first)
			app := filepath.Join(dir, "bin", "app")
			copyFile(t, app, app0)

			run := exec.Command(app)
			run.Env = []string{"PATH=/usr/bin:/bin"}
			var stdout, stderr bytes.Buffer
			run.Stdout, run.Stderr = &stdout, &stderr
			if tc.unprivileged {
				run.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
			}
			err := run.Run()
			realCode := 0
			if ee, ok := err.(*exec.ExitError); ok {
				realCode = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}

			var got Library
			if tc.unprivileged {
				h := exec.Command(selfCopy, "-test.run=^TestOpenVerifyHelper$")
				h.Env = append(os.Environ(), "CGOTRACE_OPENVERIFY_APP="+app)
				h.SysProcAttr = run.SysProcAttr
				out, err := h.Output()
				if err != nil {
					t.Fatalf("helper as nobody: %v\n%s", err, out)
				}
				i := bytes.IndexByte(out, '{')
				if i < 0 || json.NewDecoder(bytes.NewReader(out[i:])).Decode(&got) != nil {
					t.Fatalf("helper output: %s", out)
				}
			} else {
				got = inspectLibQ(t, app)
			}
			t.Logf("ld.so: exit %d, %q %q; cgotrace: found %v %s %q", realCode, strings.TrimSpace(stdout.String()),
				strings.TrimSpace(stderr.String()), got.Found, got.Path, got.Tried)
			switch realCode {
			case 0:
				want := filepath.Join(dir, "d2", "libq.so")
				if strings.TrimSpace(stdout.String()) == "first" {
					want = filepath.Join(dir, "d1", "libq.so")
				}
				if !got.Found || got.Path != want {
					t.Errorf("ld.so loaded %s (printed %q); cgotrace: found=%v path=%q tried=%q",
						want, strings.TrimSpace(stdout.String()), got.Found, got.Path, got.Tried)
				}
			case 127:
				if got.Found {
					t.Fatalf("ld.so fails (%s); cgotrace finds %s", strings.TrimSpace(stderr.String()), got.Path)
				}
				// "app: error while loading shared libraries: FILE: MESSAGE";
				// ld.so writes FILE as $ORIGIN/../d1/libq.so, unnormalised.
				msg := stderr.String()
				if i := strings.Index(msg, "libq.so: "); i >= 0 {
					msg = "libq.so: " + msg[i+len("libq.so: "):]
				}
				msg = strings.TrimSpace(msg)
				// ld.so's own strerror is "Error 21" where libc says "Is a directory".
				if i := strings.Index(msg, ": Error "); i >= 0 {
					msg = msg[:i]
				}
				// A library not found has ld.so's generic message.
				if !strings.Contains(msg, "cannot open shared object file") && !strings.Contains(strings.Join(got.Tried, "\n"), msg) {
					t.Errorf("ld.so says %q; cgotrace tried %q", msg, got.Tried)
				}
			default:
				t.Fatalf("the program exited %d: %s", realCode, stderr.String())
			}
		})
	}
}

func inspectLibQ(t *testing.T, app string) Library {
	b, err := Inspect(app, Options{})
	if err != nil {
		t.Fatalf("Inspect(%s): %v", app, err)
	}
	for _, l := range b.Libraries {
		if l.Name == "libq.so" {
			return l
		}
	}
	t.Fatalf("no libq.so in %+v", b.Libraries)
	return Library{}
}

// TestOpenVerifyHelper is TestOpenVerifyAgainstLdSo's cgotrace run as
// another user: it prints the libq.so entry of the program as JSON.
func TestOpenVerifyHelper(t *testing.T) {
	app := os.Getenv("CGOTRACE_OPENVERIFY_APP")
	if app == "" {
		t.Skip("helper of TestOpenVerifyAgainstLdSo")
	}
	l := inspectLibQ(t, app)
	json.NewEncoder(os.Stdout).Encode(l)
	io.WriteString(os.Stdout, "\n")
}

// FuzzOpenVerify: open_verify's checks on any header and file size never
// panic, give a reason for every skip and failure, and call a file
// usable only when it was read.
func FuzzOpenVerify(f *testing.F) {
	if data, err := os.ReadFile("/lib/x86_64-linux-gnu/libz.so.1"); err == nil {
		f.Add(data[:64], int64(len(data)), true)
	}
	f.Add([]byte("INPUT(-lq)\n"), int64(11), false)
	f.Add(synthELF{class: elf.ELFCLASS32, machine: elf.EM_386, soname: "libx.so.1"}.bytes()[:52], int64(4096), false)
	f.Fuzz(func(t *testing.T, hdr []byte, size int64, read bool) {
		ef := &elfFile{size: size}
		ef.hdrLen = copy(ef.hdr[:], hdr)
		if read {
			ef.obj = &elfObject{}
		}
		for _, k := range []targetKey{
			{elf.ELFCLASS64, elf.ELFDATA2LSB, elf.EM_X86_64},
			{elf.ELFCLASS32, elf.ELFDATA2LSB, elf.EM_386},
			{elf.ELFCLASS64, elf.ELFDATA2MSB, elf.EM_PPC64},
		} {
			v, why := verify(ef, k)
			switch {
			case v == vUsable && (why != "" || ef.obj == nil):
				t.Fatalf("usable with %q, obj %v", why, ef.obj != nil)
			case v != vUsable && why == "":
				t.Fatalf("verdict %d without a reason", v)
			}
		}
	})
}
