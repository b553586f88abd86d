package buildlog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// -update rewrites the golden files. The stream parser's tests in this
// package may register the same flag: register it only if nobody did
// (package variables are initialised before init functions run).
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files in testdata/")
	}
}

func updatingGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// The lines below are the exact texts of section 3 of
// ../shared/reference/go-build-x.md (captured on Debian 12, gcc 12.2,
// binutils 2.40, pkgconf 1.8.1, Go 1.26.8; `<scratch>` and `NNN` as printed
// there), plus lines captured for this test on the same machine with gcc,
// ld.bfd, ld.gold and ld.lld 14 (Debian package lld; the command is in the
// comment). Lines marked [I] come from issue reports and tool
// documentation, not from a run here: Apple ld and clang are not
// installed on this machine.
var messageTests = []struct {
	name string
	line string
	want Message
}{
	// #1 C compiler not found.
	{"cc-not-found", `cgo: C compiler "gcc-missing" not found: exec: "gcc-missing": executable file not found in $PATH`,
		Message{Kind: MsgCCNotFound, Tool: ToolCgo, Severity: SevError, Program: "gcc-missing",
			Text: `C compiler "gcc-missing" not found: exec: "gcc-missing": executable file not found in $PATH`}},
	// #1 older Go [I].
	{"cc-not-found-old", `cgo: exec gcc: exec: "gcc": executable file not found in $PATH`,
		Message{Kind: MsgCCNotFound, Tool: ToolCgo, Severity: SevError, Program: "gcc",
			Text: `exec gcc: exec: "gcc": executable file not found in $PATH`}},
	// #2
	{"build-constraints", `package example.com/nocc: build constraints exclude all Go files in <scratch>/f/nocc`,
		Message{Kind: MsgBuildConstraints, Tool: ToolGo, Severity: SevError, File: "<scratch>/f/nocc",
			Text: `build constraints exclude all Go files in <scratch>/f/nocc`}},
	// #3
	{"go-undefined", `lib/lib.go:3:28: undefined: cAnswer`,
		Message{Kind: MsgGoUndefined, Tool: ToolCompile, Severity: SevError, File: "lib/lib.go", Line: 3, Column: 28,
			Name: "cAnswer", Text: "undefined: cAnswer"}},
	// #5
	{"assembler", "gcc_arm64.S:30: Error: no such instruction: `stp x29,x30,[sp,'",
		Message{Kind: MsgAssembler, Tool: ToolAs, Severity: SevError, File: "gcc_arm64.S", Line: 30,
			Text: "no such instruction: `stp x29,x30,[sp,'"}},
	// #6, both quote styles.
	{"unrecognized-ascii", `gcc: error: unrecognized command-line option '-marm'; did you mean '-mabm'?`,
		Message{Kind: MsgUnrecognizedOption, Tool: ToolGCC, Severity: SevError, Flag: "-marm",
			Text: `unrecognized command-line option '-marm'; did you mean '-mabm'?`}},
	{"unrecognized-utf8", `gcc: error: unrecognized command-line option ‘-mthreads’; did you mean ‘-pthread’?`,
		Message{Kind: MsgUnrecognizedOption, Tool: ToolGCC, Severity: SevError, Flag: "-mthreads",
			Text: `unrecognized command-line option ‘-mthreads’; did you mean ‘-pthread’?`}},
	// #7
	{"header-system", `/usr/include/stdlib.h:26:10: fatal error: bits/libc-header-start.h: No such file or directory`,
		Message{Kind: MsgHeaderNotFound, Tool: ToolGCC, Severity: SevError, File: "/usr/include/stdlib.h", Line: 26, Column: 10,
			Header: "bits/libc-header-start.h", Text: "bits/libc-header-start.h: No such file or directory"}},
	// #8
	{"header-preamble", `./main.go:3:11: fatal error: foo.h: No such file or directory`,
		Message{Kind: MsgHeaderNotFound, Tool: ToolGCC, Severity: SevError, File: "./main.go", Line: 3, Column: 11,
			Header: "foo.h", Text: "foo.h: No such file or directory"}},
	{"header-gopacket", `/root/go/pkg/mod/github.com/google/gopacket@v1.1.19/pcap/pcap_unix.go:34:10: fatal error: pcap.h: No such file or directory`,
		Message{Kind: MsgHeaderNotFound, Tool: ToolGCC, Severity: SevError, File: "/root/go/pkg/mod/github.com/google/gopacket@v1.1.19/pcap/pcap_unix.go",
			Line: 34, Column: 10, Header: "pcap.h", Text: "pcap.h: No such file or directory"}},
	// clang's wording [I].
	{"header-clang", `main.go:4:10: fatal error: 'frobnicate.h' file not found`,
		Message{Kind: MsgHeaderNotFound, Tool: ToolGCC, Severity: SevError, File: "main.go", Line: 4, Column: 10,
			Header: "frobnicate.h", Text: "'frobnicate.h' file not found"}},
	// #9
	{"header-c-file", `g.c:1:10: fatal error: bar.h: No such file or directory`,
		Message{Kind: MsgHeaderNotFound, Tool: ToolGCC, Severity: SevError, File: "g.c", Line: 1, Column: 10,
			Header: "bar.h", Text: "bar.h: No such file or directory"}},
	// #11
	{"pc-not-found", `Package libfoo was not found in the pkg-config search path.`,
		Message{Kind: MsgPkgConfigPackage, Tool: ToolPkgConfig, Severity: SevError, Package: "libfoo",
			Text: `Package libfoo was not found in the pkg-config search path.`}},
	{"pc-required-by", `Package 'libfoo', required by 'virtual:world', not found`,
		Message{Kind: MsgPkgConfigPackage, Tool: ToolPkgConfig, Severity: SevError, Package: "libfoo",
			Text: `Package 'libfoo', required by 'virtual:world', not found`}},
	{"pc-freedesktop", `No package 'vips' found`,
		Message{Kind: MsgPkgConfigPackage, Tool: ToolPkgConfig, Severity: SevError, Package: "vips",
			Text: `No package 'vips' found`}},
	{"pc-exit", `example.com/x: pkg-config: exit status 1`,
		Message{Kind: MsgPkgConfigExit, Tool: ToolGo, Severity: SevError, Text: "pkg-config: exit status 1"}},
	{"pc-exit-pkg", `pkg: pkg-config: exit status 1`,
		Message{Kind: MsgPkgConfigExit, Tool: ToolGo, Severity: SevError, Text: "pkg-config: exit status 1"}},
	// testdata/logs/pkg-config-version-mismatch-basic.log
	{"pc-version-requirement", `Package dependency requirement 'gadget >= 2.0' could not be satisfied.`,
		Message{Kind: MsgPkgConfigVersion, Tool: ToolPkgConfig, Severity: SevError, Package: "gadget", Wanted: ">= 2.0",
			Text: `Package dependency requirement 'gadget >= 2.0' could not be satisfied.`}},
	{"pc-version-has", `Package 'gadget' has version '1.5.0', required version is '>= 2.0'`,
		Message{Kind: MsgPkgConfigVersion, Tool: ToolPkgConfig, Severity: SevError, Package: "gadget", Wanted: ">= 2.0", Version: "1.5.0",
			Text: `Package 'gadget' has version '1.5.0', required version is '>= 2.0'`}},
	// freedesktop pkg-config [I].
	{"pc-version-freedesktop", `Requested 'gadget >= 2.0' but version of Gadget is 1.5.0`,
		Message{Kind: MsgPkgConfigVersion, Tool: ToolPkgConfig, Severity: SevError, Package: "gadget", Wanted: ">= 2.0", Version: "1.5.0",
			Text: `Requested 'gadget >= 2.0' but version of Gadget is 1.5.0`}},
	// Issue 12: a program go could not start, named but not placed (its
	// role is for the whole log to tell).
	{"exec-unknown-program", `example.com/cxx: exec: "no-such-cxx-xyz": executable file not found in $PATH`,
		Message{Kind: MsgExecNotFound, Tool: ToolGo, Severity: SevError, Program: "no-such-cxx-xyz",
			Text: `exec: "no-such-cxx-xyz": executable file not found in $PATH`}},
	{"exec-gcc-windows", `exec: "gcc": executable file not found in %PATH%`,
		Message{Kind: MsgCCNotFound, Tool: ToolGo, Severity: SevError, Program: "gcc",
			Text: `exec: "gcc": executable file not found in %PATH%`}},
	{"cgo-exec-program-files", `cgo: exec C:\Program: exec: "C:\\Program": file does not exist`,
		Message{Kind: MsgCCNotFound, Tool: ToolCgo, Severity: SevError, Program: `C:\Program`,
			Text: `exec C:\Program: exec: "C:\\Program": file does not exist`}},
	{"cmd-not-recognized", `'gcc' is not recognized as an internal or external command,`,
		Message{Kind: MsgCCNotFound, Tool: ToolGo, Severity: SevError, Program: "gcc",
			Text: `'gcc' is not recognized as an internal or external command,`}},
	{"powershell-not-recognized", `pkg-config : The term 'pkg-config' is not recognized as the name of a cmdlet, function, script file, or `,
		Message{Kind: MsgPkgConfigNotFound, Tool: ToolGo, Severity: SevError, Program: "pkg-config",
			Text: `The term 'pkg-config' is not recognized as the name of a cmdlet, function, script file, or `}},
	// The PKG_CONFIG shim of cgotrace build, pkg-config --atleast-version.
	{"command-failed-silently", `example.com/pcv: /tmp/ctb: exit status 1`,
		Message{Kind: MsgCommandFailed, Tool: ToolGo, Severity: SevError, Program: "/tmp/ctb",
			Text: `/tmp/ctb: exit status 1`}},
	{"pkg-config-invalid-flag-go126", `example.com/pcv: invalid flag in pkg-config: --atleast-version=99 (see https://go.dev/s/invalidflag)`,
		Message{Kind: MsgInvalidFlag, Tool: ToolGo, Severity: SevError, Flag: "--atleast-version=99",
			Text: `invalid flag in pkg-config: --atleast-version=99 (see https://go.dev/s/invalidflag)`}},
	{"ld-so-cannot-open", `/tmp/go-build1/b001/exe/rt: error while loading shared libraries: libfoo.so.1: cannot open shared object file: No such file or directory`,
		Message{Kind: MsgRuntimeLoad, Tool: ToolGo, Severity: SevError, Program: "/tmp/go-build1/b001/exe/rt", Library: "libfoo.so.1",
			Text: `/tmp/go-build1/b001/exe/rt: error while loading shared libraries: libfoo.so.1: cannot open shared object file: No such file or directory`}},
	{"windows-dll-not-found", `exit status 0xc0000135`,
		Message{Kind: MsgRuntimeLoad, Tool: ToolGo, Severity: SevError, Text: `exit status 0xc0000135`}},
	{"link-exe-program-files", `C:\Program Files\Go\pkg\tool\windows_amd64\link.exe: running gcc failed: exit status 1`,
		Message{Kind: MsgLinkFailed, Tool: ToolLink, Severity: SevError, Program: "gcc",
			Text: `running gcc failed: exit status 1`}},
	{"go13-6l", `/usr/local/Cellar/go/1.3.3/libexec/pkg/tool/darwin_amd64/6l: running clang failed: unsuccessful exit status 0x100`,
		Message{Kind: MsgLinkFailed, Tool: ToolLink, Severity: SevError, Program: "clang",
			Text: `running clang failed: unsuccessful exit status 0x100`}},
	{"collect2-exe", `collect2.exe: error: ld returned 1 exit status`,
		Message{Kind: MsgCollect2, Tool: ToolCollect2, Severity: SevError, Text: `ld returned 1 exit status`}},
	{"cc1-exe-64bit", `cc1.exe: sorry, unimplemented: 64-bit mode not compiled in`,
		Message{Kind: MsgCompileError, Tool: ToolGCC, Severity: SevError, Text: `sorry, unimplemented: 64-bit mode not compiled in`}},
	{"c-files-without-cgo-go14", `C source files not allowed when not using cgo: sqlite3-binding.c`,
		Message{Kind: MsgCFilesWithoutCgo, Tool: ToolGo, Severity: SevError, File: "sqlite3-binding.c",
			Text: `C source files not allowed when not using cgo: sqlite3-binding.c`}},
	// #12
	{"pc-binary-missing", `example.com/nopc: exec: "pkg-config": executable file not found in $PATH`,
		Message{Kind: MsgPkgConfigNotFound, Tool: ToolGo, Severity: SevError, Program: "pkg-config",
			Text: `exec: "pkg-config": executable file not found in $PATH`}},
	{"pc-binary-missing-old", `pkg-config: exec: "pkg-config": executable file not found in $PATH`,
		Message{Kind: MsgPkgConfigNotFound, Tool: ToolGo, Severity: SevError, Program: "pkg-config",
			Text: `exec: "pkg-config": executable file not found in $PATH`}},
	// #13
	{"invalid-flag-pc", `example.com/pcflag: invalid flag in pkg-config --cflags: -fplugin=/tmp/x.so (see https://go.dev/s/invalidflag)`,
		Message{Kind: MsgInvalidFlag, Tool: ToolGo, Severity: SevError, Flag: "-fplugin=/tmp/x.so",
			Text: `invalid flag in pkg-config --cflags: -fplugin=/tmp/x.so (see https://go.dev/s/invalidflag)`}},
	{"invalid-flag-cgo", `example.com/invalid-cgo-flag-basic: invalid flag in #cgo CFLAGS: -fplugin=./annotate.so (see https://go.dev/s/invalidflag)`,
		Message{Kind: MsgInvalidFlag, Tool: ToolGo, Severity: SevError, Flag: "-fplugin=./annotate.so",
			Text: `invalid flag in #cgo CFLAGS: -fplugin=./annotate.so (see https://go.dev/s/invalidflag)`}},
	{"invalid-flag-ldflags", `example.com/x: invalid flag in #cgo LDFLAGS: -Wl,--plugin=/x.so (see https://go.dev/s/invalidflag)`,
		Message{Kind: MsgInvalidFlag, Tool: ToolGo, Severity: SevError, Flag: "-Wl,--plugin=/x.so",
			Text: `invalid flag in #cgo LDFLAGS: -Wl,--plugin=/x.so (see https://go.dev/s/invalidflag)`}},
	{"malformed", `example.com/x: malformed #cgo argument: >=`,
		Message{Kind: MsgMalformedCgoArg, Tool: ToolGo, Severity: SevError, Flag: ">=",
			Text: `malformed #cgo argument: >=`}},
	// #22
	{"dso-symbol", `/usr/bin/ld: /tmp/go-link-NNN/000001.o: undefined reference to symbol 'cos@@GLIBC_2.2.5'`,
		Message{Kind: MsgUndefinedSymbolDSO, Tool: ToolLd, Severity: SevError, Symbol: "cos@@GLIBC_2.2.5",
			Object: "/tmp/go-link-NNN/000001.o", Text: "undefined reference to symbol 'cos@@GLIBC_2.2.5'"}},
	{"dso-missing", `/usr/bin/ld: /lib/x86_64-linux-gnu/libm.so.6: error adding symbols: DSO missing from command line`,
		Message{Kind: MsgDSOMissing, Tool: ToolLd, Severity: SevError, Library: "/lib/x86_64-linux-gnu/libm.so.6",
			Text: "error adding symbols: DSO missing from command line"}},
	// #23
	{"needed-not-found", `/usr/bin/ld: warning: libdep.so.1, needed by <scratch>/f/transdep/top/libtop.so, not found (try using -rpath or -rpath-link)`,
		Message{Kind: MsgNeededNotFound, Tool: ToolLd, Severity: SevWarning, Library: "libdep.so.1",
			Object: "<scratch>/f/transdep/top/libtop.so",
			Text:   "libdep.so.1, needed by <scratch>/f/transdep/top/libtop.so, not found (try using -rpath or -rpath-link)"}},
	// #24
	{"skipping-incompatible", `/usr/bin/ld: skipping incompatible <scratch>/f/incompat/clib/libusesm.so when searching for -lusesm`,
		Message{Kind: MsgSkippingIncompat, Tool: ToolLd, Severity: SevWarning, Library: "usesm",
			Object: "<scratch>/f/incompat/clib/libusesm.so",
			Text:   "skipping incompatible <scratch>/f/incompat/clib/libusesm.so when searching for -lusesm"}},
	{"skipping-incompatible-cross", `/usr/lib/gcc-cross/aarch64-linux-gnu/12/../../../../aarch64-linux-gnu/bin/ld: skipping incompatible /usr/lib/x86_64-linux-gnu/libz.so when searching for -lz`,
		Message{Kind: MsgSkippingIncompat, Tool: ToolLd, Severity: SevWarning, Library: "z",
			Object: "/usr/lib/x86_64-linux-gnu/libz.so",
			Text:   "skipping incompatible /usr/lib/x86_64-linux-gnu/libz.so when searching for -lz"}},
	// #25, #26
	{"cannot-find-cross", `/usr/lib/gcc-cross/aarch64-linux-gnu/12/../../../../aarch64-linux-gnu/bin/ld: cannot find -lz`,
		Message{Kind: MsgCannotFindLib, Tool: ToolLd, Severity: SevError, Library: "z", Text: "cannot find -lz"}},
	{"cannot-find", `/usr/bin/ld: cannot find -lusesm: No such file or directory`,
		Message{Kind: MsgCannotFindLib, Tool: ToolLd, Severity: SevError, Library: "usesm",
			Text: "cannot find -lusesm: No such file or directory"}},
	{"cannot-find-stdcxx", `/usr/bin/ld: cannot find -lstdc++: No such file or directory`,
		Message{Kind: MsgCannotFindLib, Tool: ToolLd, Severity: SevError, Library: "stdc++",
			Text: "cannot find -lstdc++: No such file or directory"}},
	// `gcc -fuse-ld=gold main.o -lnope` here.
	{"cannot-find-gold", `/usr/bin/ld.gold: error: cannot find -lnope`,
		Message{Kind: MsgCannotFindLib, Tool: ToolLd, Severity: SevError, Library: "nope", Text: "cannot find -lnope"}},
	// `gcc -g -fuse-ld=gold dg.c` (calls an undefined nothere()) here.
	{"gold-undefined-debug", `/tmp/realmsg/dg.c:3: error: undefined reference to 'nothere'`,
		Message{Kind: MsgUndefinedReference, Tool: ToolLd, Severity: SevError, File: "/tmp/realmsg/dg.c", Line: 3,
			Symbol: "nothere", Text: "undefined reference to 'nothere'"}},
	// testdata/logs/link-error-basic.gold.log
	{"linker-script-gold", `/usr/bin/ld.gold: error: /tmp/s/lib/libjunk.so:1:6: syntax error, unexpected STRING`,
		Message{Kind: MsgInLinkerScript, Tool: ToolLd, Severity: SevError, File: "/tmp/s/lib/libjunk.so", Line: 1,
			Object: "/tmp/s/lib/libjunk.so", Text: "syntax error, unexpected STRING"}},
	{"not-object-gold", `/usr/bin/ld.gold: error: /tmp/s/lib/libjunk.so: not an object or archive`,
		Message{Kind: MsgFileNotRecog, Tool: ToolLd, Severity: SevError, Object: "/tmp/s/lib/libjunk.so",
			Text: "/tmp/s/lib/libjunk.so: not an object or archive"}},
	// testdata/logs/multiple-definition-basic.gold.log
	{"previous-definition-gold", `/usr/bin/ld.gold: /tmp/go-link-341726404/000002.o: previous definition here`,
		Message{Kind: MsgOther, Tool: ToolLd, Severity: SevNote, Object: "/tmp/go-link-341726404/000002.o",
			Text: "/tmp/go-link-341726404/000002.o: previous definition here"}},
	// testdata/logs/pic-required-basic.gold.log
	{"pic-gold-unsupported", `/usr/bin/ld.gold: error: /tmp/s/lib/liblegacy.a(legacy.o): requires unsupported dynamic reloc 11; recompile with -fPIC`,
		Message{Kind: MsgPICRequired, Tool: ToolLd, Severity: SevError, Object: "/tmp/s/lib/liblegacy.a(legacy.o)", Flag: "-fPIC",
			Text: "requires unsupported dynamic reloc 11; recompile with -fPIC"}},
	// `gcc -fuse-ld=lld main.o -lnope` here.
	{"cannot-find-lld", `ld.lld: error: unable to find library -lnope`,
		Message{Kind: MsgCannotFindLib, Tool: ToolLd, Severity: SevError, Library: "nope",
			Text: "unable to find library -lnope"}},
	// `gcc -fuse-ld=lld mg.c -Li32 -lg` (i32/libg.so is ELF32 i386) here.
	{"incompatible-lld", `ld.lld: error: i32/libg.so is incompatible with elf64-x86-64`,
		Message{Kind: MsgSkippingIncompat, Tool: ToolLd, Severity: SevError, Library: "i32/libg.so", Object: "i32/libg.so",
			Text: "i32/libg.so is incompatible with elf64-x86-64"}},
	// The same with -fuse-ld=gold.
	{"incompatible-gold", `/usr/bin/ld.gold: warning: skipping incompatible i32/libg.so while searching for g`,
		Message{Kind: MsgSkippingIncompat, Tool: ToolLd, Severity: SevWarning, Library: "g", Object: "i32/libg.so",
			Text: "skipping incompatible i32/libg.so while searching for g"}},
	// `gcc -fuse-ld=gold -pie -fPIE np.o m3.c` (np.o built -fno-pic) here.
	{"pic-gold", `/usr/bin/ld.gold: error: np.o: requires dynamic R_X86_64_32 reloc which may overflow at runtime; recompile with -fPIC`,
		Message{Kind: MsgPICRequired, Tool: ToolLd, Severity: SevError, Object: "np.o", Flag: "-fPIC",
			Text: "requires dynamic R_X86_64_32 reloc which may overflow at runtime; recompile with -fPIC"}},
	// `gcc -fuse-ld=lld m3.c -Ljunk -ljunk` (libjunk.so is a text file) here.
	{"linker-script-lld", `ld.lld: error: junk/libjunk.so:1: unknown directive: this`,
		Message{Kind: MsgInLinkerScript, Tool: ToolLd, Severity: SevError, File: "junk/libjunk.so", Line: 1, Object: "junk/libjunk.so",
			Text: "unknown directive: this"}},
	// Apple ld [I].
	{"cannot-find-apple", `ld: library not found for -lfrobnicate`,
		Message{Kind: MsgCannotFindLib, Tool: ToolLd, Severity: SevError, Library: "frobnicate",
			Text: "library not found for -lfrobnicate"}},
	{"cannot-find-apple-prime", `ld: library 'frobnicate' not found`,
		Message{Kind: MsgCannotFindLib, Tool: ToolLd, Severity: SevError, Library: "frobnicate",
			Text: "library 'frobnicate' not found"}},
	{"apple-arch", `ld: warning: ignoring file /opt/lib/libgizmo.dylib, building for macOS-arm64 but attempting to link with file built for macOS-x86_64`,
		Message{Kind: MsgSkippingIncompat, Tool: ToolLd, Severity: SevWarning, Object: "/opt/lib/libgizmo.dylib",
			Library: "/opt/lib/libgizmo.dylib",
			Text:    "ignoring file /opt/lib/libgizmo.dylib, building for macOS-arm64 but attempting to link with file built for macOS-x86_64"}},
	{"apple-summary", `ld: symbol(s) not found for architecture arm64`,
		Message{Kind: MsgSymbolsNotFound, Tool: ToolLd, Severity: SevError, Text: "symbol(s) not found for architecture arm64"}},
	// `gcc -fuse-ld=lld main.o cxx.o` here, and with -Wl,--no-demangle.
	{"lld-undefined", `ld.lld: error: undefined symbol: operator new(unsigned long)`,
		Message{Kind: MsgUndefinedReference, Tool: ToolLd, Severity: SevError, Symbol: "operator new(unsigned long)",
			Mangled: "_Znwm", Demangled: "operator new(unsigned long)", Text: "undefined symbol: operator new(unsigned long)"}},
	{"lld-undefined-raw", `ld.lld: error: undefined symbol: _Znwm`,
		Message{Kind: MsgUndefinedReference, Tool: ToolLd, Severity: SevError, Symbol: "_Znwm",
			Mangled: "_Znwm", Demangled: "operator new(unsigned long)", Text: "undefined symbol: _Znwm"}},
	// `gcc -fuse-ld=lld m3.c h1.o h2.o` here.
	{"lld-duplicate", `ld.lld: error: duplicate symbol: helper`,
		Message{Kind: MsgMultipleDefinition, Tool: ToolLd, Severity: SevError, Symbol: "helper", Text: "duplicate symbol: helper"}},
	// `gcc -fuse-ld=lld -shared np.o` here.
	{"lld-pic", `ld.lld: error: relocation R_X86_64_32 cannot be used against local symbol; recompile with -fPIC`,
		Message{Kind: MsgPICRequired, Tool: ToolLd, Severity: SevError, Flag: "-fPIC",
			Text: "relocation R_X86_64_32 cannot be used against local symbol; recompile with -fPIC"}},
	{"clang-unknown-argument", `clang: error: unknown argument: '-mthreads'`,
		Message{Kind: MsgUnrecognizedOption, Tool: ToolGCC, Severity: SevError, Flag: "-mthreads",
			Text: "unknown argument: '-mthreads'"}},
	{"cross-gcc-unrecognized", `aarch64-linux-gnu-gcc-12: error: unrecognized command-line option '-m64'`,
		Message{Kind: MsgUnrecognizedOption, Tool: ToolGCC, Severity: SevError, Flag: "-m64",
			Text: "unrecognized command-line option '-m64'"}},
	{"clang-linker-failed", `clang: error: linker command failed with exit code 1 (use -v to see invocation)`,
		Message{Kind: MsgCollect2, Tool: ToolGCC, Severity: SevError, Text: "linker command failed with exit code 1 (use -v to see invocation)"}},
	// #27: an ld location with no file, only a section offset.
	{"undefined-section", "(.text+0xff): undefined reference to `dbus_message_demarshal'",
		Message{Kind: MsgUndefinedReference, Tool: ToolLd, Severity: SevError, Symbol: "dbus_message_demarshal",
			Text: "undefined reference to `dbus_message_demarshal'"}},
	// #28
	{"static-nss", `/tmp/go-build/cgo_unix_cgo.cgo2.c:60: warning: Using 'getaddrinfo' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking`,
		Message{Kind: MsgStaticNSS, Tool: ToolLd, Severity: SevWarning, Symbol: "getaddrinfo", File: "/tmp/go-build/cgo_unix_cgo.cgo2.c", Line: 60,
			Text: "Using 'getaddrinfo' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking"}},
	// #29, #30
	{"pic-pie", "/usr/bin/ld: <scratch>/f/nopic/clib/libnopic.a(n.o): relocation R_X86_64_32 against `.rodata.str1.1' can not be used when making a PIE object; recompile with -fPIE",
		Message{Kind: MsgPICRequired, Tool: ToolLd, Severity: SevError, Object: "<scratch>/f/nopic/clib/libnopic.a(n.o)",
			Symbol: ".rodata.str1.1", Flag: "-fPIE",
			Text: "relocation R_X86_64_32 against `.rodata.str1.1' can not be used when making a PIE object; recompile with -fPIE"}},
	// `gcc -shared np.o` of a -fno-pic object here.
	{"pic-shared", "/usr/bin/ld: np.o: relocation R_X86_64_32 against `.rodata' can not be used when making a shared object; recompile with -fPIC",
		Message{Kind: MsgPICRequired, Tool: ToolLd, Severity: SevError, Object: "np.o", Symbol: ".rodata", Flag: "-fPIC",
			Text: "relocation R_X86_64_32 against `.rodata' can not be used when making a shared object; recompile with -fPIC"}},
	{"ld-other", `/usr/bin/ld: failed to set dynamic section sizes: bad value`,
		Message{Kind: MsgOther, Tool: ToolLd, Severity: SevError, Text: "failed to set dynamic section sizes: bad value"}},
	// #31
	{"multiple-definition", "/tmp/go-build/main.cgo2.c:4: multiple definition of `helper'; /tmp/go-link-NNN/000000.o:/tmp/go-build/_cgo_export.c:4: first defined here",
		Message{Kind: MsgMultipleDefinition, Tool: ToolLd, Severity: SevError, Symbol: "helper", File: "/tmp/go-build/main.cgo2.c", Line: 4,
			Text: "multiple definition of `helper'; /tmp/go-link-NNN/000000.o:/tmp/go-build/_cgo_export.c:4: first defined here"}},
	// `gcc -fuse-ld=gold m3.c h1.o h2.o` here.
	{"multiple-definition-gold", `/usr/bin/ld.gold: error: h2.o: multiple definition of 'helper'`,
		Message{Kind: MsgMultipleDefinition, Tool: ToolLd, Severity: SevError, Symbol: "helper", Object: "h2.o",
			Text: "multiple definition of 'helper'"}},
	// #33
	{"cgo-unknown-macro", `./main.go:6:45: could not determine what C.NO_SUCH_MACRO refers to`,
		Message{Kind: MsgCgoUnknownName, Tool: ToolCgo, Severity: SevError, File: "./main.go", Line: 6, Column: 45,
			Name: "C.NO_SUCH_MACRO", Text: "could not determine what C.NO_SUCH_MACRO refers to"}},
	{"cgo-unknown-old", `./main.go:6:15: could not determine kind of name for C.no_such_function`,
		Message{Kind: MsgCgoUnknownName, Tool: ToolCgo, Severity: SevError, File: "./main.go", Line: 6, Column: 15,
			Name: "C.no_such_function", Text: "could not determine kind of name for C.no_such_function"}},
	// #34
	{"go-type-mismatch", `./main.go:6:46: cannot use n (variable of type int) as _Ctype_int value in argument to (_Cfunc_twice)`,
		Message{Kind: MsgCompileError, Tool: ToolCompile, Severity: SevError, File: "./main.go", Line: 6, Column: 46,
			Text: "cannot use n (variable of type int) as _Ctype_int value in argument to (_Cfunc_twice)"}},
	// Older Go with -x: the cgo1.go position in brackets [I].
	{"go-cgo1-position", `./main.go:19[/tmp/go-build123/b001/main.cgo1.go:18]: undefined: C.nosuch`,
		Message{Kind: MsgGoUndefined, Tool: ToolCompile, Severity: SevError, File: "./main.go", Line: 19,
			Name: "C.nosuch", Text: "undefined: C.nosuch"}},
	{"go-cgo1-position-col", `./main.go:19:3[/tmp/go-build123/b001/main.cgo1.go:18:2]: cannot use x`,
		Message{Kind: MsgCompileError, Tool: ToolCompile, Severity: SevError, File: "./main.go", Line: 19, Column: 3,
			Text: "cannot use x"}},
	// #35 (cgo's gcc: ASCII quotes).
	{"c-undeclared", `./main.go:4:31: error: 'undeclared_var' undeclared (first use in this function)`,
		Message{Kind: MsgCompileError, Tool: ToolGCC, Severity: SevError, File: "./main.go", Line: 4, Column: 31,
			Text: "'undeclared_var' undeclared (first use in this function)"}},
	// #36
	{"implicit-declaration", `./main.go:5:29: warning: implicit declaration of function ‘implicit_fn’ [-Wimplicit-function-declaration]`,
		Message{Kind: MsgCompilerWarning, Tool: ToolGCC, Severity: SevWarning, File: "./main.go", Line: 5, Column: 29,
			Symbol: "implicit_fn", Text: "implicit declaration of function ‘implicit_fn’ [-Wimplicit-function-declaration]"}},
	{"undefined-go-file", "<scratch>/f/implicit/main.go:5: undefined reference to `implicit_fn'",
		Message{Kind: MsgUndefinedReference, Tool: ToolLd, Severity: SevError, File: "<scratch>/f/implicit/main.go", Line: 5,
			Symbol: "implicit_fn", Text: "undefined reference to `implicit_fn'"}},
	// #37
	{"c-files-without-cgo", `package example.com/cfiles: C source files not allowed when not using cgo or SWIG: x.c`,
		Message{Kind: MsgCFilesWithoutCgo, Tool: ToolGo, Severity: SevError, File: "x.c",
			Text: "C source files not allowed when not using cgo or SWIG: x.c"}},
	// #38
	{"internal-linking", `/usr/local/go/pkg/tool/linux_amd64/link: internal linking requested but external linking required: some packages could not be built to support internal linking ([main])`,
		Message{Kind: MsgInternalLinking, Tool: ToolLink, Severity: SevError,
			Text: "internal linking requested but external linking required: some packages could not be built to support internal linking ([main])"}},
	// #40
	{"extld-missing", `/usr/local/go/pkg/tool/linux_amd64/link: running clang failed: exec: "clang": executable file not found in $PATH`,
		Message{Kind: MsgCCNotFound, Tool: ToolLink, Severity: SevError, Program: "clang",
			Text: `running clang failed: exec: "clang": executable file not found in $PATH`}},
	{"link-failed", `/usr/local/go/pkg/tool/linux_amd64/link: running gcc failed: exit status 1`,
		Message{Kind: MsgLinkFailed, Tool: ToolLink, Severity: SevError, Program: "gcc", Text: "running gcc failed: exit status 1"}},
	{"link-failed-cross", `/usr/local/go/pkg/tool/linux_amd64/link: running aarch64-linux-gnu-gcc failed: exit status 1`,
		Message{Kind: MsgLinkFailed, Tool: ToolLink, Severity: SevError, Program: "aarch64-linux-gnu-gcc",
			Text: "running aarch64-linux-gnu-gcc failed: exit status 1"}},
	// #41
	{"no-include-path", `error: no include path in which to search for stdint.h`,
		Message{Kind: MsgHeaderNotFound, Tool: ToolGCC, Severity: SevError, Header: "stdint.h",
			Text: "no include path in which to search for stdint.h"}},
	{"header-cgo-export", `_cgo_export.c:3:10: fatal error: stdlib.h: No such file or directory`,
		Message{Kind: MsgHeaderNotFound, Tool: ToolGCC, Severity: SevError, File: "_cgo_export.c", Line: 3, Column: 10,
			Header: "stdlib.h", Text: "stdlib.h: No such file or directory"}},
	// #42
	{"oom", `virtual memory exhausted: Cannot allocate memory`,
		Message{Kind: MsgCompilerKilled, Tool: ToolGCC, Severity: SevError, Text: "virtual memory exhausted: Cannot allocate memory"}},
	{"killed", `gcc: fatal error: Killed signal terminated program cc1`,
		Message{Kind: MsgCompilerKilled, Tool: ToolGCC, Severity: SevError, Text: "Killed signal terminated program cc1"}},
	// #43
	{"command-line", `<command-line>: error: missing terminating ' character [-Werror]`,
		Message{Kind: MsgCompileError, Tool: ToolGCC, Severity: SevError, File: "<command-line>",
			Text: "missing terminating ' character [-Werror]"}},
	{"cc1-werror", `cc1: all warnings being treated as errors`,
		Message{Kind: MsgCompileError, Tool: ToolGCC, Severity: SevError, Text: "all warnings being treated as errors"}},
	// #46
	{"race", `go: -race requires cgo; enable cgo by setting CGO_ENABLED=1`,
		Message{Kind: MsgRequiresCgo, Tool: ToolGo, Severity: SevError, Flag: "-race",
			Text: "-race requires cgo; enable cgo by setting CGO_ENABLED=1"}},
	// #47
	{"exec-stack", `/usr/bin/ld: warning: /tmp/go-link-NNN/000002.o: missing .note.GNU-stack section implies executable stack`,
		Message{Kind: MsgExecStack, Tool: ToolLd, Severity: SevWarning, Object: "/tmp/go-link-NNN/000002.o",
			Text: "/tmp/go-link-NNN/000002.o: missing .note.GNU-stack section implies executable stack"}},
	{"ld-note", `/usr/bin/ld: NOTE: This behaviour is deprecated and will be removed in a future version of the linker`,
		Message{Kind: MsgOther, Tool: ToolLd, Severity: SevNote,
			Text: "This behaviour is deprecated and will be removed in a future version of the linker"}},
	// #48
	{"wrap", "/_/GOROOT/src/runtime/cgo/gcc_linux_amd64.c:40: undefined reference to `__wrap_malloc'",
		Message{Kind: MsgUndefinedReference, Tool: ToolLd, Severity: SevError, File: "/_/GOROOT/src/runtime/cgo/gcc_linux_amd64.c", Line: 40,
			Symbol: "__wrap_malloc", Text: "undefined reference to `__wrap_malloc'"}},
	// link-error-basic: a text file where a library should be.
	{"linker-script", `/usr/bin/ld:/tmp/s/lib/libjunk.so: file format not recognized; treating as linker script`,
		Message{Kind: MsgInLinkerScript, Tool: ToolLd, Severity: SevError, Object: "/tmp/s/lib/libjunk.so", Library: "/tmp/s/lib/libjunk.so",
			Text: "file format not recognized; treating as linker script"}},
	{"linker-script-syntax", `/usr/bin/ld:/tmp/s/lib/libjunk.so:1: syntax error`,
		Message{Kind: MsgInLinkerScript, Tool: ToolLd, Severity: SevError, Object: "/tmp/s/lib/libjunk.so", File: "/tmp/s/lib/libjunk.so", Line: 1,
			Text: "syntax error"}},
	{"collect2", `collect2: error: ld returned 1 exit status`,
		Message{Kind: MsgCollect2, Tool: ToolCollect2, Severity: SevError, Text: "ld returned 1 exit status"}},
	// C++: `gcc main.o cxx.o -Wl,--no-demangle` here (raw name), and the
	// default (demangled by ld).
	{"cxx-raw", "cxx.cpp:(.text+0xa): undefined reference to `_Znwm'",
		Message{Kind: MsgUndefinedReference, Tool: ToolLd, Severity: SevError, File: "cxx.cpp", Symbol: "_Znwm",
			Mangled: "_Znwm", Demangled: "operator new(unsigned long)", Text: "undefined reference to `_Znwm'"}},
	{"cxx-demangled", "counter.cpp:(.text+0x9): undefined reference to `operator new(unsigned long)'",
		Message{Kind: MsgUndefinedReference, Tool: ToolLd, Severity: SevError, File: "counter.cpp", Symbol: "operator new(unsigned long)",
			Mangled: "_Znwm", Demangled: "operator new(unsigned long)", Text: "undefined reference to `operator new(unsigned long)'"}},
	{"cxx-throw", "undefined reference to `std::__throw_bad_array_new_length()'",
		Message{Kind: MsgUndefinedReference, Tool: ToolLd, Severity: SevError, Symbol: "std::__throw_bad_array_new_length()",
			Mangled: "_ZSt28__throw_bad_array_new_lengthv", Demangled: "std::__throw_bad_array_new_length()",
			Text: "undefined reference to `std::__throw_bad_array_new_length()'"}},
	// `gcc -fuse-ld=gold main.o cxx.o` here: gold's own layout.
	{"gold-undefined", `cxx.o:cxx.cpp:function counter_new(): error: undefined reference to 'operator new(unsigned long)'`,
		Message{Kind: MsgUndefinedReference, Tool: ToolLd, Severity: SevError, Object: "cxx.o", File: "cxx.cpp", Function: "counter_new()",
			Symbol: "operator new(unsigned long)", Mangled: "_Znwm", Demangled: "operator new(unsigned long)",
			Text: "undefined reference to 'operator new(unsigned long)'"}},
	{"gold-undefined-c", `main.o:main.c:function main: error: undefined reference to 'counter_new'`,
		Message{Kind: MsgUndefinedReference, Tool: ToolLd, Severity: SevError, Object: "main.o", File: "main.c", Function: "main",
			Symbol: "counter_new", Text: "undefined reference to 'counter_new'"}},
	{"crlf", "collect2: error: ld returned 1 exit status\r",
		Message{Kind: MsgCollect2, Tool: ToolCollect2, Severity: SevError, Text: "ld returned 1 exit status"}},
}

