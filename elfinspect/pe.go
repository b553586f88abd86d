package elfinspect

import (
	"errors"
	"io"
)

func newPERaw(r io.ReaderAt, path string) (rawFile, error) {
	return nil, errors.New("PE: not yet supported")
}

func isWindowsSystemDLL(n string) bool { return false }
