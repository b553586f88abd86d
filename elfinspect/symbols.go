package elfinspect

import (
	"debug/elf"
	"fmt"
	"io"
	"os"
	"sort"
)

// Symbol is an undefined dynamic symbol of an ELF file and the version it
// requires (from .gnu.version and .gnu.version_r).
type Symbol struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
	Library string `json:"library,omitempty"`
}

// UndefinedSymbols lists the undefined dynamic symbols of the ELF file at
// path with the versions they require.
func UndefinedSymbols(path string) ([]Symbol, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, fmt.Errorf("undefined symbols: %w", err)
	}
	defer f.Close()
	syms, err := f.ImportedSymbols()
	if err != nil {
		return nil, fmt.Errorf("undefined symbols of %s: %w", path, err)
	}
	out := make([]Symbol, len(syms))
	for i, s := range syms {
		out[i] = Symbol{Name: s.Name, Version: s.Version, Library: s.Library}
	}
	return out, nil
}

// symbolsAtVersion names the undefined symbols of path that require
// version (e.g. "GLIBC_2.34"), as name@version, sorted.
func symbolsAtVersion(path, version string) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	return SymbolsAtVersion(f, version)
}

// SymbolsAtVersion lists the undefined symbols of the ELF file r that
// need version (e.g. GLIBC_2.34), as "name@version", sorted; nil when r
// cannot be read.
func SymbolsAtVersion(r io.ReaderAt, version string) []string {
	f, err := elf.NewFile(r)
	if err != nil {
		return nil
	}
	syms, err := f.ImportedSymbols()
	if err != nil {
		return nil
	}
	var out []string
	for _, s := range syms {
		if s.Version == version {
			out = append(out, s.Name+"@"+s.Version)
		}
	}
	sort.Strings(out)
	return out
}
