package buildlog

import (
	"strings"
	"sync"

	"github.com/ianlancetaylor/demangle"
)

// Demangle returns the two forms of a symbol as a linker printed it.
//
// GNU ld and lld demangle C++ names in their messages by default
// (`operator new(unsigned long)`); with --no-demangle, or from Apple ld
// (which adds a leading `_`), the raw Itanium name is printed (`_Znwm`,
// `__Znwm`). A symbol version suffix (`@@GLIBCXX_3.4`, `@GLIBC_2.2.5`) is
// ignored. For a mangled name, mangled is the Itanium form (Apple's extra
// underscore dropped) and demangled its C++ form. For a name that is
// already demangled, demangled is the name and mangled is filled only for
// the C++ runtime symbols cgo builds miss most (operator new/delete,
// std::terminate, ...), which have exactly one mangled spelling. A plain C
// name gives two empty strings.
func Demangle(sym string) (mangled, demangled string) {
	name, _ := splitSymbolVersion(sym)
	if name == "" {
		return "", ""
	}
	itanium := name
	if strings.HasPrefix(itanium, "__Z") {
		itanium = itanium[1:] // Apple/Mach-O: C names get a leading _
	}
	if strings.HasPrefix(itanium, "_Z") {
		// Cap the work on hostile input: demangling is recursive.
		d, err := demangle.ToString(itanium, demangle.MaxLength(16))
		if err != nil {
			return "", ""
		}
		return itanium, d
	}
	if looksDemangled(name) {
		return knownMangled()[name], name
	}
	return "", ""
}

// splitSymbolVersion splits "cos@@GLIBC_2.2.5" into "cos" and
// "@@GLIBC_2.2.5". C++ names never contain '@'.
func splitSymbolVersion(sym string) (name, version string) {
	if i := strings.IndexByte(sym, '@'); i > 0 {
		return sym[:i], sym[i:]
	}
	return sym, ""
}

// looksDemangled reports whether a symbol is C++ source syntax rather
// than a C identifier.
func looksDemangled(s string) bool {
	return strings.ContainsAny(s, "(:<~ ") || strings.HasPrefix(s, "operator") ||
		strings.HasPrefix(s, "vtable for ") || strings.HasPrefix(s, "typeinfo for ")
}

// cxxRuntimeMangled are C++ runtime symbols a C-only cgo link misses
// (libstdc++/libsupc++ not on the link line). Their demangled forms are
// computed at init with the demangler itself, so the table cannot drift.
var cxxRuntimeMangled = []string{
	"_Znwm",                    // operator new(unsigned long)
	"_Znam",                    // operator new[](unsigned long)
	"_Znwj",                    // operator new(unsigned int) (32-bit)
	"_Znaj",                    // operator new[](unsigned int) (32-bit)
	"_ZdlPv",                   // operator delete(void*)
	"_ZdaPv",                   // operator delete[](void*)
	"_ZdlPvm",                  // operator delete(void*, unsigned long)
	"_ZdaPvm",                  // operator delete[](void*, unsigned long)
	"_ZdlPvj",                  // operator delete(void*, unsigned int)
	"_ZnwmRKSt9nothrow_t",      // operator new(unsigned long, std::nothrow_t const&)
	"_ZSt9terminatev",          // std::terminate()
	"_ZSt17__throw_bad_allocv", // std::__throw_bad_alloc()
	"_ZSt20__throw_length_errorPKc",
	"_ZSt24__throw_out_of_range_fmtPKcz",
	"_ZSt19__throw_logic_errorPKc",
	"_ZSt28__throw_bad_array_new_lengthv",
	"_ZNSt8ios_base4InitC1Ev",
	"_ZNSt8ios_base4InitD1Ev",
	"_ZTVN10__cxxabiv117__class_type_infoE",
	"_ZTVN10__cxxabiv120__si_class_type_infoE",
	"_ZTVN10__cxxabiv121__vmi_class_type_infoE",
	"_ZTISt9exception",
	"_ZNSt9exceptionD2Ev",
	"_ZSt4cout",
	"_ZSt4cerr",
	"_ZNSo3putEc",
	"_ZNSo5flushEv",
}

