package buildlog

import (
	"strconv"
	"strings"
)

// Message kinds beyond those in types.go.
const (
	MsgCompilerWarning  MessageKind = "compiler-warning"       // file:line:col: warning: ...
	MsgCompilerNote     MessageKind = "compiler-note"          // file:line:col: note: ...
	MsgInternalLinking  MessageKind = "internal-linking"       // link: internal linking requested but external linking required
	MsgCFilesWithoutCgo MessageKind = "c-files-without-cgo"    // C source files not allowed when not using cgo or SWIG: x.c
	MsgRequiresCgo      MessageKind = "requires-cgo"           // go: -race requires cgo; enable cgo by setting CGO_ENABLED=1
	MsgSymbolsNotFound  MessageKind = "symbols-not-found"      // ld: symbol(s) not found for architecture arm64 (Apple summary)
	MsgFileNotRecog     MessageKind = "file-not-recognized"    // ld: X: file not recognized: file format not recognized
	MsgExecStack        MessageKind = "executable-stack"       // ld: warning: X: missing .note.GNU-stack section implies executable stack
	MsgCompilerKilled   MessageKind = "compiler-out-of-memory" // virtual memory exhausted / Killed signal terminated program cc1
	MsgLinkVerbose      MessageKind = "link-verbose"           // cmd/link -v: host link: "gcc" ..., host obj copy: ..., build mode: ...
)

// Severities of a Message.
const (
	SevError   = "error"
	SevWarning = "warning"
	SevNote    = "note"
	SevInfo    = "info" // not a diagnostic, or its severity is not known
)

// Tools named in Message.Tool.
const (
	ToolGCC       = "gcc" // the compiler driver or its passes (gcc, clang, cc1)
	ToolAs        = "as"
	ToolLd        = "ld" // GNU ld, gold, lld, Apple ld
	ToolCollect2  = "collect2"
	ToolCgo       = "cgo"
	ToolGo        = "go" // cmd/go
	ToolCompile   = "compile"
	ToolLink      = "link" // cmd/link
	ToolPkgConfig = "pkg-config"
)

// ParseMessages parses the tool output lines of one error (or warning)
// block into messages, one per diagnostic. Lines that continue a
// diagnostic are attached to it (in Raw) instead of becoming messages of
// their own: gcc's source and caret lines (`    3 | #include <foo.h>`,
// `      |  ^~~`), `compilation terminated.`, pkg-config's "Perhaps you
// should add ..." lines, lld's `>>> referenced by` lines, Apple ld's
// `      _main in main.o` lines, and the external command line cmd/link
// prints after `running gcc failed`. Context lines (gcc's `In function
// 'f':` and `In file included from`, ld's "X: in function `f':", the
// assembler's `X: Assembler messages:`, Apple's `Undefined symbols for
// architecture A:`) fill Function/Object of the messages that follow and
// are kept in the Raw of the first one. Empty lines and `# header` lines
// are skipped; any other line becomes a MsgOther message, so nothing is
// lost. Raw slices share the backing array of lines.
func ParseMessages(lines []string) []Message {
	p := msgParser{lines: lines, ctxStart: -1}
	// One allocation: an upper bound of the messages is the number of
	// lines that can start one (continuations start with a space or >>>).
	n := 0
	for _, l := range lines {
		if l != "" && l[0] != ' ' && l[0] != '>' && l[0] != '#' && l[0] != '\r' {
			n++
		}
	}
	p.out = make([]Message, 0, n)
	for i, line := range lines {
		p.line(i, msgTrimCR(line))
	}
	return p.out
}

// ParseMessage parses one line on its own (no context from the lines
// around it). ok is false when the line is not a recognisable tool
// message; m is then a MsgOther message holding the line.
func ParseMessage(line string) (m Message, ok bool) {
	line = msgTrimCR(line)
	ok = classifyMessage(line, &m)
	m.Raw = []string{line}
	return m, ok
}

type msgParser struct {
	lines []string
	out   []Message
	// last is the index in out of the message continuation lines attach
	// to (-1: none); lastStart/lastEnd are its Raw bounds in lines.
	last, lastStart, lastEnd int
	hasLast                  bool
	// ctxStart is the first pending context line, to be put at the head
	// of the next message's Raw (-1: none).
	ctxStart int
	// gcc "FILE: In function 'f':" context.
	gccFile, gccFunc string
	// ld "OBJ: in function `f':" context.
	ldObj, ldFunc string
	// Apple "Undefined symbols for architecture A:" section.
	apple bool
	// lld: the last message accepts ">>> " lines.
	lldOpen bool
	// cmd/link printed `running X failed: exit status N`: the next line
	// is X's command line.
	wantCmd string
}

// msgContextKind is what a context line sets.
type msgContextKind int

const (
	msgCtxNone msgContextKind = iota
	msgCtxGCCFunc
	msgCtxLdFunc
	msgCtxInclude
	msgCtxAssembler
	msgCtxApple
)

func (p *msgParser) attach(i int) bool {
	if !p.hasLast || p.lastEnd != i {
		return false
	}
	p.lastEnd = i + 1
	p.out[p.last].Raw = p.lines[p.lastStart:p.lastEnd:p.lastEnd]
	return true
}

func (p *msgParser) line(i int, line string) {
	if strings.TrimSpace(line) == "" {
		p.ctxStart = -1
		return
	}
	if strings.HasPrefix(line, "# ") || line == "#" {
		// A `# importpath` or `# [desc]` header of go build, not a tool
		// message: a new block starts, the contexts end.
		p.reset()
		return
	}
	// Continuations of the previous message.
	if p.wantCmd != "" {
		prog := p.wantCmd
		p.wantCmd = ""
		if isCommandOf(line, prog) && p.attach(i) {
			return
		}
	}
	if isSourceContext(line) || line == "compilation terminated." {
		if p.attach(i) {
			return
		}
	}
	if strings.HasPrefix(line, "Perhaps you should add the directory containing") ||
		line == "to the PKG_CONFIG_PATH environment variable" {
		if p.attach(i) {
			return
		}
	}
	if p.hasLast && p.out[p.last].Kind == MsgRuntimeLoad {
		// dyld: "  Referenced from: /path/prog" and "  Reason: image not found".
		t := strings.TrimSpace(line)
		if r, ok := strings.CutPrefix(t, "Referenced from: "); ok && p.attach(i) {
			p.out[p.last].Object = r
			return
		}
		if strings.HasPrefix(t, "Reason: ") && p.attach(i) {
			return
		}
	}
	if p.lldOpen && strings.HasPrefix(line, ">>> ") {
		if p.attach(i) {
			p.lldDetail(line)
			return
		}
	}
	if p.apple {
		if s, ok := strings.CutPrefix(strings.TrimSpace(line), `"`); ok && strings.HasSuffix(line, `", referenced from:`) {
			sym := strings.TrimSuffix(s, `", referenced from:`)
			m := Message{Kind: MsgUndefinedReference, Tool: ToolLd, Severity: SevError,
				Text: strings.TrimSpace(line), Symbol: sym}
			m.Mangled, m.Demangled = Demangle(sym)
			p.emit(i, m)
			return
		}
		// "      _main in main.o", and Apple's "     (maybe you meant: X)"
		// and "     implicit entry/start for main executable".
		if strings.HasPrefix(line, "    ") && p.attach(i) {
			p.appleDetail(line)
			return
		}
		p.apple = false
	}
	// Context lines.
	switch k := msgContextOf(line); k {
	case msgCtxGCCFunc:
		p.startCtx(i)
		p.gccFile, p.gccFunc = gccFuncContext(line)
		return
	case msgCtxLdFunc:
		p.startCtx(i)
		p.ldObj, p.ldFunc = ldFuncContext(line)
		return
	case msgCtxInclude, msgCtxAssembler:
		p.startCtx(i)
		return
	case msgCtxApple:
		p.startCtx(i)
		p.apple = true
		return
	}

	var m Message
	classifyMessage(line, &m)
	p.applyContext(&m)
	p.emit(i, m)
	if m.Kind == MsgLinkFailed && strings.Contains(m.Text, "exit status") {
		p.wantCmd = m.Program
	}
}

