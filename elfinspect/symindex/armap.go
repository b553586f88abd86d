package symindex

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// The ar(1) archive format as GNU ar and ld use it: a global header, then
// members with 60-byte headers. The first member, named "/" (32-bit
// offsets) or "/SYM64/" (64-bit), is the archive symbol table ("armap"):
// every global symbol a member defines, with the offset of that member's
// header. A member named "//" holds the long member names. Thin archives
// ("!<thin>") have the same tables and leave the members outside.

const (
	arMagic     = "!<arch>\n"
	arThinMagic = "!<thin>\n"
	arHeaderLen = 60
)

// ErrNoArmap is returned for an archive without a symbol table (made with
// `ar rcS`, or by a tool that does not write one): ld cannot use it
// ("archive has no index; run ranlib to add one").
var ErrNoArmap = errors.New("archive has no symbol table (run ranlib to add one)")

// ArmapEntry is one symbol of an archive symbol table.
type ArmapEntry struct {
	Name string
	// Offset is the file offset of the header of the member defining Name.
	Offset uint64
}

// ParseArmap parses the contents of a GNU symbol table member: a
// big-endian count, that many member offsets, then as many NUL-terminated
// names. wide selects the /SYM64/ variant (64-bit count and offsets).
func ParseArmap(data []byte, wide bool) ([]ArmapEntry, error) {
	w := 4
	if wide {
		w = 8
	}
	if len(data) < w {
		return nil, fmt.Errorf("armap: %d bytes, too short for the symbol count", len(data))
	}
	var n uint64
	if wide {
		n = binary.BigEndian.Uint64(data)
	} else {
		n = uint64(binary.BigEndian.Uint32(data))
	}
	// Every entry needs an offset and at least a NUL: bound n by the data
	// before allocating anything.
	if n > uint64(len(data)-w)/uint64(w+1) {
		return nil, fmt.Errorf("armap: %d symbols do not fit in %d bytes", n, len(data))
	}
	offs := data[w : w+int(n)*w]
	names := data[w+int(n)*w:]
	out := make([]ArmapEntry, n)
	for i := range out {
		if wide {
			out[i].Offset = binary.BigEndian.Uint64(offs[i*8:])
		} else {
			out[i].Offset = uint64(binary.BigEndian.Uint32(offs[i*4:]))
		}
		j := bytes.IndexByte(names, 0)
		if j < 0 {
			return nil, fmt.Errorf("armap: name %d of %d is not NUL-terminated", i+1, n)
		}
		out[i].Name = string(names[:j])
		names = names[j+1:]
	}
	return out, nil
}

// arHeader is a parsed member header.
type arHeader struct {
	name string // raw name field, trimmed of spaces
	size int64
}

func parseArHeader(h []byte) (arHeader, error) {
	if len(h) < arHeaderLen {
		return arHeader{}, errors.New("truncated member header")
	}
	if h[58] != '`' || h[59] != '\n' {
		return arHeader{}, errors.New("bad member header magic")
	}
	size, err := strconv.ParseInt(strings.TrimSpace(string(h[48:58])), 10, 64)
	if err != nil || size < 0 {
		return arHeader{}, fmt.Errorf("bad member size %q", h[48:58])
	}
	return arHeader{name: strings.TrimRight(string(h[0:16]), " "), size: size}, nil
}

// ArchiveSymbol is a symbol of an archive with the member defining it.
type ArchiveSymbol struct {
	Name   string
	Member string
}

// maxArmap bounds the symbol table read into memory (libstdc++.a's is
// about 300 KiB).
const maxArmap = 256 << 20

// ReadArchiveSymbols reads the symbol table of the archive in r (size
// bytes) and names each symbol's member. It opens no member: only the
// symbol table, the long-name table and the headers the offsets point at
// are read. It returns ErrNoArmap for an archive without a symbol table.
func ReadArchiveSymbols(r io.ReaderAt, size int64) ([]ArchiveSymbol, error) {
	magic := make([]byte, len(arMagic))
	if _, err := r.ReadAt(magic, 0); err != nil {
		return nil, fmt.Errorf("read archive header: %w", err)
	}
	thin := string(magic) == arThinMagic
	if !thin && string(magic) != arMagic {
		return nil, errors.New("not an ar archive")
	}
	var (
		entries  []ArmapEntry
		longName []byte
		haveMap  bool
	)
	off := int64(len(arMagic))
	hdr := make([]byte, arHeaderLen)
	// The symbol table and the long names come first; stop at the first
	// ordinary member.
	for i := 0; i < 2 && off+arHeaderLen <= size; i++ {
		if _, err := r.ReadAt(hdr, off); err != nil {
			return nil, fmt.Errorf("read member header at %d: %w", off, err)
		}
		h, err := parseArHeader(hdr)
		if err != nil {
			return nil, fmt.Errorf("member at %d: %w", off, err)
		}
		if h.size > size-off-arHeaderLen || h.size > maxArmap {
			return nil, fmt.Errorf("member at %d: size %d runs past the end of the file", off, h.size)
		}
		switch h.name {
		case "/", "/SYM64/":
			if haveMap {
				return nil, fmt.Errorf("member at %d: a second symbol table", off)
			}
			data := make([]byte, h.size)
			if _, err := r.ReadAt(data, off+arHeaderLen); err != nil {
				return nil, fmt.Errorf("read symbol table: %w", err)
			}
			entries, err = ParseArmap(data, h.name == "/SYM64/")
			if err != nil {
				return nil, err
			}
			haveMap = true
		case "//":
			longName = make([]byte, h.size)
			if _, err := r.ReadAt(longName, off+arHeaderLen); err != nil {
				return nil, fmt.Errorf("read long names: %w", err)
			}
		default:
			i = 2 // an ordinary member: no more tables
			continue
		}
		off += arHeaderLen + h.size
		if off%2 == 1 {
			off++ // members are 2-byte aligned
		}
	}
	if !haveMap {
		return nil, ErrNoArmap
	}
	out := make([]ArchiveSymbol, 0, len(entries))
	members := map[uint64]string{}
	for _, e := range entries {
		m, ok := members[e.Offset]
		if !ok {
			m = memberName(r, size, e.Offset, longName, hdr)
			members[e.Offset] = m
		}
		out = append(out, ArchiveSymbol{Name: e.Name, Member: m})
	}
	return out, nil
}

// memberName reads the name of the member whose header is at off; "" if
// it cannot.
func memberName(r io.ReaderAt, size int64, off uint64, longNames, buf []byte) string {
	if off > uint64(size) || uint64(size)-off < arHeaderLen {
		return ""
	}
	if _, err := r.ReadAt(buf, int64(off)); err != nil {
		return ""
	}
	h, err := parseArHeader(buf)
	if err != nil {
		return ""
	}
	return resolveMemberName(h.name, longNames)
}

// resolveMemberName turns a header name field into the member's name:
// "foo.o/" (GNU short), "/123" (offset into the long-name table, entries
// end with "/\n"), or a plain BSD-style name.
func resolveMemberName(name string, longNames []byte) string {
	if rest, ok := strings.CutPrefix(name, "/"); ok && rest != "" && rest != "/" {
		n, err := strconv.Atoi(rest)
		if err != nil || n < 0 || n >= len(longNames) {
			return ""
		}
		s := longNames[n:]
		if i := bytes.IndexByte(s, '\n'); i >= 0 {
			s = s[:i]
		}
		return strings.TrimSuffix(string(s), "/")
	}
	return strings.TrimSuffix(name, "/")
}
