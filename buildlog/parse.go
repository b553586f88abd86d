package buildlog

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"path"
	"sort"
	"strconv"
	"strings"
)

// parseMessages turns the lines of a block into structured messages
// (a variable so that tests can count or replace the grammar).
var parseMessages = ParseMessages

// Limits that keep memory flat on hostile input: a heredoc body or a block
// stops growing past these, and what is dropped is counted as skipped.
const (
	maxHeredocBytes = 4 << 20
	maxBlockLines   = 100000
	// MaxLineBytes caps one line: a longer one keeps its first and last
	// MaxLineBytes/2 bytes around a marker saying how much was cut, so a
	// line without end (`tr '\0' x </dev/zero`) does not grow memory.
	MaxLineBytes = 4 << 20
)

// Parser reads a build log as a stream: plain `-x`/`-n` traces, `go build
// -json` BuildEvents (detected per line, so non-JSON lines mixed in are
// read as plain text), and plain logs without -x. Next returns records,
// blocks and host links in input order; nothing is retained after it is
// returned, so memory stays flat whatever the size of the log.
//
// The zero value is not usable; call NewParser.
type Parser struct {
	r      *bufio.Reader
	long   []byte // line assembly when a line exceeds the buffer
	tail   []byte // the last bytes of a line longer than MaxLineBytes
	cut    int64  // bytes cut from the middle of that line
	fe     frontEnd
	last   *Record // the last command record, to judge how the trace ended
	lineNo int
	eof    bool
	done   bool
	err    error

	out  []Item
	head int

	// Shared trace state.
	work      string            // WORK=, "" for -n
	workB     string            // work + "/b", as actionOf looks for it
	workPlain bool              // plainWord(work)
	cwd       string            // the one cwd of the script, $WORK resolved
	actions   map[string]string // bNNN -> import path (current WORK)
	sure      map[string]bool   // actions entries from cgo/importcfg/-json
	dirs      map[string]string // package dir -> import path (from cgo)

	// The line handleRaw hands to handleLine and, when workPlain and the
	// line holds $WORK, the same with $WORK expanded ("" if not).
	lineRaw, lineExpanded string
	xbuf                  []byte

	heredoc  *Record
	noBodies bool // StreamOptions.NoHeredocBodies
	// deferMessages leaves a block's Messages to whoever takes the
	// item (StreamAll's consumer goroutine), which must parse them.
	deferMessages bool
	heredocBody   []byte // reused: grows to the largest body, then stays

	block       *Block
	blockBenign int  // the block's first lines known benign (blockHasError)
	blockErr    bool // a line of the block is not benign (blockHasError)
	blockHosts  []*HostLink
	objCopies   map[string]ObjCopy
	expectHost  bool // the next block line is a failed host link command
	loose       bool // the block is a one-line message: only indented lines continue it
	banner      int  // -n banner: 0 outside, 1 after "#", 2 after the title

	cur string // ImportPath of the BuildEvent being read, "" for plain text

	blockLast int  // line number of the block's last line
	inTest    bool // between a test's start and its package's result line
	// runBlock: the open block is a program's start-up failure (a
	// MsgRuntimeLoad line that go run or go test printed), not a build
	// step's output; testPkg is the package of the test2json output
	// event being read.
	runBlock   bool
	testPkg    string
	resultLine int  // the last `ok` / `?` line of go test
	linked     bool // a Go link step was seen

	// Summary.
	sum        Log
	failedSeen map[string]bool
	failure    bool
	completed  bool
	dryRun     bool // -n: $WORK printed but never defined, nothing ran
	torn       bool // input ended inside a heredoc, a line or a JSON event
}

// NewParser returns a streaming parser reading r.
func NewParser(r io.Reader) *Parser {
	return &Parser{
		r:          bufio.NewReaderSize(r, 64<<10),
		actions:    map[string]string{},
		sure:       map[string]bool{},
		dirs:       map[string]string{},
		failedSeen: map[string]bool{},
		sum:        Log{Outcome: OutcomeUnknown},
	}
}

// Next returns the next item of the log. It returns io.EOF after the last
// one, or a wrapped read error if r failed (the items read before it were
// returned). Malformed content is never an error: it is counted in
// Summary().Skipped.
func (p *Parser) Next() (Item, error) {
	for p.head >= len(p.out) {
		p.out = p.out[:0]
		p.head = 0
		if p.done {
			if p.err != nil {
				return Item{}, fmt.Errorf("read build log: %w", p.err)
			}
			return Item{}, io.EOF
		}
		if p.eof {
			p.finish()
			p.done = true
			continue
		}
		line, ok := p.readLine()
		if !ok {
			continue
		}
		p.lineNo++
		p.sum.Lines = p.lineNo
		line, drop := p.frontLine(line)
		if drop {
			// A CI system's own line ends what go was printing.
			if p.heredoc == nil {
				p.closeBlock()
			}
			continue
		}
		p.handleRaw(line)
	}
	it := p.out[p.head]
	p.out[p.head] = Item{}
	p.head++
	return it, nil
}

// Summary returns what the log says as a whole: JSON, Trace, Work,
// FailedPackages, Outcome, Lines and Skipped (Records, Blocks and
// HostLinks are left empty). Outcome is final once Next returned io.EOF:
//
//   - failure: a build-fail event (-json), or an error block: a `#
//     importpath` block with a line that is not a warning, a note, context
//     for one (In function, source excerpt, caret) or the linker's -v
//     output; or an unattributed `importpath: message`, `package
//     importpath: message` or `go: message` line (not `go: downloading`).
//   - success: no failure, the input ended cleanly (final newline, no
//     torn heredoc or JSON event, no read error), it is not a -n dry run
//     ($WORK never defined), and either the trace shows the build finish
//     (`mv`/`cp` of $WORK/bNNN/exe/..., or `rm -r $WORK/...`), or the log
//     has no -x trace, is not empty and has no line of unknown shape (go
//     build prints nothing but warnings when it succeeds).
//   - unknown: anything else: an empty log, a trace cut off before the
//     end, `-work` builds of non-main packages, `-n`.
func (p *Parser) Summary() Log {
	s := p.sum
	s.FailedPackages = append([]string(nil), p.sum.FailedPackages...)
	s.Commands = append([]LoggedCommand(nil), p.fe.commands...)
	if len(s.Commands) == 0 {
		s.Commands = nil
	}
	return s
}

