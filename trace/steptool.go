package trace

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/cgotrace/cgotrace/buildlog"
	"github.com/cgotrace/cgotrace/pkgconfig"
	"github.com/cgotrace/cgotrace/trace/diag"
)

// toolRole is what a program was to go build: a C or C++ compiler (CC,
// CXX, the external linker), or pkg-config.
type toolRole int

const (
	roleUnknown toolRole = iota
	roleCC
	roleCXX
	rolePkgConfig
)

// roleOf decides the role of a program a message names from what else the
// log and the toolchain say, never from the program's name: the -x
// command that ran it (the failed step), else go env's CC, CXX and
// PKG_CONFIG. It returns roleUnknown when neither tells, and the record
// when one ran the program.
func (c *blockCtx) roleOf(prog string) (toolRole, *buildlog.Record) {
	if prog == "" {
		return roleUnknown, nil
	}
	if rec := c.recordRunning(prog); rec != nil {
		switch {
		case rec.Step == KindPkgConfig || isPkgConfigCall(rec.Argv):
			return rolePkgConfig, rec
		case rec.Step == KindCCCompile || rec.Step == KindCCLink || rec.Step == KindHostLink || isCompilerCall(rec.Argv):
			if compilesCXX(rec.Argv) {
				return roleCXX, rec
			}
			return roleCC, rec
		}
	}
	// Older go build printed the failed pkg-config command as the block's
	// header: "# pkg-config --cflags libzmq", "# [pkg-config --cflags -- x]".
	for _, h := range [...]string{c.b.Desc, c.b.ImportPath} {
		if w := strings.Fields(h); len(w) > 1 && (w[0] == prog || filepath.Base(w[0]) == filepath.Base(prog)) && isPkgConfigCall(append(w, "--")) {
			return rolePkgConfig, nil
		}
	}
	if ge := c.f.GoEnv; ge != nil {
		first := func(v string) string {
			if w := strings.Fields(v); len(w) > 0 {
				return w[0]
			}
			return ""
		}
		switch prog {
		case first(ge["PKG_CONFIG"]):
			return rolePkgConfig, nil
		case first(ge["CXX"]):
			if prog != first(ge["CC"]) {
				return roleCXX, nil
			}
			return roleCC, nil
		case first(ge["CC"]):
			return roleCC, nil
		}
	}
	return roleUnknown, nil
}

// recordRunning is the last command of the block's package (or, when
// none, of any package) that ran prog, before the block.
func (c *blockCtx) recordRunning(prog string) *buildlog.Record {
	var mine, any *buildlog.Record
	for i := range c.l.Records {
		r := &c.l.Records[i]
		if r.Kind != buildlog.RecCommand || len(r.Argv) == 0 || (c.b.Line > 0 && r.Line > c.b.Line) {
			continue
		}
		if r.Argv[0] != prog && filepath.Base(r.Argv[0]) != filepath.Base(prog) {
			continue
		}
		if r.Suffix == "|| true" {
			continue // a flag probe go ran to see whether the compiler takes a flag
		}
		any = r
		if r.ImportPath == c.b.ImportPath {
			mine = r
		}
	}
	if mine != nil {
		return mine
	}
	return any
}

func isPkgConfigCall(argv []string) bool {
	dashdash, query := false, false
	for _, a := range argv[1:] {
		switch a {
		case "--":
			dashdash = true
		case "--cflags", "--libs", "--modversion", "--exists":
			query = true
		}
	}
	return dashdash && query
}

func isCompilerCall(argv []string) bool {
	for _, a := range argv[1:] {
		switch a {
		case "-c", "-E", "-o", "-x":
			return true
		}
	}
	return false
}

// compilesCXX reports whether a compiler command compiles C++ source
// (go build runs CXX for .cc, .cpp, .cxx and .C files).
func compilesCXX(argv []string) bool {
	for _, a := range argv[1:] {
		switch strings.ToLower(filepath.Ext(a)) {
		case ".cc", ".cpp", ".cxx", ".c++", ".hh", ".hpp":
			return true
		}
		if filepath.Ext(a) == ".C" {
			return true
		}
	}
	return false
}

