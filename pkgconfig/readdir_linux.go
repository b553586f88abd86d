package pkgconfig

import (
	"bytes"
	"syscall"
	"unsafe"
)

// readDir lists a directory with getdents64 and the types it gives, as
// few system calls as reading a directory takes (os.ReadDir adds an
// fstat and poller set-up per directory): the names of what is not a
// directory that end in .pc, the names of the directories (not following
// symbolic links), and how many entries it read in all. Other names are
// never made strings. buf is the caller's (one per goroutine): on the
// stack, its 32 KiB would grow every goroutine's stack.
func readDir(dir string, buf []byte) (pcs, dirs []string, entries int, ok bool) {
	fd, err := syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, 0, false
	}
	defer syscall.Close(fd)
	for {
		n, err := syscall.Getdents(fd, buf)
		if err == syscall.EINTR {
			continue
		}
		if err != nil || n <= 0 {
			break
		}
		for off := 0; off+19 <= n; {
			reclen := int(*(*uint16)(unsafe.Pointer(&buf[off+16])))
			if reclen < 19 || off+reclen > n {
				break
			}
			typ := buf[off+18]
			name := buf[off+19 : off+reclen]
			for i, c := range name {
				if c == 0 {
					name = name[:i]
					break
				}
			}
			off += reclen
			if len(name) == 0 || string(name) == "." || string(name) == ".." {
				continue
			}
			entries++
			if typ != syscall.DT_DIR && typ != syscall.DT_UNKNOWN && !bytes.HasSuffix(name, dotPC) {
				continue
			}
			if typ == syscall.DT_UNKNOWN {
				var st syscall.Stat_t
				if syscall.Lstat(dir+"/"+string(name), &st) == nil && st.Mode&syscall.S_IFMT == syscall.S_IFDIR {
					typ = syscall.DT_DIR
				}
			}
			if typ == syscall.DT_DIR {
				dirs = append(dirs, string(name))
			} else if bytes.HasSuffix(name, dotPC) {
				pcs = append(pcs, string(name))
			}
		}
	}
	return pcs, dirs, entries, true
}

var dotPC = []byte(".pc")
