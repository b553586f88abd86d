package symindex

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// The cache file, little-endian throughout:
//
//	header   72 bytes: magic "CGTSYM03", nLibs, nSyms, nHash, the
//	         offsets of the sections below and the file size
//	manifest varint-encoded: the search directories, then per library its
//	         path, (size, mtime, inode, device), kind, soname, machine,
//	         error, script inputs, names in the search directories and its
//	         range of symbols
//	symbols  nSyms records of 5 uint32: name, version, member (string
//	         pool offsets, 0 = none), library index, flags
//	hash     nHash records (uint64 FNV-1a hash of the name, uint32
//	         symbol), sorted by hash
//	mangled  every C++ (_Z) name, each followed by '\n'
//	pool     strings as uvarint length + bytes; offset 0 is "none"
//
// A lookup hashes the query and binary-searches the hash section of the
// memory-mapped file: nothing is decoded but the manifest and the hits.
// A demangled query scans the mangled section for the query's name
// components as they appear mangled ("3foo3bar"), demangles only those
// candidates and compares.

const (
	cacheMagic = "CGTSYM04"
	headerLen  = 72
	symRecLen  = 20
	hashRecLen = 12
)

type encoder struct{ b []byte }

func (e *encoder) uvarint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *encoder) varint(v int64)   { e.b = binary.AppendVarint(e.b, v) }
func (e *encoder) str(s string)     { e.uvarint(uint64(len(s))); e.b = append(e.b, s...) }
func (e *encoder) strs(ss []string) {
	e.uvarint(uint64(len(ss)))
	for _, s := range ss {
		e.str(s)
	}
}

type decoder struct {
	b   []byte
	err error
}

var errCorrupt = errors.New("corrupt cache file")

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errCorrupt
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = errCorrupt
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) str() string {
	n := d.uvarint()
	if d.err != nil {
		return ""
	}
	if n > uint64(len(d.b)) {
		d.err = errCorrupt
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *decoder) strs() []string {
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.b)) {
		d.err = errCorrupt
		return nil
	}
	var out []string
	for range n {
		out = append(out, d.str())
	}
	return out
}

// libEntry is a library as the manifest records it.
type libEntry struct {
	Path     string
	ID       fileID
	Kind     Kind
	Soname   string
	Machine  string
	Err      string
	Inputs   []string
	Names    []string
	FirstSym uint32
	NumSyms  uint32
}

// pool builds the string pool, sharing repeated strings.
type pool struct {
	b   []byte
	off map[string]uint32
	// last is the most recent add: neighbouring symbols share versions
	// and archive members.
	lastS   string
	lastOff uint32
}

func newPool() *pool { return &pool{b: []byte{0}, off: map[string]uint32{"": 0}} }

// add adds a string that repeats (versions, member names) once.
func (p *pool) add(s string) uint32 {
	if s == "" {
		return 0
	}
	if s == p.lastS {
		return p.lastOff
	}
	o, ok := p.off[s]
	if !ok {
		o = p.addUnique(s)
		p.off[s] = o
	}
	p.lastS, p.lastOff = s, o
	return o
}

// addUnique appends s without looking for an earlier copy.
func (p *pool) addUnique(s string) uint32 {
	if s == "" {
		return 0
	}
	o := uint32(len(p.b))
	p.b = binary.AppendUvarint(p.b, uint64(len(s)))
	p.b = append(p.b, s...)
	return o
}

// poolString reads the string at off; ok is false when off or the length
// lies outside the pool.
func poolString(pool []byte, off uint32) (string, bool) {
	if off == 0 {
		return "", true
	}
	if int64(off) >= int64(len(pool)) {
		return "", false
	}
	n, k := binary.Uvarint(pool[off:])
	if k <= 0 || n > uint64(len(pool)-int(off)-k) {
		return "", false
	}
	start := int(off) + k
	return string(pool[start : start+int(n)]), true
}

