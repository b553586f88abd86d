// Package diag holds the diagnosis vocabulary of report-v1: the codes,
// severities and the Diagnosis record. It is a leaf package so that every
// producer (buildlog-based rules in trace, elfinspect's verify checks) and
// every renderer can share one type without an import cycle.
package diag

// Severity of a diagnosis.
type Severity string

const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Info    Severity = "info"
)

// Code is a stable diagnosis code from report-v1.md.
type Code string

// The diagnosis codes of report-v1.md.
const (
	CCNotFound                Code = "cc-not-found"
	CgoDisabled               Code = "cgo-disabled"
	CrossCCMismatch           Code = "cross-cc-mismatch"
	HeaderNotFound            Code = "header-not-found"
	PkgConfigNotFound         Code = "pkg-config-not-found"
	PkgConfigPackageNotFound  Code = "pkg-config-package-not-found"
	PkgConfigVersionMismatch  Code = "pkg-config-version-mismatch"
	InvalidCgoFlag            Code = "invalid-cgo-flag"
	LibraryNotFound           Code = "library-not-found"
	LibraryDevMissing         Code = "library-dev-missing"
	LibraryArchMismatch       Code = "library-arch-mismatch"
	StaticLibraryMissing      Code = "static-library-missing"
	UndefinedSymbol           Code = "undefined-symbol"
	CXXRuntimeMissing         Code = "cxx-runtime-missing"
	DSOMissingFromCommandLine Code = "dso-missing-from-command-line"
	MultipleDefinition        Code = "multiple-definition"
	PICRequired               Code = "pic-required"
	CgoUnknownName            Code = "cgo-unknown-name"
	StaticGlibcNSS            Code = "static-glibc-nss"
	CompileError              Code = "compile-error"
	LinkError                 Code = "link-error"
	RuntimeLibraryMissing     Code = "runtime-library-missing"
	NotStatic                 Code = "not-static"
	InsecureRpath             Code = "insecure-rpath"
	GlibcTooNew               Code = "glibc-too-new"
	InterpreterMissing        Code = "interpreter-missing"
	LibcMismatch              Code = "libc-mismatch"
	NotRunnable               Code = "not-runnable"
)

// Codes lists every code in the order of report-v1.md's table.
var Codes = []Code{
	CCNotFound, CgoDisabled, CrossCCMismatch, HeaderNotFound, PkgConfigNotFound,
	PkgConfigPackageNotFound, PkgConfigVersionMismatch, InvalidCgoFlag,
	LibraryNotFound, LibraryDevMissing, LibraryArchMismatch, StaticLibraryMissing,
	UndefinedSymbol, CXXRuntimeMissing, DSOMissingFromCommandLine,
	MultipleDefinition, PICRequired, CgoUnknownName, StaticGlibcNSS,
	CompileError, LinkError, RuntimeLibraryMissing, NotStatic, InsecureRpath,
	GlibcTooNew, InterpreterMissing, LibcMismatch, NotRunnable,
}

// Source is where a diagnosis traces back to: a #cgo line, or a C file:line.
type Source struct {
	File   string `json:"file"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
}

// Diagnosis is one finding. Field order is the JSON order of report-v1.
type Diagnosis struct {
	Code     Code              `json:"code"`
	Severity Severity          `json:"severity"`
	Package  string            `json:"package,omitempty"`
	Summary  string            `json:"summary"`
	Detail   string            `json:"detail,omitempty"`
	Fix      string            `json:"fix,omitempty"`
	Subject  map[string]string `json:"subject,omitempty"`
	Source   *Source           `json:"source,omitempty"`
	Evidence []string          `json:"evidence,omitempty"`
}
