package elfinspect

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// ld.so.cache formats (glibc elf/dl-cache.h). The new format is
// "glibc-ld.so.cache1.1"; the old one "ld.so-1.7.0", which may carry a
// new-format cache after it.
const (
	ldCacheOldMagic = "ld.so-1.7.0"
	ldCacheNewMagic = "glibc-ld.so.cache1.1"

	ldCacheExtMagic        = 0xeaa42174
	ldCacheExtTagHwcaps    = 1
	ldCacheHwcapExtension  = uint64(1) << 62
	ldCacheMaxEntries      = 1 << 22
	ldCacheMaxExtSections  = 1 << 10
	ldCacheNewHeaderSize   = 48
	ldCacheNewEntrySize    = 24
	ldCacheOldEntrySize    = 12
	ldCacheFlagTypeMask    = 0x00ff
	ldCacheFlagELFLibc6    = 0x0003
	ldCacheFlagELF         = 0x0001
	ldCacheFlagX8664Lib64  = 0x0300
	ldCacheFlagX8664LibX32 = 0x0800
	ldCacheFlagAArch64     = 0x0a00
)

// ldCacheEntry is one library of ld.so.cache.
type ldCacheEntry struct {
	Key    string // the soname
	Value  string // the path
	Flags  int32
	Hwcaps string // glibc-hwcaps subdirectory name, "" for the baseline
	legacy bool   // a legacy hwcap entry (nonzero hwcap mask without extension)
}

// ldCache is a parsed /etc/ld.so.cache.
type ldCache struct {
	Format  string // "new" or "old"
	Entries []ldCacheEntry
	byKey   map[string][]int
}

// parseLDCache parses the bytes of an ld.so.cache file of either format.
func parseLDCache(b []byte) (*ldCache, error) {
	switch {
	case bytes.HasPrefix(b, []byte(ldCacheNewMagic)):
		return parseLDCacheNew(b, 0)
	case bytes.HasPrefix(b, []byte(ldCacheOldMagic)):
		return parseLDCacheOld(b)
	}
	return nil, errors.New("not an ld.so.cache file (unknown magic)")
}

func parseLDCacheOld(b []byte) (*ldCache, error) {
	hdr := len(ldCacheOldMagic) + 1 // magic is padded to 12 bytes
	if len(b) < hdr+4 {
		return nil, errors.New("truncated old-format ld.so.cache header")
	}
	bo := binary.LittleEndian
	n := uint64(bo.Uint32(b[hdr:]))
	if n > ldCacheMaxEntries {
		return nil, fmt.Errorf("ld.so.cache claims %d entries", n)
	}
	entries := uint64(hdr + 4)
	end := entries + n*ldCacheOldEntrySize
	if end > uint64(len(b)) {
		return nil, fmt.Errorf("ld.so.cache: %d entries run past the end of the file", n)
	}
	// A new-format cache may follow, aligned to 8 bytes; it is the one
	// glibc reads when present.
	if nw := (end + 7) &^ 7; nw < uint64(len(b)) && bytes.HasPrefix(b[nw:], []byte(ldCacheNewMagic)) {
		return parseLDCacheNew(b, nw)
	}
	c := &ldCache{Format: "old", byKey: map[string][]int{}}
	str := b[end:]
	for i := uint64(0); i < n; i++ {
		e := b[entries+i*ldCacheOldEntrySize:]
		key, ok1 := cstr(str, uint64(bo.Uint32(e[4:])))
		val, ok2 := cstr(str, uint64(bo.Uint32(e[8:])))
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("ld.so.cache entry %d: string offset out of range", i)
		}
		c.add(ldCacheEntry{Key: key, Value: val, Flags: int32(bo.Uint32(e))})
	}
	return c, nil
}

