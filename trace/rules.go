package trace

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/cgotrace/cgotrace/buildlog"
	"github.com/cgotrace/cgotrace/trace/diag"
	"github.com/cgotrace/cgotrace/trace/distpkg"
	"github.com/cgotrace/cgotrace/trace/envcheck"
)

// Facts is what cgotrace knows beyond the log. `analyze` has only the log
// (a zero Facts); `build` fills in the toolchain, the packages and the
// probes of the file system.
type Facts struct {
	// GoEnv is `go env -json` of the build, or nil.
	GoEnv GoEnv
	// CgoExplicit is true when CGO_ENABLED was set in the environment.
	CgoExplicit bool
	// CCTarget is `$CC -dumpmachine`, or "".
	CCTarget string
	// Packages by import path, with their #cgo directives.
	Packages map[string]*Package
	// Probe looks for a library on the linker's search path; nil in
	// log-only mode.
	Probe func(lib string, link *buildlog.HostLink) *LibProbe
	// Symbols names the libraries defining a symbol; nil when unknown.
	Symbols func(sym string) []SymbolDef
	// HeaderProbe re-runs the failed step of a package's missing
	// #include verbosely; nil in log-only mode.
	HeaderProbe func(header string, rec *buildlog.Record, work string) *HeaderProbe
	// VendorGap names the directory go mod vendor left out that a
	// vendored package's #include of header needed; nil in log-only mode.
	VendorGap func(importPath, file, header string) *envcheck.VendorGap
	// PkgConfigVersion is the version of a pkg-config package as the
	// build's pkg-config reports it (--modversion), or ""; nil in
	// log-only mode.
	PkgConfigVersion func(pkg string) string
	// Mangled maps a C++ name as GNU ld prints it (demangled) to the
	// mangled name it has in the build's objects, or ""; nil in log-only
	// mode.
	Mangled func(demangled string) string
	// CCMajor is the C compiler's major version ("12"), asked when a fix
	// names gcc's own packages (libstdc++); nil when unknown.
	CCMajor func() string
	// AskPackages asks this machine's package manager which packages
	// ship a file; nil asks nothing.
	AskPackages PackageAsk
	// TableCurrent is true when the embedded table is of the release
	// this machine runs: what it knows is not asked again.
	TableCurrent bool
	// Table is the embedded table of this machine's family (Fedora's on
	// Fedora and its relatives); nil is Debian's.
	Table *distpkg.Table
	// TableForeign is true on a machine that no embedded table is of
	// (Alpine, macOS): the Debian table's names are not shown.
	TableForeign bool
}

// SymbolDef is a library that defines a symbol.
type SymbolDef struct {
	Library string // path
	Flag    string // -lz
}

// LibProbe is what the file system says about one -l library.
type LibProbe struct {
	Static    bool     // the link is static (-static): only .a files count
	Searched  []string // directories, in the linker's order
	Shared    []string // libfoo.so found
	Archive   []string // libfoo.a found
	Versioned []string // libfoo.so.N found (no libfoo.so next to it)
	WrongArch []string // candidates of another class or machine
	Evidence  []string // the linker's own words from a verbose re-run
}

// rank orders codes root cause first: what makes later steps fail comes
// before what it causes.
var rank = map[diag.Code]int{
	diag.CCNotFound: 0, diag.CgoDisabled: 1, diag.CrossCCMismatch: 2,
	diag.PkgConfigNotFound: 3, diag.PkgConfigPackageNotFound: 4,
	diag.PkgConfigVersionMismatch: 5, diag.InvalidCgoFlag: 6,
	diag.HeaderNotFound: 7, diag.CgoUnknownName: 8, diag.CompileError: 9,
	diag.LibraryArchMismatch: 10, diag.LibraryDevMissing: 11, diag.StaticLibraryMissing: 12,
	diag.LibraryNotFound: 13, diag.DSOMissingFromCommandLine: 14, diag.CXXRuntimeMissing: 15,
	diag.UndefinedSymbol: 16, diag.MultipleDefinition: 17, diag.PICRequired: 18,
	diag.LinkError: 19, diag.RuntimeLibraryMissing: 20, diag.StaticGlibcNSS: 21,
}

// Diagnose applies the rules to a parsed log and returns the diagnoses,
// root cause first, without duplicates.
func Diagnose(l *buildlog.Log, f *Facts) []diag.Diagnosis {
	if f == nil {
		f = &Facts{}
	}
	var ds []diag.Diagnosis
	ds = append(ds, upfront(l, f)...)
	for i := range l.Blocks {
		ds = append(ds, diagnoseBlock(l, &l.Blocks[i], f)...)
	}
	return orderDiagnoses(foldIntoCross(ds))
}

// foldIntoCross folds the compile errors of runtime/cgo into the
// cross-compiler diagnosis when there is one: a C compiler for another
// target fails on runtime/cgo's C and assembly, and those failures are
// its evidence, not causes of their own.
func foldIntoCross(ds []diag.Diagnosis) []diag.Diagnosis {
	at := -1
	for i, d := range ds {
		if d.Code == diag.CrossCCMismatch && d.Package == "runtime/cgo" {
			at = i
			break
		}
	}
	if at < 0 {
		return ds
	}
	out := ds[:0:0]
	var folded []string
	for i, d := range ds {
		if i != at && d.Package == "runtime/cgo" && (d.Code == diag.CompileError || d.Code == diag.CrossCCMismatch) {
			folded = append(folded, d.Evidence...)
			continue
		}
		out = append(out, d)
	}
	for i := range out {
		if out[i].Code == diag.CrossCCMismatch && out[i].Package == "runtime/cgo" {
			out[i].Evidence = append(out[i].Evidence, folded...)
			break
		}
	}
	return out
}

// orderDiagnoses sorts errors before warnings, then by rank, keeping log
// order within a rank, and drops repeats (one failing package can print
// the same block once per parallel gcc run).
func orderDiagnoses(ds []diag.Diagnosis) []diag.Diagnosis {
	seen := map[string]bool{}
	out := ds[:0:0]
	for _, d := range ds {
		key := string(d.Code) + "\x00" + d.Package + "\x00" + fmt.Sprint(sortedSubject(d.Subject))
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, d)
	}
	sev := map[diag.Severity]int{diag.Error: 0, diag.Warning: 1, diag.Info: 2}
	sort.SliceStable(out, func(i, j int) bool {
		if sev[out[i].Severity] != sev[out[j].Severity] {
			return sev[out[i].Severity] < sev[out[j].Severity]
		}
		return rank[out[i].Code] < rank[out[j].Code]
	})
	return out
}

func sortedSubject(m map[string]string) []string {
	var s []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		s = append(s, k+"="+m[k])
	}
	return s
}

