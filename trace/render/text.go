package render

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/cgotrace/cgotrace/trace"
	"github.com/cgotrace/cgotrace/trace/diag"
)

func init() { register("text", Text) }

// DefaultWidth is the column the text renderer folds at when
// Options.Width is 0.
const DefaultWidth = 100

// ANSI SGR sequences; used only when Options.Color is set.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[1;31m"
	ansiYellow = "\x1b[1;33m"
	ansiGreen  = "\x1b[32m"
	ansiCyan   = "\x1b[36m"
)

// Text renders the report for a person at a terminal: the root cause
// first with its fix, then the chain of the failed package as an
// indented tree (#cgo line → pkg-config and .pc file → flags → the
// command → the error), then the other diagnoses and the binaries'
// missing libraries. Lines longer than Options.Width are folded at word
// boundaries with a hanging indent; a word is never cut.
// maxTextEvidence is the most evidence lines of one diagnosis the text
// report prints (a screen's worth); the report keeps them all.
const maxTextEvidence = 12

func Text(w io.Writer, r *trace.Report, o Options) error {
	r, err := canonical(r)
	if err != nil {
		return err
	}
	t := &textWriter{w: bufio.NewWriter(w), width: o.Width, color: o.Color}
	if t.width <= 0 {
		t.width = DefaultWidth
	}

	switch {
	case interruptedBy(r) != "":
		t.line("", "", fmt.Sprintf("build interrupted by %s: %s (exit status %d); no diagnosis: the build did not finish", interruptedBy(r), commandText(r), r.Command.ExitCode), ansiBold)
	case onlyTestsFailed(r):
		t.line("", "", fmt.Sprintf("tests failed: %s (exit status %d); every package built, no diagnosis", commandText(r), r.Command.ExitCode), ansiBold)
		for _, p := range testsFailed(r) {
			t.line("  FAIL ", "    ", p, "")
		}
	case startFailed(r):
		t.line("", "", fmt.Sprintf("build succeeded, but a program it built could not start: %s (exit status %d)", commandText(r), r.Command.ExitCode), ansiBold)
	case buildFailed(r):
		t.line("", "", fmt.Sprintf("build failed: %s (exit status %d)", commandText(r), r.Command.ExitCode), ansiBold)
	case failed(r):
		t.line("", "", "build succeeded, with problems: "+commandText(r), ansiBold)
	case len(r.Command.Argv) > 1 && trace.RunsTests(r.Command.Argv[1], r.Command.Argv[2:]):
		t.line("", "", "build and tests succeeded: "+commandText(r), ansiBold)
	default:
		t.line("", "", "build succeeded: "+commandText(r), ansiBold)
	}
	for _, n := range r.Notes {
		t.line("note: ", "      ", n, "")
	}

	rc := rootCause(r)
	if rc < 0 && r.Command.Output != "" {
		t.blank()
		t.line("", "", "no build step failed: go itself stopped; it said:", ansiRed)
		for _, l := range strings.Split(r.Command.Output, "\n") {
			t.line("  ", "    ", l, "")
		}
	}
	if rc >= 0 {
		d := &r.Diagnoses[rc]
		t.blank()
		head := "root cause: " + string(d.Code)
		if d.Package != "" {
			head += " in " + d.Package
		}
		t.line("", "", head, ansiRed)
		t.diagnosisBody("  ", d)

		// A chain needs a package to follow; a finding about a binary
		// (runtime-library-missing) has none.
		if c := buildChain(r, d); len(c.Nodes) > 1 {
			t.blank()
			t.line("", "", "chain of "+d.Package+":", ansiBold)
			t.chain("  ", &c)
		}
	}

	var others []int
	for i := range r.Diagnoses {
		if i != rc {
			others = append(others, i)
		}
	}
	if len(others) > 0 {
		t.blank()
		title := "other diagnoses:"
		if rc < 0 {
			title = "diagnoses:"
		}
		t.line("", "", title, ansiBold)
		for _, i := range others {
			d := &r.Diagnoses[i]
			head := string(d.Severity) + ": " + string(d.Code)
			if d.Package != "" {
				head += " in " + d.Package
			}
			t.line("  ", "    ", head, severityColor(d.Severity))
			t.diagnosisBody("    ", d)
		}
	}

	var missing []string
	for _, b := range r.Binaries {
		if b != nil && len(b.Missing) > 0 {
			missing = append(missing, b.Path+": missing "+strings.Join(b.Missing, ", "))
		}
	}
	if len(missing) > 0 {
		t.blank()
		t.line("", "", "binaries:", ansiBold)
		for _, m := range missing {
			t.line("  ", "    ", m, "")
		}
	}
	if c := countedPackages(r); c != "" {
		t.blank()
		t.line("", "", "also: "+c, ansiDim)
	}
	return t.w.Flush()
}

// textWriter writes folded, optionally coloured lines.
type textWriter struct {
	w     *bufio.Writer
	width int
	color bool
}

func (t *textWriter) blank() { t.w.WriteByte('\n') }

// line writes s (which may hold newlines) folded at the width: the first
// line of each paragraph starts with first, continuation lines with rest.
// The colour covers the text, never the indent.
func (t *textWriter) line(first, rest, s, color string) {
	s = visible(strings.ReplaceAll(s, "\r\n", "\n"))
	for i, para := range strings.Split(s, "\n") {
		p1 := first
		if i > 0 {
			p1 = rest
		}
		for _, l := range fold(para, t.width, p1, rest) {
			indent := l[:len(l)-len(strings.TrimLeft(l, " "))]
			body := l[len(indent):]
			if t.color && color != "" && body != "" {
				body = color + body + ansiReset
			}
			t.w.WriteString(indent)
			t.w.WriteString(body)
			t.w.WriteByte('\n')
		}
	}
}