func TestParseMessage(t *testing.T) {
	for _, tt := range messageTests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseMessage(tt.line)
			if !ok {
				t.Errorf("ParseMessage(%q) ok = false", tt.line)
			}
			want := tt.want
			want.Raw = []string{strings.TrimSuffix(tt.line, "\r")}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("ParseMessage(%q) mismatch (-want +got):\n%s", tt.line, diff)
			}
		})
	}
}

func TestParseMessageUnrecognized(t *testing.T) {
	for _, line := range []string{
		"",
		"hello world",
		"Perhaps you should add the directory containing `libfoo.pc'",
		"    3 | #include <foo.h>",
		"   12 | x",
		"WORK=/tmp/go-build123",
		"mkdir -p $WORK/b001/",
		"a:b:c",
		"x.go:",
		"x.go:12",
		"x.go:12x: y",
		"something: invalid flag in the wind",
		":1: x",
	} {
		m, ok := ParseMessage(line)
		if ok {
			t.Errorf("ParseMessage(%q) = %+v, true; want false", line, m)
		}
		if m.Kind != MsgOther || m.Text != line || len(m.Raw) != 1 {
			t.Errorf("ParseMessage(%q) = %+v; want MsgOther keeping the line", line, m)
		}
	}
}

// TestParseMessages checks the multi-line grammar: continuation and
// context lines.
func TestParseMessages(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  []Message
	}{
		{
			// testdata/logs/header-not-found-basic.log
			name: "header-with-caret",
			lines: []string{
				"./main.go:4:10: fatal error: frobnicate.h: No such file or directory",
				"    4 | #include <frobnicate.h>",
				"      |          ^~~~~~~~~~~~~~",
				"compilation terminated.",
			},
			want: []Message{{Kind: MsgHeaderNotFound, Tool: ToolGCC, Severity: SevError, File: "./main.go", Line: 4, Column: 10,
				Header: "frobnicate.h", Text: "frobnicate.h: No such file or directory", Raw: rawAll}},
		},
		{
			// testdata/logs/compile-error-basic.log
			name: "gcc-function-context",
			lines: []string{
				"./main.go: In function 'scaled':",
				"./main.go:5:20: error: 'scale_factor' undeclared (first use in this function)",
				"    5 |         return v * scale_factor;",
				"      |                    ^~~~~~~~~~~~",
				"./main.go:5:20: note: each undeclared identifier is reported only once for each function it appears in",
			},
			want: []Message{
				{Kind: MsgCompileError, Tool: ToolGCC, Severity: SevError, File: "./main.go", Line: 5, Column: 20, Function: "scaled",
					Text: "'scale_factor' undeclared (first use in this function)", Raw: rawLines(0, 4)},
				{Kind: MsgCompilerNote, Tool: ToolGCC, Severity: SevNote, File: "./main.go", Line: 5, Column: 20, Function: "scaled",
					Text: "each undeclared identifier is reported only once for each function it appears in", Raw: rawLines(4, 5)},
			},
		},
		{
			// gcc 12 under LANG=C.UTF-8 here (u.c).
			name: "gcc-utf8-function-context",
			lines: []string{
				"u.c: In function ‘f’:",
				"u.c:1:40: warning: implicit declaration of function ‘implicit_fn’ [-Wimplicit-function-declaration]",
				"    1 | int f(void){ return undeclared_thing + implicit_fn(); }",
				"      |                                        ^~~~~~~~~~~",
			},
			want: []Message{{Kind: MsgCompilerWarning, Tool: ToolGCC, Severity: SevWarning, File: "u.c", Line: 1, Column: 40, Function: "f",
				Symbol: "implicit_fn", Text: "implicit declaration of function ‘implicit_fn’ [-Wimplicit-function-declaration]", Raw: rawAll}},
		},
		{
			// `gcc -c ic.c` here: an include chain.
			name: "include-chain",
			lines: []string{
				"In file included from ic.c:1:",
				"inc/a.h:1:10: fatal error: nope2.h: No such file or directory",
				"    1 | #include <nope2.h>",
				"      |          ^~~~~~~~~",
				"compilation terminated.",
			},
			want: []Message{{Kind: MsgHeaderNotFound, Tool: ToolGCC, Severity: SevError, File: "inc/a.h", Line: 1, Column: 10,
				Header: "nope2.h", Text: "nope2.h: No such file or directory", Raw: rawAll}},
		},
		{
			// testdata/logs/undefined-symbol-basic.log (paths shortened).
			name: "link-block-cgo-function",
			lines: []string{
				"/usr/local/go/pkg/tool/linux_amd64/link: running gcc failed: exit status 1",
				"/usr/bin/gcc -m64 -o $WORK/b001/exe/a.out /tmp/go-link-27/go.o /tmp/go-link-27/000000.o -O2 -g -lpthread -no-pie",
				"/usr/bin/ld: /tmp/go-link-27/000001.o: in function `_cgo_74c548aa5022_Cfunc_compute_checksum':",
				"/tmp/go-build/main.cgo2.c:57: undefined reference to `compute_checksum'",
				"collect2: error: ld returned 1 exit status",
			},
			want: []Message{
				{Kind: MsgLinkFailed, Tool: ToolLink, Severity: SevError, Program: "gcc", Text: "running gcc failed: exit status 1", Raw: rawLines(0, 2)},
				{Kind: MsgUndefinedReference, Tool: ToolLd, Severity: SevError, File: "/tmp/go-build/main.cgo2.c", Line: 57,
					Symbol: "compute_checksum", Object: "/tmp/go-link-27/000001.o", Function: "_cgo_74c548aa5022_Cfunc_compute_checksum",
					Name: "C.compute_checksum", Text: "undefined reference to `compute_checksum'", Raw: rawLines(2, 4)},
				{Kind: MsgCollect2, Tool: ToolCollect2, Severity: SevError, Text: "ld returned 1 exit status", Raw: rawLines(4, 5)},
			},
		},
		{
			// `gcc main.o cxx.o -Wl,--no-demangle` here: two functions.
			name: "ld-two-functions",
			lines: []string{
				"/usr/bin/ld: main.o: in function `main':",
				"main.c:(.text+0x5): undefined reference to `counter_new'",
				"/usr/bin/ld: cxx.o: in function `_Z11counter_newv':",
				"cxx.cpp:(.text+0xa): undefined reference to `_Znwm'",
			},
			want: []Message{
				{Kind: MsgUndefinedReference, Tool: ToolLd, Severity: SevError, File: "main.c", Symbol: "counter_new", Object: "main.o",
					Function: "main", Text: "undefined reference to `counter_new'", Raw: rawLines(0, 2)},
				{Kind: MsgUndefinedReference, Tool: ToolLd, Severity: SevError, File: "cxx.cpp", Symbol: "_Znwm", Mangled: "_Znwm",
					Demangled: "operator new(unsigned long)", Object: "cxx.o", Function: "_Z11counter_newv",
					Text: "undefined reference to `_Znwm'", Raw: rawLines(2, 4)},
			},
		},
		{
			// #27: several references under one "in function".
			name: "ld-refs-in-one-function",
			lines: []string{
				"/usr/bin/ld: libpcap.a(pcap-dbus.o): in function `dbus_write':",
				"(.text+0xff): undefined reference to `dbus_message_demarshal'",
				"(.text+0x11b): undefined reference to `dbus_connection_send'",
			},
			want: []Message{
				{Kind: MsgUndefinedReference, Tool: ToolLd, Severity: SevError, Symbol: "dbus_message_demarshal", Object: "libpcap.a(pcap-dbus.o)",
					Function: "dbus_write", Text: "undefined reference to `dbus_message_demarshal'", Raw: rawLines(0, 2)},
				{Kind: MsgUndefinedReference, Tool: ToolLd, Severity: SevError, Symbol: "dbus_connection_send", Object: "libpcap.a(pcap-dbus.o)",
					Function: "dbus_write", Text: "undefined reference to `dbus_connection_send'", Raw: rawLines(2, 3)},
			},
		},
		{
			// testdata/logs/pkg-config-package-not-found-basic.log
			name: "pkg-config-block",
			lines: []string{
				"# example.com/pkg-config-package-not-found-basic",
				"# [pkg-config --cflags  -- libfrobnicate]",
				"Package libfrobnicate was not found in the pkg-config search path.",
				"Perhaps you should add the directory containing `libfrobnicate.pc'",
				"to the PKG_CONFIG_PATH environment variable",
				"Package 'libfrobnicate', required by 'virtual:world', not found",
			},
			want: []Message{
				{Kind: MsgPkgConfigPackage, Tool: ToolPkgConfig, Severity: SevError, Package: "libfrobnicate",
					Text: "Package libfrobnicate was not found in the pkg-config search path.", Raw: rawLines(2, 5)},
				{Kind: MsgPkgConfigPackage, Tool: ToolPkgConfig, Severity: SevError, Package: "libfrobnicate",
					Text: "Package 'libfrobnicate', required by 'virtual:world', not found", Raw: rawLines(5, 6)},
			},
		},
		{
			// Apple ld [I].
			name: "apple-undefined",
			lines: []string{
				"Undefined symbols for architecture arm64:",
				`  "_compute_checksum", referenced from:`,
				"      __cgo_74c548aa5022_Cfunc_compute_checksum in 000001.o",
				`  "__Znwm", referenced from:`,
				"      _counter_new in libcounter.a[2](counter.o)",
				"ld: symbol(s) not found for architecture arm64",
				"clang: error: linker command failed with exit code 1 (use -v to see invocation)",
			},
			want: []Message{
				{Kind: MsgUndefinedReference, Tool: ToolLd, Severity: SevError, Symbol: "_compute_checksum",
					Function: "__cgo_74c548aa5022_Cfunc_compute_checksum", Object: "000001.o", Name: "C.compute_checksum",
					Text: `"_compute_checksum", referenced from:`, Raw: rawLines(0, 3)},
				{Kind: MsgUndefinedReference, Tool: ToolLd, Severity: SevError, Symbol: "__Znwm", Mangled: "_Znwm",
					Demangled: "operator new(unsigned long)", Function: "_counter_new", Object: "libcounter.a[2](counter.o)",
					Text: `"__Znwm", referenced from:`, Raw: rawLines(3, 5)},
				{Kind: MsgSymbolsNotFound, Tool: ToolLd, Severity: SevError, Text: "symbol(s) not found for architecture arm64", Raw: rawLines(5, 6)},
				{Kind: MsgCollect2, Tool: ToolGCC, Severity: SevError, Text: "linker command failed with exit code 1 (use -v to see invocation)", Raw: rawLines(6, 7)},
			},
		},
		{
			// Apple ld's "(maybe you meant: X)" and "implicit entry/start"
			// lines (five spaces) continue the undefined symbol above
			// them: https://github.com/lukeroth/gdal/issues/75,
			// https://github.com/golang/go/issues/38485.
			name: "apple-maybe-you-meant",
			lines: []string{
				"Undefined symbols for architecture arm64:",
				`  "_CPLGetConfigOption", referenced from:`,
				"      __cgo_20816c41b399_Cfunc_CPLGetConfigOption in _x003.o",
				"     (maybe you meant: __cgo_20816c41b399_Cfunc_CPLGetConfigOption)",
				`  "_main", referenced from:`,
				"     implicit entry/start for main executable",
				"ld: symbol(s) not found for architecture arm64",
			},
			want: []Message{
				{Kind: MsgUndefinedReference, Tool: ToolLd, Severity: SevError, Symbol: "_CPLGetConfigOption",
					Function: "__cgo_20816c41b399_Cfunc_CPLGetConfigOption", Object: "_x003.o", Name: "C.CPLGetConfigOption",
					Text: `"_CPLGetConfigOption", referenced from:`, Raw: rawLines(0, 4)},
				{Kind: MsgUndefinedReference, Tool: ToolLd, Severity: SevError, Symbol: "_main",
					Text: `"_main", referenced from:`, Raw: rawLines(4, 6)},
				{Kind: MsgSymbolsNotFound, Tool: ToolLd, Severity: SevError, Text: "symbol(s) not found for architecture arm64", Raw: rawLines(6, 7)},
			},
		},
		{
			// binutils before 2.29 wrote "In function" with a capital I,
			// as gcc does, but with ld's `quotes':
			// https://github.com/go-gl-legacy/glfw/issues/10.
			name: "old-ld-in-function",
			lines: []string{
				"$WORK\\github.com\\jteeuwen\\glfw\\_obj\\glfw.cgo2.o: In function `_cgo_680190d759a2_Cfunc_glfwInit':",
				"C:\\Go\\src\\pkg\\github.com\\jteeuwen\\glfw/glfw.go:265: undefined reference to `__imp_glfwInit'",
			},
			want: []Message{
				{Kind: MsgUndefinedReference, Tool: ToolLd, Severity: SevError, Symbol: "__imp_glfwInit",
					File: "C:\\Go\\src\\pkg\\github.com\\jteeuwen\\glfw/glfw.go", Line: 265,
					Object: "$WORK\\github.com\\jteeuwen\\glfw\\_obj\\glfw.cgo2.o", Function: "_cgo_680190d759a2_Cfunc_glfwInit", Name: "C.glfwInit",
					Text: "undefined reference to `__imp_glfwInit'", Raw: rawAll},
			},
		},
		{
			// `gcc -fuse-ld=lld main.o cxx.o` here (cxx.o calls operator
			// new, main.o calls C++ counter_new as a C function).
			name: "lld-undefined",
			lines: []string{
				"ld.lld: error: undefined symbol: counter_new",
				">>> referenced by main.c",
				">>>               main.o:(main)",
				`>>> did you mean to declare counter_new() as extern "C"?`,
				">>> defined in: cxx.o",
				"",
				"ld.lld: error: undefined symbol: operator new(unsigned long)",
				">>> referenced by cxx.cpp",
				">>>               cxx.o:(counter_new())",
				"collect2: error: ld returned 1 exit status",
			},
			want: []Message{
				{Kind: MsgUndefinedReference, Tool: ToolLd, Severity: SevError, Symbol: "counter_new", File: "main.c", Object: "main.o",
					Function: "main", Text: "undefined symbol: counter_new", Raw: rawLines(0, 5)},
				{Kind: MsgUndefinedReference, Tool: ToolLd, Severity: SevError, Symbol: "operator new(unsigned long)", Mangled: "_Znwm",
					Demangled: "operator new(unsigned long)", File: "cxx.cpp", Object: "cxx.o", Function: "counter_new()",
					Text: "undefined symbol: operator new(unsigned long)", Raw: rawLines(6, 9)},
				{Kind: MsgCollect2, Tool: ToolCollect2, Severity: SevError, Text: "ld returned 1 exit status", Raw: rawLines(9, 10)},
			},
		},
		{
			// testdata/logs/undefined-symbol-basic.lld.log
			name: "lld-undefined-cgo",
			lines: []string{
				"ld.lld: error: undefined symbol: compute_checksum",
				">>> referenced by cgo-gcc-prolog:57 (/tmp/go-build/cgo-gcc-prolog:57)",
				">>>               /tmp/go-link-2819348736/000001.o:(_cgo_74c548aa5022_Cfunc_compute_checksum)",
			},
			want: []Message{{Kind: MsgUndefinedReference, Tool: ToolLd, Severity: SevError, Symbol: "compute_checksum",
				File: "/tmp/go-build/cgo-gcc-prolog", Line: 57, Object: "/tmp/go-link-2819348736/000001.o",
				Function: "_cgo_74c548aa5022_Cfunc_compute_checksum", Name: "C.compute_checksum",
				Text: "undefined symbol: compute_checksum", Raw: rawAll}},
		},
		{
			// testdata/logs/pic-required-basic.lld.log (paths shortened):
			// the object named by "defined in", the member "in archive".
			name: "lld-pic-archive",
			lines: []string{
				"ld.lld: error: relocation R_X86_64_32S cannot be used against local symbol; recompile with -fPIC",
				">>> defined in /tmp/s/lib/liblegacy.a(legacy.o)",
				">>> referenced by legacy.c",
				">>>               legacy.o:(legacy_lookup) in archive /tmp/s/lib/liblegacy.a",
			},
			want: []Message{{Kind: MsgPICRequired, Tool: ToolLd, Severity: SevError, Flag: "-fPIC", File: "legacy.c",
				Object: "/tmp/s/lib/liblegacy.a(legacy.o)", Function: "legacy_lookup",
				Text: "relocation R_X86_64_32S cannot be used against local symbol; recompile with -fPIC", Raw: rawAll}},
		},
		{
			// testdata/logs/cxx-runtime-missing-basic.lld.log (paths shortened).
			name: "lld-undefined-in-archive",
			lines: []string{
				"ld.lld: error: undefined symbol: operator new(unsigned long)",
				">>> referenced by counter.cpp",
				">>>               counter.o:(counter_new) in archive /tmp/s/lib/libcounter.a",
			},
			want: []Message{{Kind: MsgUndefinedReference, Tool: ToolLd, Severity: SevError, Symbol: "operator new(unsigned long)",
				Mangled: "_Znwm", Demangled: "operator new(unsigned long)", File: "counter.cpp",
				Object: "/tmp/s/lib/libcounter.a(counter.o)", Function: "counter_new",
				Text: "undefined symbol: operator new(unsigned long)", Raw: rawAll}},
		},
		{
			// `gcc -fuse-ld=lld m3.c h1.o h2.o` here.
			name: "lld-duplicate",
			lines: []string{
				"ld.lld: error: duplicate symbol: helper",
				">>> defined at h1.c",
				">>>            h1.o:(helper)",
				">>> defined at h2.c",
				">>>            h2.o:(.text+0x0)",
			},
			want: []Message{{Kind: MsgMultipleDefinition, Tool: ToolLd, Severity: SevError, Symbol: "helper",
				File: "h1.c", Object: "h1.o", Function: "helper", Text: "duplicate symbol: helper", Raw: rawAll}},
		},
		{
			// `gcc -fuse-ld=lld m3.c -Ljunk -ljunk` here.
			name: "lld-linker-script",
			lines: []string{
				"ld.lld: error: junk/libjunk.so:1: unknown directive: this",
				">>> this is not a library",
				">>> ^",
			},
			want: []Message{{Kind: MsgInLinkerScript, Tool: ToolLd, Severity: SevError, File: "junk/libjunk.so", Line: 1,
				Object: "junk/libjunk.so", Text: "unknown directive: this", Raw: rawAll}},
		},
		{
			// #5: the assembler's header line is context.
			name: "assembler",
			lines: []string{
				"gcc_arm64.S: Assembler messages:",
				"gcc_arm64.S:30: Error: no such instruction: `stp x29,x30,[sp,'",
				"gcc_arm64.S:34: Error: operand size mismatch for `mov'",
			},
			want: []Message{
				{Kind: MsgAssembler, Tool: ToolAs, Severity: SevError, File: "gcc_arm64.S", Line: 30,
					Text: "no such instruction: `stp x29,x30,[sp,'", Raw: rawLines(0, 2)},
				{Kind: MsgAssembler, Tool: ToolAs, Severity: SevError, File: "gcc_arm64.S", Line: 34,
					Text: "operand size mismatch for `mov'", Raw: rawLines(2, 3)},
			},
		},
		{
			name:  "unknown-and-blank",
			lines: []string{"", "something odd happened", "   ", "#"},
			want:  []Message{{Kind: MsgOther, Severity: SevInfo, Text: "something odd happened", Raw: rawLines(1, 2)}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := make([]Message, len(tt.want))
			for i, m := range tt.want {
				switch {
				case m.Raw == nil:
				case len(m.Raw) == 1 && m.Raw[0] == rawAllMarker:
					m.Raw = tt.lines
				default:
					m.Raw = tt.lines[rawRange(m.Raw)[0]:rawRange(m.Raw)[1]]
				}
				want[i] = m
			}
			got := ParseMessages(tt.lines)
			if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("ParseMessages mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// Raw placeholders for the ParseMessages table: all the input lines, or
// lines[i:j] of the input.
const rawAllMarker = "\x00all"

var rawAll = []string{rawAllMarker}

func rawLines(i, j int) []string { return []string{fmt.Sprintf("\x00%d:%d", i, j)} }

func rawRange(r []string) [2]int {
	var i, j int
	if _, err := fmt.Sscanf(r[0], "\x00%d:%d", &i, &j); err != nil {
		panic("bad Raw placeholder in test table: " + r[0])
	}
	return [2]int{i, j}
}

func TestCgoName(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"_cgo_74c548aa5022_Cfunc_compute_checksum", "C.compute_checksum"},
		{"__cgo_74c548aa5022_Cfunc_compute_checksum", "C.compute_checksum"}, // Apple
		{"_cgo_77133bf98b3a_C2func_getaddrinfo", "C.getaddrinfo"},
		{"_Cfunc_twice", "C.twice"},
		{"_Ctype_int", "C.int"},
		{"_Cvar_errno", "C.errno"},
		{"_cgo_74c548aa5022_Cfunc_f@@V1", "C.f"},
		{"_cgo_panic", ""},
		{"_cgo_topofstack", ""},
		{"_cgo_zz_Cfunc_f", ""}, // not a hash
		{"_cgo_abc_Cfunc_", ""},
		{"_cgo_abc_Cfunc_a-b", ""},
		{"compute_checksum", ""},
		{"", ""},
	} {
		got, ok := CgoName(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("CgoName(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

func TestCgoSourceFile(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"/tmp/go-build/main.cgo2.c", "main.go"},
		{"$WORK/b001/cgo_unix_cgo.cgo1.go", "cgo_unix_cgo.go"},
		{`C:\x\main.cgo2.c`, "main.go"},
		{"/tmp/go-build/_cgo_export.c", ""},
		{"main.go", ""},
		{".cgo2.c", ""},
	} {
		got, ok := CgoSourceFile(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("CgoSourceFile(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

func TestDemangle(t *testing.T) {
	for _, tt := range []struct{ in, mangled, demangled string }{
		{"_Znwm", "_Znwm", "operator new(unsigned long)"},
		{"__Znwm", "_Znwm", "operator new(unsigned long)"}, // Apple
		{"_ZdlPvm@@CXXABI_1.3.9", "_ZdlPvm", "operator delete(void*, unsigned long)"},
		{"operator new(unsigned long)", "_Znwm", "operator new(unsigned long)"},
		{"operator delete(void*)", "_ZdlPv", "operator delete(void*)"},
		{"std::terminate()", "_ZSt9terminatev", "std::terminate()"},
		{"vtable for __cxxabiv1::__class_type_info", "_ZTVN10__cxxabiv117__class_type_infoE", "vtable for __cxxabiv1::__class_type_info"},
		{"Foo::bar(int)", "", "Foo::bar(int)"},
		{"_Z11counter_newv", "_Z11counter_newv", "counter_new()"},
		{"crc32", "", ""},
		{"cos@@GLIBC_2.2.5", "", ""},
		{"_Zgarbage", "", ""},
		{"", "", ""},
	} {
		m, d := Demangle(tt.in)
		if m != tt.mangled || d != tt.demangled {
			t.Errorf("Demangle(%q) = %q, %q; want %q, %q", tt.in, m, d, tt.mangled, tt.demangled)
		}
	}
	// Every entry of the runtime table demangles and maps back.
	for _, s := range cxxRuntimeMangled {
		m, d := Demangle(s)
		if m != s || d == "" {
			t.Fatalf("Demangle(%q) = %q, %q", s, m, d)
		}
		if m2, _ := Demangle(d); m2 != s {
			t.Errorf("Demangle(%q) mangled = %q, want %q", d, m2, s)
		}
	}
}

// logToolLines returns the tool-output lines of a captured log, simply:
// for -json logs, the Output of the build-output events; then every line
// of a `# importpath` block up to the next -x command line, plus the
// header-less lines ParseMessage recognises. The stream parser does this
// properly; this is enough to feed the message grammar in tests.
func capturedToolLines(t testing.TB, data []byte) []string {
	t.Helper()
	var text []string
	if bytes.HasPrefix(data, []byte("{")) {
		dec := json.NewDecoder(bytes.NewReader(data))
		for dec.More() {
			var ev struct{ Action, Output string }
			if err := dec.Decode(&ev); err != nil {
				t.Fatalf("decode -json log: %v", err)
			}
			if ev.Action == "build-output" {
				text = append(text, strings.Split(strings.TrimSuffix(ev.Output, "\n"), "\n")...)
			}
		}
	} else {
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(nil, 1<<24)
		for sc.Scan() {
			text = append(text, sc.Text())
		}
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	var out []string
	inBlock, afterLinkFail := false, false
	for _, l := range text {
		switch {
		case strings.HasPrefix(l, "# "):
			inBlock = true
			out = append(out, l)
		case afterLinkFail:
			out = append(out, l) // the external command cmd/link printed
		case inBlock && !looksLikeXCommand(l):
			out = append(out, l)
		default:
			inBlock = false
			if _, ok := ParseMessage(l); ok && !looksLikeXCommand(l) {
				out = append(out, l)
			}
		}
		afterLinkFail = strings.Contains(l, "/link: running ") && strings.HasSuffix(l, "failed: exit status 1")
	}
	return out
}

// isXCommand reports whether l looks like a command line printed by -x.
func looksLikeXCommand(l string) bool {
	w, _, _ := strings.Cut(l, " ")
	switch w {
	case "mkdir", "cd", "cat", "EOF", "echo", "cp", "mv", "rm", "touch", "ln", "chmod",
		"packagefile", "modinfo", "gcc", "g++", "cc", "clang", "pkg-config", "pkgconf", "true":
		return true
	}
	if strings.HasPrefix(w, "WORK=") || strings.Contains(w, "='") || strings.Contains(w, "=\"") {
		return true // WORK=, TERM='dumb' ...
	}
	return strings.HasPrefix(w, "/") && !strings.HasSuffix(w, ":") && !strings.Contains(w, ":")
}

func capturedLogFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob("../testdata/logs/*.log")
	if err != nil || len(files) == 0 {
		t.Fatalf("no logs in ../testdata/logs: %v", err)
	}
	return files
}

// TestMessagesGolden parses the tool-output lines of every captured log and
// compares with testdata/messages/NAME.golden (go test -update rewrites).
func TestMessagesGolden(t *testing.T) {
	for _, f := range capturedLogFiles(t) {
		name := strings.TrimSuffix(filepath.Base(f), ".log")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			msgs := ParseMessages(capturedToolLines(t, data))
			if msgs == nil {
				msgs = []Message{}
			}
			got, err := json.MarshalIndent(msgs, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join("testdata", "messages", name+".golden")
			if updatingGolden() {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("%s mismatch (-want +got):\n%s", golden, diff)
			}
		})
	}
}

// keyMessages is, per scenario, the message that names its root cause
// (from ../shared/scenarios/*/scenario.json): every form of its captured
// log (plain, -x, -json -x, -x -ldflags=-v) must contain it.
var keyMessages = map[string]struct {
	kind  MessageKind
	field string // Message field that must hold value
	value string
}{
	"cc-not-found-basic":                  {MsgCCNotFound, "Program", "cc-does-not-exist"},
	"cgo-disabled-basic":                  {MsgBuildConstraints, "", ""},
	"cgo-unknown-name-basic":              {MsgCgoUnknownName, "Name", "C.nosuch_function"},
	"compile-error-basic":                 {MsgCompileError, "File:Line", "./main.go:5"},
	"cross-cc-mismatch-basic":             {MsgAssembler, "File", "gcc_arm64.S"},
	"cxx-runtime-missing-basic":           {MsgUndefinedReference, "Mangled", "_Znwm"},
	"dso-missing-from-command-line-basic": {MsgUndefinedSymbolDSO, "Symbol", "gadget_value"},
	"header-not-found-basic":              {MsgHeaderNotFound, "Header", "frobnicate.h"},
	"invalid-cgo-flag-basic":              {MsgInvalidFlag, "Flag", "-fplugin=./annotate.so"},
	"library-arch-mismatch-basic":         {MsgSkippingIncompat, "Library", "gizmo"},
	"library-dev-missing-basic":           {MsgCannotFindLib, "Library", "gizmo"},
	"library-not-found-basic":             {MsgCannotFindLib, "Library", "frobnicate"},
	"link-error-basic":                    {MsgInLinkerScript, "", ""},
	"multiple-definition-basic":           {MsgMultipleDefinition, "Symbol", "helper"},
	"pic-required-basic":                  {MsgPICRequired, "Object:suffix", "liblegacy.a(legacy.o)"},
	"pkg-config-not-found-basic":          {MsgPkgConfigNotFound, "Program", "pkg-config-does-not-exist"},
	"pkg-config-package-not-found-basic":  {MsgPkgConfigPackage, "Package", "libfrobnicate"},
	"pkg-config-version-mismatch-basic":   {MsgPkgConfigVersion, "Package", "gadget"},
	"static-glibc-nss-basic":              {MsgStaticNSS, "Symbol", "getaddrinfo"},
	"static-library-missing-basic":        {MsgCannotFindLib, "Library", "gizmo"},
	"undefined-symbol-basic":              {MsgUndefinedReference, "Name", "C.compute_checksum"},
	"undefined-symbol-defined-in-libz":    {MsgUndefinedReference, "Symbol", "crc32"},
	// Successful builds: no error message at all.
	"healthy-origin-rpath":          {},
	"healthy-pkg-config-sqlite3":    {},
	"runtime-library-missing-basic": {},
}

// keyOverrides are the forms whose key message differs: gold prints no
// "in function" line (so no C.NAME) and no DSO hint; lld names an
// incompatible library by path only.
var keyOverrides = map[string]struct {
	kind  MessageKind
	field string
	value string
}{
	"dso-missing-from-command-line-basic.gold": {MsgUndefinedReference, "Symbol", "gadget_value"},
	"dso-missing-from-command-line-basic.lld":  {MsgUndefinedReference, "Symbol", "gadget_value"},
	"library-arch-mismatch-basic.lld":          {MsgSkippingIncompat, "Object:suffix", "lib/libgizmo.so"},
	"undefined-symbol-basic.gold":              {MsgUndefinedReference, "Symbol", "compute_checksum"},
}

func TestCapturedLogsKeyMessage(t *testing.T) {
	seen := map[string]int{}
	for _, f := range capturedLogFiles(t) {
		base := filepath.Base(f)
		scen := strings.TrimSuffix(base, ".log")
		form := scen
		for _, suf := range []string{".x", ".json", ".xv", ".gold", ".lld"} {
			scen = strings.TrimSuffix(scen, suf)
		}
		key, known := keyMessages[scen]
		if o, ok := keyOverrides[form]; ok {
			key = o
		}
		if !known {
			t.Errorf("%s: scenario %q has no expected key message", base, scen)
			continue
		}
		seen[scen]++
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		msgs := ParseMessages(capturedToolLines(t, data))
		if key.kind == "" {
			for _, m := range msgs {
				if m.Severity == SevError {
					t.Errorf("%s: successful build has an error message: %+v", base, m)
				}
			}
			continue
		}
		found := false
		for _, m := range msgs {
			if m.Kind == key.kind && fieldMatches(m, key.field, key.value) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("%s: no %s message with %s=%q in %d messages:\n%s", base, key.kind, key.field, key.value, len(msgs), dumpKinds(msgs))
		}
	}
	for scen := range keyMessages {
		if seen[scen] < 3 {
			t.Errorf("scenario %s: %d captured forms, want at least 3 (plain, -x, -json -x)", scen, seen[scen])
		}
	}
}

func fieldMatches(m Message, field, value string) bool {
	switch field {
	case "":
		return true
	case "Program":
		return m.Program == value
	case "Name":
		return m.Name == value
	case "File:Line":
		return m.File+":"+strconv.Itoa(m.Line) == value
	case "File":
		return m.File == value
	case "Mangled":
		return m.Mangled == value
	case "Symbol":
		return m.Symbol == value
	case "Header":
		return m.Header == value
	case "Flag":
		return m.Flag == value
	case "Library":
		return m.Library == value
	case "Object:suffix":
		return strings.HasSuffix(m.Object, "/"+value)
	case "Package":
		return m.Package == value
	}
	panic("unknown field " + field)
}

func dumpKinds(ms []Message) string {
	var b strings.Builder
	for _, m := range ms {
		b.WriteString("  " + string(m.Kind) + ": " + m.Text + "\n")
	}
	return b.String()
}

// BenchmarkParseMessages parses the tool-output lines of every captured
// log (all forms), as the stream parser does block by block.
func BenchmarkParseMessages(b *testing.B) {
	var blocks [][]string
	var bytesPer, linesPer int
	for _, f := range capturedLogFiles(b) {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		tool := capturedToolLines(b, data)
		if len(tool) == 0 {
			continue
		}
		blocks = append(blocks, tool)
		for _, l := range tool {
			bytesPer += len(l) + 1
		}
		linesPer += len(tool)
	}
	b.ReportAllocs()
	b.SetBytes(int64(bytesPer))
	n := 0
	for b.Loop() {
		for _, bl := range blocks {
			n += len(ParseMessages(bl))
		}
	}
	b.ReportMetric(float64(linesPer)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
	b.ReportMetric(float64(n)/float64(b.N)/float64(linesPer), "msgs/line")
}

func TestCxxRuntimeSymbol(t *testing.T) {
	for _, tt := range []struct {
		sym  string
		want bool
	}{
		{"operator new(unsigned long)", true}, // testdata/logs/cxx-runtime-missing-basic.log
		{"_Znwm", true},
		{"__Znwm", true}, // Apple
		{"_ZdlPvm@@CXXABI_1.3.9", true},
		{"std::__throw_bad_array_new_length()", true}, // go-duckdb reports
		{"__gxx_personality_v0", true},
		{"___gxx_personality_v0", true},
		{"__cxa_begin_catch", true},
		{"vtable for __cxxabiv1::__class_type_info", true},
		{"_ZTVN10__cxxabiv117__class_type_infoE", true},
		{"std::ios_base::Init::Init()", true},
		{"_ZNSt8ios_base4InitC1Ev", true},
		{"compute_checksum", false},
		{"crc32", false},
		{"cos@@GLIBC_2.2.5", false},
		{"Counter::add(int)", false},
		{"_ZN7Counter3addEi", false},
		{"", false},
	} {
		if got := CxxRuntimeSymbol(tt.sym); got != tt.want {
			t.Errorf("CxxRuntimeSymbol(%q) = %v, want %v", tt.sym, got, tt.want)
		}
	}
}

// TestParseMessagesHostile: lines of several MB, NUL bytes, invalid UTF-8
// and CRLF endings are parsed (in linear time: this runs in milliseconds)
// and keep their kind.
func TestParseMessagesHostile(t *testing.T) {
	long := strings.Repeat("x", 4<<20)
	colons := strings.Repeat("1:", 2<<20)
	quotes := "undefined reference to `" + strings.Repeat("'a", 2<<20)
	in := []string{
		"/usr/bin/ld: cannot find -l" + long + ": No such file or directory\r",
		colons,
		quotes,
		"./main.go:4:10: fatal error: \xff\x00.h: No such file or directory\r",
		"\x00\x00\x00",
		"collect2: error: ld returned 1 exit status\r",
	}
	msgs := ParseMessages(in)
	var kinds []MessageKind
	for _, m := range msgs {
		kinds = append(kinds, m.Kind)
	}
	want := []MessageKind{MsgCannotFindLib, MsgOther, MsgUndefinedReference, MsgHeaderNotFound, MsgOther, MsgCollect2}
	if diff := cmp.Diff(want, kinds); diff != "" {
		t.Fatalf("kinds (-want +got):\n%s", diff)
	}
	if msgs[0].Library != long {
		t.Errorf("library of the long line: %d bytes, want %d", len(msgs[0].Library), len(long))
	}
	if msgs[3].Header != "\xff\x00.h" || msgs[5].Text != "ld returned 1 exit status" {
		t.Errorf("header %q, collect2 text %q", msgs[3].Header, msgs[5].Text)
	}
}