// execNotFound diagnoses "exec: X: executable file not found" (and the
// Windows shells' "'X' is not recognized") by the role X had in the
// failed step: a missing compiler, or a missing pkg-config.
func (c *blockCtx) execNotFound(m buildlog.Message) diag.Diagnosis {
	role, rec := c.roleOf(m.Program)
	evidence := ""
	if rec != nil {
		evidence = rec.Raw
	}
	byName := false
	if role == roleUnknown {
		// Neither the trace nor the toolchain says: the name is all
		// there is. A name that is no known compiler or pkg-config is
		// taken for a compiler (every cgo package runs CC; only #cgo
		// pkg-config lines run pkg-config), and the report says so.
		byName = true
		switch m.Kind {
		case buildlog.MsgPkgConfigNotFound:
			role = rolePkgConfig
		default:
			role = roleCC
		}
	}
	var d diag.Diagnosis
	if role == rolePkgConfig {
		d = c.pkgConfigNotFound(m)
	} else {
		d = c.ccNotFound(m)
		if role == roleCXX {
			d.Summary = fmt.Sprintf("the C++ compiler %q (CXX) is not installed or not on PATH", m.Program)
			d.Fix = "install a C++ compiler (Debian/Ubuntu g++, Fedora gcc-c++, Alpine g++, macOS xcode-select --install) or set CXX to one that exists; the package has C++ files, which go build compiles with CXX"
		}
	}
	switch {
	case role == rolePkgConfig && evidence == "" && !byName && c.f.GoEnv == nil:
		d.Detail = strings.TrimSpace(d.Detail + "\nthe step that failed: " + strings.TrimSpace(c.b.Desc+" "+c.b.ImportPath))
	case evidence != "":
		d.Detail = strings.TrimSpace(d.Detail + "\nthe step that failed: " + evidence)
		d.Evidence = append(d.Evidence, evidence)
	case byName:
		d.Detail = strings.TrimSpace(d.Detail + fmt.Sprintf("\nthe log does not show which step ran %q (no -x trace); judged by its name", m.Program))
	}
	return d
}

// pkgConfigCall is the pkg-config command a silent failure belongs to:
// the block's bracketed description (# [pkg-config --cflags -- foo]), else
// the -x command that ran the failing program (or the package's last
// pkg-config step), else the package's #cgo pkg-config lines.
func (c *blockCtx) pkgConfigCall(m buildlog.Message) []string {
	if strings.HasPrefix(c.b.Desc, "pkg-config") || strings.Contains(c.b.Desc, " -- ") {
		return strings.Fields(c.b.Desc)
	}
	if m.Program != "" {
		if role, rec := c.roleOf(m.Program); role == rolePkgConfig && rec != nil {
			return rec.Argv
		}
	}
	var last *buildlog.Record
	for i := range c.l.Records {
		r := &c.l.Records[i]
		if r.ImportPath == c.b.ImportPath && r.Step == KindPkgConfig && (c.b.Line == 0 || r.Line <= c.b.Line) {
			last = r
		}
	}
	if last != nil {
		return last.Argv
	}
	if p := c.f.Packages[c.b.ImportPath]; p != nil {
		argv := []string{"pkg-config"}
		for _, d := range p.Directives {
			if d.Verb == "pkg-config" {
				argv = append(argv, d.Args...)
			}
		}
		if len(argv) > 1 {
			return argv
		}
	}
	return nil
}