// diagnosisBody writes summary, source, detail, subject, evidence, fix
// and where to read more about the code.
func (t *textWriter) diagnosisBody(indent string, d *diag.Diagnosis) {
	more := indent + "  "
	t.line(indent, more, d.Summary, "")
	if d.Source != nil {
		t.line(indent, more, "at "+sourceText(d.Source), ansiCyan)
	}
	if d.Detail != "" {
		t.line(indent, more, d.Detail, "")
	}
	if len(d.Subject) > 0 {
		t.line(indent, more, "subject: "+subjectText(d.Subject), ansiDim)
	}
	if len(d.Evidence) > 0 {
		t.line(indent, more, "evidence:", "")
		ev := d.Evidence
		if len(ev) > maxTextEvidence {
			ev = ev[:maxTextEvidence-1]
		}
		for _, e := range ev {
			t.line(more, more+"  ", e, ansiDim)
		}
		if n := len(d.Evidence) - len(ev); n > 0 {
			t.line(more, more+"  ", fmt.Sprintf("… and %d more lines (all in the report: --format json or --report-dir)", n), ansiDim)
		}
	}
	if d.Fix != "" {
		t.line(indent, more+"   ", "fix: "+d.Fix, ansiGreen)
	}
	t.line(indent, more, ExplainPointer(d), ansiDim)
}

// chain writes the chain as a tree indented by stage: every stage that
// has nodes goes one level deeper than the one before it. Flags with the
// same origin share a line.
func (t *textWriter) chain(indent string, c *chain) {
	type item struct {
		label, detail string
		failing       bool
	}
	var stages [][]item
	var stageOf []int
	for _, n := range c.Nodes {
		if len(stageOf) == 0 || stageOf[len(stageOf)-1] != n.Stage {
			stages = append(stages, nil)
			stageOf = append(stageOf, n.Stage)
		}
		cur := &stages[len(stages)-1]
		if n.Stage == stageFlag {
			merged := false
			for k := range *cur {
				if (*cur)[k].detail == n.Detail {
					(*cur)[k].label += " " + n.Label
					merged = true
				}
			}
			if merged {
				continue
			}
		}
		label := n.Label
		switch n.Stage {
		case stageCommand:
			label = "$ " + label
		case stageError:
			label = "error: " + label
		}
		*cur = append(*cur, item{label: label, detail: n.Detail, failing: n.Failing})
	}
	for depth, items := range stages {
		pad := indent + strings.Repeat("   ", max(depth-1, 0))
		for k, it := range items {
			first, rest := pad, pad+"    "
			if depth > 0 {
				first, rest = pad+"   ", pad+"       "
				if k == 0 {
					first = pad + "└─ "
				}
			}
			text := it.label
			if it.detail != "" {
				text += "  (" + it.detail + ")"
			}
			color := ""
			if it.failing {
				color = ansiRed
				text += "  <-- failed here"
			}
			t.line(first, rest, text, color)
		}
		if k := c.Omitted[stageOf[depth]]; k > 0 {
			t.line(pad+"   ", pad+"   ", fmt.Sprintf("(%d more not shown; see the report)", k), ansiDim)
		}
	}
}

func severityColor(s diag.Severity) string {
	switch s {
	case diag.Error:
		return ansiRed
	case diag.Warning:
		return ansiYellow
	}
	return ansiCyan
}

// fold breaks s into lines of at most width columns (runes), the first
// line prefixed with first and the others with rest, breaking only at
// spaces. The spaces inside a line are kept as they are (gcc's caret
// lines stay aligned); the spaces at a break are dropped. A word longer
// than the room left stays whole on a line of its own.
func fold(s string, width int, first, rest string) []string {
	s = strings.ReplaceAll(s, "\t", " ")
	// words[i] is preceded by gaps[i] (the leading spaces for i == 0).
	var gaps, words []string
	for len(s) > 0 {
		n := len(s) - len(strings.TrimLeft(s, " "))
		gap := s[:n]
		s = s[n:]
		if s == "" {
			break // trailing spaces are dropped
		}
		end := strings.IndexByte(s, ' ')
		if end < 0 {
			end = len(s)
		}
		gaps = append(gaps, gap)
		words = append(words, s[:end])
		s = s[end:]
	}
	if len(words) == 0 {
		return []string{strings.TrimRight(first, " ")}
	}
	var lines []string
	cur := first + gaps[0] + words[0]
	curLen := utf8.RuneCountInString(cur)
	for i := 1; i < len(words); i++ {
		add := utf8.RuneCountInString(gaps[i]) + utf8.RuneCountInString(words[i])
		if curLen+add <= width {
			cur += gaps[i] + words[i]
			curLen += add
			continue
		}
		lines = append(lines, cur)
		cur = rest + words[i]
		curLen = utf8.RuneCountInString(cur)
	}
	return append(lines, cur)
}

// visible replaces control characters other than newline and tab with
// Go escapes (\x1b, \r, \u009b): a report may come from anywhere
// (`cgotrace report`), and a tool's colour codes or a stray escape
// sequence must not reach the terminal; only our own colour does.
func visible(s string) string {
	clean := true
	for _, r := range s {
		if isControl(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\r':
			b.WriteString(`\r`)
		case isControl(r) && r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		case isControl(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isControl(r rune) bool {
	return (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r < 0xa0)
}
