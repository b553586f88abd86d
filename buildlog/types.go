// Package buildlog parses what `go build` prints: `-x` (and `-n`) traces in
// plain text or as `go build -json` BuildEvents, the error blocks of plain
// logs without `-x`, and the messages of the tools inside them (gcc/clang,
// GNU ld/gold/lld, collect2, Apple ld, pkg-config/pkgconf, cmd/cgo, cmd/go,
// cmd/link). It never executes anything.
package buildlog

// RecordKind says what a record of the trace is.
type RecordKind string

const (
	RecWork    RecordKind = "work"    // WORK=/tmp/go-build...
	RecCd      RecordKind = "cd"      // cd DIR (changes the shared cwd)
	RecCommand RecordKind = "command" // a command line (external or # internal)
	RecHeredoc RecordKind = "heredoc" // cat >F << 'EOF' ... EOF, kept whole
)

// Record is one traced command of a `-x` log.
type Record struct {
	// Line is the 1-based line number where the record starts in the input.
	Line int        `json:"line"`
	Kind RecordKind `json:"kind"`
	// ImportPath is the package the record belongs to: from the BuildEvent
	// with -json, else inferred from the action's objdir ($WORK/bNNN).
	ImportPath string `json:"import_path,omitempty"`
	// Action is the bNNN objdir the command works in, when it names one.
	Action string `json:"action,omitempty"`
	// Dir is the working directory the command runs in (the shared cwd
	// tracked across the stream, $WORK resolved when WORK= was seen).
	Dir string `json:"dir,omitempty"`
	// Env holds NAME=value prefixes, in order, as "NAME=value".
	Env []string `json:"env,omitempty"`
	// Argv is the command, unquoted (Go quoting and shell words).
	Argv []string `json:"argv,omitempty"`
	// Step is the report-v1 step kind (cc-compile, cgo, host-link, ...).
	Step string `json:"step,omitempty"`
	// Output is the -o file of the command, when it has one.
	Output string `json:"output,omitempty"`
	// Suffix is the informative trailer read from the raw line before
	// tokenizing: "internal", "test for internal linking errors (failed)",
	// "|| true".
	Suffix string `json:"suffix,omitempty"`
	// Body is a heredoc's body (without the EOF line).
	Body string `json:"body,omitempty"`
	// Raw is the line as printed.
	Raw string `json:"raw"`
}

// Block is the tool output go build printed for one action under a
// `# importpath` header (an error, or a warning when the step succeeded),
// or an unattributed `importpath: message` line.
type Block struct {
	Line       int    `json:"line"`
	ImportPath string `json:"import_path"`
	// Desc is the bracketed second header line, e.g.
	// "pkg-config --cflags  -- libfoo" from `# [pkg-config --cflags  -- libfoo]`.
	Desc  string   `json:"desc,omitempty"`
	Lines []string `json:"lines"`
	// Messages are Lines parsed by ParseMessages.
	Messages []Message `json:"messages,omitempty"`
	// Failed is true when the block shows its package's build failing:
	// a line that is no warning, note or context (any tool's message,
	// recognised or not).
	Failed bool `json:"failed,omitempty"`
	// Run is true for the block of a program that go run or go test
	// built and that could not start (the loader's message): output of
	// the command, not of the build, and no build failure.
	Run bool `json:"run,omitempty"`
}

// HostLink is the external link cmd/link ran: from a `host link:` line
// (-ldflags=-v) or from the command printed after `running gcc failed`.
type HostLink struct {
	Line       int      `json:"line"`
	ImportPath string   `json:"import_path,omitempty"`
	Argv       []string `json:"argv"`
	// Failed is true when it comes from a `running X failed` block.
	Failed bool `json:"failed"`
	// ObjCopies maps /tmp/go-link-NNN/0000NN.o to the package object it
	// was copied from (`host obj copy:` lines), e.g.
	// "$WORK/b002/_pkg_.a(_x002.o) from pkg example.com/e1/cz".
	ObjCopies map[string]ObjCopy `json:"obj_copies,omitempty"`
}

