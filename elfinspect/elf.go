package elfinspect

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"
	"unsafe"
)

// Limits that keep a hostile file from making the reader allocate or loop
// without bound. Real files are far below them.
const (
	maxPhnum      = 1 << 14
	maxShnum      = 1 << 16
	maxDynEntries = 1 << 16
	maxVerneed    = 1 << 14
	maxDynstr     = 64 << 20
	maxString     = 1 << 16
	wholeStrtab   = 16 << 10 // read the whole .dynstr below this size
)

// elfObject is what the loader emulation needs to know about one ELF file:
// the header, the program headers it uses and the dynamic section. It is
// read from the program headers (PT_DYNAMIC, DT_STRTAB mapped through
// PT_LOAD), as ld.so does, so section-stripped files work too.
type elfObject struct {
	class   elf.Class
	data    elf.Data
	machine elf.Machine
	typ     elf.Type
	osabi   elf.OSABI
	order   binary.ByteOrder
	size    int64

	interp     string
	hasInterp  bool
	hasDynamic bool
	soname     string
	needed     []string
	rpath      string
	hasRpath   bool
	runpath    string
	hasRunpath bool
	flags      uint64
	flags1     uint64

	loads []elfLoad
	notes []elfLoad
	// loadsBuf and notesBuf hold loads and notes for the usual counts
	// (4 PT_LOAD, 2 PT_NOTE) without allocations of their own.
	loadsBuf [4]elfLoad
	notesBuf [2]elfLoad
	// raBuf is ra's storage while the object is read.
	raBuf readerAt

	// Only filled by readELF(full=true).
	verneedAddr, verneedNum uint64
	strtabOff, strtabSize   uint64
	hasStrtab               bool
	strtabCache             *strReader
	ra                      *readerAt
	shoff                   uint64
	shnum, shentsize        uint16
	shstrndx                uint16
}

type elfLoad struct{ vaddr, off, filesz uint64 }

// errNotELF is returned for a file that does not start with the ELF magic.
var errNotELF = errors.New("not an ELF file")

// readerAt reads ranges of a file through a window: one read of
// windowSize bytes serves the small reads that follow it (the Verneed
// chain, strings), so a file costs a handful of pread calls. Slices it
// returns stay valid: a window is never reused.
type readerAt struct {
	r      io.ReaderAt
	arena  *arena
	size   int64
	win    []byte
	winOff uint64
	// grow makes a miss read a whole window instead of the exact range;
	// set while reading many small records (Verneed, strings).
	grow bool
}

const windowSize = 4 << 10

func newReaderAt(r io.ReaderAt, size int64, head []byte, ar *arena) *readerAt {
	return &readerAt{r: r, size: size, win: head, arena: ar}
}

// arena hands out the buffers of one file's reads from a reusable block:
// inspecting a whole /usr/bin otherwise allocates (and page-faults in)
// megabytes of buffers that live for microseconds. Whoever owns the arena
// resets it when nothing refers to that file's data any more; nil is a
// valid arena that allocates.
type arena struct {
	buf []byte
	off int
}

const arenaSize = 64 << 10

func newArena() *arena { return &arena{buf: make([]byte, arenaSize)} }

// alloc returns n bytes, not zeroed: callers fill them with a read.
func (a *arena) alloc(n uint64) []byte {
	if a != nil && n <= uint64(len(a.buf)-a.off) {
		b := a.buf[a.off : a.off+int(n) : a.off+int(n)]
		a.off += int(n)
		return b
	}
	return make([]byte, n)
}

func (a *arena) reset() {
	if a == nil {
		return
	}
	if poisonArenas {
		// Tests: anything still holding a slice of the last file now
		// reads garbage, and the comparisons with readelf and ldd fail.
		for i := range a.buf[:a.off] {
			a.buf[i] = 0xA5
		}
	}
	a.off = 0
}

// poisonArenas is set by the package's tests.
var poisonArenas bool