// Parse reads a whole build log and returns it with every record, block
// and host link. Records whose package became known only later in the
// log (pkg-config runs before cgo names the package) are filled in.
// The error is non-nil only when r fails.
func Parse(r io.Reader) (*Log, error) {
	var recs []Record
	var blocks []Block
	var hosts []HostLink
	l, err := Stream(r, func(it Item) bool {
		switch {
		case it.Record != nil:
			recs = append(recs, *it.Record)
		case it.Block != nil:
			blocks = append(blocks, *it.Block)
		case it.HostLink != nil:
			hosts = append(hosts, *it.HostLink)
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	// Stream hands on a record whose package was named later when it is:
	// back to input order.
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].Line < recs[j].Line })
	l.Records, l.Blocks, l.HostLinks = recs, blocks, hosts
	return &l, nil
}

// readLine returns the next line without its line ending. A line longer
// than MaxLineBytes keeps its head and tail around a marker.
func (p *Parser) readLine() ([]byte, bool) {
	p.long = p.long[:0]
	p.tail = p.tail[:0]
	p.cut = 0
	for {
		chunk, err := p.r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			p.addLong(chunk)
			continue
		}
		if err == nil {
			chunk = chunk[:len(chunk)-1] // the '\n'
		}
		if len(p.long) > 0 {
			p.addLong(chunk)
			chunk = p.joinLong()
		}
		if err != nil {
			if err != io.EOF {
				p.err = err
			}
			p.eof = true
			if len(chunk) == 0 {
				return nil, false
			}
			p.torn = true // no final newline
		}
		return trimCRBytes(chunk), true
	}
}

// addLong appends a piece of a long line: to the head while it has room,
// then to a tail window of MaxLineBytes/2 that slides over the rest.
func (p *Parser) addLong(b []byte) {
	const half = MaxLineBytes / 2
	if n := half - len(p.long); n > 0 {
		k := min(n, len(b))
		p.long = append(p.long, b[:k]...)
		b = b[k:]
	}
	if len(b) == 0 {
		return
	}
	if len(b) >= half {
		p.cut += int64(len(p.tail) + len(b) - half)
		p.tail = append(p.tail[:0], b[len(b)-half:]...)
		return
	}
	if len(p.tail)+len(b) > 2*half {
		// Slide: keep the last half-len(b) bytes, then append.
		keep := half - len(b)
		p.cut += int64(len(p.tail) - keep)
		copy(p.tail, p.tail[len(p.tail)-keep:])
		p.tail = p.tail[:keep]
	}
	p.tail = append(p.tail, b...)
}

// joinLong returns the assembled line (head, marker, tail).
func (p *Parser) joinLong() []byte {
	const half = MaxLineBytes / 2
	if len(p.tail) > half {
		p.cut += int64(len(p.tail) - half)
		p.tail = p.tail[len(p.tail)-half:]
	}
	if p.cut > 0 {
		p.sum.LongLines++
		p.long = fmt.Appendf(p.long, " [cgotrace: %d bytes cut] ", p.cut)
	}
	return append(p.long, p.tail...)
}

func trimCRBytes(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		return b[:n-1]
	}
	return b
}

func (p *Parser) emit(it Item) { p.out = append(p.out, it) }

// handleRaw dispatches one input line: a BuildEvent or plain text.
func (p *Parser) handleRaw(b []byte) {
	if p.heredoc == nil && len(b) > 1 && looksJSON(b) {
		ev, ok := decodeEvent(b)
		if !ok && p.handleTestEvent(b) {
			return
		}
		if !ok {
			p.sum.Skipped++
			if p.eof {
				p.torn = true // a half event at the very end
			}
			return
		}
		p.sum.JSON = true
		p.handleEvent(ev)
		return
	}
	p.cur = ""
	if p.heredoc != nil {
		// A heredoc's body line is copied into the body as bytes: no
		// string per line for the half of a log that importcfg files are.
		heredocLine(p, b)
		return
	}
	i := -1
	if p.workPlain {
		i = bytes.Index(b, workVar)
	}
	if i >= 0 {
		// One string holds the line and, after it, the line with $WORK
		// expanded, which command splits: one allocation, no second
		// pass of strings.ReplaceAll.
		n := len(b)
		buf := append(p.xbuf[:0], b...)
		for i >= 0 {
			buf = append(buf, b[:i]...)
			buf = append(buf, p.work...)
			b = b[i+len(workVar):]
			i = bytes.Index(b, workVar)
		}
		buf = append(buf, b...)
		p.xbuf = buf
		both := string(buf)
		p.lineRaw, p.lineExpanded = both[:n], both[n:]
	} else {
		p.lineRaw, p.lineExpanded = string(b), ""
	}
	p.handleLine(p.lineRaw)
	p.lineRaw, p.lineExpanded = "", ""
}

var workVar = []byte("$WORK")

// heredocLine adds a line to the open heredoc, or closes it.
func heredocLine[T string | []byte](p *Parser, line T) {
	if string(line) == "EOF" {
		p.endHeredoc()
		return
	}
	if len(p.heredocBody)+len(line) < maxHeredocBytes {
		p.heredocBody = append(p.heredocBody, line...)
		p.heredocBody = append(p.heredocBody, '\n')
	} else {
		p.sum.Skipped++
	}
}

func (p *Parser) handleEvent(ev buildEvent) {
	if p.block != nil && p.cur != ev.ImportPath {
		p.closeBlock()
	}
	p.cur = ev.ImportPath
	switch ev.Action {
	case "build-fail":
		p.closeBlock()
		p.fail(ev.ImportPath)
		return
	}
	if ev.Output == nil {
		return
	}
	out := *ev.Output
	for out != "" {
		line, rest, _ := strings.Cut(out, "\n")
		p.handleLine(strings.TrimSuffix(line, "\r"))
		out = rest
	}
	if p.heredoc != nil {
		// A heredoc is printed whole in one event: one without its EOF
		// line is torn, and must not swallow the events after it.
		p.sum.Skipped++
		p.endHeredoc()
	}
}