// ObjCopy is one `host obj copy: SRC from pkg PKG -> DST` line.
type ObjCopy struct {
	Src        string `json:"src"`
	ImportPath string `json:"import_path"`
}

// Outcome is what the log says about the build's result.
type Outcome string

const (
	OutcomeUnknown Outcome = "unknown" // no evidence either way (truncated?)
	OutcomeSuccess Outcome = "success"
	OutcomeFailure Outcome = "failure"
)

// Log is a parsed build log.
type Log struct {
	// JSON is true when the input was `go build -json` BuildEvents.
	JSON bool `json:"json"`
	// Trace is true when the log contains -x (or -n) command lines.
	Trace bool `json:"trace"`
	// Work is the WORK= directory, when printed.
	Work      string     `json:"work,omitempty"`
	Records   []Record   `json:"records,omitempty"`
	Blocks    []Block    `json:"blocks,omitempty"`
	HostLinks []HostLink `json:"host_links,omitempty"`
	// FailedPackages are import paths with a build-fail event (-json), or
	// with an error block.
	FailedPackages []string `json:"failed_packages,omitempty"`
	Outcome        Outcome  `json:"outcome"`
	// Lines is the number of input lines read; Skipped those that could
	// not be made sense of (invalid, truncated, unknown shape).
	Lines   int `json:"lines"`
	Skipped int `json:"skipped"`
	// LongLines counts lines longer than MaxLineBytes (kept as head and
	// tail around a marker).
	LongLines int `json:"long_lines,omitempty"`

	// CI is true when the log carries a CI system's decorations (GitHub
	// Actions, BuildKit, docker build, GitLab, Jenkins), removed by the
	// front end before parsing.
	CI bool `json:"ci,omitempty"`
	// CIExitCode is the exit code a CI trailer reported (`##[error]Process
	// completed with exit code 1.`, `ERROR: Job failed: exit code 1`,
	// BuildKit's `exit code: 1`), nil when there is none.
	CIExitCode *int `json:"ci_exit_code,omitempty"`
	// Commands are the go commands the log shows being run (shell prompt
	// lines of a pasted snippet, a CI system's echo of the step).
	Commands []LoggedCommand `json:"commands,omitempty"`
	// NoFinalLink is true for a successful build whose log shows no
	// program being linked: library packages only.
	NoFinalLink bool `json:"no_final_link,omitempty"`
	// Truncated says how the log looks cut off, "" when it does not: the
	// last line has no end, a heredoc or a failed link's command is open,
	// the trace stops in the middle of a package's steps.
	Truncated string `json:"truncated,omitempty"`
	// CutLine is the number of the last line when it is an error message
	// cut midway (no line end): it is left out of the block's messages,
	// since a name on it may be cut too. CutText is what it holds.
	CutLine int    `json:"cut_line,omitempty"`
	CutText string `json:"cut_text,omitempty"`
	// TestsFailed are packages whose tests failed (go test): their build
	// succeeded.
	TestsFailed []string `json:"tests_failed,omitempty"`
}

// MessageKind classifies a tool message by what it names.
type MessageKind string

