//go:build linux

package elfinspect

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/cgotrace/cgotrace/elfinspect/internal/linktest"
)

// oPath is Linux's O_PATH on amd64, arm64 and most other architectures
// (the syscall package does not name it): an open that only resolves.
const oPath = 0o10000000

const chrootHelperEnv = "CGOTRACE_TEST_CHROOT_HELPER"

// TestResolveLinksKernel: the kernel itself resolves every case of
// linktest in a real chroot of the same tree (a helper process: this
// test binary, chrooted), and rootFS resolves them to the same file
// (device and inode) or fails the same way (ENOENT, ELOOP, ENOTDIR).
func TestResolveLinksKernel(t *testing.T) {
	if os.Getenv(chrootHelperEnv) != "" {
		t.Skip("in the helper process")
	}
	if os.Geteuid() != 0 {
		t.Skip("chroot(2) needs root: run the tests as root to compare with the kernel")
	}
	dir := t.TempDir()
	if err := linktest.Write(dir); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestResolveLinksChrootHelper$", "-test.v")
	cmd.Env = append(os.Environ(), chrootHelperEnv+"="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chroot helper: %v\n%s%s", err, out, stderr.Bytes())
	}
	kernel := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if k, v, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "kernel "), "\t"); ok && strings.HasPrefix(sc.Text(), "kernel ") {
			kernel[k] = v
		}
	}
	r := newRootFS(dir, nil)
	for _, c := range linktest.Cases {
		key := fmt.Sprintf("%s %v", c.Name, c.Follow)
		k, ok := kernel[key]
		if !ok {
			t.Errorf("%s: the helper gave no answer\n%s", key, out)
			continue
		}
		var got string
		n, err := ResolveLinks(r.links, c.Name, c.Follow)
		if err != nil {
			got = linktest.Class(err, ErrSymlinkLoop, ErrNotDir)
		} else if fi, err := os.Lstat(filepath.Join(dir, n)); err != nil {
			got = err.Error()
		} else {
			st := fi.Sys().(*syscall.Stat_t)
			got = fmt.Sprintf("%d:%d", st.Dev, st.Ino)
		}
		if got != k {
			t.Errorf("%s: rootFS gives %q (%s), the kernel %q", key, got, n, k)
		}
		if c.Want != linktest.NotExist && c.Want != linktest.Loop && c.Want != linktest.NotDir && !strings.Contains(k, ":") {
			t.Errorf("%s: the kernel fails with %s, the table wants %s", key, k, c.Want)
		}
		if (c.Want == linktest.NotExist || c.Want == linktest.Loop || c.Want == linktest.NotDir) && k != c.Want {
			t.Errorf("%s: the kernel gives %s, the table wants %s", key, k, c.Want)
		}
	}
}

// TestResolveLinksChrootHelper is the helper process of
// TestResolveLinksKernel: it chroots into the tree and prints, per case,
// the device and inode the kernel's open(O_PATH) reaches, or its errno.
func TestResolveLinksChrootHelper(t *testing.T) {
	dir := os.Getenv(chrootHelperEnv)
	if dir == "" {
		t.Skip("the helper process of TestResolveLinksKernel")
	}
	if err := syscall.Chroot(dir); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Chdir("/"); err != nil {
		t.Fatal(err)
	}
	names := map[syscall.Errno]string{syscall.ENOENT: linktest.NotExist, syscall.ELOOP: linktest.Loop, syscall.ENOTDIR: linktest.NotDir}
	for _, c := range linktest.Cases {
		flags := oPath | syscall.O_CLOEXEC
		if !c.Follow {
			flags |= syscall.O_NOFOLLOW
		}
		res := ""
		fd, err := syscall.Open("/"+c.Name, flags, 0)
		if err != nil {
			res = err.Error()
			if e, ok := err.(syscall.Errno); ok && names[e] != "" {
				res = names[e]
			}
		} else {
			var st syscall.Stat_t
			if err := syscall.Fstat(fd, &st); err != nil {
				res = err.Error()
			} else {
				res = fmt.Sprintf("%d:%d", st.Dev, st.Ino)
			}
			syscall.Close(fd)
		}
		fmt.Printf("kernel %s %v\t%s\n", c.Name, c.Follow, res)
	}
}