func (p *Parser) fail(importPath string) {
	p.failure = true
	if importPath != "" && !p.failedSeen[importPath] {
		p.failedSeen[importPath] = true
		p.sum.FailedPackages = append(p.sum.FailedPackages, importPath)
	}
}

// handleLine runs the line state machine on one line of text.
func (p *Parser) handleLine(line string) {
	if p.heredoc != nil {
		heredocLine(p, line) // -json: a heredoc inside an event's output
		return
	}
	if p.expectHost && p.block != nil {
		p.expectHost = false
		p.addBlockLine(line)
		p.blockHosts = append(p.blockHosts, &HostLink{
			Line:       p.lineNo,
			ImportPath: p.block.ImportPath,
			Argv:       p.expandAll(strings.Fields(line)),
			Failed:     true,
		})
		return
	}
	p.expectHost = false
	if line != "" && (p.inTest || testLineStart[line[0]]) && p.goTestLine(line) {
		return
	}
	// Most of the shapes below need a ':' in the line: one scan tells.
	colon := strings.IndexByte(line, ':') >= 0
	if line != "" && line[0] == 'e' && p.goRunExit(line) {
		return
	}
	if line == "" {
		if p.block != nil {
			p.addBlockLine(line)
		}
		return
	}
	if line[0] == '#' {
		p.handleHash(line)
		return
	}
	p.banner = 0
	if p.block != nil && !p.runBlock && startedProgram(line) {
		// The program go run or go test built, after the warnings of
		// its build: its line is not the build's.
		p.closeBlock()
	}
	if b := p.block; b != nil && !p.loose && b.Desc == "" && line[0] != ' ' && line[0] != '\t' &&
		!p.sum.Trace && p.cur == "" &&
		len(b.Lines) > 0 && !colon && !benign(line) && !p.blockHasError() {
		// In plain output, a line without a colon after warnings only is
		// taken for the output of the program go run or go test started
		// (static-glibc-nss-basic.run prints 0 after the link's warning),
		// not a tool's line. With -x the program's command comes before
		// its output, and with -json go's BuildEvents carry only the
		// build's output: there every line of the block is the block's
		// (a CC wrapper's "it broke" after gcc's warning).
		p.closeBlock()
	}
	if p.block != nil {
		cont := line[0] == '\t' || line[0] == ' '
		if !p.loose && !IsTraceLine(line) && !endsBlock(unattributedColon(line, p.cur, colon)) || p.loose && cont {
			p.addBlockLine(line)
			return
		}
		p.closeBlock()
	}
	switch kind := unattributedColon(line, p.cur, colon); kind {
	case infoMessage:
		return
	case pkgMessage, goMessage, posMessage:
		ip := ""
		if kind == pkgMessage {
			ip = messagePath(line)
		}
		if p.cur != "" {
			ip = p.cur
		}
		p.openBlock(ip)
		p.addBlockLine(line)
		p.loose = true // takes only indented continuation lines
		return
	}
	if isRuntimeLoadFailure(line, colon) {
		// go run/go test: the program built but could not start. The
		// message grammar (MsgRuntimeLoad) reads the line; the framing
		// says whose it is (gocmds.go: the test's package).
		ip := p.cur
		if ip == "" {
			ip = p.testPkg
		}
		p.openBlock(ip)
		p.runBlock = true
		p.loose = true // dyld's "  Referenced from:" lines are indented
		p.addBlockLine(line)
		return
	}
	if startsToolMessage(line, colon) {
		// A tool's message pasted without the "# pkg" header before it:
		// read what follows as that header's block would be.
		ip := p.cur
		if r, ok := strings.CutPrefix(line, "go build "); ok {
			// Go 1.9.4/1.10: "go build PKG: invalid flag in #cgo LDFLAGS: -s".
			if pkg, _, ok := strings.Cut(r, ": "); ok && !strings.ContainsAny(pkg, " \t") && ip == "" {
				ip = pkg
			}
		}
		p.openBlock(ip)
		p.addBlockLine(line)
		return
	}
	switch {
	case strings.HasPrefix(line, "WORK="):
		p.workLine(line)
	case strings.HasPrefix(line, "cd "):
		p.cdLine(line)
	case strings.HasPrefix(line, "cat >"):
		if !p.startHeredoc(line) {
			p.command(line)
		}
	case strings.HasPrefix(line, "host link: "), strings.HasPrefix(line, "host obj copy: "), colon && isLinkFailed(line):
		// Linker output without its header (a torn log): keep it.
		p.openBlock(p.cur)
		p.addBlockLine(line)
	default:
		p.command(line)
	}
}

// testLineStart holds the first bytes of go test's own lines.
var testLineStart = [256]bool{'F': true, 'o': true, '?': true, 'P': true, '=': true, '-': true}

// handleHash handles lines starting with '#': package headers, the
// `# [desc]` line, -n banners and module fetch lines.
func (p *Parser) handleHash(line string) {
	if line == "#" {
		p.closeBlock()
		if p.banner == 0 {
			p.banner = 1
		} else {
			p.banner = 0
		}
		return
	}
	if p.banner == 1 {
		p.banner = 2 // the banner's title: `# importpath`
		return
	}
	p.banner = 0
	text, ok := strings.CutPrefix(line, "# ")
	if !ok || text == "" {
		if p.block != nil {
			p.addBlockLine(line)
		} else {
			p.sum.Skipped++
		}
		return
	}
	if strings.HasPrefix(text, "get ") {
		p.closeBlock()
		return // module fetch: `# get https://...` and its status line
	}
	if b := p.block; b != nil && len(b.Lines) == 0 && b.Desc == "" &&
		strings.HasPrefix(text, "[") && strings.HasSuffix(text, "]") {
		b.Desc = text[1 : len(text)-1]
		return
	}
	p.closeBlock()
	if isHeaderPath(text) {
		p.openBlock(text)
		return
	}
	// Older Go: `# pkg-config --cflags -- vips` alone, no import path;
	// or a paste that left out the `# importpath` line before `# [desc]`.
	p.openBlock(p.cur)
	if strings.HasPrefix(text, "[") && strings.HasSuffix(text, "]") {
		text = text[1 : len(text)-1]
	}
	p.block.Desc = text
}

