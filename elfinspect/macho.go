package elfinspect

import (
	"errors"
	"io"
)

func isMachO(head []byte) bool { return false }

func newMachORaw(r io.ReaderAt, path string) (rawFile, error) {
	return nil, errors.New("Mach-O: not yet supported")
}
