// Package distpkg names the distribution packages that ship a file a cgo
// build asks for — a pkg-config file, a header, a link-time library — from
// the distribution's own package index, never from the library's name.
//
// The table is Debian's (debian.tsv.gz, made by scripts/gen-distpkg.sh
// from the Contents index through apt-file; its first line says which
// release). No other distribution's index was reachable where it was
// made, so there is no Fedora, Alpine or Homebrew table.
package distpkg

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"path"
	"strings"
	"sync"
)

//go:embed debian.tsv.gz
var debianTSV []byte

// Table maps files to the packages that ship them.
type Table struct {
	// Source says where the table came from (its header line).
	Source string
	// Distro names the distribution in fix texts ("Debian").
	Distro string
	rows   map[string][]string // kind + "\t" + key
}

var (
	debianOnce  sync.Once
	debianTable *Table
)

// Debian is the embedded Debian table, parsed on first use.
func Debian() *Table {
	debianOnce.Do(func() {
		t, err := Parse(debianTSV, "Debian")
		if err != nil {
			t = &Table{Distro: "Debian", rows: map[string][]string{}}
		}
		debianTable = t
	})
	return debianTable
}

// Parse reads a gzip-compressed table: "# source" lines, then lines of
// kind TAB key TAB pkg,pkg. Malformed lines are skipped.
func Parse(gz []byte, distro string) (*Table, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	t := &Table{Distro: distro, rows: make(map[string][]string, 40000)}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if src, ok := strings.CutPrefix(line, "# "); ok {
			if t.Source == "" {
				t.Source = src
			}
			continue
		}
		kind, rest, ok1 := strings.Cut(line, "\t")
		key, pkgs, ok2 := strings.Cut(rest, "\t")
		if !ok1 || !ok2 || kind == "" || key == "" || pkgs == "" {
			continue
		}
		t.rows[kind+"\t"+key] = strings.Split(pkgs, ",")
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return t, zr.Close()
}

func (t *Table) get(kind, key string) []string {
	return t.rows[kind+"\t"+key]
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