// isHeaderPath reports whether s is an import path as a header names it:
// no blanks, or the test form `p [p.test]`.
func isHeaderPath(s string) bool {
	if i := strings.IndexByte(s, ' '); i >= 0 {
		t := s[i+1:]
		return i > 0 && strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]") &&
			!strings.ContainsAny(s[:i], "\t") && !strings.Contains(t, " ")
	}
	return !strings.ContainsAny(s, "\t")
}

func (p *Parser) openBlock(importPath string) {
	p.closeBlock()
	p.block = &Block{Line: p.lineNo, ImportPath: importPath, Lines: []string{}}
	p.blockBenign, p.blockErr = 0, false
}

// blockHasError is isErrorBlock of the open block's lines, remembering
// how far it read: lines are only appended while the block is open, so
// asking after each line costs one benign call per line, not one per
// line so far.
func (p *Parser) blockHasError() bool {
	lines := p.block.Lines
	for !p.blockErr && p.blockBenign < len(lines) {
		if benign(lines[p.blockBenign]) {
			p.blockBenign++
		} else {
			p.blockErr = true
		}
	}
	return p.blockErr
}

func (p *Parser) addBlockLine(line string) {
	b := p.block
	if len(b.Lines) >= maxBlockLines {
		p.sum.Skipped++
		return
	}
	b.Lines = append(b.Lines, line)
	p.blockLast = p.lineNo
	switch {
	case isLinkFailed(line):
		p.expectHost = true
	case strings.HasPrefix(line, "host link: "):
		argv, _ := splitGoQuoted(line[len("host link: "):])
		argv = p.expandAll(argv)
		p.blockHosts = append(p.blockHosts, &HostLink{Line: p.lineNo, ImportPath: b.ImportPath, Argv: argv})
	case strings.HasPrefix(line, "host obj copy: "):
		rest := line[len("host obj copy: "):]
		src, rest, ok1 := strings.Cut(rest, " from pkg ")
		pkg, dst, ok2 := strings.Cut(rest, " -> ")
		if ok1 && ok2 {
			if p.objCopies == nil {
				p.objCopies = map[string]ObjCopy{}
			}
			p.objCopies[dst] = ObjCopy{Src: src, ImportPath: pkg}
		}
	}
}

// closeBlock finishes the open block: messages, failure, host links.
func (p *Parser) closeBlock() {
	b := p.block
	if b == nil {
		return
	}
	p.block = nil
	p.expectHost = false
	p.loose = false
	run := p.runBlock
	p.runBlock = false
	for len(b.Lines) > 0 && b.Lines[len(b.Lines)-1] == "" {
		b.Lines = b.Lines[:len(b.Lines)-1]
	}
	if len(b.Lines) > 0 && !p.deferMessages {
		b.Messages = parseMessages(b.Lines)
	}
	b.Run = run
	if isErrorBlock(b.Lines) && !run {
		// A program that could not start was built: its block is no
		// build failure (go run and go test exit 1 all the same).
		b.Failed = true
		p.fail(b.ImportPath)
	}
	p.emit(Item{Block: b})
	for _, h := range p.blockHosts {
		if len(p.objCopies) > 0 {
			h.ObjCopies = p.objCopies
		}
		p.emit(Item{HostLink: h})
	}
	p.blockHosts = nil
	p.objCopies = nil
}

// isLinkFailed matches cmd/link's `<tool>/link: running gcc failed: exit
// status 1`, after which the full host command follows on its own line.
func isLinkFailed(line string) bool {
	i := strings.Index(line, ": running ")
	if i < 0 || !strings.HasSuffix(line[:i], "link") && !strings.HasSuffix(line[:i], "link.exe") {
		return false
	}
	_, after, ok := strings.Cut(line[i+len(": running "):], " failed: ")
	return ok && strings.HasPrefix(after, "exit status ")
}

// splitGoQuoted splits a line of space-separated Go-quoted words, as the
// linker prints `host link:` (each argument with %q).
func splitGoQuoted(s string) ([]string, error) {
	var out []string
	for s != "" {
		s = strings.TrimLeft(s, " ")
		if s == "" {
			break
		}
		q, err := strconv.QuotedPrefix(s)
		if err != nil {
			// Keep the rest as plain words rather than lose it.
			return append(out, strings.Fields(s)...), err
		}
		u, _ := strconv.Unquote(q)
		out = append(out, u)
		s = s[len(q):]
	}
	return out, nil
}

// isErrorBlock reports whether a block reports a failure: any line that is
// not a warning, a note, context for one (In function, source excerpt,
// caret) or the linker's -v chatter.
func isErrorBlock(lines []string) bool {
	for _, l := range lines {
		if !benign(l) {
			return true
		}
	}
	return false
}

func benign(l string) bool {
	t := strings.TrimSpace(l)
	// The tests at the ends of the line first, the scans of the whole
	// line last (all are pure: the order changes only the cost).
	switch {
	case t == "",
		strings.HasPrefix(t, "|"), strings.HasPrefix(t, "^"),
		len(l) > 0 && (l[0] == ' ' || l[0] == '\t'),
		strings.HasSuffix(t, "':"), strings.HasSuffix(t, "’:"),
		strings.HasPrefix(t, "In file included from"), strings.HasPrefix(t, "from "),
		strings.HasPrefix(l, "build mode: "), strings.HasPrefix(l, "HEADER = "),
		strings.HasPrefix(l, "host obj copy: "), strings.HasPrefix(l, "host link: "),
		strings.HasPrefix(l, "archive: "), strings.HasSuffix(l, " reachable"),
		strings.HasSuffix(l, " liveness data"),
		strings.HasPrefix(l, "external linking is forced by"),
		strings.Contains(l, "warning:"), strings.Contains(l, "note:"),
		strings.Contains(l, "NOTE:"):
		return true
	}
	return false
}