// pkgConfigVersionFlags reads the version options of a pkg-config command
// line (go build moves them before --) and its packages.
func pkgConfigVersionFlags(argv []string) (wanted string, pkgs []string) {
	if len(argv) > 0 {
		argv = argv[1:]
	}
	for _, a := range argv {
		for _, f := range [...]struct{ flag, op string }{
			{"--atleast-version=", ">="}, {"--exact-version=", "="}, {"--max-version=", "<="},
		} {
			if v, ok := strings.CutPrefix(a, f.flag); ok {
				wanted = f.op + " " + v
			}
		}
		if a != "--" && !strings.HasPrefix(a, "-") {
			pkgs = append(pkgs, a)
		}
	}
	return wanted, pkgs
}

// versionMeets reports whether version v satisfies "OP W".
func versionMeets(v, wanted string) bool {
	op, w, ok := strings.Cut(wanted, " ")
	if !ok {
		return true
	}
	c := pkgconfig.CompareVersion(v, w)
	switch op {
	case ">=":
		return c >= 0
	case "=":
		return c == 0
	case "<=":
		return c <= 0
	}
	return true
}

// runtimeLoad diagnoses a program that built but could not start (go
// run, go test): the dynamic loader found no file for a library it needs.
func (c *blockCtx) runtimeLoad(m buildlog.Message) diag.Diagnosis {
	for _, tool := range []string{m.Object, m.Program} {
		if !isToolchainProgram(tool) {
			continue
		}
		// dyld: "Referenced from: /usr/bin/ld", glibc: "/usr/bin/ld:
		// error while loading shared libraries": not the program go
		// built but the linker itself cannot start.
		d := c.base(m, diag.LinkError)
		d.Summary = fmt.Sprintf("the C toolchain is broken: %s cannot start, the dynamic loader finds no %s", tool, m.Library)
		d.Fix = "reinstall the C toolchain (macOS: the Command Line Tools, `sudo rm -rf /Library/Developer/CommandLineTools && xcode-select --install`, or select a complete Xcode with xcode-select -s)"
		d.Subject = map[string]string{"object": tool}
		return d
	}
	d := c.base(m, diag.RuntimeLibraryMissing)
	prog := "the program"
	if m.Program != "" {
		prog = m.Program // glibc's and musl's messages name it
	}
	switch {
	case m.Library != "":
		d.Subject = map[string]string{"library": m.Library}
		d.Summary = fmt.Sprintf("%s built, but the dynamic loader cannot find %s when it starts", prog, m.Library)
		d.Fix = fmt.Sprintf("make %s findable at run time: install it, add its directory to the binary's RUNPATH (#cgo LDFLAGS: -Wl,-rpath,<dir>, or $ORIGIN for a library shipped beside it), or set LD_LIBRARY_PATH (DYLD_LIBRARY_PATH on macOS) when running it; `cgotrace inspect <binary>` shows where the loader looks", m.Library)
	default:
		// STATUS_DLL_NOT_FOUND: Windows does not say which DLL.
		d.Summary = "the program built, but Windows could not start it: a DLL it imports was not found (exit status 0xc0000135, STATUS_DLL_NOT_FOUND)"
		d.Fix = "put the DLLs the program imports (of the C library, and libgcc/libstdc++/libwinpthread for a MinGW build) next to the .exe or on PATH; `cgotrace inspect prog.exe` lists its DLL imports, or link them statically (-static-libgcc -static-libstdc++, or CGO_LDFLAGS=-static)"
	}
	return d
}

// cgoOff diagnoses a package that needs cgo in a build where it is off.
// The reason comes from what is known of the toolchain; a log alone
// tells only that the package has C files.
func (c *blockCtx) cgoOff(m buildlog.Message, what string) diag.Diagnosis {
	d := c.base(m, diag.CgoDisabled)
	reason := cgoOffReason(c.f)
	if reason == "" {
		reason = "cgo is disabled: CGO_ENABLED=0, a cross build (GOOS/GOARCH set) without CGO_ENABLED=1, or no C compiler on PATH"
	}
	d.Summary = fmt.Sprintf("%s needs cgo, but cgo is off: %s", c.b.ImportPath, what)
	d.Detail = reason
	d.Fix = "build with CGO_ENABLED=1 and a C compiler for the target (CC; for a cross build a cross compiler, e.g. CC=x86_64-w64-mingw32-gcc for windows/amd64), or use a package that needs no cgo"
	d.Subject = map[string]string{"reason": reason}
	return d
}