func (p *msgParser) startCtx(i int) {
	// Context lines in a row (an include chain) share one start; a blank
	// line or a message in between ends the pending context.
	if p.ctxStart < 0 {
		p.ctxStart = i
	}
	p.hasLast = false
	p.lldOpen = false
}

func (p *msgParser) reset() {
	p.ctxStart = -1
	p.gccFile, p.gccFunc = "", ""
	p.ldObj, p.ldFunc = "", ""
	p.apple = false
	p.lldOpen = false
	p.hasLast = false
	p.wantCmd = ""
}

func (p *msgParser) emit(i int, m Message) {
	start := i
	if p.ctxStart >= 0 && p.ctxStart < i {
		start = p.ctxStart
	}
	p.ctxStart = -1
	m.Raw = p.lines[start : i+1 : i+1]
	p.out = append(p.out, m)
	p.last, p.lastStart, p.lastEnd, p.hasLast = len(p.out)-1, start, i+1, true
	// Only lld prints ">>> " detail lines, after its own messages.
	p.lldOpen = m.Tool == ToolLd
}

// applyContext fills Function/Object from the pending gcc or ld context.
func (p *msgParser) applyContext(m *Message) {
	if p.gccFunc != "" && m.File != "" && m.File == p.gccFile &&
		(m.Tool == ToolGCC || m.Tool == "") && m.Function == "" {
		m.Function = p.gccFunc
	}
	if p.ldFunc == "" && p.ldObj == "" {
		return
	}
	switch m.Kind {
	case MsgUndefinedReference, MsgMultipleDefinition, MsgStaticNSS, MsgPICRequired, MsgOther:
		if m.Tool != "" && m.Tool != ToolLd {
			return
		}
		if m.Kind == MsgOther && m.File == "" {
			return
		}
		m.Tool = ToolLd
		if m.Object == "" {
			m.Object = p.ldObj
		}
		if m.Function == "" {
			m.Function = p.ldFunc
		}
		if m.Name == "" {
			if n, ok := CgoName(m.Function); ok {
				m.Name = n
			}
		}
	default:
		// Another kind of message: the "in function" context is over.
		p.ldObj, p.ldFunc = "", ""
	}
}

// lldDetail reads lld's ">>> referenced by FILE:LINE" and
// ">>>               OBJ:(FUNC)" lines into the last message.
func (p *msgParser) lldDetail(line string) {
	m := &p.out[p.last]
	s := strings.TrimSpace(strings.TrimPrefix(line, ">>>"))
	if rest, ok := strings.CutPrefix(s, "defined in "); ok {
		// "defined in LIB(OBJ)" (where a relocation's target is); not
		// "defined in: X" (where a near miss of an undefined symbol is).
		if m.Object == "" {
			m.Object = rest
		}
		return
	}
	for _, lead := range [...]string{"referenced by ", "defined at "} {
		if rest, ok := strings.CutPrefix(s, lead); ok {
			if m.File == "" {
				// "main.go:9 (/full/path/main.go:9)": prefer the full path.
				loc := rest
				if j := strings.Index(loc, " ("); j >= 0 && strings.HasSuffix(loc, ")") {
					loc = loc[j+2 : len(loc)-1]
				} else if j := strings.IndexByte(loc, ' '); j >= 0 {
					loc = loc[:j]
				}
				if f, l, _, r, ok := parseMsgLocation(loc + ": "); ok && r == "" {
					m.File, m.Line = f, l
				} else {
					m.File = loc
				}
			}
			return
		}
	}
	// OBJ:(FUNC), or OBJ:(FUNC) in archive LIB
	archive := ""
	if j := strings.LastIndex(s, ") in archive "); j > 0 {
		s, archive = s[:j+1], s[j+len(") in archive "):]
	}
	if j := strings.LastIndex(s, ":("); j > 0 && strings.HasSuffix(s, ")") {
		if m.Object == "" {
			m.Object = s[:j]
			if archive != "" {
				m.Object = archive + "(" + s[:j] + ")" // as GNU ld names it
			}
		}
		fn := s[j+2 : len(s)-1]
		if m.Function == "" && !strings.HasPrefix(fn, ".") {
			m.Function = fn
			if n, ok := CgoName(fn); ok && m.Name == "" {
				m.Name = n
			}
		}
	}
}

// appleDetail reads Apple ld's "      _main in main.o" lines.
func (p *msgParser) appleDetail(line string) {
	m := &p.out[p.last]
	s := strings.TrimSpace(line)
	fn, obj, ok := strings.Cut(s, " in ")
	if !ok || m.Function != "" {
		return
	}
	m.Function, m.Object = fn, obj
	if n, ok := CgoName(fn); ok && m.Name == "" {
		m.Name = n
	}
}

// isCommandOf reports whether line is the command line cmd/link printed
// for the external linker prog (its first word is prog or a path to it).
func isCommandOf(line, prog string) bool {
	w := line
	if j := strings.IndexByte(w, ' '); j >= 0 {
		w = w[:j]
	}
	return w == prog || msgBase(w) == msgBase(prog)
}

// isSourceContext reports whether line is one of gcc's source-context
// lines: `    5 |   return x;`, `      |          ^~~~`, `  +++ |+#include`.
func isSourceContext(line string) bool {
	if line == "" || line[0] != ' ' {
		return false
	}
	i := 0
	for i < len(line) && line[i] == ' ' {
		i++
	}
	j := i
	for j < len(line) && ('0' <= line[j] && line[j] <= '9' || line[j] == '+') {
		j++
	}
	if j > i && (j >= len(line) || line[j] != ' ') {
		return false
	}
	for j < len(line) && line[j] == ' ' {
		j++
	}
	return j < len(line) && line[j] == '|'
}

func msgContextOf(line string) msgContextKind {
	switch {
	case strings.HasPrefix(line, "In file included from ") ||
		strings.HasPrefix(line, "                 from "):
		return msgCtxInclude
	case strings.HasSuffix(line, ": Assembler messages:"):
		return msgCtxAssembler
	case strings.HasPrefix(line, "Undefined symbols for architecture ") && strings.HasSuffix(line, ":"):
		return msgCtxApple
	case strings.HasSuffix(line, ":") && strings.Contains(line, ": In function `"):
		// binutils < 2.29: "OBJ: In function `f':" (gcc quotes 'f' or ‘f’).
		return msgCtxLdFunc
	case strings.HasSuffix(line, ":") && (strings.Contains(line, ": In function ") ||
		strings.Contains(line, ": In member function ") || strings.HasSuffix(line, ": At top level:") ||
		strings.Contains(line, ": In instantiation of ") || strings.Contains(line, ": In constructor ") ||
		strings.Contains(line, ": In destructor ")):
		return msgCtxGCCFunc
	case strings.HasSuffix(line, ":") && strings.Contains(line, ": in function "):
		return msgCtxLdFunc
	}
	return msgCtxNone
}

// gccFuncContext parses "./main.go: In function 'scaled':".
func gccFuncContext(line string) (file, fn string) {
	for _, lead := range []string{": In function ", ": In member function ", ": In constructor ", ": In destructor "} {
		if j := strings.Index(line, lead); j >= 0 {
			q, _, _ := cutToolQuoted(line[j+len(lead):])
			return line[:j], q
		}
	}
	if j := strings.Index(line, ": "); j >= 0 {
		return line[:j], ""
	}
	return "", ""
}

