// Package distpkg names the distribution packages that ship a file a cgo
// build asks for — a pkg-config file, a header, a link-time library — from
// the distribution's own package index, never from the library's name.
//
// The table is Debian's (debian.tsv, made by scripts/gen-distpkg.sh
// from the Contents index through apt-file; its first line says which
// release). No other distribution's index was reachable where it was
// made, nor found in a public repository, so there is no Fedora, Alpine
// or Homebrew table (the script's header says what was looked for); the
// parsers of answers.go read what their package managers say at run time.
package distpkg

import (
	"bytes"
	_ "embed"
	"math"
	"path"
	"sort"
	"strings"
	"sync"
)

// debianTSV is embedded as it is, not compressed: decompressing its
// 1.1 MB took 16 ms of a failed build's diagnosis, where a binary search
// in place takes microseconds.
//
//go:embed debian.tsv
var debianTSV []byte

// Table maps files to the packages that ship them.
type Table struct {
	// Source says where the table came from (its header line).
	Source string
	// Distro names the distribution in fix texts ("Debian").
	Distro string
	// text is the table's lines, "kind TAB key TAB pkg,pkg", sorted by
	// kind and key (scripts/gen-distpkg.sh sorts them); lines are the
	// offsets of those lines, for a binary search.
	text  []byte
	lines []int32
}

var (
	debianOnce  sync.Once
	debianTable *Table
)

// Debian is the embedded Debian table, indexed on first use.
func Debian() *Table {
	debianOnce.Do(func() {
		debianTable = Parse(debianTSV, "Debian")
	})
	return debianTable
}

// DebianSource is the embedded Debian table's source line (Table.Source):
// whether the table is this machine's release is decided before a failed
// build's probes start.
func DebianSource() string {
	line, _, _ := bytes.Cut(debianTSV, []byte("\n"))
	if src, ok := bytes.CutPrefix(line, []byte("# ")); ok {
		return string(src)
	}
	return ""
}

// Parse reads a table: "# source" lines, then lines of kind TAB key TAB
// pkg,pkg sorted by kind and key. Lines of another shape are never
// matched. The table keeps text (it is not copied).
func Parse(text []byte, distro string) *Table {
	t := &Table{Distro: distro, text: text, lines: make([]int32, 0, bytes.Count(text, []byte("\n"))+1)}
	for off := 0; off < len(t.text) && off < math.MaxInt32; {
		end := bytes.IndexByte(t.text[off:], '\n')
		if end < 0 {
			end = len(t.text) - off
		}
		line := t.text[off : off+end]
		if src, ok := bytes.CutPrefix(line, []byte("# ")); ok {
			if t.Source == "" {
				t.Source = string(src)
			}
		} else if len(line) > 0 {
			t.lines = append(t.lines, int32(off))
		}
		off += end + 1
	}
	return t
}

// lineKey is "kind TAB key" of the line at off, and the rest after the
// next tab.
func (t *Table) lineKey(off int32) (key, rest []byte) {
	line := t.text[off:]
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	i := bytes.IndexByte(line, '\t')
	if i < 0 {
		return line, nil
	}
	j := bytes.IndexByte(line[i+1:], '\t')
	if j < 0 {
		return line, nil
	}
	return line[:i+1+j], line[i+2+j:]
}

func (t *Table) get(kind, key string) []string {
	if key == "" || strings.ContainsAny(key, "\t\n") {
		return nil
	}
	want := kind + "\t" + key
	i := sort.Search(len(t.lines), func(i int) bool {
		k, _ := t.lineKey(t.lines[i])
		return string(k) >= want
	})
	if i == len(t.lines) {
		return nil
	}
	k, rest := t.lineKey(t.lines[i])
	if string(k) != want || len(rest) == 0 {
		return nil
	}
	return strings.Split(string(rest), ",")
}

// PCFile returns the packages that ship NAME.pc.
func (t *Table) PCFile(name string) []string {
	return t.get("p", strings.TrimSuffix(name, ".pc"))
}

// Header returns the packages that ship the header as #include names it
// ("zlib.h", "X11/Xcursor/Xcursor.h"): the file itself, else its
// directory when every header the index has there comes from the same
// package(s). dir reports the second case.
func (t *Table) Header(h string) (pkgs []string, dir bool) {
	h = path.Clean(strings.TrimPrefix(h, "/"))
	if h == "." || strings.HasPrefix(h, "../") {
		return nil, false
	}
	if p := t.get("h", h); p != nil {
		return p, false
	}
	if d := path.Dir(h); d != "." {
		if p := t.get("h", d+"/"); p != nil {
			return p, true
		}
	}
	return nil, false
}

// Library returns the packages that ship a link-time library file
// ("libz.so", "libz.a") in the system library directories.
func (t *Table) Library(file string) []string {
	return t.get("l", path.Base(file))
}

// GCCLibrary returns the packages that ship file in gcc's own library
// directory for gcc major version major ("12", "libstdc++.so").
func (t *Table) GCCLibrary(major, file string) []string {
	return t.get("g", major+"/"+path.Base(file))
}

// Phrase names pkgs for a fix text: "Debian: libzmq3-dev", or for
// alternatives "Debian: libcurl4-gnutls-dev, libcurl4-nss-dev or
// libcurl4-openssl-dev (any one)"; "" when pkgs is empty.
func (t *Table) Phrase(pkgs []string) string {
	switch len(pkgs) {
	case 0:
		return ""
	case 1:
		return t.Distro + ": " + pkgs[0]
	}
	return t.Distro + ": " + strings.Join(pkgs[:len(pkgs)-1], ", ") + " or " + pkgs[len(pkgs)-1] + " (any one)"
}