type msgKind int

const (
	notMessage  msgKind = iota
	pkgMessage          // importpath: message, package importpath: message
	goMessage           // go: message
	infoMessage         // go: downloading ... (not a diagnostic)
	posMessage          // main.go:3:8: no required module provides ... (load error)
)

// endsBlock reports whether a message line of this kind ends an open
// `#` block: file:line messages are the block's own content.
func endsBlock(k msgKind) bool { return k == pkgMessage || k == goMessage || k == infoMessage }

// unattributed classifies cmd/go's one-line messages printed without a
// `#` header: `example.com/x: invalid flag ...`, `package example.com/x:
// build constraints exclude ...`, `go: -race requires cgo ...`.
// cur is the ImportPath of the BuildEvent, when reading -json.
func unattributed(line, cur string) msgKind {
	return unattributedColon(line, cur, strings.IndexByte(line, ':') >= 0)
}

// unattributedColon is unattributed; colon tells whether line holds a
// ':', without which no shape matches.
func unattributedColon(line, cur string, colon bool) msgKind {
	if !colon {
		return notMessage
	}
	if rest, ok := strings.CutPrefix(line, "go: "); ok {
		for _, w := range []string{"downloading ", "finding ", "extracting ", "added ", "upgraded ", "found "} {
			if strings.HasPrefix(rest, w) {
				return infoMessage
			}
		}
		return goMessage
	}
	if cur != "" && strings.HasPrefix(line, cur+": ") {
		return pkgMessage
	}
	if rest, ok := strings.CutPrefix(line, "package "); ok {
		if i := strings.Index(rest, ": "); i > 0 && !strings.ContainsAny(rest[:i], " \t") {
			return pkgMessage
		}
		return notMessage
	}
	if strings.HasPrefix(line, "command-line-arguments: ") {
		return pkgMessage
	}
	i := strings.Index(line, ": ")
	if i <= 0 {
		return notMessage
	}
	if isModulePath(line[:i]) {
		return pkgMessage
	}
	if isGoPos(line[:i]) || isGoFileMessage(line[:i], line[i+2:]) {
		return posMessage
	}
	return notMessage
}

// isGoFileMessage matches cmd/go's messages about a whole Go file, which
// carry no line: "main.go: malformed #cgo argument: >=".
func isGoFileMessage(file, msg string) bool {
	return strings.HasSuffix(file, ".go") && !strings.ContainsAny(file, " \t") &&
		strings.HasPrefix(msg, "malformed #cgo argument: ")
}

