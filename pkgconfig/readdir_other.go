//go:build !linux

package pkgconfig

import (
	"os"
	"strings"
)

// readDir lists a directory: the names of what is not a directory that
// end in .pc, the names of the directories (not following symbolic
// links), and how many entries it read in all. buf is unused here.
func readDir(dir string, _ []byte) (pcs, dirs []string, entries int, ok bool) {
	ents, err := os.ReadDir(dir)
	if err != nil && len(ents) == 0 {
		return nil, nil, 0, false
	}
	for _, e := range ents {
		if e.IsDir() {
			dirs = append(dirs, e.Name())
		} else if strings.HasSuffix(e.Name(), ".pc") {
			pcs = append(pcs, e.Name())
		}
	}
	return pcs, dirs, len(ents), true
}
