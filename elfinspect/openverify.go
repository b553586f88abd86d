package elfinspect

import (
	"debug/elf"
	"encoding/binary"
	"errors"
	"io/fs"
	"syscall"
)

// What glibc's ld.so does with a candidate file of a search
// (elf/dl-load.c, open_verify and open_path), by what opening and
// reading it gives:
//
//   - open fails with ENOENT or ENOTDIR: not there, the search goes on;
//   - open fails with EACCES (the user running the program may not read
//     it): skipped, the search goes on;
//   - open fails otherwise (ELOOP, ENAMETOOLONG, ...): open_path gives
//     up on the list it was searching (this RPATH, LD_LIBRARY_PATH, this
//     RUNPATH, the default directories) and the next list is searched;
//   - open succeeds on a directory: reading it fails with EISDIR and
//     ld.so fails ("cannot read file data: Error 21");
//   - fewer bytes than an ELF header: "file too short";
//   - an ELF file of the other class, or of another machine: skipped;
//   - any other header mismatch (magic, byte order, version, OS ABI,
//     padding, e_type, e_phentsize, program headers past the end of
//     the file): ld.so fails with that message.
//
// A failure ends the whole load (_dl_signal_error), not only the search.
// What the running user may read is what cgotrace, run as that user, may
// read: run it as the user that runs the program.

// verdict is open_verify's outcome for one candidate.
type verdict int

const (
	vUsable  verdict = iota
	vAbsent          // ENOENT, ENOTDIR
	vSkip            // EACCES, other class or machine: the search goes on
	vEndList         // another open error: this list of directories ends
	vFatal           // ld.so fails
)

// openFailure classifies the error of opening a candidate.
func openFailure(err error) *elfFile {
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
		return &elfFile{notExist: true}
	case errors.Is(err, syscall.EACCES):
		return &elfFile{denied: true}
	}
	return &elfFile{openErr: err}
}

// libcABIMax is glibc's LIBC_ABI_MAX (libc-abis: DEFAULT, UNIQUE, IFUNC
// where the port has it, ABSOLUTE), the bound of EI_ABIVERSION for
// ELFOSABI_GNU objects.
func libcABIMax(m elf.Machine) byte {
	switch m {
	case elf.EM_X86_64, elf.EM_386, elf.EM_PPC64, elf.EM_PPC, elf.EM_SPARCV9, elf.EM_SPARC, elf.EM_RISCV:
		return 4
	}
	return 3
}

// verify is open_verify for a candidate of target k: its verdict and,
// for vSkip and vFatal, the reason in ld.so's words.
func verify(f *elfFile, k targetKey) (verdict, string) {
	switch {
	case f.notExist:
		return vAbsent, ""
	case f.denied:
		return vSkip, "permission denied"
	case f.openErr != nil:
		var errno syscall.Errno
		if errors.As(f.openErr, &errno) {
			return vEndList, errno.Error()
		}
		return vEndList, f.openErr.Error()
	case f.fatal != "":
		return vFatal, f.fatal
	}
	h := f.hdr[:f.hdrLen]
	ehdrSize := 52
	if k.class == elf.ELFCLASS64 {
		ehdrSize = 64
	}
	if len(h) < ehdrSize {
		return vFatal, "file too short"
	}
	if string(h[:4]) != elf.ELFMAG {
		return vFatal, "invalid ELF header"
	}
	osabi, abiver := elf.OSABI(h[elf.EI_OSABI]), h[elf.EI_ABIVERSION]
	validOSABI := osabi == elf.ELFOSABI_NONE || osabi == elf.ELFOSABI_LINUX
	validABIVer := abiver == 0 || (osabi == elf.ELFOSABI_LINUX && abiver < libcABIMax(k.machine))
	pad := true
	for _, b := range h[elf.EI_PAD:elf.EI_NIDENT] {
		pad = pad && b == 0
	}
	switch {
	case elf.Class(h[elf.EI_CLASS]) != k.class:
		return vSkip, "wrong ELF class: " + elfClassName(elf.Class(h[elf.EI_CLASS]))
	case elf.Data(h[elf.EI_DATA]) != k.data:
		if k.data == elf.ELFDATA2MSB {
			return vFatal, "ELF file data encoding not big-endian"
		}
		return vFatal, "ELF file data encoding not little-endian"
	case elf.Version(h[elf.EI_VERSION]) != elf.EV_CURRENT:
		return vFatal, "ELF file version ident does not match current one"
	case !validOSABI:
		return vFatal, "ELF file OS ABI invalid"
	case !validABIVer:
		return vFatal, "ELF file ABI version invalid"
	case !pad:
		return vFatal, "nonzero padding in e_ident"
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if k.data == elf.ELFDATA2MSB {
		bo = binary.BigEndian
	}
	typ, machine := elf.Type(bo.Uint16(h[16:])), elf.Machine(bo.Uint16(h[18:]))
	version := bo.Uint32(h[20:])
	var phoff uint64
	var phentsize, phnum uint16
	wantPhent := uint16(32)
	if k.class == elf.ELFCLASS64 {
		phoff, phentsize, phnum = bo.Uint64(h[32:]), bo.Uint16(h[54:]), bo.Uint16(h[56:])
		wantPhent = 56
	} else {
		phoff, phentsize, phnum = uint64(bo.Uint32(h[28:])), bo.Uint16(h[42:]), bo.Uint16(h[44:])
	}
	switch {
	case version != uint32(elf.EV_CURRENT):
		return vFatal, "ELF file version does not match current one"
	case machine != k.machine:
		return vSkip, "wrong machine: " + elfMachineName(machine)
	case typ != elf.ET_DYN && typ != elf.ET_EXEC:
		return vFatal, "only ET_DYN and ET_EXEC can be loaded"
	case phentsize != wantPhent:
		return vFatal, "ELF file's phentsize not the expected size"
	case f.size < 0 || phoff > uint64(f.size) || uint64(phnum)*uint64(phentsize) > uint64(f.size)-phoff:
		return vFatal, "cannot read file data"
	}
	if f.obj == nil || f.err != nil {
		// The header is sound, but cgotrace cannot read the rest; ld.so
		// would fail when it maps the file.
		msg := "cannot read the object"
		if f.err != nil {
			msg = f.err.Error()
		}
		return vFatal, msg
	}
	return vUsable, ""
}