// ldFuncContext parses "/usr/bin/ld: OBJ: in function `f':" (the tool
// prefix is optional).
func ldFuncContext(line string) (obj, fn string) {
	j := strings.LastIndex(line, ": in function ")
	if j < 0 {
		j = strings.LastIndex(line, ": In function ")
	}
	fn, _, _ = cutToolQuoted(line[j+len(": in function "):])
	obj = line[:j]
	if _, rest, ok := splitLdTool(obj); ok {
		obj = rest
	}
	return obj, fn
}

// classify parses one line into m (all fields but Raw). It reports
// whether the line was recognised as a tool message.
func classifyMessage(line string, m *Message) bool {
	m.Kind, m.Severity, m.Text = MsgOther, SevInfo, line
	if line == "" {
		return false
	}
	if isLinkVerbose(line) {
		m.Tool, m.Kind = ToolLink, MsgLinkVerbose
		return true
	}
	if r, ok := cutCollect2(line); ok {
		m.Tool, m.Kind, m.Severity = ToolCollect2, MsgCollect2, SevError
		m.Text = strings.TrimPrefix(r, "error: ")
		return true
	}
	if _, rest, ok := splitLdTool(line); ok {
		m.Tool = ToolLd
		classifyLd(rest, m)
		return true
	}
	if classifyGo(line, m) || classifyPkgConfig(line, m) {
		return true
	}
	// gcc/clang/cc1 driver messages: "gcc: error: ...".
	if j := strings.Index(line, ": "); j > 0 && isCompilerTool(line[:j]) {
		m.Tool = ToolGCC
		rest := line[j+2:]
		sev, text := cutSeverity(rest)
		m.Severity, m.Text = sevOr(sev, SevError), text
		m.Kind = MsgCompileError
		switch {
		case strings.Contains(text, "unrecognized command-line option") ||
			strings.Contains(text, "unrecognized command line option") ||
			strings.Contains(text, "unknown argument") ||
			strings.Contains(text, "unrecognized argument in option"):
			m.Kind = MsgUnrecognizedOption
			if k := strings.IndexAny(text, "'‘`\""); k >= 0 {
				m.Flag, _, _ = cutToolQuoted(text[k:])
			} else if k := strings.LastIndex(text, ": "); k >= 0 {
				m.Flag = strings.TrimSpace(text[k+2:])
			}
		case strings.Contains(text, "linker command failed"):
			m.Kind = MsgCollect2
		case strings.Contains(text, "Killed signal terminated program"):
			m.Kind = MsgCompilerKilled
		case sev == SevWarning:
			m.Kind = MsgCompilerWarning
		case sev == SevNote:
			m.Kind = MsgCompilerNote
		}
		return true
	}
	if strings.HasPrefix(line, "virtual memory exhausted") {
		m.Tool, m.Kind, m.Severity = ToolGCC, MsgCompilerKilled, SevError
		return true
	}
	if strings.HasPrefix(line, "error: no include path in which to search for ") {
		m.Tool, m.Kind, m.Severity = ToolGCC, MsgHeaderNotFound, SevError
		m.Header = strings.TrimPrefix(line, "error: no include path in which to search for ")
		m.Text = strings.TrimPrefix(line, "error: ")
		return true
	}
	// Located messages.
	file, ln, col, rest, ok := parseMsgLocation(line)
	if !ok {
		// "FILE: error: text" without a line (<command-line>, cc1plus).
		if j := strings.Index(line, ": "); j > 0 && !strings.Contains(line[:j], " ") {
			if sev, text := cutSeverity(line[j+2:]); sev != "" {
				m.Tool, m.File, m.Severity, m.Text = ToolGCC, line[:j], sev, text
				m.Kind = compilerKind(sev)
				return true
			}
		}
		// ld messages without the ld prefix (after "in function" lines).
		if classifyLdText(line, m) {
			m.Tool = ToolLd
			return true
		}
		return false
	}
	m.File, m.Line, m.Column = file, ln, col
	// Assembler: "gcc_arm64.S:30: Error: no such instruction: ...".
	for _, s := range [...]struct{ lead, sev string }{{"Error: ", SevError}, {"Warning: ", SevWarning}} {
		if t, ok := strings.CutPrefix(rest, s.lead); ok {
			m.Tool, m.Kind, m.Severity, m.Text = ToolAs, MsgAssembler, s.sev, t
			return true
		}
	}
	if sev, text := cutSeverity(rest); sev != "" {
		m.Severity, m.Text = sev, text
		if col == 0 && classifyLdText(line[len(line)-len(rest):], m) {
			// gold: "main.c:5: error: undefined reference to 'foo'".
			m.Tool, m.File, m.Line = ToolLd, file, ln
			m.Severity = sev
			return true
		}
		m.Tool = ToolGCC
		m.Kind = compilerKind(sev)
		classifyCompilerText(text, m)
		return true
	}
	// ld with a source location: "main.cgo2.c:57: undefined reference to `f'".
	if classifyLdText(line, m) {
		m.Tool = ToolLd
		return true
	}
	// Go compiler (no severity word) and cgo.
	m.Text, m.Severity = rest, SevError
	if n, ok := strings.CutPrefix(rest, "undefined: "); ok {
		m.Tool, m.Kind, m.Name = ToolCompile, MsgGoUndefined, n
		return true
	}
	if n, ok := cgoUnknownName(rest); ok {
		m.Tool, m.Kind, m.Name = ToolCgo, MsgCgoUnknownName, n
		return true
	}
	m.Tool, m.Kind = ToolCompile, MsgCompileError
	return true
}

