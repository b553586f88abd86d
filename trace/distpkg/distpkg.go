// Package distpkg names the distribution packages that ship a file a cgo
// build asks for — a pkg-config file, a header, a link-time library — from
// the distribution's own package index, never from the library's name.
//
// Two tables are embedded. Debian's (debian.tsv, made by
// scripts/gen-distpkg.sh from the Contents index through apt-file; its
// first line says which release) and Fedora's (fedora.tsv, made by
// scripts/gen-distpkg-fedora.sh from the %files sections of Fedora's
// spec files). Alpine's and Homebrew's indexes were not reachable where
// they were made, nor found whole in a public repository, so there is
// no table of theirs (scripts/gen-distpkg.sh says what was looked for);
// the parsers of answers.go read what the package managers say at run
// time.
package distpkg

import (
	"bytes"
	_ "embed"
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
	// kind and key (scripts/gen-distpkg.sh sorts them), from body on:
	// a lookup is a binary search on the bytes themselves, as look(1)
	// does, so that nothing is indexed first (an index of its 30,000
	// lines cost a failed build 3 ms of CPU).
	text []byte
	body int
}

// fedoraTSV is Fedora's table (fedora.tsv, made by
// scripts/gen-distpkg-fedora.sh from the %files sections of Fedora's
// spec files), embedded the same way.
//
//go:embed fedora.tsv
var fedoraTSV []byte

var (
	debianOnce  sync.Once
	debianTable *Table
	fedoraOnce  sync.Once
	fedoraTable *Table
)

// Fedora is the embedded Fedora table: made from spec files, not from
// built packages, it knows less than Debian's (the script says what).
func Fedora() *Table {
	fedoraOnce.Do(func() {
		fedoraTable = Parse(fedoraTSV, "Fedora")
	})
	return fedoraTable
}

// Debian is the embedded Debian table.
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
	t := &Table{Distro: distro, text: text}
	for t.body < len(text) && bytes.HasPrefix(text[t.body:], []byte("#")) {
		line, _, _ := bytes.Cut(text[t.body:], []byte("\n"))
		if src, ok := bytes.CutPrefix(line, []byte("# ")); ok && t.Source == "" {
			t.Source = string(src)
		}
		t.body += len(line) + 1
	}
	t.body = min(t.body, len(text))
	return t
}

// lineAt is the offset of the first line that starts at or after off
// (len(text) when none does).
func (t *Table) lineAt(off int) int {
	if off <= t.body {
		return t.body
	}
	i := bytes.IndexByte(t.text[off-1:], '\n')
	if i < 0 {
		return len(t.text)
	}
	return off + i
}

// lineKey is "kind TAB key" of the line at off, and the rest after the
// next tab.
func (t *Table) lineKey(off int) (key, rest []byte) {
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

// eachLine calls fn with the offset of each line of the body, in order.
func (t *Table) eachLine(fn func(off int)) {
	for off := t.body; off < len(t.text); off = t.lineAt(off + 1) {
		if t.text[off] != '\n' {
			fn(off)
		}
	}
}

func (t *Table) get(kind, key string) []string {
	if key == "" || strings.ContainsAny(key, "\t\n") {
		return nil
	}
	want := kind + "\t" + key
	// The first byte offset whose line (the first starting at or
	// after it) has a key >= want: lineAt is monotonic, and so are the
	// keys of the lines.
	n := len(t.text) - t.body
	p := t.body + sort.Search(n+1, func(i int) bool {
		off := t.lineAt(t.body + i)
		if off >= len(t.text) {
			return true
		}
		k, _ := t.lineKey(off)
		return string(k) >= want
	})
	off := t.lineAt(p)
	if off >= len(t.text) {
		return nil
	}
	k, rest := t.lineKey(off)
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
// ("zlib.h", "X11/Xcursor/Xcursor.h"): the file itself ("h" lines), else
// its directory when every header the index has directly there comes
// from the same package(s) ("h DIR/"), else the nearest directory above
// it that one package ships whole ("t DIR/", from a spec's
// %{_includedir}/rocksdb). dir reports the last two cases.
func (t *Table) Header(h string) (pkgs []string, dir bool) {
	h = path.Clean(strings.TrimPrefix(h, "/"))
	if h == "." || strings.HasPrefix(h, "../") {
		return nil, false
	}
	if p := t.get("h", h); p != nil {
		return p, false
	}
	d := path.Dir(h)
	if d == "." {
		return nil, false
	}
	if p := t.get("h", d+"/"); p != nil {
		return p, true
	}
	for ; d != "." && d != "/"; d = path.Dir(d) {
		if p := t.get("t", d+"/"); p != nil {
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

// Program returns the packages that ship a C compiler program in
// /usr/bin ("aarch64-linux-gnu-gcc": gcc-aarch64-linux-gnu).
func (t *Table) Program(name string) []string {
	return t.get("b", path.Base(name))
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
