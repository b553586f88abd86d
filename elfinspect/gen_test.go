package elfinspect

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
)

// synthELF describes a minimal ELF file written by hand, for cases gcc
// cannot make cheaply (a 10,000-deep chain, hostile values).
type synthELF struct {
	class   elf.Class
	machine elf.Machine
	typ     elf.Type
	interp  string
	soname  string
	needed  []string
	rpath   string
	runpath string
	flags1  uint64
}

// bytes lays the file out as: ELF header, program headers (PT_LOAD over
// the whole file at vaddr 0, PT_DYNAMIC, PT_INTERP), interpreter, .dynstr,
// .dynamic. No section headers, like a section-stripped file.
func (s synthELF) bytes() []byte {
	if s.class == 0 {
		s.class = elf.ELFCLASS64
	}
	if s.machine == 0 {
		s.machine = elf.EM_X86_64
	}
	if s.typ == 0 {
		s.typ = elf.ET_DYN
	}
	is64 := s.class == elf.ELFCLASS64
	ehsize, phsize, dynent := 52, 32, 8
	if is64 {
		ehsize, phsize, dynent = 64, 56, 16
	}
	nph := 2
	if s.interp != "" {
		nph = 3
	}
	var str bytes.Buffer
	str.WriteByte(0)
	add := func(v string) uint64 {
		off := uint64(str.Len())
		str.WriteString(v)
		str.WriteByte(0)
		return off
	}
	type dyn struct {
		tag elf.DynTag
		val uint64
	}
	var dyns []dyn
	for _, n := range s.needed {
		dyns = append(dyns, dyn{elf.DT_NEEDED, add(n)})
	}
	if s.soname != "" {
		dyns = append(dyns, dyn{elf.DT_SONAME, add(s.soname)})
	}
	if s.rpath != "" {
		dyns = append(dyns, dyn{elf.DT_RPATH, add(s.rpath)})
	}
	if s.runpath != "" {
		dyns = append(dyns, dyn{elf.DT_RUNPATH, add(s.runpath)})
	}
	if s.flags1 != 0 {
		dyns = append(dyns, dyn{elf.DT_FLAGS_1, s.flags1})
	}
	interpOff := uint64(ehsize + nph*phsize)
	strOff := interpOff
	if s.interp != "" {
		strOff += uint64(len(s.interp) + 1)
	}
	dynOff := (strOff + uint64(str.Len()) + 7) &^ 7
	dyns = append(dyns, dyn{elf.DT_STRTAB, strOff}, dyn{elf.DT_STRSZ, uint64(str.Len())}, dyn{elf.DT_NULL, 0})
	dynSize := uint64(len(dyns) * dynent)
	total := dynOff + dynSize

	out := make([]byte, total)
	bo := binary.LittleEndian
	copy(out, elf.ELFMAG)
	out[elf.EI_CLASS] = byte(s.class)
	out[elf.EI_DATA] = byte(elf.ELFDATA2LSB)
	out[elf.EI_VERSION] = 1
	bo.PutUint16(out[16:], uint16(s.typ))
	bo.PutUint16(out[18:], uint16(s.machine))
	bo.PutUint32(out[20:], 1)
	ph := func(i int, typ elf.ProgType, off, size uint64) {
		p := out[ehsize+i*phsize:]
		bo.PutUint32(p, uint32(typ))
		if is64 {
			bo.PutUint64(p[8:], off)
			bo.PutUint64(p[16:], off)
			bo.PutUint64(p[24:], off)
			bo.PutUint64(p[32:], size)
			bo.PutUint64(p[40:], size)
		} else {
			bo.PutUint32(p[4:], uint32(off))
			bo.PutUint32(p[8:], uint32(off))
			bo.PutUint32(p[12:], uint32(off))
			bo.PutUint32(p[16:], uint32(size))
			bo.PutUint32(p[20:], uint32(size))
		}
	}
	if is64 {
		bo.PutUint64(out[32:], uint64(ehsize))
		bo.PutUint16(out[52:], uint16(ehsize))
		bo.PutUint16(out[54:], uint16(phsize))
		bo.PutUint16(out[56:], uint16(nph))
	} else {
		bo.PutUint32(out[28:], uint32(ehsize))
		bo.PutUint16(out[40:], uint16(ehsize))
		bo.PutUint16(out[42:], uint16(phsize))
		bo.PutUint16(out[44:], uint16(nph))
	}
	ph(0, elf.PT_LOAD, 0, total)
	ph(1, elf.PT_DYNAMIC, dynOff, dynSize)
	if s.interp != "" {
		ph(2, elf.PT_INTERP, interpOff, uint64(len(s.interp)+1))
		copy(out[interpOff:], s.interp)
	}
	copy(out[strOff:], str.Bytes())
	for i, d := range dyns {
		p := out[dynOff+uint64(i*dynent):]
		if is64 {
			bo.PutUint64(p, uint64(d.tag))
			bo.PutUint64(p[8:], d.val)
		} else {
			bo.PutUint32(p, uint32(d.tag))
			bo.PutUint32(p[4:], uint32(d.val))
		}
	}
	return out
}

// machoLoad is one load command for synthMachO.
type machoLoad struct {
	cmd  uint32
	str  string // dylib name or rpath
	vers uint32 // LC_BUILD_VERSION minos
}

// synthMachO writes a 64-bit little-endian Mach-O with the given load
// commands and no segments: enough for debug/macho and the dyld
// emulation, and something Linux tools cannot produce.
func synthMachO(cpu uint32, filetype uint32, loads []machoLoad) []byte {
	bo := binary.LittleEndian
	var cmds bytes.Buffer
	for _, l := range loads {
		var c []byte
		switch l.cmd {
		case lcRpath:
			n := (12 + len(l.str) + 1 + 7) &^ 7
			c = make([]byte, n)
			bo.PutUint32(c[8:], 12)
			copy(c[12:], l.str)
		case lcBuildVersion:
			c = make([]byte, 24)
			bo.PutUint32(c[8:], 1)
			bo.PutUint32(c[12:], l.vers)
			bo.PutUint32(c[16:], l.vers)
		default: // dylib commands
			n := (24 + len(l.str) + 1 + 7) &^ 7
			c = make([]byte, n)
			bo.PutUint32(c[8:], 24)
			copy(c[24:], l.str)
		}
		bo.PutUint32(c, l.cmd)
		bo.PutUint32(c[4:], uint32(len(c)))
		cmds.Write(c)
	}
	hdr := make([]byte, 32)
	bo.PutUint32(hdr, 0xfeedfacf)
	bo.PutUint32(hdr[4:], cpu)
	bo.PutUint32(hdr[12:], filetype)
	bo.PutUint32(hdr[16:], uint32(len(loads)))
	bo.PutUint32(hdr[20:], uint32(cmds.Len()))
	bo.PutUint32(hdr[24:], machoFlagPIE)
	return append(hdr, cmds.Bytes()...)
}