// isGoPos matches a Go source position: FILE.go:LINE or FILE.go:LINE:COL.
func isGoPos(s string) bool {
	file, pos, ok := strings.Cut(s, ".go:")
	if !ok || file == "" || strings.ContainsAny(file, " \t") {
		return false
	}
	ln, col, _ := strings.Cut(pos, ":")
	return isDigits(ln) && (col == "" || isDigits(col))
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// isModulePath matches import paths whose first element is a domain
// (example.com/x): lowercase letters, digits, '-' and dots in the first
// element, at least one dot and one slash, no ':' or blanks.
func isModulePath(s string) bool {
	first, rest, ok := strings.Cut(s, "/")
	if !ok || rest == "" || !strings.Contains(first, ".") || first[0] == '.' {
		return false
	}
	for i := 0; i < len(first); i++ {
		b := first[i]
		if !('a' <= b && b <= 'z' || '0' <= b && b <= '9' || b == '-' || b == '.') {
			return false
		}
	}
	return !strings.ContainsAny(rest, " \t:")
}

// messagePath returns the import path a one-line message names.
func messagePath(line string) string {
	line = strings.TrimPrefix(line, "package ")
	p, _, _ := strings.Cut(line, ": ")
	return p
}

// IsTraceLine reports whether a line is a command cmd/go printed for -x
// or -n, rather than output of a tool. Tool output never starts like a
// command: compilers and linkers prefix their messages with "file:",
// "tool:" or indentation, and a C compiler or pkg-config is printed with
// flags (so "gcc version 12.2.0" from gcc -v is output). A pkg-config
// wrapper with any name (the cgotrace shim) is known by --cflags or
// --libs and the "--" cmd/go puts before package names. It is the test
// the parser uses to end an error block, and the one the terminal echo
// of cgotrace build uses to hide the trace.
func IsTraceLine(line string) bool {
	if line == "" || line[0] == '#' {
		// "# pkg" and "# [pkg-config --cflags -- x]" are the headers go
		// prints above a failed step's output, never a command.
		return false
	}
	for _, pre := range tracePrefixes {
		if strings.HasPrefix(line, pre) {
			return true
		}
	}
	if _, suf := cutSuffix(line); suf != "" {
		return true
	}
	if EnvName(line) != "" {
		return true
	}
	first, _, ok := strings.Cut(line, " ")
	if !ok || strings.ContainsAny(first, ":\t") {
		return false
	}
	base := path.Base(first)
	if isGoTool(base) || strings.Contains(first, "/pkg/tool/") {
		return true
	}
	if !strings.Contains(line, " -") {
		return false
	}
	return isCC(base) || isPkgConfig(base) ||
		strings.Contains(line, " -- ") && (strings.Contains(line, " --cflags") || strings.Contains(line, " --libs"))
}

// tracePrefixes start the shell commands cmd/go prints (ShowCmd calls in
// cmd/go/internal/work/shell.go and buildid.go: "rm -rf", "ln -s", ...).
var tracePrefixes = []string{"WORK=", "cd ", "mkdir -p ", "cat >", "echo ", "mv ", "cp ", "rm -r", "ln -s ", "go tool ", "touch "}

func isGoTool(base string) bool {
	switch base {
	case "compile", "link", "cgo", "asm", "pack", "vet", "buildid", "cover":
		return true
	}
	return false
}

func isCC(base string) bool {
	switch base {
	case "gcc", "cc", "clang", "g++", "c++", "clang++", "gfortran", "musl-gcc":
		return true
	}
	for _, s := range []string{"-gcc", "-g++", "-clang", "-clang++", "-cc", "-c++", "-gfortran"} {
		if strings.HasSuffix(base, s) {
			return true
		}
	}
	return strings.HasPrefix(base, "gcc-") || strings.HasPrefix(base, "clang-") || strings.HasPrefix(base, "g++-")
}

func isPkgConfig(base string) bool {
	return strings.Contains(base, "pkg-config") || strings.Contains(base, "pkgconf")
}

func (p *Parser) workLine(line string) {
	w := line[len("WORK="):]
	p.work = w
	p.workB = w + "/b"
	p.workPlain = plainWord(w)
	p.cwd = ""
	clear(p.actions)
	clear(p.sure)
	clear(p.dirs)
	if p.sum.Work == "" {
		p.sum.Work = w
	}
	p.sum.Trace = true
	p.emit(Item{Record: &Record{Line: p.lineNo, Kind: RecWork, Dir: w, Raw: line}})
}

func (p *Parser) cdLine(line string) {
	dir := p.expand(line[len("cd "):])
	if dir != "." && !path.IsAbs(dir) && !strings.HasPrefix(dir, "$WORK") && path.IsAbs(p.cwd) {
		dir = path.Join(p.cwd, dir)
	}
	p.cwd = dir
	p.sum.Trace = true
	p.emit(Item{Record: &Record{Line: p.lineNo, Kind: RecCd, ImportPath: p.cur, Dir: dir, Argv: []string{"cd", line[len("cd "):]}, Raw: line}})
}

// startHeredoc opens `cat >FILE << 'EOF' [# internal]`.
func (p *Parser) startHeredoc(line string) bool {
	rest, suffix := cutSuffix(line)
	rest, ok := strings.CutSuffix(rest, " << 'EOF'")
	if !ok {
		return false
	}
	file := rest[len("cat >"):]
	act := p.actionOf(file)
	p.heredoc = &Record{
		Line: p.lineNo, Kind: RecHeredoc, Action: act,
		ImportPath: p.importPath(act), Dir: p.cwd,
		Argv: []string{"cat", ">" + file}, Output: file,
		Step: "other", Suffix: suffix, Raw: line,
	}
	p.heredocBody = p.heredocBody[:0]
	p.sum.Trace = true
	return true
}

func (p *Parser) endHeredoc() {
	r := p.heredoc
	p.heredoc = nil
	if p.noBodies {
		// Only the lines that can name a package become strings.
		body := p.heredocBody
		for len(body) > 0 {
			line := body
			if i := bytes.IndexByte(body, '\n'); i >= 0 {
				line, body = body[:i], body[i+1:]
			} else {
				body = nil
			}
			if bytes.HasSuffix(line, pkgArchive) {
				p.learnImportcfg(string(line))
			}
		}
	} else {
		r.Body = string(p.heredocBody)
		p.learnImportcfg(r.Body)
	}
	p.heredocBody = p.heredocBody[:0]
	if r.ImportPath == "" {
		r.ImportPath = p.importPath(r.Action)
	}
	p.emit(Item{Record: r})
}

var pkgArchive = []byte("/_pkg_.a")

// learnImportcfg maps bNNN to import paths from `packagefile P=$WORK/bNNN/_pkg_.a`.
// A line that does not end in /_pkg_.a is passed over first (most of an
// importcfg names the build cache), before any other look at it.
func (p *Parser) learnImportcfg(body string) {
	const suffix = "/_pkg_.a"
	for body != "" {
		var line string
		line, body, _ = strings.Cut(body, "\n")
		if !strings.HasSuffix(line, suffix) {
			continue
		}
		rest, ok := strings.CutPrefix(line, "packagefile ")
		if !ok {
			continue
		}
		ip, file, ok := strings.Cut(rest, "=")
		if !ok || !strings.HasSuffix(file, suffix) {
			continue
		}
		if act := p.actionOf(file); act != "" {
			p.actions[act] = ip
			p.sure[act] = true
		}
	}
}

// actionOf returns the bNNN of the first $WORK/bNNN (or WORKDIR/bNNN) in s.
func (p *Parser) actionOf(s string) string {
	if a := actionAfter(s, "$WORK/b"); a != "" {
		return a
	}
	if p.work != "" {
		return actionAfter(s, p.workB)
	}
	return ""
}

// actionAfter returns the bNNN that the first dirB (a directory and
// "/b") in s starts, or "": a piece of s, not a new string.
func actionAfter(s, dirB string) string {
	i := strings.Index(s, dirB)
	if i < 0 {
		return ""
	}
	start := i + len(dirB) - 1 // the 'b'
	t := s[start+1:]
	n := 0
	for n < len(t) && '0' <= t[n] && t[n] <= '9' {
		n++
	}
	if n > 0 && (n == len(t) || t[n] == '/' || t[n] == '=') {
		return s[start : start+1+n]
	}
	return ""
}

func (p *Parser) importPath(act string) string {
	if p.cur != "" {
		return p.cur
	}
	if act == "" {
		return ""
	}
	return p.actions[act]
}

// expand replaces $WORK with the work directory, when WORK= was printed.
func (p *Parser) expand(s string) string {
	if p.work == "" || !strings.Contains(s, "$WORK") {
		return s
	}
	return strings.ReplaceAll(s, "$WORK", p.work)
}

func (p *Parser) expandAll(argv []string) []string {
	for i, a := range argv {
		argv[i] = p.expand(a)
	}
	return argv
}

// command handles an external or internal command line.
func (p *Parser) command(line string) {
	if !p.sum.Trace && !IsTraceLine(line) || hasControl(line) {
		if !p.sum.Trace && !hasControl(line) && p.headerless(line) {
			return
		}
		// Not a trace, and not a message we know: test output, garbage.
		p.sum.Skipped++
		return
	}
	// Expanding $WORK in the line before splitting costs one string
	// instead of one per argument; it needs a work path that the printer
	// would never quote.
	text, expanded := line, false
	if p.work != "" && p.workPlain {
		if line == p.lineRaw {
			// handleRaw looked for $WORK already, and expanded it.
			if p.lineExpanded != "" {
				text, expanded = p.lineExpanded, true
			}
		} else if strings.Contains(line, "$WORK") {
			text, expanded = strings.ReplaceAll(line, "$WORK", p.work), true
		}
	}
	var c Command
	if rest, ok := strings.CutPrefix(text, "echo '"); ok {
		// `echo 'text' > FILE # internal` is genuinely shell-quoted.
		body, suffix := cutSuffix("'" + rest)
		words, _ := shellWords(body)
		c = Command{Argv: append([]string{"echo"}, words...), Suffix: suffix}
	} else {
		c, _ = SplitCommand(text)
	}
	if len(c.Argv) == 0 {
		p.sum.Skipped++
		return
	}
	p.sum.Trace = true
	if p.work == "" && strings.Contains(line, "$WORK") {
		p.dryRun = true
	}
	r := &Record{Line: p.lineNo, Kind: RecCommand, Env: c.Env, Suffix: c.Suffix, Raw: line, Dir: p.cwd}
	step := stepKind(c.Argv, c.Suffix)
	if (c.Argv[0] == "mv" || c.Argv[0] == "cp") && len(c.Argv) > 2 && strings.Contains(c.Argv[1], "/exe/") ||
		c.Argv[0] == "rm" && len(c.Argv) > 2 && (strings.HasPrefix(c.Argv[2], "$WORK") || p.work != "" && strings.HasPrefix(c.Argv[2], p.work+"/")) {
		p.completed = true
	}
	for i, a := range c.Argv {
		if !expanded {
			a = p.expand(a)
		}
		if a == "." || strings.HasPrefix(a, "./") {
			if path.IsAbs(p.cwd) || strings.HasPrefix(p.cwd, "$WORK") {
				a = path.Join(p.cwd, a)
			}
		}
		c.Argv[i] = a
	}
	out := flagValue(c.Argv, "-o")
	if step == "pack" && len(c.Argv) > 4 {
		out = c.Argv[4] // go tool pack r ARCHIVE ...
	}
	act := p.actionOf(out)
	if act == "" {
		act = p.actionOf(line)
	}
	if act == "" {
		act = p.actionOf(p.cwd)
	}
	p.learn(step, c.Argv, act)
	r.Argv = c.Argv
	r.Step = step
	r.Output = out
	r.Action = act
	r.ImportPath = p.importPath(act)
	if r.ImportPath == "" && step == "pkg-config" {
		r.ImportPath = p.dirs[p.cwd]
	}
	if step == "cgo" && r.ImportPath != "" && p.cwd != "" {
		p.dirs[p.cwd] = r.ImportPath
	}
	p.last = r
	p.linked = p.linked || step == "link"
	p.emit(Item{Record: r})
}

// headerless opens a block for a tool's message printed (or pasted)
// without the `# importpath` line before it: `cannot find -lfoo`,
// `x.c:1:2: error: ...`, `collect2: error: ld returned 1 exit status`.
// The lines after it join it as they would join a header's block.
func (p *Parser) headerless(line string) bool {
	for _, m := range parseMessages([]string{line}) {
		if m.Kind != MsgOther && m.Kind != MsgCollect2 && m.Severity == "error" {
			p.openBlock(p.cur)
			p.addBlockLine(line)
			return true
		}
	}
	return false
}

// learn records the import path of an action from the command itself.
func (p *Parser) learn(step string, argv []string, act string) {
	if act == "" {
		return
	}
	if p.cur != "" {
		p.actions[act] = p.cur
		p.sure[act] = true
		return
	}
	switch step {
	case "cgo":
		if ip := flagValue(argv, "-importpath"); ip != "" {
			p.actions[act] = ip
			p.sure[act] = true
		}
	case "compile", "asm":
		if ip := flagValue(argv, "-p"); ip != "" && !p.sure[act] {
			p.actions[act] = ip
		}
	}
}

// plainWord reports whether cmd/go prints s unquoted and it holds no
// space: such a string can be substituted into a printed line safely.
func plainWord(s string) bool {
	if s == "" || strings.ContainsAny(s, " ()>;$") {
		return false
	}
	return len(strconv.Quote(s)) == len(s)+2
}

// hasControl reports whether s holds a byte below 0x20 or 0x7f. It reads
// eight bytes at a time: a command line is long, and every one is checked.
func hasControl(s string) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		t := s[i : i+8] // one bounds check: the loads combine into one
		x := uint64(t[0]) | uint64(t[1])<<8 | uint64(t[2])<<16 | uint64(t[3])<<24 |
			uint64(t[4])<<32 | uint64(t[5])<<40 | uint64(t[6])<<48 | uint64(t[7])<<56
		// A byte below 0x20, or a byte equal to 0x7f, sets its high
		// bit in one of the two (bytes of 0x80 and above set none).
		if ((x-0x20*ones)|((x^0x7f*ones)-ones))&^x&highs != 0 {
			return true
		}
	}
	for ; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return true
		}
	}
	return false
}

