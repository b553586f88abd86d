//go:build !unix

package envcheck

import "errors"

func freeSpace(path string) (int64, error) {
	return 0, errors.New("free space is only measured on unix systems")
}