// cgoOffReason says why cgo is off from what is known of the toolchain
// (go env of the build, or the variables a log shows), or "".
func cgoOffReason(f *Facts) string {
	ge := f.GoEnv
	if ge == nil {
		return ""
	}
	goos, goarch := ge["GOOS"], ge["GOARCH"]
	switch ge["CGO_ENABLED"] {
	case "0":
		if f.CgoExplicit || ge["GOHOSTOS"] == "" {
			return "CGO_ENABLED=0 is set"
		}
		if goos != ge["GOHOSTOS"] || goarch != ge["GOHOSTARCH"] {
			return fmt.Sprintf("cgo is off by default when cross-compiling (GOOS/GOARCH %s/%s, host %s/%s) and CC is not set", goos, goarch, ge["GOHOSTOS"], ge["GOHOSTARCH"])
		}
		return fmt.Sprintf("go turned cgo off because the C compiler %q was not found on PATH", ge["CC"])
	case "":
		// Only GOOS/GOARCH known (a command line): a cross build has cgo
		// off unless CGO_ENABLED=1 is given.
		if (goos != "" || goarch != "") && ge["GOHOSTOS"] == "" {
			return fmt.Sprintf("cgo is off by default when cross-compiling (GOOS=%s GOARCH=%s) unless CGO_ENABLED=1 is set", goos, goarch)
		}
	}
	return ""
}

// compiler32 recognises a 32-bit-only gcc asked for 64-bit code (-m64):
// MinGW (not MinGW-w64) or a 32-bit MinGW-w64 with 64-bit Go.
func (c *blockCtx) compiler32(m buildlog.Message) (diag.Diagnosis, bool) {
	if !strings.Contains(m.Text, "64-bit mode not compiled in") {
		return diag.Diagnosis{}, false
	}
	target := "a 64-bit GOARCH (go passes -m64)"
	if ge := c.f.GoEnv; ge != nil && ge["GOARCH"] != "" {
		target = ge["GOOS"] + "/" + ge["GOARCH"]
	} else if len(m.Raw) > 0 && strings.Contains(strings.ToLower(m.Raw[0]), ".exe:") {
		target = "windows/amd64" // cmd/go passes -m64 on Windows for amd64 only
	}
	d := c.base(m, diag.CrossCCMismatch)
	d.Summary = "the C compiler is a 32-bit-only gcc, and go builds for a 64-bit target (-m64)"
	d.Fix = "install a 64-bit compiler (MinGW-w64 x86_64, e.g. MSYS2's mingw-w64-x86_64-gcc, TDM-GCC 64-bit or WinLibs x86_64) and put it first on PATH or set CC to it; or build 32-bit with GOARCH=386"
	d.Subject = map[string]string{"tool": "gcc", "target": target}
	return d, true
}

// listedPackages reports whether the packages are known from go list
// (cgotrace build), which tells which files import "C"; a log alone does
// not.
func listedPackages(f *Facts) bool {
	for _, p := range f.Packages {
		if p.Dir != "" || p.importsC {
			return true
		}
	}
	return false
}

// libOf names the library of a message's Library field: buildlog keeps
// "-lfoo" as "foo" (which may itself start with lib: -llib is "lib") and
// file names as printed (libfoo.so.1, /x/libfoo.dylib).
func libOf(s string) string {
	if !strings.ContainsAny(s, "./:\\") {
		return strings.TrimPrefix(s, "-l")
	}
	return libName(s)
}