// flagValue returns the argument after flag (or in flag=value), "" if none.
func flagValue(argv []string, flag string) string {
	for i, a := range argv {
		if a == flag && i+1 < len(argv) {
			return argv[i+1]
		}
		if len(flag) > 2 && len(a) > len(flag) && a[len(flag)] == '=' && strings.HasPrefix(a, flag) {
			return a[len(flag)+1:]
		}
	}
	return ""
}

func hasArg(argv []string, s string) bool {
	for _, a := range argv {
		if a == s {
			return true
		}
	}
	return false
}

// stepKind names the report-v1 step kind of a command.
func stepKind(argv []string, suffix string) string {
	if len(argv) > 1 && strings.Contains(argv[1], "/pkg/tool/") && !strings.Contains(argv[0], "/pkg/tool/") {
		argv = argv[1:] // -toolexec wrapper in front of the tool
	}
	base := path.Base(argv[0])
	if argv[0] == "go" && len(argv) > 2 && argv[1] == "tool" {
		base = argv[2]
	}
	switch base {
	case "cgo":
		if hasArg(argv, "-dynimport") {
			return "cgo-dynimport"
		}
		return "cgo"
	case "compile", "asm", "pack", "link":
		return base
	}
	if isPkgConfig(base) || hasArg(argv, "--") && (hasArg(argv, "--cflags") || hasArg(argv, "--libs")) {
		return "pkg-config"
	}
	if isCC(base) {
		switch {
		case suffix == "|| true":
			return "other" // a flag probe
		case hasArg(argv, "-c"), hasArg(argv, "-E"):
			return "cc-compile"
		case hasArg(argv, "-o"):
			return "cc-link"
		}
	}
	return "other"
}

