package trace

import (
	"path/filepath"
	"strings"
)

// libName reduces -lfoo, libfoo.so.1, /x/libfoo.a to foo.
func libName(s string) string {
	s = filepath.Base(strings.TrimPrefix(s, "-l"))
	s = strings.TrimPrefix(s, ":")
	if i := strings.Index(s, ".so"); i > 0 {
		s = s[:i]
	}
	for _, ext := range []string{".a", ".dylib", ".tbd", ".dll", ".lib"} {
		s = strings.TrimSuffix(s, ext)
	}
	return strings.TrimPrefix(s, "lib")
}
