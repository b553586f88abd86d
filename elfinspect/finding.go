package elfinspect

// Kind says what a Finding is about. The values are the diagnosis codes
// of report-v1 that a binary's inspection can produce; the caller (trace)
// maps each to its report-v1 diagnosis.
type Kind string

// The kinds of finding Inspect and Verify make.
const (
	// RuntimeLibraryMissing: a needed library (or preload) resolves to no
	// file, or resolves only because another object loaded it first.
	RuntimeLibraryMissing Kind = "runtime-library-missing"
	// StaticGlibcNSS: a static glibc binary calls NSS functions, which
	// load the host's libnss_*.so.2 at run time.
	StaticGlibcNSS Kind = "static-glibc-nss"
	// NotStatic: Verify with Static found a PT_INTERP, DT_NEEDED, or a
	// non-system dylib or DLL.
	NotStatic Kind = "not-static"
	// InsecureRpath: an RPATH, RUNPATH or LC_RPATH entry the loader would
	// search unsafely (or any entry, with NoRpath).
	InsecureRpath Kind = "insecure-rpath"
	// GlibcTooNew: the binary needs a GLIBC_ version newer than MaxGlibc.
	GlibcTooNew Kind = "glibc-too-new"
	// InterpreterMissing: the binary's PT_INTERP names no file of the
	// root (an image): exec fails with "no such file or directory".
	InterpreterMissing Kind = "interpreter-missing"
	// LibcMismatch: the binary was built for one C library (glibc, musl)
	// and the root has only the other.
	LibcMismatch Kind = "libc-mismatch"
	// NotRunnable: the file cannot be executed in the root at all: no
	// execute permission, or built for another architecture.
	NotRunnable Kind = "not-runnable"
)

// Kinds lists every Kind.
var Kinds = []Kind{RuntimeLibraryMissing, StaticGlibcNSS, NotStatic, InsecureRpath, GlibcTooNew,
	InterpreterMissing, LibcMismatch, NotRunnable}

// Severity of a finding.
type Severity string

// The severities, as report-v1 spells them.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Info    Severity = "info"
)

// Finding is one thing wrong with a binary. Its JSON is that of a
// report-v1 diagnosis without package and source (a binary knows
// neither): the field order and names are the same.
type Finding struct {
	Kind     Kind              `json:"code"`
	Severity Severity          `json:"severity"`
	Summary  string            `json:"summary"`
	Detail   string            `json:"detail,omitempty"`
	Fix      string            `json:"fix,omitempty"`
	Subject  map[string]string `json:"subject,omitempty"`
	Evidence []string          `json:"evidence,omitempty"`
}