// finish flushes what is open at the end of input and decides the outcome.
func (p *Parser) finish() {
	if p.heredoc != nil {
		// Unterminated heredoc: keep what was read, count it.
		p.sum.Skipped++
		p.torn = true
		p.sum.Truncated = "the log stops inside a file that go build was writing (heredoc without its EOF line)"
		p.endHeredoc()
	}
	if b := p.block; b != nil && p.torn && p.blockLast == p.lineNo && p.err == nil && len(b.Lines) > 0 {
		// The last line has no end: a message cut midway names what it
		// names only in part (`cannot find -ln` of -lnotify).
		last := b.Lines[len(b.Lines)-1]
		b.Lines = b.Lines[:len(b.Lines)-1]
		if n := len(p.blockHosts); n > 0 && p.blockHosts[n-1].Line == p.lineNo {
			p.blockHosts = p.blockHosts[:n-1]
		}
		p.sum.CutLine, p.sum.CutText = p.lineNo, last
		p.sum.Truncated = fmt.Sprintf("the log stops in the middle of line %d, an error message: %q", p.lineNo, last)
	}
	if p.expectHost && p.block != nil {
		p.sum.Truncated = "the log stops after `running gcc failed`, before the linker's command and messages"
	}
	p.closeBlock()
	fe := &p.fe
	p.sum.CI = fe.ci
	if fe.ciExitSeen {
		code := fe.ciExit
		p.sum.CIExitCode = &code
	}
	if p.torn && p.sum.Truncated == "" {
		p.sum.Truncated = fmt.Sprintf("the last line (%d) has no line end", p.lineNo)
	}
	switch {
	case p.failure:
		p.sum.Outcome = OutcomeFailure
	case fe.ciExitSeen && fe.ciExit != 0:
		// go's own lines do not show the failure; the CI system's do.
		p.sum.Outcome = OutcomeFailure
	case p.err != nil || p.dryRun || p.sum.Truncated != "":
		p.sum.Outcome = OutcomeUnknown
	case p.completed:
		p.sum.Outcome = OutcomeSuccess
	case fe.ciExitSeen:
		p.sum.Outcome = OutcomeSuccess
	case p.sum.Trace:
		if p.traceEnded() {
			p.sum.Outcome = OutcomeSuccess
			p.sum.NoFinalLink = !p.linked
		} else {
			p.sum.Outcome = OutcomeUnknown
			if p.last != nil {
				p.sum.Truncated = fmt.Sprintf("the trace stops after line %d (%s) in the middle of a package's steps", p.last.Line, p.last.Step)
			}
		}
	case p.sum.Lines > 0 && (p.sum.Skipped == 0 || fe.ci || fe.promptSeen):
		p.sum.Outcome = OutcomeSuccess
	default:
		p.sum.Outcome = OutcomeUnknown
	}
}

// traceEnded reports whether a trace without a link ends where go build
// ends a package: a fully cached build (WORK= and nothing else), or the
// last command stores an archive (`cp ... # internal` into the cache,
// `go tool buildid -w`).
func (p *Parser) traceEnded() bool {
	r := p.last
	if p.resultLine > 0 && (r == nil || r.Line < p.resultLine) {
		return true // go test's `ok` or `?` line for the last package
	}
	if r == nil {
		return p.work != "" && !p.dryRun
	}
	switch {
	case len(r.Argv) > 0 && r.Argv[0] == "cp" && r.Suffix == "internal":
		return true
	case r.Step == "other" && len(r.Argv) > 2 && r.Argv[len(r.Argv)-2] == "-w" && strings.HasSuffix(r.Argv[1], "buildid"):
		return true
	case len(r.Argv) > 3 && r.Argv[0] == "go" && r.Argv[2] == "buildid" && r.Argv[3] == "-w":
		return true
	}
	return false
}

// StartsHeredoc reports whether a -x line opens a heredoc
// (`cat >FILE << 'EOF'`, optionally with a "# internal" suffix): the
// lines after it, up to a line "EOF", are the file's body, not commands
// or output.
func StartsHeredoc(line string) bool {
	rest, _ := cutSuffix(line)
	return strings.HasPrefix(rest, "cat >") && strings.HasSuffix(rest, " << 'EOF'")
}

// IsTestRunLine reports whether a line is the command go test -x prints
// before it runs a test binary: the binary (a path ending in ".test" or
// ".test.exe", after the -exec program if any) followed by its -test.
// flags, as in `$WORK/b001/pkg.test -test.paniconexit0 -test.timeout=10m0s`
// (cmd/go/internal/test prints the binary's argv joined by spaces).
func IsTestRunLine(line string) bool {
	words := strings.Fields(line)
	for i := 0; i+1 < len(words); i++ {
		w := words[i]
		if (strings.HasSuffix(w, ".test") || strings.HasSuffix(w, ".test.exe")) && len(w) > len(".test") &&
			strings.HasPrefix(words[i+1], "-test.") {
			return i < 3 // the binary, after at most an -exec program and its argument
		}
	}
	return false
}