// read returns n bytes at off, or an error naming what was being read when
// the range lies outside the file.
func (ra *readerAt) read(off, n uint64, what string) ([]byte, error) {
	if n > uint64(ra.size) || off > uint64(ra.size)-n {
		return nil, fmt.Errorf("%s at offset %d (%d bytes) is past the end of the file (%d bytes)", what, off, n, ra.size)
	}
	if off >= ra.winOff && off-ra.winOff <= uint64(len(ra.win)) && n <= uint64(len(ra.win))-(off-ra.winOff) {
		s := off - ra.winOff
		return ra.win[s : s+n : s+n], nil
	}
	m := n
	if m < windowSize && ra.grow {
		m = min(uint64(windowSize), uint64(ra.size)-off)
	}
	b := ra.arena.alloc(m)
	if _, err := ra.r.ReadAt(b, int64(off)); err != nil && !(errors.Is(err, io.EOF) && n == 0) {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	if m > n {
		ra.win, ra.winOff = b, off
	}
	return b[:n:n], nil
}

// readELF parses the ELF header, program headers and dynamic section of r.
// head holds the first bytes of the file (at least the ELF header when the
// file is large enough); it saves a read for the program headers.
// With full set, it also locates what version needs and sections need.
// Reads are carved from ar (nil: allocated); the object keeps none of
// them once its reader is dropped.
func readELF(r io.ReaderAt, size int64, head []byte, full bool, ar *arena) (*elfObject, error) {
	if len(head) < 4 || !bytes.Equal(head[:4], []byte(elf.ELFMAG)) {
		return nil, errNotELF
	}
	if len(head) < 52 {
		return nil, fmt.Errorf("truncated ELF header (%d bytes)", len(head))
	}
	o := &elfObject{size: size, class: elf.Class(head[elf.EI_CLASS]), data: elf.Data(head[elf.EI_DATA]), osabi: elf.OSABI(head[elf.EI_OSABI])}
	o.raBuf = readerAt{r: r, size: size, win: head, arena: ar}
	ra := &o.raBuf
	o.ra = ra
	o.loads, o.notes = o.loadsBuf[:0], o.notesBuf[:0]
	switch o.data {
	case elf.ELFDATA2LSB:
		o.order = binary.LittleEndian
	case elf.ELFDATA2MSB:
		o.order = binary.BigEndian
	default:
		return nil, fmt.Errorf("bad ELF data encoding %d", head[elf.EI_DATA])
	}
	bo := o.order
	o.typ = elf.Type(bo.Uint16(head[16:]))
	o.machine = elf.Machine(bo.Uint16(head[18:]))
	var phoff uint64
	var phentsize, phnum uint16
	switch o.class {
	case elf.ELFCLASS32:
		phoff = uint64(bo.Uint32(head[28:]))
		o.shoff = uint64(bo.Uint32(head[32:]))
		phentsize = bo.Uint16(head[42:])
		phnum = bo.Uint16(head[44:])
		o.shentsize = bo.Uint16(head[46:])
		o.shnum = bo.Uint16(head[48:])
		o.shstrndx = bo.Uint16(head[50:])
	case elf.ELFCLASS64:
		if len(head) < 64 {
			return nil, fmt.Errorf("truncated ELF header (%d bytes)", len(head))
		}
		phoff = bo.Uint64(head[32:])
		o.shoff = bo.Uint64(head[40:])
		phentsize = bo.Uint16(head[54:])
		phnum = bo.Uint16(head[56:])
		o.shentsize = bo.Uint16(head[58:])
		o.shnum = bo.Uint16(head[60:])
		o.shstrndx = bo.Uint16(head[62:])
	default:
		return nil, fmt.Errorf("bad ELF class %d", head[elf.EI_CLASS])
	}
	if phnum == 0 {
		return o, nil
	}
	want := uint16(32)
	if o.class == elf.ELFCLASS64 {
		want = 56
	}
	if phentsize < want {
		return nil, fmt.Errorf("bad program header size %d", phentsize)
	}
	if phnum == 0xffff || int(phnum) > maxPhnum {
		return nil, fmt.Errorf("unsupported program header count %d", phnum)
	}
	n := uint64(phnum) * uint64(phentsize)
	var ph []byte
	if phoff <= uint64(len(head)) && n <= uint64(len(head))-phoff {
		ph = head[phoff : phoff+n]
	} else {
		var err error
		if ph, err = ra.read(phoff, n, "program headers"); err != nil {
			return nil, err
		}
	}
	var dynOff, dynSize uint64
	var interpOff, interpSize uint64
	for i := 0; i < int(phnum); i++ {
		p := ph[i*int(phentsize):]
		var typ elf.ProgType
		var off, vaddr, filesz uint64
		if o.class == elf.ELFCLASS64 {
			typ = elf.ProgType(bo.Uint32(p))
			off, vaddr, filesz = bo.Uint64(p[8:]), bo.Uint64(p[16:]), bo.Uint64(p[32:])
		} else {
			typ = elf.ProgType(bo.Uint32(p))
			off, vaddr, filesz = uint64(bo.Uint32(p[4:])), uint64(bo.Uint32(p[8:])), uint64(bo.Uint32(p[16:]))
		}
		switch typ {
		case elf.PT_INTERP:
			o.hasInterp = true
			interpOff, interpSize = off, filesz
		case elf.PT_DYNAMIC:
			o.hasDynamic = true
			dynOff, dynSize = off, filesz
		case elf.PT_LOAD:
			o.loads = append(o.loads, elfLoad{vaddr, off, filesz})
		case elf.PT_NOTE:
			o.notes = append(o.notes, elfLoad{vaddr, off, filesz})
		}
	}
	if o.hasInterp {
		if interpSize > maxString {
			return nil, fmt.Errorf("PT_INTERP of %d bytes", interpSize)
		}
		b, err := ra.read(interpOff, interpSize, "PT_INTERP")
		if err != nil {
			return nil, err
		}
		o.interp = cstring(b)
	}
	if o.hasDynamic {
		if err := o.readDynamic(ra, dynOff, dynSize, full); err != nil {
			return nil, err
		}
	}
	if !full {
		o.ra, o.raBuf = nil, readerAt{} // a cached library keeps no file data
	}
	return o, nil
}

func cstring(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// vaddrToOff maps a virtual address to a file offset through PT_LOAD.
func (o *elfObject) vaddrToOff(addr uint64) (uint64, bool) {
	for _, l := range o.loads {
		if addr >= l.vaddr && addr-l.vaddr < l.filesz {
			return l.off + (addr - l.vaddr), true
		}
	}
	return 0, false
}

func (o *elfObject) readDynamic(ra *readerAt, off, size uint64, full bool) error {
	entSize := uint64(16)
	if o.class == elf.ELFCLASS32 {
		entSize = 8
	}
	if size/entSize > maxDynEntries {
		return fmt.Errorf("dynamic section of %d bytes", size)
	}
	b, err := ra.read(off, size-size%entSize, "dynamic section")
	if err != nil {
		return err
	}
	bo := o.order
	var needed []uint64
	var soname, rpath, runpath uint64
	var strtab, strsz uint64
	var hasStrtab bool
	for i := uint64(0); i+entSize <= uint64(len(b)); i += entSize {
		var tag, val uint64
		if entSize == 16 {
			tag, val = bo.Uint64(b[i:]), bo.Uint64(b[i+8:])
		} else {
			tag, val = uint64(bo.Uint32(b[i:])), uint64(bo.Uint32(b[i+4:]))
		}
		switch elf.DynTag(tag) {
		case elf.DT_NULL:
			i = uint64(len(b))
		case elf.DT_NEEDED:
			needed = append(needed, val)
		case elf.DT_SONAME:
			soname = val + 1
		case elf.DT_RPATH:
			rpath = val + 1
		case elf.DT_RUNPATH:
			runpath = val + 1
		case elf.DT_STRTAB:
			strtab, hasStrtab = val, true
		case elf.DT_STRSZ:
			strsz = val
		case elf.DT_FLAGS:
			o.flags = val
		case elf.DT_FLAGS_1:
			o.flags1 = val
		case elf.DT_VERNEED:
			o.verneedAddr = val
		case elf.DT_VERNEEDNUM:
			o.verneedNum = val
		}
	}
	if !hasStrtab {
		if len(needed) > 0 || soname != 0 || rpath != 0 || runpath != 0 {
			return errors.New("dynamic section has names but no DT_STRTAB")
		}
		return nil
	}
	stroff, ok := o.vaddrToOff(strtab)
	if !ok {
		// Some prelinked or odd files store DT_STRTAB as an offset.
		if strtab < uint64(ra.size) {
			stroff = strtab
		} else {
			return fmt.Errorf("DT_STRTAB 0x%x is outside every PT_LOAD segment", strtab)
		}
	}
	if strsz > uint64(ra.size) || stroff > uint64(ra.size)-strsz {
		strsz = uint64(ra.size) - min(stroff, uint64(ra.size))
	}
	o.strtabOff, o.strtabSize, o.hasStrtab = stroff, strsz, true
	st := &strReader{ra: ra, off: stroff, size: strsz}
	if strsz <= wholeStrtab {
		if strsz > maxDynstr {
			return fmt.Errorf("dynamic string table of %d bytes", strsz)
		}
		if st.all, err = ra.read(stroff, strsz, "dynamic string table"); err != nil {
			return err
		}
	}
	get := func(v uint64, what string) (string, error) {
		s, err := st.get(v)
		if err != nil {
			return "", fmt.Errorf("%s: %w", what, err)
		}
		return s, nil
	}
	if len(needed) > 0 {
		o.needed = make([]string, len(needed))
		for i, v := range needed {
			if o.needed[i], err = get(v, "DT_NEEDED"); err != nil {
				return err
			}
		}
	}
	if soname != 0 {
		if o.soname, err = get(soname-1, "DT_SONAME"); err != nil {
			return err
		}
	}
	if rpath != 0 {
		o.hasRpath = true
		if o.rpath, err = get(rpath-1, "DT_RPATH"); err != nil {
			return err
		}
	}
	if runpath != 0 {
		o.hasRunpath = true
		if o.runpath, err = get(runpath-1, "DT_RUNPATH"); err != nil {
			return err
		}
	}
	if full {
		o.strtabCache = st
	}
	return nil
}

// strReader reads NUL-terminated strings of a string table, either from a
// copy of the whole table or with one small read each.
type strReader struct {
	ra        *readerAt
	off, size uint64
	all       []byte
}

func (s *strReader) get(i uint64) (string, error) {
	b, err := s.getBytes(i)
	return string(b), err
}

// getBytes is get without the copy: the bytes stay valid while the
// file's reads do (readerAt never reuses a window).
func (s *strReader) getBytes(i uint64) ([]byte, error) {
	s.ra.grow = true
	defer func() { s.ra.grow = false }()
	if i >= s.size {
		return nil, fmt.Errorf("string offset %d past the string table (%d bytes)", i, s.size)
	}
	if s.all != nil {
		b := s.all[i:]
		j := bytes.IndexByte(b, 0)
		if j < 0 {
			return nil, errors.New("unterminated string")
		}
		return b[:j], nil
	}
	for chunk := uint64(128); ; chunk *= 4 {
		n := min(chunk, s.size-i)
		b, err := s.ra.read(s.off+i, n, "string")
		if err != nil {
			return nil, err
		}
		if j := bytes.IndexByte(b, 0); j >= 0 {
			return b[:j], nil
		}
		if n == s.size-i || n >= maxString {
			return nil, errors.New("unterminated string")
		}
	}
}

// walkVersionNeeds calls fn for each Vernaux of each Verneed entry, with
// the file and version names as bytes of the file's reads (valid during
// the call, not copied: describe looks at every version name of every
// inspected file and keeps three).
func (o *elfObject) walkVersionNeeds(r io.ReaderAt, fn func(file, version []byte)) error {
	if o.verneedAddr == 0 || o.verneedNum == 0 || o.strtabCache == nil {
		return nil
	}
	if o.verneedNum > maxVerneed {
		return fmt.Errorf("DT_VERNEEDNUM %d", o.verneedNum)
	}
	ra := o.reader(r)
	off, ok := o.vaddrToOff(o.verneedAddr)
	if !ok {
		return fmt.Errorf("DT_VERNEED 0x%x is outside every PT_LOAD segment", o.verneedAddr)
	}
	bo := o.order
	ra.grow = true
	defer func() { ra.grow = false }()
	total := 0
	for n := uint64(0); n < o.verneedNum; n++ {
		vn, err := ra.read(off, 16, "Verneed")
		if err != nil {
			return err
		}
		cnt := bo.Uint16(vn[2:])
		file, err := o.strtabCache.getBytes(uint64(bo.Uint32(vn[4:])))
		if err != nil {
			return fmt.Errorf("Verneed file name: %w", err)
		}
		aux := off + uint64(bo.Uint32(vn[8:]))
		for j := uint16(0); j < cnt; j++ {
			if total++; total > maxVerneed {
				return errors.New("too many Vernaux entries")
			}
			va, err := ra.read(aux, 16, "Vernaux")
			if err != nil {
				return err
			}
			name, err := o.strtabCache.getBytes(uint64(bo.Uint32(va[8:])))
			if err != nil {
				return fmt.Errorf("Vernaux name: %w", err)
			}
			fn(file, name)
			next := uint64(bo.Uint32(va[12:]))
			if next == 0 {
				break
			}
			aux += next
		}
		next := uint64(bo.Uint32(vn[12:]))
		if next == 0 {
			break
		}
		off += next
	}
	return nil
}

// elfSection is the part of a section header the inspector uses.
type elfSection struct {
	name      string
	typ       elf.SectionType
	off, size uint64
}

// sections reads the section headers and their names.
func (o *elfObject) sections(r io.ReaderAt) ([]elfSection, error) {
	if o.shoff == 0 || o.shnum == 0 {
		return nil, nil
	}
	want := uint16(40)
	if o.class == elf.ELFCLASS64 {
		want = 64
	}
	if o.shentsize < want {
		return nil, fmt.Errorf("bad section header size %d", o.shentsize)
	}
	if o.shstrndx >= o.shnum {
		return nil, fmt.Errorf("section name table index %d out of range", o.shstrndx)
	}
	ra := o.reader(r)
	b, err := ra.read(o.shoff, uint64(o.shnum)*uint64(o.shentsize), "section headers")
	if err != nil {
		return nil, err
	}
	bo := o.order
	secs := make([]elfSection, o.shnum)
	nameOff := make([]uint32, o.shnum)
	for i := range secs {
		p := b[i*int(o.shentsize):]
		nameOff[i] = bo.Uint32(p)
		secs[i].typ = elf.SectionType(bo.Uint32(p[4:]))
		if o.class == elf.ELFCLASS64 {
			secs[i].off, secs[i].size = bo.Uint64(p[24:]), bo.Uint64(p[32:])
		} else {
			secs[i].off, secs[i].size = uint64(bo.Uint32(p[16:])), uint64(bo.Uint32(p[20:]))
		}
	}
	ss := secs[o.shstrndx]
	if ss.size > maxDynstr {
		return nil, fmt.Errorf("section name table of %d bytes", ss.size)
	}
	names, err := ra.read(ss.off, ss.size, "section name table")
	if err != nil {
		return nil, err
	}
	for i := range secs {
		if int(nameOff[i]) < len(names) {
			secs[i].name = cstring(names[nameOff[i]:])
		}
	}
	return secs, nil
}

// Display names as readelf prints them.
func elfClassName(c elf.Class) string {
	switch c {
	case elf.ELFCLASS32:
		return "ELF32"
	case elf.ELFCLASS64:
		return "ELF64"
	}
	return c.String()
}

var machineNames = map[elf.Machine]string{
	elf.EM_X86_64:    "x86-64",
	elf.EM_386:       "i386",
	elf.EM_AARCH64:   "aarch64",
	elf.EM_ARM:       "arm",
	elf.EM_RISCV:     "riscv",
	elf.EM_PPC64:     "ppc64",
	elf.EM_PPC:       "ppc",
	elf.EM_S390:      "s390",
	elf.EM_MIPS:      "mips",
	elf.EM_LOONGARCH: "loongarch",
}

func elfMachineName(m elf.Machine) string {
	if s, ok := machineNames[m]; ok {
		return s
	}
	return strings.ToLower(strings.TrimPrefix(m.String(), "EM_"))
}

// versionMaxima keeps the highest numeric version seen after each of a
// few prefixes, looking at byte slices without copying them.
type versionMaxima struct {
	prefixes []string
	best     []string
}

func newVersionMaxima(prefixes ...string) *versionMaxima {
	return &versionMaxima{prefixes: prefixes, best: make([]string, len(prefixes))}
}

func (m *versionMaxima) add(name []byte) {
	for i, p := range m.prefixes {
		if len(name) <= len(p) || string(name[:len(p)]) != p {
			continue
		}
		v := unsafe.String(&name[len(p)], len(name)-len(p)) // compared, not kept
		if isNumericVersion(v) && (m.best[i] == "" || compareVersions(v, m.best[i]) > 0) {
			m.best[i] = string(name[len(p):])
		}
	}
}

func isNumericVersion(v string) bool {
	dot := true // at the start or just after a dot: a digit must follow
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '.':
			if dot {
				return false
			}
			dot = true
		case c >= '0' && c <= '9':
			dot = false
		default:
			return false
		}
	}
	return !dot
}