func parseLDCacheNew(b []byte, base uint64) (*ldCache, error) {
	h := b[base:]
	if len(h) < ldCacheNewHeaderSize {
		return nil, errors.New("truncated ld.so.cache header")
	}
	// The flags byte says the endianness (2 = little, 3 = big); 0 means
	// "unknown", which glibc treats as the host's order.
	var bo binary.ByteOrder = binary.LittleEndian
	if h[28] == 3 {
		bo = binary.BigEndian
	}
	n := uint64(bo.Uint32(h[20:]))
	if n > ldCacheMaxEntries {
		return nil, fmt.Errorf("ld.so.cache claims %d entries", n)
	}
	if ldCacheNewHeaderSize+n*ldCacheNewEntrySize > uint64(len(h)) {
		return nil, fmt.Errorf("ld.so.cache: %d entries run past the end of the file", n)
	}
	extOff := uint64(bo.Uint32(h[32:]))
	// String offsets are relative to the start of the new-format header.
	var hwcaps []string
	if extOff != 0 {
		hwcaps = parseLDCacheExt(h, extOff, bo)
	}
	c := &ldCache{Format: "new", byKey: make(map[string][]int, n)}
	c.Entries = make([]ldCacheEntry, 0, n)
	for i := uint64(0); i < n; i++ {
		e := h[ldCacheNewHeaderSize+i*ldCacheNewEntrySize:]
		key, ok1 := cstr(h, uint64(bo.Uint32(e[4:])))
		val, ok2 := cstr(h, uint64(bo.Uint32(e[8:])))
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("ld.so.cache entry %d: string offset out of range", i)
		}
		ent := ldCacheEntry{Key: key, Value: val, Flags: int32(bo.Uint32(e))}
		hw := bo.Uint64(e[16:])
		if hw>>32 == ldCacheHwcapExtension>>32 {
			idx := uint32(hw)
			if int(idx) >= len(hwcaps) {
				continue // unusable: glibc skips it too
			}
			ent.Hwcaps = hwcaps[idx]
		} else if hw != 0 {
			ent.legacy = true
		}
		c.add(ent)
	}
	return c, nil
}

func parseLDCacheExt(h []byte, off uint64, bo binary.ByteOrder) []string {
	if off+8 > uint64(len(h)) || bo.Uint32(h[off:]) != ldCacheExtMagic {
		return nil
	}
	cnt := uint64(bo.Uint32(h[off+4:]))
	if cnt > ldCacheMaxExtSections || off+8+cnt*16 > uint64(len(h)) {
		return nil
	}
	for i := uint64(0); i < cnt; i++ {
		s := h[off+8+i*16:]
		if bo.Uint32(s) != ldCacheExtTagHwcaps {
			continue
		}
		so, sz := uint64(bo.Uint32(s[8:])), uint64(bo.Uint32(s[12:]))
		if so > uint64(len(h)) || sz > uint64(len(h))-so || sz%4 != 0 {
			return nil
		}
		var names []string
		for j := uint64(0); j < sz; j += 4 {
			name, ok := cstr(h, uint64(bo.Uint32(h[so+j:])))
			if !ok {
				return nil
			}
			names = append(names, name)
		}
		return names
	}
	return nil
}

func cstr(b []byte, off uint64) (string, bool) {
	if off >= uint64(len(b)) {
		return "", false
	}
	i := bytes.IndexByte(b[off:], 0)
	if i < 0 {
		return "", false
	}
	return string(b[off : off+uint64(i)]), true
}

func (c *ldCache) add(e ldCacheEntry) {
	c.byKey[e.Key] = append(c.byKey[e.Key], len(c.Entries))
	c.Entries = append(c.Entries, e)
}

// lookup returns the cache entries for soname that a loader with the given
// cache flags and glibc-hwcaps subdirectories (in priority order) may use,
// best first, as _dl_cache_libcmp's search does: a glibc-hwcaps entry of
// the highest priority, then the baseline entry.
func (c *ldCache) lookup(soname string, flagsOK func(int32) bool, hwcaps []string) []string {
	var best []string
	bestPrio := len(hwcaps) + 1
	var base string
	for _, i := range c.byKey[soname] {
		e := &c.Entries[i]
		if !flagsOK(e.Flags) || e.legacy {
			continue
		}
		if e.Hwcaps == "" {
			if base == "" {
				base = e.Value
			}
			continue
		}
		for p, h := range hwcaps {
			if h == e.Hwcaps && p < bestPrio {
				bestPrio = p
				best = []string{e.Value}
			}
		}
	}
	if base != "" {
		best = append(best, base)
	}
	return best
}
