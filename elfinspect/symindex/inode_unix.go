//go:build unix

package symindex

import (
	"os"
	"syscall"
)

// inode returns the inode and device of a file.
func inode(fi os.FileInfo) (ino, dev uint64) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Ino), uint64(st.Dev)
	}
	return 0, 0
}