// compareVersions compares dotted numeric versions ("2.9" < "2.34"); a
// missing or non-numeric field counts as 0. It allocates nothing: it runs
// for every version name of every inspected file.
func compareVersions(a, b string) int {
	for a != "" || b != "" {
		var x, y string
		x, a, _ = strings.Cut(a, ".")
		y, b, _ = strings.Cut(b, ".")
		if c := compareField(x, y); c != 0 {
			return c
		}
	}
	return 0
}

// compareField compares two decimal numbers of any length.
func compareField(x, y string) int {
	x, y = numericField(x), numericField(y)
	if len(x) != len(y) {
		if len(x) < len(y) {
			return -1
		}
		return 1
	}
	return strings.Compare(x, y)
}

// numericField is f without leading zeros, or "" (zero) when f is not all
// digits.
func numericField(f string) string {
	for i := 0; i < len(f); i++ {
		if f[i] < '0' || f[i] > '9' {
			return ""
		}
	}
	return strings.TrimLeft(f, "0")
}

// CompareVersions compares two dotted numeric versions such as glibc's
// ("2.17" < "2.34"): -1, 0 or +1.
func CompareVersions(a, b string) int { return compareVersions(a, b) }

// IsVersion reports whether v is a dotted numeric version ("2.28").
func IsVersion(v string) bool { return isNumericVersion(v) }

