//go:build !linux

package pkgconfig

import "os"

// readDir lists a directory: the names of what is not a directory, and
// of the directories (not following symbolic links).
func readDir(dir string) (names, dirs []string, ok bool) {
	ents, err := os.ReadDir(dir)
	if err != nil && len(ents) == 0 {
		return nil, nil, false
	}
	for _, e := range ents {
		if e.IsDir() {
			dirs = append(dirs, e.Name())
		} else {
			names = append(names, e.Name())
		}
	}
	return names, dirs, true
}