// upfront holds the rules decided from the toolchain before any message:
// cgo turned off, or a C compiler for another target.
func upfront(l *buildlog.Log, f *Facts) []diag.Diagnosis {
	if f.GoEnv == nil || l.Outcome == buildlog.OutcomeSuccess {
		return nil
	}
	var ds []diag.Diagnosis
	goos, goarch := f.GoEnv["GOOS"], f.GoEnv["GOARCH"]
	if f.GoEnv["CGO_ENABLED"] == "0" {
		if pkg := firstCgoPackageExcluded(f); pkg != "" {
			reason := "CGO_ENABLED=0 is set in the environment"
			switch {
			case f.CgoExplicit:
			case goos != f.GoEnv["GOHOSTOS"] || goarch != f.GoEnv["GOHOSTARCH"]:
				reason = fmt.Sprintf("cgo is off by default when cross-compiling (GOOS/GOARCH %s/%s, host %s/%s) and CC is not set", goos, goarch, f.GoEnv["GOHOSTOS"], f.GoEnv["GOHOSTARCH"])
			default:
				reason = fmt.Sprintf("go turned cgo off because the C compiler %q was not found on PATH", f.GoEnv["CC"])
			}
			ds = append(ds, diag.Diagnosis{
				Code: diag.CgoDisabled, Severity: diag.Error, Package: pkg,
				Summary: fmt.Sprintf("%s needs cgo (its files import \"C\"), but cgo is disabled", pkg),
				Detail:  reason,
				Fix:     "set CGO_ENABLED=1 and make sure a C compiler for the target is installed (CC)",
				Subject: map[string]string{"reason": reason},
			})
		}
	}
	if f.GoEnv["CGO_ENABLED"] == "1" && f.CCTarget != "" && goarch != "" {
		if tos, tarch, ok := envcheck.ParseTriple(f.CCTarget); ok && !envcheck.TargetMatches(tos, tarch, goos, goarch) {
			cc := f.GoEnv["CC"]
			if cc == "" {
				cc = "gcc"
			}
			fix := fmt.Sprintf("set CC to a C cross compiler for %s/%s, or build with CGO_ENABLED=0", goos, goarch)
			if names := envcheck.CrossCompilerNames(goos, goarch); len(names) > 0 {
				fix = fmt.Sprintf("set CC to a C cross compiler for %s/%s (e.g. CC=%s), or build with CGO_ENABLED=0", goos, goarch, names[0])
			}
			ds = append(ds, diag.Diagnosis{
				Code: diag.CrossCCMismatch, Severity: diag.Error, Package: "runtime/cgo",
				Summary: fmt.Sprintf("building for %s/%s with %s, a C compiler for %s", goos, goarch, cc, f.CCTarget),
				Detail:  fmt.Sprintf("`%s -dumpmachine` prints %s (%s/%s); GOOS/GOARCH ask for %s/%s", cc, f.CCTarget, tos, tarch, goos, goarch),
				Fix:     fix,
				Subject: map[string]string{"tool": cc, "target": goos + "/" + goarch},
			})
		}
	}
	return ds
}

func firstCgoPackageExcluded(f *Facts) string {
	paths := sortedPkgPaths(f.Packages)
	for _, p := range paths {
		if f.Packages[p].Failed && pkgImportsC(f.Packages[p]) {
			return p
		}
	}
	for _, p := range paths {
		if pkgImportsC(f.Packages[p]) {
			return p
		}
	}
	return ""
}

func pkgImportsC(p *Package) bool { return p != nil && p.importsC }