// hasGoNote reports whether a PT_NOTE segment holds the Go build ID note
// (name "Go", type 4) that the Go linker writes: a cheap test for "is this
// a Go binary" that avoids reading the section headers of every file.
func (o *elfObject) hasGoNote() bool {
	_, ok := o.goBuildID()
	return ok
}

// goBuildID returns the description of the Go build ID note.
func (o *elfObject) goBuildID() (string, bool) {
	if o.ra == nil {
		return "", false
	}
	for _, n := range o.notes {
		if n.filesz > 1<<16 {
			continue
		}
		b, err := o.ra.read(n.off, n.filesz, "PT_NOTE")
		if err != nil {
			continue
		}
		for len(b) >= 12 {
			namesz, descsz, typ := uint64(o.order.Uint32(b)), uint64(o.order.Uint32(b[4:])), o.order.Uint32(b[8:])
			nameEnd := 12 + (namesz+3)&^3
			end := nameEnd + (descsz+3)&^3
			if namesz > uint64(len(b)) || end > uint64(len(b)) {
				break
			}
			// The Go linker writes namesz 4 ("Go\x00\x00").
			if typ == 4 && (namesz == 3 || namesz == 4) && string(b[12:15]) == "Go\x00" {
				return string(b[nameEnd : nameEnd+descsz]), true
			}
			b = b[end:]
		}
	}
	return "", false
}

// GoBuildID returns the Go build ID the Go linker wrote into the ELF
// file at path (its PT_NOTE "Go", type 4): "actionID/contentID" as `go
// tool buildid` prints it, where contentID hashes the file's content. ok
// is false when the file is not an ELF file with one.
func GoBuildID(path string) (id string, ok bool, err error) {
	f, err := openFD(path)
	if err != nil {
		return "", false, err
	}
	defer f.Close()
	size, mode, _, err := f.stat()
	if err != nil {
		return "", false, err
	}
	if mode&syscall.S_IFMT != syscall.S_IFREG {
		return "", false, nil
	}
	head := make([]byte, min(headSize, max(size, 0)))
	n, err := f.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return "", false, err
	}
	o, err := readELF(f, size, head[:n], true, nil)
	if err != nil {
		return "", false, nil
	}
	id, ok = o.goBuildID()
	return id, ok, nil
}

// reader returns the windowed reader of a fully read object, or a new one
// over r.
func (o *elfObject) reader(r io.ReaderAt) *readerAt {
	if o.ra != nil {
		return o.ra
	}
	return newReaderAt(r, o.size, nil, nil)
}