// hashString is 64-bit FNV-1a.
// mangledString reads the name at off in the mangled section.
func mangledString(block []byte, off uint32) (string, bool) {
	if int64(off) >= int64(len(block)) {
		return "", false
	}
	end := bytes.IndexByte(block[off:], '\n')
	if end <= 0 {
		return "", false
	}
	return string(block[off : int(off)+end]), true
}

func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// squeeze removes white space, so "f(int, char)" and "f(int,char)" hash
// alike.
func squeeze(s string) string {
	if !strings.ContainsFunc(s, unicode.IsSpace) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// demangledKeys are the lookup keys of a demangled name: the whole name
// and the name without its parameter list, both squeezed.
func demangledKeys(dem string) []string {
	full := squeeze(dem)
	keys := []string{full}
	if np := squeeze(withoutParams(dem)); np != "" && np != full {
		keys = append(keys, np)
	}
	return keys
}

// withoutParams strips the last parenthesised group and any qualifiers
// after it from a demangled function name: "ns::f(int) const" → "ns::f",
// "(anonymous namespace)::g(char*)" → "(anonymous namespace)::g".
func withoutParams(s string) string {
	t := strings.TrimSpace(s)
	for {
		trimmed := false
		for _, q := range []string{" const", " volatile", " &&", " &", " noexcept"} {
			if strings.HasSuffix(t, q) {
				t = strings.TrimSpace(strings.TrimSuffix(t, q))
				trimmed = true
			}
		}
		if !trimmed {
			break
		}
	}
	if !strings.HasSuffix(t, ")") {
		return ""
	}
	depth := 0
	for i := len(t) - 1; i >= 0; i-- {
		switch t[i] {
		case ')':
			depth++
		case '(':
			depth--
			if depth == 0 {
				return strings.TrimSpace(t[:i])
			}
		}
	}
	return ""
}

// encoded is a cache file in its sections (header, manifest, symbols,
// hash, mangled, pool): written one after the other, never concatenated
// in memory.
type encoded [][]byte

func (e encoded) size() int {
	n := 0
	for _, p := range e {
		n += len(p)
	}
	return n
}

// bytes concatenates the sections (tests).
func (e encoded) bytes() []byte {
	out := make([]byte, 0, e.size())
	for _, p := range e {
		out = append(out, p...)
	}
	return out
}

// table returns the table of a freshly encoded index without copying the
// sections.
func (e encoded) table() (*table, error) {
	t := &table{syms: e[2], hash: e[3], mangled: e[4], pool: e[5]}
	nLibs := uint64(binary.LittleEndian.Uint32(e[0][8:]))
	nSyms := uint64(len(e[2]) / symRecLen)
	var err error
	t.dirs, t.libs, err = decodeManifest(e[1], nLibs, nSyms)
	return t, err
}

// encodeIndex builds the cache file for libs.
func encodeIndex(dirs []string, libs []*library, names [][]string) encoded {
	p := newPool()
	total, nameBytes := 0, 0
	for _, l := range libs {
		total += len(l.Syms)
		for _, s := range l.Syms {
			nameBytes += len(s.Name) + 2
		}
	}
	p.b = slices.Grow(p.b, nameBytes+nameBytes/8)
	mangled := make([]byte, 0, nameBytes)
	syms := make([]byte, 0, total*symRecLen)
	type hrec struct {
		h   uint64
		sym uint32
	}
	hashes := make([]hrec, 0, total)
	var man encoder
	man.strs(dirs)
	man.uvarint(uint64(len(libs)))
	nsym := uint32(0)
	for li, l := range libs {
		man.str(l.Path)
		man.varint(l.ID.Size)
		man.varint(l.ID.Mtime)
		man.uvarint(l.ID.Ino)
		man.uvarint(l.ID.Dev)
		man.str(string(l.Kind))
		man.str(l.Soname)
		man.str(l.Machine)
		man.str(l.Err)
		man.strs(l.Inputs)
		man.strs(names[li])
		man.uvarint(uint64(nsym))
		man.uvarint(uint64(len(l.Syms)))
		for _, s := range l.Syms {
			nameOff, flags := uint32(0), s.Flags
			if isMangled(s.Name) && !strings.ContainsRune(s.Name, '\n') {
				// C++ names live once, in the mangled section the
				// demangled lookups scan.
				nameOff, flags = uint32(len(mangled)), flags|flagNameInMangled
				mangled = append(mangled, s.Name...)
				mangled = append(mangled, '\n')
			} else {
				nameOff = p.addUnique(s.Name)
			}
			rec := [5]uint32{nameOff, p.add(s.Version), p.add(s.Member), uint32(li), flags}
			for _, v := range rec {
				syms = binary.LittleEndian.AppendUint32(syms, v)
			}
			hashes = append(hashes, hrec{hashString(s.Name), nsym})
			nsym++
		}
	}
	// LSD radix sort on the hash, 16 bits a pass: stable, so equal hashes
	// keep symbol order.
	tmp := make([]hrec, len(hashes))
	for shift := uint(0); shift < 64; shift += 16 {
		var count [1 << 16]int
		for _, h := range hashes {
			count[(h.h>>shift)&0xffff]++
		}
		sum := 0
		for i, c := range count {
			count[i] = sum
			sum += c
		}
		for _, h := range hashes {
			d := (h.h >> shift) & 0xffff
			tmp[count[d]] = h
			count[d]++
		}
		hashes, tmp = tmp, hashes
	}
	hb := make([]byte, 0, len(hashes)*hashRecLen)
	for _, h := range hashes {
		hb = binary.LittleEndian.AppendUint64(hb, h.h)
		hb = binary.LittleEndian.AppendUint32(hb, h.sym)
	}
	offMan := uint64(headerLen)
	offSyms := offMan + uint64(len(man.b))
	offHash := offSyms + uint64(len(syms))
	offMangled := offHash + uint64(len(hb))
	offPool := offMangled + uint64(len(mangled))
	out := make([]byte, headerLen)
	copy(out, cacheMagic)
	binary.LittleEndian.PutUint32(out[8:], uint32(len(libs)))
	binary.LittleEndian.PutUint32(out[12:], nsym)
	binary.LittleEndian.PutUint32(out[16:], uint32(len(hashes)))
	binary.LittleEndian.PutUint64(out[24:], offMan)
	binary.LittleEndian.PutUint64(out[32:], offSyms)
	binary.LittleEndian.PutUint64(out[40:], offHash)
	binary.LittleEndian.PutUint64(out[48:], offMangled)
	binary.LittleEndian.PutUint64(out[56:], offPool)
	binary.LittleEndian.PutUint64(out[64:], offPool+uint64(len(p.b)))
	return encoded{out, man.b, syms, hb, mangled, p.b}
}

// table is a decoded view of a cache file: the manifest is decoded, the
// symbols, hashes and pool stay in the (mapped) bytes.
type table struct {
	dirs    []string
	libs    []libEntry
	syms    []byte
	hash    []byte
	mangled []byte
	pool    []byte
}

// decodeIndex checks the header and every section bound and decodes the
// manifest. It never panics on bad input.
func decodeIndex(b []byte) (*table, error) {
	if len(b) < headerLen || string(b[:8]) != cacheMagic {
		return nil, fmt.Errorf("%w: bad header", errCorrupt)
	}
	nLibs := uint64(binary.LittleEndian.Uint32(b[8:]))
	nSyms := uint64(binary.LittleEndian.Uint32(b[12:]))
	nHash := uint64(binary.LittleEndian.Uint32(b[16:]))
	offMan := binary.LittleEndian.Uint64(b[24:])
	offSyms := binary.LittleEndian.Uint64(b[32:])
	offHash := binary.LittleEndian.Uint64(b[40:])
	offMangled := binary.LittleEndian.Uint64(b[48:])
	offPool := binary.LittleEndian.Uint64(b[56:])
	size := uint64(len(b))
	if binary.LittleEndian.Uint64(b[64:]) != size {
		return nil, fmt.Errorf("%w: truncated", errCorrupt)
	}
	if offMan != headerLen || offMan > offSyms || offSyms > offHash || offHash > offMangled ||
		offMangled > offPool || offPool > size ||
		offHash-offSyms != nSyms*symRecLen || offMangled-offHash != nHash*hashRecLen {
		return nil, fmt.Errorf("%w: bad section table", errCorrupt)
	}
	t := &table{syms: b[offSyms:offHash], hash: b[offHash:offMangled], mangled: b[offMangled:offPool], pool: b[offPool:]}
	var err error
	t.dirs, t.libs, err = decodeManifest(b[offMan:offSyms], nLibs, nSyms)
	if err != nil {
		return nil, err
	}
	return t, nil
}

// decodeManifest decodes the directories and libraries, checking every
// library's symbol range against nSyms.
func decodeManifest(b []byte, nLibs, nSyms uint64) ([]string, []libEntry, error) {
	d := &decoder{b: b}
	dirs := d.strs()
	if n := d.uvarint(); n != nLibs || nLibs > uint64(len(d.b)) {
		return nil, nil, fmt.Errorf("%w: library count", errCorrupt)
	}
	libs := make([]libEntry, 0, nLibs)
	for range nLibs {
		var l libEntry
		l.Path = d.str()
		l.ID.Size = d.varint()
		l.ID.Mtime = d.varint()
		l.ID.Ino = d.uvarint()
		l.ID.Dev = d.uvarint()
		l.Kind = Kind(d.str())
		l.Soname = d.str()
		l.Machine = d.str()
		l.Err = d.str()
		l.Inputs = d.strs()
		l.Names = d.strs()
		first, n := d.uvarint(), d.uvarint()
		if d.err != nil {
			return nil, nil, d.err
		}
		if first > nSyms || n > nSyms-first {
			return nil, nil, fmt.Errorf("%w: symbol range", errCorrupt)
		}
		l.FirstSym, l.NumSyms = uint32(first), uint32(n)
		libs = append(libs, l)
	}
	if d.err != nil {
		return nil, nil, d.err
	}
	return dirs, libs, nil
}

func (t *table) numSyms() int { return len(t.syms) / symRecLen }

// sym decodes symbol i; ok is false on a bad reference.
func (t *table) sym(i int) (s symbol, lib int, ok bool) {
	if i < 0 || i >= t.numSyms() {
		return s, 0, false
	}
	r := t.syms[i*symRecLen:]
	var f [5]uint32
	for k := range f {
		f[k] = binary.LittleEndian.Uint32(r[k*4:])
	}
	var ok1, ok2, ok3 bool
	if f[4]&flagNameInMangled != 0 {
		s.Name, ok1 = mangledString(t.mangled, f[0])
	} else {
		s.Name, ok1 = poolString(t.pool, f[0])
	}
	s.Version, ok2 = poolString(t.pool, f[1])
	s.Member, ok3 = poolString(t.pool, f[2])
	s.Flags = f[4] &^ flagNameInMangled
	if !ok1 || !ok2 || !ok3 || int64(f[3]) >= int64(len(t.libs)) {
		return s, 0, false
	}
	return s, int(f[3]), true
}

// find returns the symbols whose hash is h.
func (t *table) find(h uint64) []int {
	n := len(t.hash) / hashRecLen
	at := func(i int) uint64 { return binary.LittleEndian.Uint64(t.hash[i*hashRecLen:]) }
	lo, hi := 0, n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if at(m) < h {
			lo = m + 1
		} else {
			hi = m
		}
	}
	var out []int
	for i := lo; i < n && at(i) == h; i++ {
		out = append(out, int(binary.LittleEndian.Uint32(t.hash[i*hashRecLen+8:])))
	}
	return out
}

// librarySyms decodes all symbols of library li (to reuse them when the
// index is rebuilt).
func (t *table) librarySyms(li int) ([]symbol, bool) {
	l := t.libs[li]
	out := make([]symbol, 0, l.NumSyms)
	for i := int(l.FirstSym); i < int(l.FirstSym+l.NumSyms); i++ {
		s, _, ok := t.sym(i)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}
