package elfinspect

import (
	"io"
	"io/fs"
	"syscall"
)

// fdFile is a read-only file used through pread(2) only. Inspecting a
// whole /usr/bin opens thousands of files: a bare descriptor skips what
// *os.File adds per open (poller registration, finalizer).
type fdFile struct {
	fd   int
	name string
}

func openFD(name string) (*fdFile, error) {
	for {
		// O_NONBLOCK: opening a FIFO must not wait for a writer (the
		// callers refuse anything but regular files after fstat).
		fd, err := syscall.Open(name, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NONBLOCK, 0)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		return &fdFile{fd: fd, name: name}, nil
	}
}

func (f *fdFile) ReadAt(b []byte, off int64) (int, error) {
	n := 0
	for n < len(b) {
		m, err := syscall.Pread(f.fd, b[n:], off+int64(n))
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return n, &fs.PathError{Op: "read", Path: f.name, Err: err}
		}
		if m == 0 {
			return n, io.EOF
		}
		n += m
	}
	return n, nil
}

// stat returns the size, mode bits and identity of the open file.
func (f *fdFile) stat() (size int64, mode uint32, id fileID, err error) {
	var st syscall.Stat_t
	for {
		err = syscall.Fstat(f.fd, &st)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return 0, 0, fileID{}, &fs.PathError{Op: "stat", Path: f.name, Err: err}
	}
	return st.Size, st.Mode, fileID{uint64(st.Dev), uint64(st.Ino)}, nil
}

func (f *fdFile) Close() error { return syscall.Close(f.fd) }