// knownMangled maps the demangled form of cxxRuntimeMangled back. It is
// built on first use: at init it cost every cgotrace process (the
// pkg-config shim included) a fifth of a millisecond.
var knownMangled = sync.OnceValue(func() map[string]string {
	m := make(map[string]string, len(cxxRuntimeMangled))
	for _, s := range cxxRuntimeMangled {
		if d, err := demangle.ToString(s); err == nil {
			m[d] = s
		}
	}
	return m
})

// cgoPrefixes are the prefixes cgo gives the Go and C names it generates
// for a C.NAME reference (cmd/cgo/out.go, gcc.go).
var cgoPrefixes = []string{"_Cfunc_", "_C2func_", "_Cvar_", "_Cmacro_", "_Ctype_", "_Cconst_"}

// CgoName maps a name that cgo generated back to the C.NAME the Go code
// wrote: `_cgo_74c548aa5022_Cfunc_compute_checksum` (the C wrapper ld
// names in "in function" lines, also with Apple's extra leading `_`),
// `_cgo_<hash>_C2func_getaddrinfo`, `_Cfunc_twice` and `_Ctype_int` (in Go
// compiler errors of -x logs) give C.compute_checksum, C.getaddrinfo,
// C.twice and C.int. Anything else gives ("", false).
func CgoName(sym string) (name string, ok bool) {
	s, _ := splitSymbolVersion(sym)
	if i := strings.Index(s, "_cgo_"); i >= 0 && i <= 1 {
		// _cgo_<hex hash>_<prefix>NAME
		rest := s[i+len("_cgo_"):]
		j := 0
		for j < len(rest) && msgIsHex(rest[j]) {
			j++
		}
		if j == 0 || j >= len(rest) || rest[j] != '_' {
			return "", false
		}
		s = rest[j:]
	} else if strings.HasPrefix(s, "__C") {
		s = s[1:]
	}
	for _, p := range cgoPrefixes {
		if strings.HasPrefix(s, p) && len(s) > len(p) && isCIdent(s[len(p):]) {
			return "C." + s[len(p):], true
		}
	}
	return "", false
}

// CgoSourceFile maps a file cgo generated back to the Go file it came
// from: `/tmp/go-build/main.cgo2.c` and `$WORK/b001/main.cgo1.go` give
// main.go (without the directory, which is cgo's objdir, not the
// package's). `_cgo_export.c` and `_cgo_main.c` have no single Go file and
// give ("", false), as does any other name.
func CgoSourceFile(file string) (goFile string, ok bool) {
	base := file
	if i := strings.LastIndexAny(base, `/\`); i >= 0 {
		base = base[i+1:]
	}
	for _, suf := range []string{".cgo2.c", ".cgo1.go"} {
		if stem, found := strings.CutSuffix(base, suf); found && stem != "" {
			return stem + ".go", true
		}
	}
	return "", false
}

func msgIsHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isCIdent(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9' {
			continue
		}
		return false
	}
	return s != ""
}

// CxxRuntimeSymbol reports whether a symbol, as a linker printed it
// (mangled, demangled, with a version suffix or Apple's extra `_`), belongs
// to the C++ runtime (libstdc++/libc++, libsupc++/libc++abi): operator
// new/delete, std::..., __cxa_*, __gxx_personality_v0, the __cxxabiv1
// type_info vtables. An undefined reference to one of them in a cgo link
// means the C++ runtime is missing from the link line (-lstdc++), not that
// the program's own code is incomplete.
func CxxRuntimeSymbol(sym string) bool {
	name, _ := splitSymbolVersion(sym)
	if strings.HasPrefix(name, "__Z") || strings.HasPrefix(name, "___") {
		name = name[1:] // Apple
	}
	if _, d := Demangle(name); d != "" {
		name = d
	}
	for _, p := range [...]string{"__cxa_", "__gxx_personality", "__cxxabiv1::", "std::", "operator new", "operator delete",
		"vtable for __cxxabiv1::", "typeinfo for __cxxabiv1::", "vtable for std::", "typeinfo for std::",
		"VTT for std::", "non-virtual thunk to std::", "guard variable for std::", "__dynamic_cast"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}