// isLinkVerbose reports whether line is printed by cmd/link -v
// (-ldflags=-v), which go build shows in the link action's block.
func isLinkVerbose(line string) bool {
	for _, p := range [...]string{"host link: ", "host obj copy: ", "build mode: ", "HEADER = ", "archive: "} {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return false
}

// cgoUnknownName parses cgo's "could not determine what C.foo refers to"
// (Go 1.26) and "could not determine kind of name for C.foo" (older).
func cgoUnknownName(s string) (string, bool) {
	if r, ok := strings.CutPrefix(s, "could not determine what "); ok {
		if n, ok := strings.CutSuffix(r, " refers to"); ok {
			return n, true
		}
	}
	if r, ok := strings.CutPrefix(s, "could not determine kind of name for "); ok {
		return r, true
	}
	return "", false
}

func compilerKind(sev string) MessageKind {
	switch sev {
	case SevWarning:
		return MsgCompilerWarning
	case SevNote:
		return MsgCompilerNote
	}
	return MsgCompileError
}

func sevOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// classifyCompilerText refines a located gcc/clang diagnostic.
func classifyCompilerText(text string, m *Message) {
	if h, ok := strings.CutSuffix(text, ": No such file or directory"); ok && m.Severity == SevError {
		// gcc: "fatal error: foo.h: No such file or directory".
		m.Kind, m.Header = MsgHeaderNotFound, h
		return
	}
	if r, ok := strings.CutSuffix(text, " file not found"); ok && m.Severity == SevError {
		// clang: "fatal error: 'foo.h' file not found".
		if q, rest, ok := cutToolQuoted(r); ok && rest == "" {
			m.Kind, m.Header = MsgHeaderNotFound, q
			return
		}
	}
	if j := strings.Index(text, "implicit declaration of function "); j >= 0 {
		if q, _, ok := cutToolQuoted(text[j+len("implicit declaration of function "):]); ok {
			m.Symbol = q
		}
	}
	if strings.Contains(text, "unrecognized command-line option") {
		m.Kind = MsgUnrecognizedOption
		if q, _, ok := cutToolQuoted(text[strings.Index(text, "option")+len("option"):]); ok {
			m.Flag = q
		}
	}
}

// cutSeverity splits "fatal error: x" into ("error", "x"), also for
// "error:", "warning:", "note:", "remark:" (-> note) and ld's "NOTE:".
func cutSeverity(s string) (sev, text string) {
	switch {
	case strings.HasPrefix(s, "fatal error: "):
		return SevError, s[len("fatal error: "):]
	case strings.HasPrefix(s, "error: "):
		return SevError, s[len("error: "):]
	case strings.HasPrefix(s, "warning: "):
		return SevWarning, s[len("warning: "):]
	case strings.HasPrefix(s, "note: "):
		return SevNote, s[len("note: "):]
	case strings.HasPrefix(s, "NOTE: "):
		return SevNote, s[len("NOTE: "):]
	case strings.HasPrefix(s, "remark: "):
		return SevNote, s[len("remark: "):]
	}
	return "", s
}

// parseLocation parses "FILE:LINE[:COL]: REST". FILE has no ": " in it and
// is not empty.
func parseMsgLocation(s string) (file string, line, col int, rest string, ok bool) {
	from := 0
	if len(s) > 2 && s[1] == ':' && (s[2] == '\\' || s[2] == '/') {
		from = 2 // C:\ drive letter
	}
	for {
		j := strings.IndexByte(s[from:], ':')
		if j < 0 {
			return "", 0, 0, "", false
		}
		j += from
		if j+1 < len(s) && s[j+1] == ' ' {
			// "X: " before any FILE:LINE: not a located message.
			return "", 0, 0, "", false
		}
		if j > 0 && j+1 < len(s) && msgIsDigit(s[j+1]) {
			n, k := msgAtoi(s, j+1)
			k = skipCgoPos(s, k)
			if k < len(s) && s[k] == ':' {
				file, line = s[:j], n
				k++
				if k < len(s) && msgIsDigit(s[k]) {
					c, k2 := msgAtoi(s, k)
					k2 = skipCgoPos(s, k2)
					if k2 < len(s) && s[k2] == ':' {
						col, k = c, k2+1
					}
				}
				if k == len(s) || s[k] == ' ' {
					return file, line, col, strings.TrimLeft(s[k:], " "), true
				}
				return "", 0, 0, "", false
			}
		}
		from = j + 1
	}
}

// skipCgoPos skips the "[/tmp/go-build/x.cgo1.go:18]" that older Go
// releases print after a position in a cgo file with -x
// ("x.go:19[/tmp/go-build/x.cgo1.go:18]: ...").
func skipCgoPos(s string, k int) int {
	if k < len(s) && s[k] == '[' {
		if e := strings.IndexByte(s[k:], ']'); e > 0 {
			return k + e + 1
		}
	}
	return k
}

func msgIsDigit(c byte) bool { return '0' <= c && c <= '9' }

// atoi reads the decimal number at s[i:], saturating instead of
// overflowing; it returns the number and the index after it.
func msgAtoi(s string, i int) (int, int) {
	n := 0
	for i < len(s) && msgIsDigit(s[i]) {
		if n < 1<<40 {
			n = n*10 + int(s[i]-'0')
		}
		i++
	}
	return n, i
}

func msgBase(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

// splitLdTool splits a line that starts with a linker's name:
// "/usr/bin/ld: x", "/usr/bin/ld:/path: x" (ld prints no space before a
// path), "ld.lld: error: x", "/usr/bin/ld.gold: error: x",
// "/usr/bin/x86_64-linux-gnu-ld: x", "ld: library not found for -lfoo".
//
// MinGW's ld.exe is named by its full path, with a drive letter and, under
// C:/Program Files, a space: "C:/Program Files/mingw64/bin/../lib/gcc/
// x86_64-w64-mingw32/8.1.0/../../../../x86_64-w64-mingw32/bin/ld.exe: x".
func splitLdTool(line string) (tool, rest string, ok bool) {
	from := 0
	if len(line) > 3 && line[1] == ':' && (line[2] == '/' || line[2] == '\\') && isASCIILetter(line[0]) {
		from = 2 // a drive letter
	}
	j := strings.IndexByte(line[from:], ':')
	if j < 0 {
		return "", "", false
	}
	j += from
	if j <= 0 {
		return "", "", false
	}
	prefix := line[:j]
	if strings.IndexByte(prefix, ' ') >= 0 && !strings.ContainsAny(prefix, "/\\") {
		return "", "", false
	}
	b := msgBase(prefix)
	if len(b) > 4 && strings.EqualFold(b[len(b)-4:], ".exe") {
		b = b[:len(b)-4]
	}
	if !isLinkerName(b) || (strings.IndexByte(prefix, ' ') >= 0 && strings.IndexByte(b, ' ') >= 0) {
		return "", "", false
	}
	return prefix, strings.TrimLeft(line[j+1:], " "), true
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isLinkerName(b string) bool {
	switch b {
	case "ld", "ld.bfd", "ld.gold", "gold", "ld.lld", "lld", "ld64.lld", "ld64", "ld-classic", "ld.mold", "mold", "wasm-ld":
		return true
	}
	return strings.HasSuffix(b, "-ld") || strings.HasSuffix(b, "-ld.bfd") ||
		strings.HasSuffix(b, "-ld.gold") || strings.HasSuffix(b, "-ld.lld")
}

// isCompilerTool reports whether a "X: " prefix names a compiler driver
// or one of its passes.
func isCompilerTool(p string) bool {
	if strings.IndexByte(p, ' ') >= 0 {
		return false
	}
	b := msgBase(p)
	if len(b) > 4 && strings.EqualFold(b[len(b)-4:], ".exe") {
		b = b[:len(b)-4] // MinGW: cc1.exe, gcc.exe, x86_64-w64-mingw32-gcc.exe
	}
	switch b {
	case "gcc", "cc", "g++", "c++", "clang", "clang++", "cc1", "cc1plus", "cc1obj", "lto1", "lto-wrapper", "cpp":
		return true
	}
	// x86_64-linux-gnu-gcc-12, aarch64-linux-gnu-gcc, clang-16, gcc-12.
	for _, t := range compilerStems {
		if strings.HasPrefix(b, t.prefix) && msgIsVersion(b[len(t.prefix):]) ||
			strings.HasSuffix(b, t.suffix) {
			return true
		}
		if j := strings.LastIndex(b, t.infix); j >= 0 && msgIsVersion(b[j+len(t.infix):]) {
			return true
		}
	}
	return false
}

// compilerStems are "gcc-", "-gcc", "-gcc-" and so on, precomputed.
var compilerStems = func() []struct{ prefix, suffix, infix string } {
	var out []struct{ prefix, suffix, infix string }
	for _, t := range []string{"gcc", "g++", "clang"} {
		out = append(out, struct{ prefix, suffix, infix string }{t + "-", "-" + t, "-" + t + "-"})
	}
	return out
}()

func msgIsVersion(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !msgIsDigit(s[i]) && s[i] != '.' {
			return false
		}
	}
	return true
}

// classifyLd parses what follows a linker's name.
func classifyLd(rest string, m *Message) {
	sev, text := cutSeverity(rest)
	m.Severity, m.Text = sevOr(sev, SevError), text
	if classifyLdText(text, m) {
		if sev != "" {
			m.Severity = sev
		}
		return
	}
	// "/usr/bin/ld:/path/libjunk.so:1: syntax error" (bfd), "ld.lld: error:
	// lib/libjunk.so:1: unknown directive: this" (lld): a file that is not
	// an object read as a linker script.
	if file, ln, _, r, ok := parseMsgLocation(text); ok && isScriptError(r) {
		m.Kind, m.File, m.Line, m.Object, m.Text = MsgInLinkerScript, file, ln, file, r
		return
	}
	switch {
	case strings.Contains(text, " is incompatible with "):
		// lld: "error: i32/libg.so is incompatible with elf64-x86-64".
		obj, _, _ := strings.Cut(text, " is incompatible with ")
		m.Kind, m.Object, m.Library = MsgSkippingIncompat, obj, obj
	case strings.HasPrefix(text, "symbol(s) not found for architecture "):
		m.Kind = MsgSymbolsNotFound
	case strings.Contains(text, "duplicate symbol"):
		// lld "duplicate symbol: helper", Apple "duplicate symbol '_helper' in:",
		// Apple summary "1 duplicate symbol for architecture arm64".
		if r, ok := strings.CutPrefix(text, "duplicate symbol: "); ok {
			m.Kind, m.Symbol = MsgMultipleDefinition, r
		} else if r, ok := strings.CutPrefix(text, "duplicate symbol "); ok {
			if q, _, ok := cutToolQuoted(r); ok {
				m.Kind, m.Symbol = MsgMultipleDefinition, q
			}
		}
		if m.Symbol != "" {
			m.Mangled, m.Demangled = Demangle(m.Symbol)
		}
	case strings.HasPrefix(text, "undefined symbol: "):
		// lld: "error: undefined symbol: foo".
		m.Kind, m.Symbol = MsgUndefinedReference, strings.TrimPrefix(text, "undefined symbol: ")
		m.Mangled, m.Demangled = Demangle(m.Symbol)
	case strings.Contains(text, "missing .note.GNU-stack section implies executable stack"):
		m.Kind = MsgExecStack
		if j := strings.Index(text, ": missing .note.GNU-stack"); j > 0 {
			m.Object = text[:j]
		}
	case strings.Contains(text, "file not recognized") || strings.HasSuffix(text, ": not an object or archive"):
		// bfd: "X: file not recognized: file format not recognized";
		// gold: "X: not an object or archive".
		m.Kind = MsgFileNotRecog
		if j := strings.Index(text, ": file not recognized"); j > 0 {
			m.Object = text[:j]
		} else {
			m.Object = strings.TrimSuffix(text, ": not an object or archive")
		}
	case strings.HasSuffix(text, ": previous definition here"):
		// gold, after "multiple definition of 'x'".
		m.Severity, m.Object = SevNote, strings.TrimSuffix(text, ": previous definition here")
	}
}

func isScriptError(r string) bool {
	for _, p := range [...]string{"syntax error", "unknown directive", "unexpected EOF", "malformed number", "unknown command"} {
		if strings.HasPrefix(r, p) {
			return true
		}
	}
	return false
}

// classifyLdText recognises the texts of ld's messages anywhere in s and
// fills m; the part of s before the phrase is the location or object.
func classifyLdText(s string, m *Message) bool {
	if j := strings.Index(s, "undefined reference to symbol "); j >= 0 {
		m.Kind, m.Severity = MsgUndefinedSymbolDSO, SevError
		m.Symbol, _, _ = cutToolQuoted(s[j+len("undefined reference to symbol "):])
		m.Mangled, m.Demangled = Demangle(m.Symbol)
		ldLocation(s[:j], m)
		m.Text = s[j:]
		return true
	}
	if j := strings.Index(s, "undefined reference to "); j >= 0 {
		m.Kind, m.Severity = MsgUndefinedReference, SevError
		m.Symbol, _, _ = cutToolQuoted(s[j+len("undefined reference to "):])
		m.Mangled, m.Demangled = Demangle(m.Symbol)
		ldLocation(s[:j], m)
		m.Text = s[j:]
		return true
	}
	if j := strings.Index(s, "multiple definition of "); j >= 0 {
		m.Kind, m.Severity = MsgMultipleDefinition, SevError
		m.Symbol, _, _ = cutToolQuoted(s[j+len("multiple definition of "):])
		m.Mangled, m.Demangled = Demangle(m.Symbol)
		ldLocation(s[:j], m)
		m.Text = s[j:]
		return true
	}
	if j := strings.Index(s, ": error adding symbols: DSO missing from command line"); j > 0 {
		m.Kind, m.Severity, m.Library, m.Text = MsgDSOMissing, SevError, s[:j], s[j+2:]
		return true
	}
	if j := strings.Index(s, "recompile with -f"); j >= 0 {
		// bfd/lld: "relocation R_X86_64_32 against ... ; recompile with
		// -fPIE"; gold: "requires dynamic R_X86_64_32 reloc which may
		// overflow at runtime; recompile with -fPIC", "requires
		// unsupported dynamic reloc 11; recompile with -fPIC".
		k := strings.Index(s, "relocation ")
		if k < 0 || k > j {
			k = strings.Index(s, "requires ")
		}
		if k >= 0 && k < j {
			m.Kind, m.Severity = MsgPICRequired, SevError
			if k >= 2 && s[k-2:k] == ": " {
				m.Object = s[:k-2]
			}
			if a := strings.Index(s[k:j], " against "); a >= 0 {
				r := s[k+a+len(" against "):]
				r = strings.TrimPrefix(r, "symbol ")
				r = strings.TrimPrefix(r, "local symbol ")
				if q, _, ok := cutToolQuoted(r); ok {
					m.Symbol = q
				}
			}
			if i := strings.Index(s[j:], "-f"); i >= 0 {
				f := s[j+i:]
				if e := strings.IndexAny(f, " ;,)"); e >= 0 {
					f = f[:e]
				}
				m.Flag = f
			}
			m.Text = s[k:]
			return true
		}
	}
	if j := strings.Index(s, " in statically linked applications requires at runtime"); j >= 0 {
		if k := strings.LastIndex(s[:j], "Using "); k >= 0 {
			m.Kind, m.Severity = MsgStaticNSS, SevWarning
			m.Symbol, _, _ = cutToolQuoted(s[k+len("Using "):])
			m.Text = s[k:]
			ldLocation(strings.TrimSuffix(strings.TrimSuffix(s[:k], "warning: "), ": "), m)
			return true
		}
	}
	if j := strings.Index(s, ", needed by "); j >= 0 && strings.Contains(s[j:], "not found (try using -rpath") {
		m.Kind, m.Severity = MsgNeededNotFound, SevWarning
		m.Library = s[:j]
		r := s[j+len(", needed by "):]
		if e := strings.Index(r, ", not found"); e >= 0 {
			m.Object = r[:e]
		}
		m.Text = s
		return true
	}
	for _, lead := range [...]string{"cannot find ", "unable to find library ", "library not found for "} {
		if r, ok := strings.CutPrefix(s, lead); ok {
			m.Kind, m.Severity, m.Text = MsgCannotFindLib, SevError, s
			r, _, _ = strings.Cut(r, ": ")
			m.Library = libName(r)
			return true
		}
	}
	if r, ok := strings.CutPrefix(s, "library "); ok && strings.HasSuffix(r, " not found") {
		// Apple ld-prime: "library 'foo' not found".
		if q, _, ok := cutToolQuoted(r); ok {
			m.Kind, m.Severity, m.Text, m.Library = MsgCannotFindLib, SevError, s, q
			return true
		}
	}
	if r, ok := strings.CutPrefix(s, "skipping incompatible "); ok {
		m.Kind, m.Severity, m.Text = MsgSkippingIncompat, SevWarning, s
		// bfd: "... X when searching for -lfoo"; gold: "... X while searching for foo".
		obj, lib, ok := strings.Cut(r, " when searching for ")
		if !ok {
			obj, lib, _ = strings.Cut(r, " while searching for ")
		}
		m.Object, m.Library = obj, libName(lib)
		return true
	}
	if j := strings.Index(s, ", building for "); j > 0 && !strings.HasPrefix(s, "ignoring file ") &&
		strings.Contains(s[j:], " but attempting to link with file built for ") {
		// The same, pasted without its "ld: warning: ignoring file " head.
		m.Kind, m.Severity, m.Text = MsgSkippingIncompat, SevWarning, s
		m.Object = s[:j]
		m.Library = libName(m.Object)
		return true
	}
	if r, ok := strings.CutPrefix(s, "ignoring file "); ok &&
		(strings.Contains(r, "building for") || strings.Contains(r, "architecture")) {
		// Apple: "ignoring file X, building for macOS-arm64 but attempting
		// to link with file built for macOS-x86_64", or ld-prime
		// "ignoring file 'X': found architecture 'x86_64', required ...".
		m.Kind, m.Severity, m.Text = MsgSkippingIncompat, SevWarning, s
		if q, _, ok := cutToolQuoted(r); ok && (r[0] == '\'' || r[0] == '"') {
			m.Object = q
		} else if e := strings.Index(r, ", "); e >= 0 {
			m.Object = r[:e]
		}
		m.Library = libName(m.Object)
		return true
	}
	if j := strings.Index(s, " architecture of input file "); j > 0 && strings.Contains(s[j:], " is incompatible with ") {
		// bfd: "i386 architecture of input file `X' is incompatible with
		// i386:x86-64 output" (an object for another architecture).
		q, _, _ := cutToolQuoted(s[j+len(" architecture of input file "):])
		m.Kind, m.Severity, m.Text, m.Object = MsgSkippingIncompat, SevError, s, q
		m.Library = libName(q)
		return true
	}
	if j := strings.Index(s, ": file format not recognized; treating as linker script"); j > 0 {
		m.Kind, m.Severity, m.Object, m.Library, m.Text = MsgInLinkerScript, SevError, s[:j], s[:j], s[j+2:]
		return true
	}
	return false
}

// ldLocation reads what precedes an ld message text: "FILE:LINE: ",
// "FILE:(.text+0x9): ", "(.text+0xff): ", "OBJ: ", gold's
// "OBJ:FILE:function F: error: ".
func ldLocation(s string, m *Message) {
	s = strings.TrimSuffix(s, " ")
	s = strings.TrimSuffix(s, ":")
	for _, sev := range []string{": error", ": warning", "error", "warning"} {
		s = strings.TrimSuffix(s, sev)
	}
	s = strings.TrimSuffix(s, ":")
	if s == "" {
		return
	}
	if j := strings.Index(s, ":function "); j >= 0 {
		m.Function = s[j+len(":function "):]
		s = s[:j]
	}
	if j := strings.LastIndex(s, ":("); j >= 0 && strings.HasSuffix(s, ")") {
		s = s[:j] // drop (.text+0x9)
		if s == "" {
			return
		}
		if isObjectName(s) {
			m.Object = s
		} else {
			m.File = s
		}
		return
	}
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		return // (.text+0xff)
	}
	if j := strings.LastIndexByte(s, ':'); j > 0 && j+1 < len(s) {
		if n, k := msgAtoi(s, j+1); k == len(s) {
			m.File, m.Line = s[:j], n
			return
		}
		if !isObjectName(s[j+1:]) && isObjectName(s[:j]) {
			m.Object, m.File = s[:j], s[j+1:] // gold: OBJ:FILE
			return
		}
	}
	m.Object = s
}

// isObjectName reports whether s names an object, archive (member) or
// shared library rather than a source file.
func isObjectName(s string) bool {
	return strings.HasSuffix(s, ".o") || strings.HasSuffix(s, ")") || strings.HasSuffix(s, ".a") ||
		strings.HasSuffix(s, ".obj") || strings.Contains(msgBase(s), ".so") || strings.HasSuffix(s, ".dylib")
}

// libName reduces "-lfoo" to "foo"; other words (paths, -l:libfoo.a) are
// kept as printed.
func libName(s string) string {
	s = strings.TrimSpace(s)
	if r, ok := strings.CutPrefix(s, "-l"); ok && r != "" {
		return r
	}
	return s
}

// classifyGo recognises cmd/go, cmd/cgo and cmd/link messages.
func classifyGo(line string, m *Message) bool {
	// cmd/link: "/usr/local/go/pkg/tool/linux_amd64/link: running gcc failed: ...".
	if j := strings.Index(line, ": "); j > 0 && isGoLinker(line[:j]) {
		rest := line[j+2:]
		m.Tool, m.Severity, m.Text = ToolLink, SevError, rest
		switch {
		case strings.HasPrefix(rest, "running ") && strings.Contains(rest[len("running "):], " failed: "):
			r := rest[len("running "):]
			k := strings.Index(r, " failed: ")
			m.Program = r[:k]
			tail := r[k+len(" failed: "):]
			m.Kind = MsgLinkFailed
			if strings.HasPrefix(tail, "exec: ") && isNotFound(tail) {
				m.Kind = MsgCCNotFound
			}
		case strings.HasPrefix(rest, "running ") && strings.Contains(rest, " failed: unsuccessful exit status"):
			// Go <= 1.4: "6l: running clang failed: unsuccessful exit status 0x100".
			m.Kind = MsgLinkFailed
			m.Program, _, _ = strings.Cut(rest[len("running "):], " failed: ")
		case strings.HasPrefix(rest, "internal linking requested but external linking required"):
			m.Kind = MsgInternalLinking
		default:
			m.Kind = MsgOther
		}
		return true
	}
	// cgo: C compiler "x" not found: exec: "x": executable file not found in $PATH
	if r, ok := strings.CutPrefix(line, "cgo: "); ok {
		m.Tool, m.Severity, m.Text = ToolCgo, SevError, r
		switch {
		case strings.HasPrefix(r, "C compiler "):
			m.Kind = MsgCCNotFound
			m.Program, _, _ = cutToolQuoted(r[len("C compiler "):])
		case strings.HasPrefix(r, "exec ") && isNotFound(r):
			// older Go: cgo: exec gcc: exec: "gcc": executable file not found in $PATH;
			// Go 1.15 with a space in CC: cgo: exec C:\Program: exec: "C:\\Program": file does not exist
			m.Kind = MsgCCNotFound
			if j := strings.Index(r, `exec: "`); j >= 0 {
				m.Program = execProgram(r[j+len("exec: "):])
			} else {
				m.Program, _, _ = strings.Cut(r[len("exec "):], ": ")
			}
		default:
			m.Kind = MsgOther
		}
		return true
	}
	if r, ok := strings.CutPrefix(line, "go: "); ok && strings.Contains(r, " requires cgo") {
		m.Tool, m.Kind, m.Severity, m.Text = ToolGo, MsgRequiresCgo, SevError, r
		m.Flag, _, _ = strings.Cut(r, " ")
		return true
	}
	if j := strings.Index(line, "invalid flag in "); j >= 0 &&
		(strings.HasPrefix(line[j:], "invalid flag in #cgo ") || strings.HasPrefix(line[j:], "invalid flag in pkg-config")) {
		m.Tool, m.Kind, m.Severity, m.Text = ToolGo, MsgInvalidFlag, SevError, line[j:]
		if k := strings.Index(line[j:], ": "); k >= 0 {
			f := line[j+k+2:]
			if e := strings.Index(f, " (see "); e >= 0 {
				f = f[:e]
			}
			m.Flag = f
		}
		return true
	}
	if j := strings.Index(line, "malformed #cgo argument: "); j >= 0 {
		m.Tool, m.Kind, m.Severity, m.Text = ToolGo, MsgMalformedCgoArg, SevError, line[j:]
		m.Flag = line[j+len("malformed #cgo argument: "):]
		return true
	}
	if j := strings.Index(line, "build constraints exclude all Go files in "); j >= 0 {
		m.Tool, m.Kind, m.Severity, m.Text = ToolGo, MsgBuildConstraints, SevError, line[j:]
		m.File = line[j+len("build constraints exclude all Go files in "):]
		return true
	}
	// Go >= 1.5 "... when not using cgo or SWIG: x.c", Go 1.4 "... when
	// not using cgo: x.c".
	for _, lead := range [...]string{"C source files not allowed when not using cgo or SWIG: ", "C source files not allowed when not using cgo: "} {
		if j := strings.Index(line, lead); j >= 0 {
			m.Tool, m.Kind, m.Severity, m.Text = ToolGo, MsgCFilesWithoutCgo, SevError, line[j:]
			m.File = line[j+len(lead):]
			return true
		}
	}
	// IMPORTPATH: exec: "pkg-config": executable file not found in $PATH
	// (and older "pkg-config: exec: ..."), or a compiler run by cmd/go.
	// The message names the program, not the role it had (CC, CXX,
	// pkg-config): only its name can tell, and a name like "zig" or
	// "no-such-cxx" tells nothing (MsgExecNotFound). Which step ran it is
	// for the reader of the whole log to decide.
	if j := strings.Index(line, `exec: "`); j >= 0 && isNotFound(line[j:]) {
		prog := execProgram(line[j+len("exec: "):])
		m.Tool, m.Severity, m.Text, m.Program = ToolGo, SevError, line[j:], prog
		m.Kind = kindOfMissing(prog)
		return true
	}
	// Windows shells: cmd.exe "'gcc' is not recognized as an internal or
	// external command," and PowerShell "gcc : The term 'gcc' is not
	// recognized as the name of a cmdlet, ...".
	if r, ok := strings.CutPrefix(line, "'"); ok {
		if prog, _, ok := strings.Cut(r, "' is not recognized as an internal or external command"); ok && prog != "" {
			m.Tool, m.Severity, m.Text, m.Program = ToolGo, SevError, line, strings.Trim(prog, `"`)
			m.Kind = kindOfMissing(m.Program)
			return true
		}
	}
	if j := strings.Index(line, "The term '"); j >= 0 && strings.Contains(line[j:], "' is not recognized as the name of a cmdlet") {
		prog, _, _ := strings.Cut(line[j+len("The term '"):], "'")
		m.Tool, m.Severity, m.Text, m.Program = ToolGo, SevError, line[j:], prog
		m.Kind = kindOfMissing(prog)
		return true
	}
	if classifyRuntimeLoad(line, m) {
		return true
	}
	// IMPORTPATH: PROG: exit status N: a command go ran failed and printed
	// nothing (pkg-config --atleast-version, or the PKG_CONFIG shim of
	// cgotrace build). Which command it was is in the -x trace.
	if r, ok := strings.CutSuffix(line, ": exit status "+lastWord(line)); ok && msgIsDigit(lastWord(line)[0]) {
		prog := ""
		if j := strings.LastIndex(r, ": "); j >= 0 {
			prog = r[j+2:]
		}
		if prog != "" && !strings.ContainsAny(prog, " \t") && kindOfMissing(prog) != MsgPkgConfigNotFound {
			m.Tool, m.Kind, m.Severity, m.Program = ToolGo, MsgCommandFailed, SevError, prog
			m.Text = line[len(r)-len(prog):]
			return true
		}
	}
	return false
}

// kindOfMissing classifies a program that could not be started by its
// name alone: a compiler driver, a pkg-config, or unknown.
func kindOfMissing(prog string) MessageKind {
	b := strings.TrimSuffix(strings.ToLower(msgBase(prog)), ".exe")
	switch {
	case strings.Contains(b, "pkg-config") || strings.Contains(b, "pkgconf"):
		return MsgPkgConfigNotFound
	case isCompilerTool(prog):
		return MsgCCNotFound
	}
	return MsgExecNotFound
}

// execProgram reads the program of `exec: "gcc": ...`: a Go-quoted
// string ("C:\\Program" is C:\Program).
func execProgram(s string) string {
	if q, _, ok := cutToolQuoted(s); ok {
		if u, err := strconv.Unquote(`"` + q + `"`); err == nil {
			return u
		}
		return q
	}
	return ""
}

func lastWord(s string) string {
	if j := strings.LastIndexByte(s, ' '); j >= 0 {
		s = s[j+1:]
	}
	if s == "" {
		return " " // never a digit
	}
	return s
}

// isGoLinker reports whether a "X: " prefix names cmd/link: link,
// link.exe (also under C:\Program Files), or the 5l/6l/8l of Go <= 1.4.
func isGoLinker(p string) bool {
	b := strings.TrimSuffix(msgBase(p), ".exe")
	if strings.Contains(p, " ") && !strings.ContainsAny(p, `/\`) {
		return false
	}
	switch b {
	case "link", "5l", "6l", "7l", "8l", "9l":
		return true
	}
	return false
}

// cutCollect2 cuts "collect2: " (or MinGW's "collect2.exe: ") off a line.
func cutCollect2(line string) (string, bool) {
	if r, ok := strings.CutPrefix(line, "collect2: "); ok {
		return r, true
	}
	return strings.CutPrefix(line, "collect2.exe: ")
}

// StartsToolMessage reports whether a line can only be a diagnostic of a
// tool go build runs (the linker, the compiler driver, cmd/go's flag
// checks, a Windows shell that found no such program), so that a snippet
// pasted without its "# pkg" header is still read as one. It is cheap:
// the stream parser asks it for every line outside a block.
func StartsToolMessage(line string) bool {
	return startsToolMessage(line, strings.IndexByte(line, ':') >= 0)
}

// startsToolMessage is StartsToolMessage; colon tells whether line holds
// a ':' (the parser knows it already), without which the shapes that
// need one are not looked for.
func startsToolMessage(line string, colon bool) bool {
	if len(line) < 8 || line[0] == ' ' || line[0] == '\t' {
		return false
	}
	switch {
	case strings.HasPrefix(line, "Undefined symbols for architecture "),
		strings.HasPrefix(line, "collect2"),
		colon && strings.Contains(line, ": invalid flag in #cgo "),
		strings.HasPrefix(line, "C source files not allowed when not using cgo"),
		strings.HasPrefix(line, "'") && strings.Contains(line, "' is not recognized as an internal or external command"),
		strings.Contains(line, "The term '") && strings.Contains(line, "' is not recognized as the name of a cmdlet"),
		strings.Contains(line, ", building for ") && strings.Contains(line, " but attempting to link with file built for "):
		return true
	}
	if !colon {
		return false // splitLdTool and the tool prefix need a ':'
	}
	if _, rest, ok := splitLdTool(line); ok && rest != "" {
		return true
	}
	if j := strings.Index(line, ": "); j > 0 && isCompilerTool(line[:j]) {
		return true
	}
	return false
}

// IsGoLinkFailed reports whether a line is cmd/link's "LINK: running X
// failed: ..." (LINK a path to link, link.exe or Go <= 1.4's 6l).
func IsGoLinkFailed(line string) bool {
	j := strings.Index(line, ": running ")
	return j > 0 && isGoLinker(line[:j]) && strings.Contains(line[j:], " failed: ")
}

// IsRuntimeLoadFailure reports whether a line says that a program go
// built could not start for want of a shared library (see
// classifyRuntimeLoad): go run and go test print it without a header.
func IsRuntimeLoadFailure(line string) bool {
	return isRuntimeLoadFailure(line, strings.IndexByte(line, ':') >= 0)
}

// isRuntimeLoadFailure is IsRuntimeLoadFailure; colon tells whether line
// holds a ':'.
func isRuntimeLoadFailure(line string, colon bool) bool {
	if len(line) < 12 {
		return false
	}
	var m Message
	return classifyRuntimeLoadColon(line, &m, colon)
}

// classifyRuntimeLoad recognises a built program that could not start
// because a shared library is missing (go run, go test): glibc's ld.so,
// musl's, dyld's, and Windows' STATUS_DLL_NOT_FOUND exit status.
func classifyRuntimeLoad(line string, m *Message) bool {
	return classifyRuntimeLoadColon(line, m, strings.IndexByte(line, ':') >= 0)
}

// classifyRuntimeLoadColon is classifyRuntimeLoad; colon tells whether
// line holds a ':', without which glibc's and dyld's shapes cannot match.
func classifyRuntimeLoadColon(line string, m *Message, colon bool) bool {
	set := func(prog, lib string) bool {
		m.Tool, m.Kind, m.Severity, m.Program, m.Library, m.Text = ToolGo, MsgRuntimeLoad, SevError, prog, lib, line
		return true
	}
	// glibc: "/tmp/go-build1/b001/exe/app: error while loading shared
	// libraries: libfoo.so.1: cannot open shared object file: No such file or directory"
	if colon {
		if j := strings.Index(line, ": error while loading shared libraries: "); j >= 0 {
			r := line[j+len(": error while loading shared libraries: "):]
			lib, _, _ := strings.Cut(r, ": ")
			return set(line[:j], lib)
		}
	}
	// The same pasted without the program's name.
	if r, ok := strings.CutPrefix(line, "error while loading shared libraries: "); ok {
		lib, _, _ := strings.Cut(r, ": ")
		return set("", lib)
	}
	// musl: "Error loading shared library libfoo.so.1: No such file or
	// directory (needed by /app)".
	if r, ok := strings.CutPrefix(line, "Error loading shared library "); ok {
		lib, rest, _ := strings.Cut(r, ": ")
		prog := ""
		if k := strings.Index(rest, "(needed by "); k >= 0 {
			prog = strings.TrimSuffix(rest[k+len("(needed by "):], ")")
		}
		return set(prog, lib)
	}
	// dyld: "dyld[4242]: Library not loaded: @rpath/libfoo.dylib", older
	// "dyld: Library not loaded: libfoo.dylib".
	if strings.HasPrefix(line, "dyld") {
		if j := strings.Index(line, ": Library not loaded: "); j > 0 && j < 16 {
			return set("", strings.TrimSpace(line[j+len(": Library not loaded: "):]))
		}
	}
	// Windows: a missing DLL is STATUS_DLL_NOT_FOUND, 0xc0000135, which
	// go run prints as "exit status 0xc0000135" (Go >= 1.?) or in decimal
	// "exit status 3221225781".
	if r, ok := strings.CutPrefix(line, "exit status "); ok {
		switch strings.ToLower(r) {
		case "0xc0000135", "3221225781":
			return set("", "")
		}
	}
	return false
}

func isNotFound(s string) bool {
	return strings.Contains(s, "executable file not found") || strings.HasSuffix(s, "no such file or directory") ||
		strings.HasSuffix(s, "file does not exist")
}

// classifyPkgConfig recognises pkgconf's and freedesktop pkg-config's
// messages, and cmd/go's "pkg: pkg-config: exit status 1".
func classifyPkgConfig(line string, m *Message) bool {
	set := func(k MessageKind, pkg string) bool {
		m.Tool, m.Kind, m.Severity, m.Package = ToolPkgConfig, k, SevError, pkg
		return true
	}
	if r, ok := strings.CutPrefix(line, "Package "); ok {
		switch {
		case strings.HasSuffix(r, " was not found in the pkg-config search path."):
			return set(MsgPkgConfigPackage, strings.TrimSuffix(r, " was not found in the pkg-config search path."))
		case strings.HasPrefix(r, "dependency requirement "):
			// pkgconf: Package dependency requirement 'gadget >= 2.0' could not be satisfied.
			q, _, _ := cutToolQuoted(r[len("dependency requirement "):])
			name, want, _ := strings.Cut(q, " ")
			m.Wanted = strings.TrimSpace(want)
			return set(MsgPkgConfigVersion, name)
		}
		if q, after, ok := cutToolQuoted(r); ok {
			switch {
			case strings.HasPrefix(after, " has version "):
				// pkgconf: Package 'gadget' has version '1.5.0', required version is '>= 2.0'
				v, rest, _ := cutToolQuoted(after[len(" has version "):])
				m.Version = v
				if w, ok := strings.CutPrefix(rest, ", required version is "); ok {
					m.Wanted, _, _ = cutToolQuoted(w)
				}
				return set(MsgPkgConfigVersion, q)
			case strings.HasSuffix(after, " not found") || strings.HasSuffix(after, "not found"):
				return set(MsgPkgConfigPackage, q)
			}
		}
	}
	if r, ok := strings.CutPrefix(line, "No package "); ok && strings.HasSuffix(r, " found") {
		q, _, _ := cutToolQuoted(r)
		return set(MsgPkgConfigPackage, q)
	}
	if r, ok := strings.CutPrefix(line, "Requested "); ok && strings.Contains(r, " but version of ") {
		// freedesktop: Requested 'gadget >= 2.0' but version of Gadget is 1.5.0
		q, rest, _ := cutToolQuoted(r)
		name, want, _ := strings.Cut(q, " ")
		m.Wanted = strings.TrimSpace(want)
		if k := strings.LastIndex(rest, " is "); k >= 0 {
			m.Version = strings.TrimSpace(rest[k+len(" is "):])
		}
		return set(MsgPkgConfigVersion, name)
	}
	if strings.HasSuffix(line, "pkg-config: exit status 1") || strings.Contains(line, "pkg-config: exit status ") {
		m.Tool, m.Kind, m.Severity = ToolGo, MsgPkgConfigExit, SevError
		if j := strings.Index(line, "pkg-config: exit status "); j >= 0 {
			m.Text = line[j:]
		}
		return true
	}
	return false
}

// cutQuoted reads a quoted word at the start of s (after spaces) in any
// of the styles the tools use: 'x' (ASCII), ‘x’ (gcc in a UTF-8 locale),
// `x' (ld), "x" (cmd/go, Apple ld). It returns the word and what follows
// the closing quote. The closing quote is the first one followed by the
// end, a space or punctuation, so `operator new(unsigned long)' and
// `stp x29,x30,[sp,' read whole.
func cutToolQuoted(s string) (word, rest string, ok bool) {
	s = strings.TrimLeft(s, " ")
	var closeQ string
	var open int
	switch {
	case strings.HasPrefix(s, "`"), strings.HasPrefix(s, "'"):
		open, closeQ = 1, "'"
	case strings.HasPrefix(s, "‘"):
		open, closeQ = len("‘"), "’"
	case strings.HasPrefix(s, "\""):
		open, closeQ = 1, "\""
	default:
		return "", s, false
	}
	body := s[open:]
	from := 0
	for {
		j := strings.Index(body[from:], closeQ)
		if j < 0 {
			return body, "", false
		}
		j += from
		after := body[j+len(closeQ):]
		if after == "" || strings.IndexByte(" ;:,.)?", after[0]) >= 0 || strings.HasPrefix(after, "’") {
			return body[:j], after, true
		}
		from = j + len(closeQ)
	}
}

func msgTrimCR(s string) string {
	if n := len(s); n > 0 && s[n-1] == '\r' {
		return s[:n-1]
	}
	return s
}

// GoCommandError reports whether line is the go command's own error, not
// a build step's: `go: MESSAGE` (a usage or set-up error, such as
// `go: build output "m" already exists and is a directory`) or
// `PKG: go build PKG: MESSAGE` (an action of go's own failed, such as
// `example.com/m: go build example.com/m: build output "m" already exists
// and is not an object file`), as go1.26.8 prints them.
func GoCommandError(line string) bool {
	line = msgTrimCR(line)
	if rest, ok := strings.CutPrefix(line, "go: "); ok {
		return strings.TrimSpace(rest) != ""
	}
	pkg, rest, ok := strings.Cut(line, ": ")
	if !ok || pkg == "" || strings.ContainsAny(pkg, " \t") {
		return false
	}
	for _, verb := range [...]string{"go build ", "go install "} {
		if r, ok := strings.CutPrefix(rest, verb+pkg+": "); ok {
			return strings.TrimSpace(r) != ""
		}
	}
	return false
}