func sortedPkgPaths(m map[string]*Package) []string {
	var s []string
	for k := range m {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}

// blockCtx is what the rules of one block share.
type blockCtx struct {
	l    *buildlog.Log
	b    *buildlog.Block
	f    *Facts
	link *buildlog.HostLink
}

func diagnoseBlock(l *buildlog.Log, b *buildlog.Block, f *Facts) []diag.Diagnosis {
	c := &blockCtx{l: l, b: b, f: f, link: linkOfBlock(l, b)}
	var ds []diag.Diagnosis
	isLink := c.link != nil
	var undefined []buildlog.Message
	cannotFind := map[string]bool{}
	incompatible := map[string]string{}
	for _, m := range b.Messages {
		if m.Kind == buildlog.MsgSkippingIncompat {
			incompatible[libOf(m.Library)] = m.Object
		}
		if m.Kind == buildlog.MsgLinkFailed || m.Tool == "ld" || m.Tool == "collect2" {
			isLink = true
		}
	}
	var dsoSym string
	asmDiag, asmCount := map[string]int{}, map[string]int{}
	for _, m := range b.Messages {
		switch m.Kind {
		case buildlog.MsgPkgConfigNotFound, buildlog.MsgExecNotFound:
			if m.Tool == buildlog.ToolGo {
				ds = append(ds, c.execNotFound(m))
			} else {
				ds = append(ds, c.pkgConfigNotFound(m))
			}
		case buildlog.MsgPkgConfigPackage:
			ds = append(ds, c.pkgConfigPackage(m))
		case buildlog.MsgPkgConfigVersion:
			ds = append(ds, c.pkgConfigVersion(m))
		case buildlog.MsgPkgConfigExit:
			if !hasKind(b.Messages, buildlog.MsgPkgConfigPackage, buildlog.MsgPkgConfigVersion) {
				ds = append(ds, c.pkgConfigExit(m))
			}
		case buildlog.MsgInvalidFlag, buildlog.MsgMalformedCgoArg:
			ds = append(ds, c.invalidFlag(m))
		case buildlog.MsgCCNotFound:
			if m.Tool == buildlog.ToolGo {
				// exec: "x": not found, printed by cmd/go: judged by the
				// step that ran x, not by x's name.
				ds = append(ds, c.execNotFound(m))
			} else {
				ds = append(ds, c.ccNotFound(m))
			}
		case buildlog.MsgCommandFailed:
			// A command failed silently: only pkg-config is known to
			// (a version check); anything else is left to the fallback.
			if argv := c.pkgConfigCall(m); argv != nil {
				if role, _ := c.roleOf(m.Program); role == rolePkgConfig {
					ds = append(ds, c.pkgConfigExit(m))
				}
			}
		case buildlog.MsgRuntimeLoad:
			ds = append(ds, c.runtimeLoad(m))
		case buildlog.MsgCFilesWithoutCgo:
			ds = append(ds, c.cgoOff(m, "the package has C source files, which go build compiles only with cgo"))
		case buildlog.MsgCgoUnknownName:
			ds = append(ds, c.unknownName(m))
		case buildlog.MsgHeaderNotFound:
			ds = append(ds, c.headerNotFound(m))
		case buildlog.MsgBuildConstraints, buildlog.MsgGoUndefined:
			if d, ok := c.goError(m); ok {
				ds = append(ds, d)
			}
		case buildlog.MsgCompileError, buildlog.MsgAssembler, buildlog.MsgUnrecognizedOption:
			if strings.HasPrefix(m.Text, "unable to execute command") && hasKind(b.Messages, buildlog.MsgRuntimeLoad) {
				// clang could not run a tool the loader could not start:
				// the loader's message is the cause.
				continue
			}
			if m.Kind == buildlog.MsgAssembler {
				// One file fed to the wrong assembler fails on line
				// after line: one cause, one diagnosis, its evidence
				// folded.
				if i, ok := asmDiag[m.File]; ok {
					ds[i].Evidence = append(ds[i].Evidence, evidence(m)...)
					asmCount[m.File]++
					ds[i].Detail = fmt.Sprintf("%d assembler errors in %s", asmCount[m.File], m.File)
					continue
				}
				asmDiag[m.File], asmCount[m.File] = len(ds), 1
			}
			if d, ok := c.compiler32(m); ok {
				ds = append(ds, d)
			} else if d, ok := c.crossFromLog(m); ok {
				ds = append(ds, d)
			} else if m.Severity == "error" || m.Kind != buildlog.MsgCompileError {
				ds = append(ds, c.compileError(m))
			}
		case buildlog.MsgRequiresCgo:
			ds = append(ds, c.simple(m, diag.CgoDisabled, "reason", m.Text,
				"the build needs cgo (-race, -msan, -asan or a cgo-only build mode) but cgo is disabled",
				"set CGO_ENABLED=1 and make sure a C compiler is installed"))
		case buildlog.MsgInternalLinking:
			ds = append(ds, c.simple(m, diag.LinkError, "", "",
				"-linkmode=internal was requested, but a cgo package needs the external linker",
				"drop -ldflags=-linkmode=internal, then fix the external link error it hides"))
		case buildlog.MsgCompilerKilled:
			ds = append(ds, c.simple(m, diag.CompileError, "file", m.File,
				"the C compiler ran out of memory or was killed",
				"give the build more memory or swap, build with -p 1, or avoid compiling large amalgamations (e.g. -tags libsqlite3 for go-sqlite3)"))
		case buildlog.MsgCannotFindLib:
			lib := libOf(m.Library)
			if cannotFind[lib] {
				continue
			}
			cannotFind[lib] = true
			ds = append(ds, c.cannotFind(m, incompatible))
		case buildlog.MsgUndefinedReference:
			undefined = append(undefined, m)
		case buildlog.MsgUndefinedSymbolDSO:
			dsoSym = m.Symbol
		case buildlog.MsgDSOMissing:
			ds = append(ds, c.dsoMissing(m, dsoSym))
		case buildlog.MsgMultipleDefinition:
			ds = append(ds, c.simple(m, diag.MultipleDefinition, "symbol", m.Symbol,
				fmt.Sprintf("%s is defined more than once", m.Symbol),
				"make all but one definition static (a function in a cgo preamble of a file with //export is compiled twice: declare it static inline or move it to a .c file), or rename one"))
		case buildlog.MsgPICRequired:
			ds = append(ds, c.simple(m, diag.PICRequired, "object", m.Object,
				fmt.Sprintf("%s was compiled without -fPIC and cannot be linked into a position-independent executable or shared object", m.Object),
				"rebuild the library with -fPIC (CFLAGS=-fPIC), or drop -buildmode=pie/c-shared"))
		case buildlog.MsgStaticNSS:
			ds = append(ds, c.staticGlibc(m))
		case buildlog.MsgNeededNotFound:
			ds = append(ds, c.simple(m, diag.LibraryNotFound, "library", m.Library,
				fmt.Sprintf("%s, a dependency of %s, is not on the linker's search path", m.Library, m.Object),
				fmt.Sprintf("add -Wl,-rpath-link,<dir of %s> (or -L<dir>) to the link flags", m.Library)))
		}
	}
	// lld says "X is incompatible with elf64-x86-64" without a "cannot
	// find -lX" after it, and Apple ld "ignoring file X, building for A
	// but attempting to link with file built for B". In log order: the
	// first file skipped is the one to name.
	for _, m := range b.Messages {
		if m.Kind != buildlog.MsgSkippingIncompat {
			continue
		}
		if d, ok := c.goObjectsOtherArch(m); ok {
			if !cannotFind["\x00go"] {
				cannotFind["\x00go"] = true
				ds = append(ds, d)
			}
			continue
		}
		lib := libOf(m.Library)
		if !cannotFind[lib] {
			cannotFind[lib] = true
			ds = append(ds, c.cannotFind(buildlog.Message{Kind: buildlog.MsgCannotFindLib, Library: "-l" + lib, Raw: m.Raw, Text: m.Text}, incompatible))
		}
	}
	// A file on the link line that is neither an object nor a library
	// (ld reads it as a linker script and fails) is the cause; the
	// undefined references that follow are its consequence.
	if bad, ok := badLinkInput(b.Messages); ok {
		d := c.simple(bad, diag.LinkError, "object", bad.Object,
			fmt.Sprintf("%s is not an object file or library: the linker read it as a linker script and failed", bad.Object),
			fmt.Sprintf("replace %s with a real library (is it a text file, a failed download, or a Git LFS pointer?), or remove it from the link flags", bad.Object))
		if isGoLinkObject(bad.Object) {
			// cmd/link's own object: the C linker cannot read what Go
			// wrote, so the two toolchains do not match.
			d.Summary = fmt.Sprintf("the C linker does not recognise %s, an object cmd/link wrote for it: the C toolchain (CC) does not match Go's target", bad.Object)
			d.Fix = "use a C compiler for Go's GOOS/GOARCH (on Windows a 64-bit MinGW-w64 for amd64, e.g. MSYS2's mingw-w64-x86_64-gcc), first on PATH or in CC; check with `go env CC` and `$CC -dumpmachine`"
		}
		for _, m := range b.Messages {
			if (m.Kind == buildlog.MsgInLinkerScript || m.Kind == buildlog.MsgFileNotRecog) && m.Object == bad.Object && len(m.Raw) > 0 && m.Raw[0] != bad.Raw[0] {
				d.Evidence = append(d.Evidence, m.Raw...)
			}
		}
		ds = append(ds, d)
		undefined = nil
	}
	if len(undefined) > 0 {
		ds = append(ds, c.undefined(undefined)...)
	}
	if len(ds) == 0 && blockFailed(b) {
		ds = append(ds, c.fallback(isLink))
	}
	return ds
}

func hasKind(ms []buildlog.Message, kinds ...buildlog.MessageKind) bool {
	for _, m := range ms {
		for _, k := range kinds {
			if m.Kind == k {
				return true
			}
		}
	}
	return false
}

// blockFailed tells an error block from a warning block.
func blockFailed(b *buildlog.Block) bool {
	if b.Run {
		return false // a program that could not start was built
	}
	if b.Failed && b.ImportPath != "" && !goOwnBlock(b) {
		// buildlog: a package's block with a line that is no warning
		// or note, whether cgotrace knows the message or not (a
		// -toolexec tool's "tool: it broke"); go's own errors are not
		// a step's (goOwnFailure).
		return true
	}
	for _, m := range b.Messages {
		if m.Severity == "error" {
			return true
		}
	}
	for _, line := range b.Lines {
		if strings.Contains(line, "exit status") || strings.Contains(line, "error") {
			return true
		}
	}
	return false
}

// goOwnBlock reports whether every line of b is go's own error
// (buildlog.GoCommandError), not a tool's.
func goOwnBlock(b *buildlog.Block) bool {
	for _, line := range b.Lines {
		if strings.TrimSpace(line) != "" && !strings.HasPrefix(line, "# ") && !buildlog.GoCommandError(line) {
			return false
		}
	}
	return true
}

// linkOfBlock finds the failed host link of a block's package.
func linkOfBlock(l *buildlog.Log, b *buildlog.Block) *buildlog.HostLink {
	var found *buildlog.HostLink
	for i := range l.HostLinks {
		h := &l.HostLinks[i]
		if h.ImportPath == b.ImportPath || h.ImportPath == "" {
			if found == nil || h.Failed {
				found = h
			}
		}
	}
	return found
}

func (c *blockCtx) base(m buildlog.Message, code diag.Code) diag.Diagnosis {
	d := diag.Diagnosis{Code: code, Severity: diag.Error, Package: c.b.ImportPath}
	d.Evidence = evidence(m)
	if m.File != "" && m.Line > 0 && !strings.HasPrefix(m.File, "/tmp/go-build") && !strings.Contains(m.File, "$WORK") {
		d.Source = &diag.Source{File: c.relFile(m.File), Line: m.Line, Column: m.Column}
	}
	return d
}

func evidence(m buildlog.Message) []string {
	if len(m.Raw) > 0 {
		return append([]string(nil), m.Raw...)
	}
	return []string{m.Text}
}

// relFile makes a message's file relative to its package directory.
func (c *blockCtx) relFile(file string) string {
	file = strings.TrimPrefix(file, "./")
	if p := c.f.Packages[c.b.ImportPath]; p != nil && p.Dir != "" && filepath.IsAbs(file) {
		if r, err := filepath.Rel(p.Dir, file); err == nil && !strings.HasPrefix(r, "..") {
			return r
		}
	}
	return file
}

func (c *blockCtx) simple(m buildlog.Message, code diag.Code, key, val, summary, fix string) diag.Diagnosis {
	d := c.base(m, code)
	d.Summary, d.Fix = summary, fix
	if val != "" {
		d.Subject = map[string]string{key: val}
	}
	return d
}

func (c *blockCtx) pkgConfigNotFound(m buildlog.Message) diag.Diagnosis {
	tool := m.Program
	if tool == "" {
		tool = "pkg-config"
	}
	d := c.simple(m, diag.PkgConfigNotFound, "tool", tool,
		fmt.Sprintf("the pkg-config program %q is not installed or not on PATH", tool),
		"install pkg-config (Debian/Ubuntu pkgconf, Fedora pkgconf-pkg-config, Alpine pkgconf, Homebrew pkgconf), or point PKG_CONFIG at it")
	d.Source = c.directiveSource("pkg-config", "")
	return d
}

func (c *blockCtx) pkgConfigPackage(m buildlog.Message) diag.Diagnosis {
	d := c.simple(m, diag.PkgConfigPackageNotFound, "pkg_config_package", m.Package,
		fmt.Sprintf("pkg-config cannot find package %s (no %s.pc on the search path)", m.Package, m.Package),
		c.installFix(kindPC, m.Package, m.Package+".pc", "or add the directory that holds it to PKG_CONFIG_PATH"))
	if c.b.Desc != "" {
		d.Detail = "go build ran: " + c.b.Desc
	}
	d.Source = c.directiveSource("pkg-config", m.Package)
	return d
}

func (c *blockCtx) pkgConfigVersion(m buildlog.Message) diag.Diagnosis {
	d := c.simple(m, diag.PkgConfigVersionMismatch, "pkg_config_package", m.Package,
		fmt.Sprintf("the installed %s does not meet a version requirement: %s", m.Package, m.Text),
		fmt.Sprintf("install a newer %s, or point PKG_CONFIG_PATH at a directory with a newer %s.pc", m.Package, m.Package))
	if m.Wanted != "" {
		d.Subject["wanted"] = m.Wanted
	}
	installed := m.Version
	if installed == "" && c.f.PkgConfigVersion != nil {
		installed = c.f.PkgConfigVersion(m.Package)
	}
	if installed != "" {
		d.Subject["installed"] = installed
	}
	d.Source = c.directiveSource("pkg-config", "")
	return d
}

func (c *blockCtx) pkgConfigExit(m buildlog.Message) diag.Diagnosis {
	argv := c.pkgConfigCall(m)
	wanted, pkgs := pkgConfigVersionFlags(argv)
	call := strings.Join(argv, " ")
	if call == "" {
		call = c.b.Desc
	}
	if len(argv) > 0 {
		argv[0] = "pkg-config" // not the PKG_CONFIG shim of cgotrace build
		call = strings.Join(argv, " ")
	}
	pkg := ""
	if len(pkgs) > 0 {
		pkg = pkgs[len(pkgs)-1]
	}
	if wanted != "" {
		// pkg-config --atleast-version=N (--exact-version, --max-version)
		// exits 1 and prints nothing when the version does not match.
		installed := ""
		if c.f.PkgConfigVersion != nil {
			for _, p := range pkgs {
				if v := c.f.PkgConfigVersion(p); v != "" && !versionMeets(v, wanted) {
					pkg, installed = p, v
					break
				}
			}
		}
		d := c.base(m, diag.PkgConfigVersionMismatch)
		d.Subject = map[string]string{"pkg_config_package": pkg, "wanted": wanted}
		d.Summary = fmt.Sprintf("%s %s is required (%s), and pkg-config says no without a message", pkg, wanted, call)
		if installed != "" {
			d.Subject["installed"] = installed
			d.Summary = fmt.Sprintf("%s %s is required, but the installed %s is version %s", pkg, wanted, pkg, installed)
		}
		d.Fix = fmt.Sprintf("install a version of %s that is %s (or point PKG_CONFIG_PATH at its .pc file), or relax the version option on the #cgo pkg-config line", pkg, wanted)
		d.Source = c.directiveSource("pkg-config", "")
		return d
	}
	d := c.simple(m, diag.PkgConfigPackageNotFound, "pkg_config_package", pkg,
		fmt.Sprintf("pkg-config failed for %s without saying why", pkg),
		"run `cgotrace pkg-config explain "+pkg+"` to see the search path and the .pc files")
	d.Source = c.directiveSource("pkg-config", "")
	return d
}

func (c *blockCtx) invalidFlag(m buildlog.Message) diag.Diagnosis {
	where := "#cgo"
	if strings.Contains(m.Text, "pkg-config") {
		where = "pkg-config"
	}
	verb := "CFLAGS"
	if strings.Contains(m.Text, "LDFLAGS") || strings.Contains(m.Text, "--libs") {
		verb = "LDFLAGS"
	}
	d := c.simple(m, diag.InvalidCgoFlag, "flag", m.Flag,
		fmt.Sprintf("go build's flag allow-list rejects %s from %s", m.Flag, where),
		fmt.Sprintf("if the flag is safe, allow it with CGO_%s_ALLOW='%s' (a regular expression), or pass it through the CGO_%s environment variable, which is not checked; otherwise remove it", verb, regexpQuote(m.Flag), verb))
	if m.Kind == buildlog.MsgMalformedCgoArg {
		d.Summary = fmt.Sprintf("a #cgo line has an argument go build refuses: %s", m.Flag)
		d.Fix = "#cgo arguments may not contain & ' # or spaces outside quotes; put the flag in CGO_CFLAGS/CGO_LDFLAGS or in a header"
		if strings.ContainsAny(m.Flag, "<>=") {
			// #cgo pkg-config: foo >= 1.2: go build checks each word
			// (load.SafeArg) before pkg-config could check the version.
			d.Summary = fmt.Sprintf("a #cgo pkg-config line has a version constraint (%s), which go build refuses before pkg-config runs", m.Flag)
			d.Fix = "write the constraint as a pkg-config option, which go build allows with a three-part version: #cgo pkg-config: --atleast-version=X.Y.Z foo (or --exact-version=, --max-version=)"
		}
	}
	d.Source = c.directiveSource("", m.Flag)
	return d
}

func regexpQuote(s string) string {
	r := strings.NewReplacer(".", `\.`, "+", `\+`, "*", `\*`, "?", `\?`, "(", `\(`, ")", `\)`, "[", `\[`, "]", `\]`, "$", `\$`, "^", `\^`, "|", `\|`)
	return r.Replace(s)
}

func (c *blockCtx) ccNotFound(m buildlog.Message) diag.Diagnosis {
	tool := m.Program
	if tool == "" {
		tool = "gcc"
	}
	fix := "install a C compiler (Debian/Ubuntu build-essential, Fedora gcc, Alpine gcc musl-dev, macOS xcode-select --install) or set CC to one that exists; or build with CGO_ENABLED=0 if no package needs cgo"
	// Another compiler than the system's own (a cross compiler, a
	// versioned gcc): the package that ships that very program, when a
	// distribution's data knows it.
	if prog := filepath.Base(tool); prog != "gcc" && prog != "cc" && prog != "clang" {
		if p := c.shipping(kindProgram, prog); p != "" {
			fix = fmt.Sprintf("install the package that ships %s (%s), or set CC to a C compiler that exists; or build with CGO_ENABLED=0 if no package needs cgo", prog, p)
		}
	}
	return c.simple(m, diag.CCNotFound, "tool", tool,
		fmt.Sprintf("the C compiler %q is not installed or not on PATH", tool), fix)
}

func (c *blockCtx) unknownName(m buildlog.Message) diag.Diagnosis {
	name := strings.TrimPrefix(m.Name, "C.")
	return c.simple(m, diag.CgoUnknownName, "name", name,
		fmt.Sprintf("cgo cannot find C.%s in the preamble's C declarations", name),
		fmt.Sprintf("declare %s in the preamble or #include the header that does (check the spelling, that the header is the right version, and that no blank line separates the preamble from import \"C\")", name))
}

func (c *blockCtx) headerNotFound(m buildlog.Message) diag.Diagnosis {
	fix := c.installFix(kindHeader, m.Header, m.Header, "or add -I<dir> to #cgo CFLAGS (or CGO_CFLAGS)")
	d := c.simple(m, diag.HeaderNotFound, "header", m.Header,
		fmt.Sprintf("the C compiler cannot find the header %s", m.Header), fix)
	if c.f.VendorGap != nil {
		if g := c.f.VendorGap(c.b.ImportPath, m.File, m.Header); g != nil {
			vendorHeader(&d, g, m.Header)
			return d
		}
	}
	if c.f.HeaderProbe == nil {
		return d
	}
	p := c.f.HeaderProbe(m.Header, c.failedCStep(), c.l.Work)
	if p == nil {
		return d
	}
	if len(p.Searched) > 0 {
		d.Detail = "searched: " + strings.Join(p.Searched, ", ")
	}
	d.Evidence = append(d.Evidence, p.Evidence...)
	if len(p.Elsewhere) > 0 {
		// <libxml/parser.h> at /usr/include/libxml2/libxml/parser.h: the
		// directory to add is the path minus the header's own.
		dir := strings.TrimSuffix(p.Elsewhere[0], "/"+m.Header)
		d.Summary = fmt.Sprintf("the C compiler cannot find the header %s: it exists as %s, in a directory the compiler does not search", m.Header, p.Elsewhere[0])
		d.Fix = fmt.Sprintf("add -I%s to #cgo CFLAGS (better: #cgo pkg-config with the library's .pc file, whose Cflags carry it)", dir)
		d.Subject["found"] = p.Elsewhere[0]
	}
	return d
}

// failedCStep is the cgo or C compile command of the block's package that
// printed the block: the last one before it.
func (c *blockCtx) failedCStep() *buildlog.Record {
	var last *buildlog.Record
	for i := range c.l.Records {
		r := &c.l.Records[i]
		if r.Line > c.b.Line {
			break
		}
		if r.ImportPath == c.b.ImportPath && (r.Step == KindCgo || r.Step == KindCCCompile) {
			last = r
		}
	}
	return last
}

func (c *blockCtx) goError(m buildlog.Message) (diag.Diagnosis, bool) {
	p := c.f.Packages[c.b.ImportPath]
	if c.f.GoEnv != nil && c.f.GoEnv["CGO_ENABLED"] == "0" && (p == nil || p.importsC) && firstCgoPackageExcluded(c.f) != "" {
		// The up-front rule has named cgo-disabled already.
		return diag.Diagnosis{}, false
	}
	if reason := cgoOffReason(c.f); reason != "" && !listedPackages(c.f) {
		// cgo off, and Go names undefined or all files excluded: the
		// names are defined in the package's files that import "C",
		// which a build without cgo leaves out.
		what := "the names it reports undefined are defined in files that import \"C\", which a build without cgo leaves out"
		if m.Kind == buildlog.MsgBuildConstraints {
			what = "all its Go files import \"C\" or need cgo, so none is left to build"
		}
		return c.cgoOff(m, what), true
	}
	d := c.base(m, diag.CompileError)
	d.Summary = m.Text
	d.Fix = "fix the Go code at the position shown"
	if m.Kind == buildlog.MsgBuildConstraints {
		d.Fix = "check the build tags and GOOS/GOARCH; if the files import \"C\", set CGO_ENABLED=1"
	}
	if m.File != "" {
		d.Subject = map[string]string{"file": c.relFile(m.File)}
		if m.Line > 0 {
			d.Subject["line"] = fmt.Sprint(m.Line)
		}
	}
	return d, true
}

// crossFromLog reads a cross-compilation mismatch from the log alone:
// runtime/cgo's assembly for another architecture fed to the host's
// assembler, or GOARCH-specific flags the host gcc rejects. With the
// toolchain known (build), the up-front rule decides instead.
func (c *blockCtx) crossFromLog(m buildlog.Message) (diag.Diagnosis, bool) {
	if c.f.GoEnv != nil || c.b.ImportPath != "runtime/cgo" {
		return diag.Diagnosis{}, false
	}
	target := ""
	switch {
	case m.Kind == buildlog.MsgAssembler || strings.HasSuffix(m.File, ".S"):
		base := filepath.Base(m.File)
		if arch, ok := strings.CutPrefix(strings.TrimSuffix(base, ".S"), "gcc_"); ok {
			target = arch
			if i := strings.LastIndexByte(arch, '_'); i >= 0 {
				target = arch[i+1:]
			}
		}
	case m.Kind == buildlog.MsgUnrecognizedOption:
		switch {
		case strings.Contains(m.Text, "-mthreads"):
			target = "windows"
		case strings.Contains(m.Text, "-marm"):
			target = "arm"
		case strings.Contains(m.Text, "-m64") || strings.Contains(m.Text, "-m32"):
			target = "another architecture"
		}
	}
	if target == "" {
		return diag.Diagnosis{}, false
	}
	d := c.base(m, diag.CrossCCMismatch)
	d.Summary = fmt.Sprintf("runtime/cgo for %s was handed to a C compiler for another target", target)
	d.Fix = "set CC to a cross compiler for GOOS/GOARCH (e.g. CC=aarch64-linux-gnu-gcc for arm64, Debian gcc-aarch64-linux-gnu), or build with CGO_ENABLED=0"
	d.Subject = map[string]string{"tool": "gcc", "target": target}
	return d, true
}

func (c *blockCtx) compileError(m buildlog.Message) diag.Diagnosis {
	d := c.base(m, diag.CompileError)
	d.Summary = strings.TrimSpace(m.Text)
	d.Fix = "fix the C code at the position shown"
	if m.Kind == buildlog.MsgAssembler || m.Kind == buildlog.MsgUnrecognizedOption {
		d.Fix = "the C compiler does not understand code or flags meant for the target: set CC to a compiler for GOOS/GOARCH"
	}
	if m.File != "" {
		d.Subject = map[string]string{"file": c.relFile(m.File)}
		if m.Line > 0 {
			d.Subject["line"] = fmt.Sprint(m.Line)
		}
	}
	return d
}

func (c *blockCtx) fallback(isLink bool) diag.Diagnosis {
	code, what := diag.CompileError, "a compile step"
	if isLink {
		code, what = diag.LinkError, "the link"
	}
	d := diag.Diagnosis{Code: code, Severity: diag.Error, Package: c.b.ImportPath,
		Summary: fmt.Sprintf("%s of %s failed with a message cgotrace does not recognise", what, c.b.ImportPath),
		Fix:     "read the tool's message below; the steps of the package show the command that failed"}
	lines := c.b.Lines
	var ev []string
	for _, line := range lines {
		if strings.Contains(line, "running gcc failed") || strings.HasPrefix(line, "/usr/bin/gcc ") || strings.HasPrefix(line, "collect2:") {
			continue
		}
		ev = append(ev, line)
	}
	if len(ev) == 0 {
		ev = lines
	}
	if len(ev) > 20 {
		ev = ev[:20]
	}
	d.Evidence = ev
	// The summary is the first line that is no warning or note (a
	// wrapper's "it broke" after gcc's warning), else the first line.
	for _, m := range c.b.Messages {
		if t := strings.TrimSpace(m.Text); t != "" && m.Severity != buildlog.SevWarning && m.Severity != buildlog.SevNote &&
			slices.Contains(ev, m.Text) {
			d.Summary = t
			return d
		}
	}
	for _, line := range ev {
		if strings.TrimSpace(line) != "" {
			d.Summary = strings.TrimSpace(line)
			break
		}
	}
	return d
}

func (c *blockCtx) dsoMissing(m buildlog.Message, sym string) diag.Diagnosis {
	lib := m.Library
	if lib == "" {
		lib = m.Object
	}
	sym = stripSymVersion(sym)
	d := c.base(m, diag.DSOMissingFromCommandLine)
	name := libName(lib)
	d.Summary = fmt.Sprintf("%s is defined in %s, which is only linked indirectly", sym, lib)
	d.Fix = fmt.Sprintf("add -l%s to #cgo LDFLAGS (the code uses %s directly, so it must link the library itself)", name, sym)
	d.Subject = map[string]string{"symbol": sym, "library": lib}
	d.Source = c.directiveSource("LDFLAGS", "")
	return d
}

func stripSymVersion(s string) string {
	if i := strings.Index(s, "@"); i > 0 {
		return s[:i]
	}
	return s
}

// cxxRuntime reports whether an undefined symbol belongs to the C++
// runtime, in whichever form the linker printed it.
func cxxRuntime(m buildlog.Message) bool {
	for _, s := range []string{m.Symbol, m.Demangled, m.Mangled} {
		if s != "" && buildlog.CxxRuntimeSymbol(s) {
			return true
		}
	}
	return false
}

func (c *blockCtx) undefined(ms []buildlog.Message) []diag.Diagnosis {
	var ds []diag.Diagnosis
	for k, m := range ms {
		if cxxRuntime(m) {
			d := c.base(m, diag.CXXRuntimeMissing)
			sym := m.Symbol
			d.Summary = fmt.Sprintf("C++ runtime symbols are undefined (%s): the link does not include libstdc++", sym)
			d.Fix = "add -lstdc++ to #cgo LDFLAGS, or add a .cpp file to the package so that go links with g++"
			d.Subject = map[string]string{"symbol": sym}
			if m.Mangled != "" && m.Mangled != sym {
				d.Subject["mangled"] = m.Mangled
			}
			if m.Demangled != "" && m.Demangled != sym {
				d.Subject["demangled"] = m.Demangled
			}
			for _, o := range ms[k+1:] {
				if cxxRuntime(o) && len(d.Evidence) < 12 {
					d.Evidence = append(d.Evidence, o.Raw...)
				}
			}
			d.Source = c.directiveSource("LDFLAGS", "")
			ds = append(ds, d)
			break
		}
	}
	seen := map[string]bool{}
	// Symbols one library defines, referenced from the same place, are
	// one cause with one fix (a static libsqlite3.a without -lm misses
	// log, exp, pow, ...): one diagnosis, the others folded in.
	byFix := map[string]int{}
	var folded map[int][]string
	for _, m := range ms {
		if cxxRuntime(m) {
			continue
		}
		sym := stripSymVersion(m.Symbol)
		if seen[sym] {
			continue
		}
		seen[sym] = true
		d := c.base(m, diag.UndefinedSymbol)
		// report-v1: symbol is the linker's name of the symbol (mangled
		// for C++), demangled the readable one. GNU ld prints C++ names
		// demangled: the mangled one is read from the build's objects.
		mangled := m.Mangled
		if m.Demangled != "" && !strings.HasPrefix(sym, "_Z") && !strings.HasPrefix(sym, "__Z") && c.f.Mangled != nil {
			if mg := c.f.Mangled(sym); mg != "" {
				mangled = mg
			}
		}
		d.Subject = map[string]string{"symbol": sym}
		switch {
		case mangled != "" && mangled != sym && m.Demangled == sym:
			d.Subject["symbol"], d.Subject["demangled"] = mangled, sym
		case m.Demangled != "":
			// Printed mangled (--no-demangle, Apple ld), or printed
			// demangled with no object to read the mangled name from.
			d.Subject["demangled"] = m.Demangled
		}
		d.Summary = fmt.Sprintf("undefined reference to %s: no object or library on the link line defines it", sym)
		d.Fix = fmt.Sprintf("link the library that defines %s (add -l<name> to #cgo LDFLAGS), or define it", sym)
		if m.Mangled != "" && strings.HasPrefix(m.Mangled, "_Z") && !strings.Contains(sym, "(") {
			d.Fix += "; a C++ definition needs extern \"C\" to be found under its C name"
		}
		if name, ok := strings.CutPrefix(sym, "__imp_"); ok && name != "" {
			// PE: the code was compiled against a header that declares
			// name __declspec(dllimport); the import library of the DLL
			// that exports it is not on the link line.
			d.Summary = fmt.Sprintf("undefined reference to %s: the code calls %s as a DLL import (__declspec(dllimport)), and no import library on the link line provides it", sym, name)
			d.Fix = fmt.Sprintf("link the import library of the DLL that exports %s (its .dll.a/.lib: -l<name> in #cgo LDFLAGS), or, to link the library statically, build with the macro that drops dllimport from its header (e.g. -DGLFW_STATIC-style defines) and link the static .a", name)
		}
		defFlag := ""
		if c.f.Symbols != nil {
			if defs := c.f.Symbols(sym); len(defs) > 0 {
				defFlag = defs[0].Flag
				d.Subject["defined_in"] = defs[0].Library
				d.Summary = fmt.Sprintf("undefined reference to %s, which %s defines but the link does not include", sym, defs[0].Library)
				d.Fix = fmt.Sprintf("add %s to #cgo LDFLAGS", defFlag)
			}
		}
		if pkg, src := c.libraryDirective(m.Object); src != nil {
			// The reference is in a library a #cgo line links: that
			// line (and its package) is where the link needs the
			// definition.
			d.Package, d.Source = pkg, src
			file := src.File // relative to the package's directory
			if p := c.f.Packages[pkg]; p != nil && !filepath.IsAbs(file) {
				file = filepath.Join(p.Dir, file)
			}
			if defFlag != "" && inModuleCache(file) {
				// A dependency's line, in the read-only module cache:
				// CGO_LDFLAGS reaches the same link (go build -tags
				// libsqlite3 -ldflags=-extldflags=-static of
				// mattn/go-sqlite3 links with CGO_LDFLAGS=-lm here).
				d.Fix = fmt.Sprintf("add %s to CGO_LDFLAGS (CGO_LDFLAGS=%s go build ...): the #cgo line that links the library is in %s, a module in the module cache, not yours to edit", defFlag, defFlag, pkg)
			}
		}
		if name, ok := cgoFuncName(m.Function); ok && d.Source == nil {
			d.Detail = fmt.Sprintf("called from C.%s", name)
		}
		if d.Source == nil {
			d.Source = c.directiveSource("LDFLAGS", "")
		}
		if lib := d.Subject["defined_in"]; lib != "" {
			key := lib + "\x00" + d.Package + "\x00" + fmt.Sprint(d.Source)
			if i, ok := byFix[key]; ok {
				if folded == nil {
					folded = map[int][]string{}
				}
				folded[i] = append(folded[i], sym)
				ds[i].Evidence = append(ds[i].Evidence, d.Evidence...)
				continue
			}
			byFix[key] = len(ds)
		}
		ds = append(ds, d)
	}
	for i, syms := range folded {
		d := &ds[i]
		d.Subject["also"] = strings.Join(syms, " ")
		d.Summary = fmt.Sprintf("undefined references to %s and %d more symbols (%s), which %s defines but the link does not include",
			d.Subject["symbol"], len(syms), strings.Join(syms, ", "), d.Subject["defined_in"])
	}
	return ds
}

// inModuleCache reports whether file is in go's module cache: a
// directory of it is named module@version (go-sqlite3@v1.14.53).
func inModuleCache(file string) bool {
	for _, e := range strings.Split(filepath.ToSlash(filepath.Dir(file)), "/") {
		if i := strings.LastIndex(e, "@v"); i > 0 && i+2 < len(e) && e[i+2] >= '0' && e[i+2] <= '9' {
			return true
		}
	}
	return false
}

// cgoFuncName maps _cgo_<hash>_Cfunc_NAME to NAME.
func cgoFuncName(fn string) (string, bool) {
	if i := strings.Index(fn, "_Cfunc_"); i >= 0 && strings.HasPrefix(fn, "_cgo_") {
		return fn[i+len("_Cfunc_"):], true
	}
	return "", false
}

func (c *blockCtx) cannotFind(m buildlog.Message, incompatible map[string]string) diag.Diagnosis {
	lib := libOf(m.Library)
	flag := "-l" + strings.TrimPrefix(m.Library, "-l")
	if strings.HasPrefix(m.Library, "-l") || !strings.Contains(m.Library, "/") {
		flag = "-l" + strings.TrimPrefix(m.Library, "-l")
	}
	d := c.base(m, diag.LibraryNotFound)
	d.Subject = map[string]string{"library": lib}
	d.Source = c.directiveSource("", flag)
	pkgSrc := c.packageOfFlag(flag)
	if pkgSrc != "" {
		d.Package = pkgSrc
	}
	if obj, ok := incompatible[lib]; ok {
		d.Code = diag.LibraryArchMismatch
		d.Summary = fmt.Sprintf("the linker skipped %s: it is built for another architecture or ELF class", obj)
		d.Fix = fmt.Sprintf("install or build lib%s for the target architecture (%s), or point -L/PKG_CONFIG at the target's libraries", lib, c.packageOf(kindLibrary, "lib"+lib+".so", "in a multiarch setup, the package of lib"+lib+".so with :<arch>, or a sysroot"))
		d.Subject["object"] = obj
		return d
	}
	var p *LibProbe
	if c.f.Probe != nil {
		p = c.f.Probe(m.Library, c.link)
	}
	if p == nil && c.link != nil && linkIsStatic(c.link.Argv) {
		// In a static link ld looks only for lib<name>.a: not finding
		// the library means there is no archive, whatever else exists.
		d.Code = diag.StaticLibraryMissing
		d.Summary = fmt.Sprintf("a static link (-static) needs lib%s.a, and the linker found none", lib)
		d.Fix = fmt.Sprintf("install the static library lib%s.a (%s), or link dynamically (drop -extldflags=-static)", lib, c.packageOf(kindLibrary, "lib"+lib+".a", ""))
		return d
	}
	if p == nil {
		d.Summary = fmt.Sprintf("the linker cannot find %s", flag)
		d.Fix = c.installFix(kindLibrary, "lib"+lib+".so", "lib"+lib+".so", "or add -L<dir> to #cgo LDFLAGS")
		return d
	}
	if len(p.Searched) > 0 {
		d.Detail = "searched: " + strings.Join(p.Searched, ", ")
	}
	d.Evidence = append(d.Evidence, p.Evidence...)
	switch {
	case len(p.WrongArch) > 0:
		d.Code = diag.LibraryArchMismatch
		d.Summary = fmt.Sprintf("%s is built for another architecture or ELF class", p.WrongArch[0])
		d.Fix = fmt.Sprintf("install or build lib%s for the target architecture, or point -L at the target's libraries", lib)
	case p.Static && len(p.Archive) == 0 && (len(p.Shared) > 0 || len(p.Versioned) > 0):
		d.Code = diag.StaticLibraryMissing
		found := append(append([]string{}, p.Shared...), p.Versioned...)
		d.Summary = fmt.Sprintf("a static link needs lib%s.a, but only the shared library is installed (%s)", lib, strings.Join(found, ", "))
		d.Fix = fmt.Sprintf("install the static library lib%s.a (%s), or link dynamically (drop -extldflags=-static)", lib, c.packageOf(kindLibrary, "lib"+lib+".a", ""))
	case p.Static && len(p.Archive) == 0:
		d.Code = diag.StaticLibraryMissing
		d.Summary = fmt.Sprintf("a static link needs lib%s.a, and no lib%s is installed at all", lib, lib)
		d.Fix = fmt.Sprintf("install lib%s's static library lib%s.a (%s), or link dynamically", lib, lib, c.packageOf(kindLibrary, "lib"+lib+".a", ""))
	case len(p.Versioned) > 0 && len(p.Shared) == 0:
		d.Code = diag.LibraryDevMissing
		d.Summary = fmt.Sprintf("only the run-time library %s is installed; the development link lib%s.so is missing", strings.Join(p.Versioned, ", "), lib)
		d.Fix = fmt.Sprintf("install the development package that adds lib%s.so (%s); as a stop-gap, link the versioned file with -l:%s", lib, c.packageOf(kindLibrary, "lib"+lib+".so", "", p.Versioned...), filepath.Base(p.Versioned[0]))
	default:
		d.Summary = fmt.Sprintf("the linker cannot find %s, and no lib%s exists in any directory it searched", flag, lib)
		d.Fix = c.installFix(kindLibrary, "lib"+lib+".so", "lib"+lib+".so", "or add -L<dir> to #cgo LDFLAGS if it is installed elsewhere")
	}
	return d
}

// directiveSource finds the #cgo line a flag or pkg-config package comes
// from, in the block's package first, then in any package of the build.
func (c *blockCtx) directiveSource(verb, arg string) *diag.Source {
	try := func(p *Package) *diag.Source {
		if p == nil {
			return nil
		}
		for _, d := range p.Directives {
			if verb != "" && !strings.EqualFold(d.Verb, verb) {
				continue
			}
			if arg == "" {
				return &diag.Source{File: d.File, Line: d.Line}
			}
			for _, a := range d.Args {
				if a == arg || expandDirectiveArg(a, p.Dir) == arg {
					return &diag.Source{File: d.File, Line: d.Line}
				}
			}
		}
		return nil
	}
	if s := try(c.f.Packages[c.b.ImportPath]); s != nil {
		return s
	}
	for _, path := range sortedPkgPaths(c.f.Packages) {
		if s := try(c.f.Packages[path]); s != nil {
			return s
		}
	}
	return nil
}

// libraryDirective finds the #cgo line that links the library an object
// of a linker message belongs to ("/x/libfoo.a(foo.o)", "/x/libfoo.so"):
// its -lfoo, -l:libfoo.a or path argument in an applied LDFLAGS line, or
// the pkg-config line whose --libs carries it. The failed package's lines
// come first, then the other packages' in import path order.
func (c *blockCtx) libraryDirective(obj string) (string, *diag.Source) {
	path := obj
	if i := strings.IndexByte(path, '('); i > 0 && strings.HasSuffix(path, ")") {
		path = path[:i]
	}
	base := filepath.Base(path)
	if !strings.HasPrefix(base, "lib") || !(strings.HasSuffix(base, ".a") || strings.Contains(base, ".so")) {
		return "", nil
	}
	name := strings.TrimPrefix(base, "lib")
	if i := strings.Index(name, ".so"); i >= 0 {
		name = name[:i]
	} else {
		name = strings.TrimSuffix(name, ".a")
	}
	want := map[string]bool{"-l" + name: true, "-l:" + base: true, path: true}
	paths := sortedPkgPaths(c.f.Packages)
	if c.f.Packages[c.b.ImportPath] != nil {
		paths = append([]string{c.b.ImportPath}, paths...)
	}
	for _, ip := range paths {
		p := c.f.Packages[ip]
		for _, d := range p.Directives {
			switch {
			case strings.EqualFold(d.Verb, "LDFLAGS"):
				for _, a := range d.Args {
					if want[a] || want[expandDirectiveArg(a, p.Dir)] {
						return ip, &diag.Source{File: d.File, Line: d.Line}
					}
				}
			case d.Verb == "pkg-config":
				for _, call := range p.PkgConfig {
					for _, w := range strings.Fields(call.Stdout) {
						if want[w] {
							return ip, &diag.Source{File: d.File, Line: d.Line}
						}
					}
				}
			}
		}
	}
	return "", nil
}

// packageOfFlag names the package whose #cgo line carries flag, when
// another package than the failing link's.
func (c *blockCtx) packageOfFlag(flag string) string {
	for _, path := range sortedPkgPaths(c.f.Packages) {
		p := c.f.Packages[path]
		for _, d := range p.Directives {
			for _, a := range d.Args {
				if a == flag {
					return path
				}
			}
		}
	}
	return ""
}

func linkIsStatic(argv []string) bool {
	for _, a := range argv {
		if a == "-static" {
			return true
		}
	}
	return false
}

func badLinkInput(ms []buildlog.Message) (buildlog.Message, bool) {
	for _, m := range ms {
		if (m.Kind == buildlog.MsgInLinkerScript || m.Kind == buildlog.MsgFileNotRecog) && m.Object != "" {
			return m, true
		}
	}
	return buildlog.Message{}, false
}

// staticGlibc is ld's "Using 'X' in statically linked applications
// requires at runtime the shared libraries from the glibc version used for
// linking". For an NSS function (getaddrinfo, getpwnam_r ...) glibc loads
// libnss_*.so.2 at run time, and Go's netgo,osusergo tags replace the
// callers in net and os/user. dlopen is another thing: C code of the
// build loads shared objects itself, which then need the glibc the binary
// was linked with; those tags leave it where it is.
func (c *blockCtx) staticGlibc(m buildlog.Message) diag.Diagnosis {
	var d diag.Diagnosis
	if m.Symbol != "dlopen" {
		d = c.simple(m, diag.StaticGlibcNSS, "symbol", m.Symbol,
			fmt.Sprintf("the static binary calls %s, which glibc loads through NSS at run time", m.Symbol),
			"build with -tags netgo,osusergo so Go's own resolver and user lookup are used, link against musl, or accept that the binary needs the same glibc at run time")
		d.Severity = diag.Warning
		return d
	}
	where := ""
	switch {
	case m.Function != "" && m.File != "":
		where = fmt.Sprintf(" (%s, in %s)", m.Function, filepath.Base(m.File))
	case m.Function != "":
		where = " (in " + m.Function + ")"
	case m.File != "":
		where = " (in " + filepath.Base(m.File) + ")"
	}
	fix := "turn off the library's loading of shared objects (its own build tag or define), or link dynamically (drop -extldflags=-static); -tags netgo,osusergo does not remove dlopen, it replaces only Go's resolver and user lookup"
	if strings.Contains(m.File, "/mattn/go-sqlite3") {
		// go-sqlite3's sqlite3_load_extension_omit.go: the tag adds
		// -DSQLITE_OMIT_LOAD_EXTENSION, which leaves out unixDlOpen.
		fix = "build with -tags sqlite_omit_load_extension (github.com/mattn/go-sqlite3 then leaves out load_extension and its dlopen), or link dynamically (drop -extldflags=-static); -tags netgo,osusergo does not remove dlopen"
	}
	d = c.simple(m, diag.StaticGlibcNSS, "symbol", m.Symbol,
		fmt.Sprintf("the static binary calls dlopen%s: the shared objects it loads at run time need the glibc version it was linked with", where),
		fix)
	d.Detail = "this is dlopen, not NSS: in a static glibc binary dlopen loads the system's ld.so and libc.so.6 next to the object, and they must be the glibc version the binary was linked with"
	d.Severity = diag.Warning
	return d
}

// installFix is "install the package that ships FILE (Debian: pkg), ALT",
// or, when no package is known to ship it, says that instead of a name.
func (c *blockCtx) installFix(kind fileKind, name, file, alt string) string {
	if p := c.shipping(kind, name); p != "" {
		return fmt.Sprintf("install the package that ships %s (%s), %s", file, p, alt)
	}
	return fmt.Sprintf("install the development files that provide %s (no package known to cgotrace ships it: search your distribution's package index for %s), %s", file, file, alt)
}

// packageOf phrases the package that ships a file, for a parenthesis:
// "Debian: zlib1g-dev", or what it says when nothing is known.
func (c *blockCtx) packageOf(kind fileKind, file, unknown string, installed ...string) string {
	if p := c.shipping(kind, file, installed...); p != "" {
		return p
	}
	if unknown != "" {
		return unknown
	}
	return "no package known to cgotrace ships " + file
}