const (
	MsgOther              MessageKind = "other"
	MsgHeaderNotFound     MessageKind = "header-not-found"       // fatal error: foo.h: No such file or directory
	MsgCCNotFound         MessageKind = "cc-not-found"           // cgo: C compiler "x" not found / exec: "gcc": executable file not found
	MsgPkgConfigNotFound  MessageKind = "pkg-config-not-found"   // exec: "pkg-config": executable file not found
	MsgPkgConfigPackage   MessageKind = "pkg-config-package"     // Package foo was not found in the pkg-config search path
	MsgPkgConfigVersion   MessageKind = "pkg-config-version"     // Package dependency requirement 'gadget >= 2.0' could not be satisfied
	MsgPkgConfigExit      MessageKind = "pkg-config-exit"        // pkg: pkg-config: exit status 1
	MsgInvalidFlag        MessageKind = "invalid-flag"           // invalid flag in #cgo LDFLAGS: -x
	MsgMalformedCgoArg    MessageKind = "malformed-cgo-argument" // malformed #cgo argument: x
	MsgCgoUnknownName     MessageKind = "cgo-unknown-name"       // could not determine what C.foo refers to
	MsgCannotFindLib      MessageKind = "cannot-find-library"    // ld: cannot find -lfoo
	MsgSkippingIncompat   MessageKind = "skipping-incompatible"  // ld: skipping incompatible X when searching for -lfoo
	MsgUndefinedReference MessageKind = "undefined-reference"    // undefined reference to `foo'
	MsgUndefinedSymbolDSO MessageKind = "undefined-symbol-dso"   // undefined reference to symbol 'cos@@GLIBC_2.2.5'
	MsgDSOMissing         MessageKind = "dso-missing"            // X: error adding symbols: DSO missing from command line
	MsgMultipleDefinition MessageKind = "multiple-definition"    // multiple definition of `foo'
	MsgPICRequired        MessageKind = "pic-required"           // relocation ... recompile with -fPIE
	MsgStaticNSS          MessageKind = "static-nss"             // Using 'getaddrinfo' in statically linked applications ...
	MsgNeededNotFound     MessageKind = "needed-not-found"       // warning: libdep.so.1, needed by X, not found
	MsgCompileError       MessageKind = "compile-error"          // file:line:col: error: ...
	MsgLinkFailed         MessageKind = "link-failed"            // link: running gcc failed: exit status 1
	MsgCollect2           MessageKind = "collect2"               // collect2: error: ld returned 1 exit status
	MsgBuildConstraints   MessageKind = "build-constraints"      // build constraints exclude all Go files in DIR
	MsgGoUndefined        MessageKind = "go-undefined"           // x.go:3:28: undefined: cAnswer
	MsgUnrecognizedOption MessageKind = "unrecognized-option"    // gcc: error: unrecognized command-line option '-marm'
	MsgAssembler          MessageKind = "assembler"              // Assembler messages / Error: no such instruction
	MsgInLinkerScript     MessageKind = "linker-script"          // file format not recognized; treating as linker script / syntax error
	MsgExecNotFound       MessageKind = "exec-not-found"         // pkg: exec: "zig": executable file not found (which tool it was, the message does not say)
	MsgCommandFailed      MessageKind = "command-failed"         // pkg: /path/prog: exit status 1 (a command go ran failed without output)
	MsgRuntimeLoad        MessageKind = "runtime-load"           // the built program could not start: error while loading shared libraries, a missing DLL, dyld
)

// Message is one structured tool message.
type Message struct {
	Kind MessageKind `json:"kind"`
	// Tool that printed it, as far as the text tells: gcc, ld, collect2,
	// cgo, go, link, pkg-config.
	Tool     string `json:"tool,omitempty"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Column   int    `json:"column,omitempty"`
	Severity string `json:"severity"` // error | warning | note | info
	Text     string `json:"text"`
	// What the message names (only the fields that apply are set).
	Header    string `json:"header,omitempty"`
	Library   string `json:"library,omitempty"` // "foo" for -lfoo, or a path
	Symbol    string `json:"symbol,omitempty"`  // as printed (ld demangles C++ by default)
	Mangled   string `json:"mangled,omitempty"` // the mangled form when known
	Demangled string `json:"demangled,omitempty"`
	Package   string `json:"package,omitempty"` // pkg-config package
	Flag      string `json:"flag,omitempty"`
	Object    string `json:"object,omitempty"`   // object or archive member
	Function  string `json:"function,omitempty"` // "in function `X'" context
	Name      string `json:"name,omitempty"`     // C.name for cgo-unknown-name
	// Program is the executable a not-found message names (CC, PKG_CONFIG).
	Program string `json:"program,omitempty"`
	// Wanted and Version are a pkg-config version constraint that failed
	// (">= 2.0") and the version installed ("1.5.0"), when printed.
	Wanted  string `json:"wanted,omitempty"`
	Version string `json:"version,omitempty"`
	// Raw holds the line(s) the message was parsed from.
	Raw []string `json:"raw"`
}