// goObjectsOtherArch recognises Apple ld skipping the objects cmd/link
// handed it (go.o and the 0000NN.o copies in go-link-NNN): Go compiled
// for one architecture, the C toolchain links for another (an x86_64
// clang under Rosetta with an arm64 Go, or the reverse). The target is
// the architecture of the Go objects, as ld names it.
func (c *blockCtx) goObjectsOtherArch(m buildlog.Message) (diag.Diagnosis, bool) {
	obj := m.Object
	if !isGoLinkObject(obj) {
		return diag.Diagnosis{}, false
	}
	var target, linkerTarget string
	if _, built, ok := strings.Cut(m.Text, "file built for "); ok {
		// Apple: "building for macOS-arm64 but attempting to link with
		// file built for unknown-x86_64".
		_, linker, _ := strings.Cut(m.Text, "building for ")
		linker, _, _ = strings.Cut(linker, " ")
		target, linkerTarget = goTargetOf("darwin", strings.TrimSpace(built)), goTargetOf("darwin", linker)
	} else if arch, rest, ok := strings.Cut(m.Text, " architecture of input file "); ok {
		// GNU ld: "i386 architecture of input file `X' is incompatible
		// with i386:x86-64 output".
		goos := "linux"
		if strings.Contains(obj, `\`) {
			goos = "windows"
		}
		_, out, _ := strings.Cut(rest, " is incompatible with ")
		out = strings.TrimSuffix(strings.TrimSpace(out), " output")
		if k := strings.LastIndexByte(out, ':'); k >= 0 {
			out = out[k+1:]
		}
		target, linkerTarget = goTargetOf(goos, arch), goTargetOf(goos, out)
	} else {
		return diag.Diagnosis{}, false
	}
	tool := "clang"
	for _, o := range c.b.Messages {
		if o.Kind == buildlog.MsgLinkFailed && o.Program != "" {
			tool = o.Program
		}
	}
	d := c.base(m, diag.CrossCCMismatch)
	d.Summary = fmt.Sprintf("Go compiled for %s, but the C linker links for %s: it cannot use Go's own objects", target, linkerTarget)
	d.Detail = "the C compiler (CC) and the go command are for different architectures: an x86_64 clang or Go installation under Rosetta on Apple silicon, or a cross build without a C compiler for the target"
	d.Fix = "use a Go and a C toolchain of the same architecture (on Apple silicon: an arm64 Go and the native clang, not one run under Rosetta), or for a cross build set CC to a compiler for the target (e.g. CC=\"clang -arch arm64\")"
	d.Subject = map[string]string{"tool": tool, "target": target}
	return d, true
}

// goTargetOf turns a linker's architecture names (Apple "macOS-arm64",
// "unknown-x86_64"; bfd "i386", "x86-64") into Go's GOOS/GOARCH.
func goTargetOf(goos, s string) string {
	arch := s
	if i := strings.LastIndexByte(s, '-'); i >= 0 && goos == "darwin" {
		arch = s[i+1:]
	}
	switch arch {
	case "x86_64", "x86-64":
		arch = "amd64"
	case "i386", "i686":
		arch = "386"
	case "aarch64":
		arch = "arm64"
	}
	return goos + "/" + arch
}

// isGoLinkObject reports whether a file is one cmd/link hands the external
// linker: go.o, or a 0000NN.o copy in its go-link-NNN directory.
func isGoLinkObject(obj string) bool {
	base := filepath.Base(strings.ReplaceAll(obj, `\`, "/"))
	return base == "go.o" || strings.Contains(obj, "go-link-") && strings.HasSuffix(base, ".o")
}

// isToolchainProgram reports whether a program that could not start is
// part of the C toolchain (the linker, the compiler), not what go built.
func isToolchainProgram(p string) bool {
	if p == "" || strings.Contains(p, "go-build") || strings.Contains(p, "/exe/") {
		return false
	}
	switch filepath.Base(p) {
	case "ld", "ld64", "clang", "clang++", "cc", "gcc", "g++", "ar", "as", "cc1", "cc1plus", "collect2":
		return true
	}
	return strings.HasPrefix(p, "/Library/Developer/") || strings.HasPrefix(p, "/Applications/Xcode")
}
