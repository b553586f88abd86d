package render

import (
	"fmt"
	"html"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cgotrace/cgotrace/trace"
	"github.com/cgotrace/cgotrace/trace/diag"
)

// The chain of one package, #cgo line → pkg-config → C compile → link, as
// columns of nodes. The HTML renderer draws it as inline SVG (svgDiagram) and
// also prints it as a plain list, for screen readers and text browsers.

// Node states.
const (
	svgNodeOK     = ""       // ran and succeeded
	svgNodeFailed = "failed" // this command failed
	svgNodeCause  = "cause"  // the #cgo line a diagnosis traces back to
	svgNodeNone   = "none"   // nothing of this stage was observed
)

// svgNode is one box of the diagram.
type svgNode struct {
	Title string   // heading, e.g. "#cgo LDFLAGS"
	Lines []string // up to two detail lines
	Full  string   // the whole, untruncated text (SVG <title>, list)
	State string   // svgNodeOK, svgNodeFailed, svgNodeCause or svgNodeNone
}

// svgColumn is one stage of the chain.
type svgColumn struct {
	Stage string // "#cgo", "pkg-config", "compile", "link"
	Nodes []svgNode
	More  int // nodes left out of the diagram (still listed in the text)
}

// svgMaxColumnNodes caps the boxes drawn per stage; failed boxes are always kept.
const svgMaxColumnNodes = 4

// svgStageOf maps a diagnosis code to the stage where the failure shows.
func svgStageOf(c diag.Code) string {
	switch c {
	case diag.InvalidCgoFlag, diag.CgoDisabled:
		return "#cgo"
	case diag.PkgConfigNotFound, diag.PkgConfigPackageNotFound, diag.PkgConfigVersionMismatch:
		return "pkg-config"
	case diag.HeaderNotFound, diag.CompileError, diag.CgoUnknownName, diag.CCNotFound, diag.CrossCCMismatch:
		return "compile"
	case diag.LibraryNotFound, diag.LibraryDevMissing, diag.LibraryArchMismatch,
		diag.StaticLibraryMissing, diag.UndefinedSymbol, diag.CXXRuntimeMissing,
		diag.DSOMissingFromCommandLine, diag.MultipleDefinition, diag.PICRequired,
		diag.LinkError:
		return "link"
	}
	return ""
}

// svgBuildChain builds the columns of p's chain. ds are the diagnoses of p.
func svgBuildChain(p *trace.Package, ds []diag.Diagnosis) []svgColumn {
	cols := []svgColumn{
		{Stage: "#cgo"}, {Stage: "pkg-config"}, {Stage: "compile"}, {Stage: "link"},
	}
	for _, d := range p.Directives {
		n := svgNode{
			Title: "#cgo " + svgDirectiveHead(d),
			Lines: []string{fmt.Sprintf("%s:%d", filepath.Base(d.File), d.Line), strings.Join(d.Args, " ")},
			Full:  fmt.Sprintf("%s:%d: #cgo %s %s", d.File, d.Line, svgDirectiveHead(d), strings.Join(d.Args, " ")),
		}
		for _, dg := range ds {
			if dg.Source != nil && dg.Source.Line == d.Line && svgSameFile(dg.Source.File, d.File) {
				n.State = svgNodeCause
			}
		}
		cols[0].Nodes = append(cols[0].Nodes, n)
	}
	for _, c := range p.PkgConfig {
		n := svgNode{Title: "pkg-config", Full: htmlJoinArgs(c.Argv)}
		n.Lines = append(n.Lines, strings.Join(svgArgsAfter(c.Argv), " "))
		switch {
		case len(c.PCFiles) > 0:
			bases := make([]string, len(c.PCFiles))
			for i, f := range c.PCFiles {
				bases[i] = filepath.Base(f)
			}
			n.Lines = append(n.Lines, strings.Join(bases, " "))
			n.Full += "\n.pc files: " + strings.Join(c.PCFiles, " ")
		case c.ExitCode != 0:
			n.Lines = append(n.Lines, "no .pc file, exit "+strconv.Itoa(c.ExitCode))
		}
		if c.ExitCode != 0 {
			n.State = svgNodeFailed
			n.Full += "\nexit status " + strconv.Itoa(c.ExitCode)
		}
		if s := strings.TrimSpace(c.Stderr); s != "" {
			n.Full += "\n" + s
		}
		cols[1].Nodes = append(cols[1].Nodes, n)
	}
	for _, s := range p.Steps {
		var col int
		switch s.Kind {
		case trace.KindCgo, trace.KindCCCompile:
			col = 2
		case trace.KindCCLink, trace.KindCgoDynimport, trace.KindLink, trace.KindHostLink:
			col = 3
		default:
			continue
		}
		n := svgStepNode(s)
		cols[col].Nodes = append(cols[col].Nodes, n)
	}

	// A failure that no observed command carries: mark the last node of
	// the stage where the root diagnosis of this package shows.
	anyFailed := false
	for _, c := range cols {
		for _, n := range c.Nodes {
			anyFailed = anyFailed || n.State == svgNodeFailed
		}
	}
	if !anyFailed {
		for _, d := range ds {
			if d.Severity != diag.Error {
				continue
			}
			for i := range cols {
				if cols[i].Stage == svgStageOf(d.Code) && len(cols[i].Nodes) > 0 && i > 0 {
					cols[i].Nodes[len(cols[i].Nodes)-1].State = svgNodeFailed
				}
			}
			break
		}
	}
	for i := range cols {
		if len(cols[i].Nodes) == 0 {
			cols[i].Nodes = []svgNode{{Title: "(none)", Lines: []string{svgNoneText(cols[i].Stage)}, Full: svgNoneText(cols[i].Stage), State: svgNodeNone}}
		}
	}
	return cols
}

func svgNoneText(stage string) string {
	switch stage {
	case "#cgo":
		return "no #cgo lines"
	case "pkg-config":
		return "no pkg-config call"
	case "compile":
		return "no C compile seen"
	}
	return "no link seen"
}

func svgDirectiveHead(d trace.Directive) string {
	if d.Condition != "" {
		return d.Condition + " " + d.Verb + ":"
	}
	return d.Verb + ":"
}

// svgSameFile reports whether a diagnosis source path and a directive file
// name the same file (one may be relative, the other absolute).
func svgSameFile(a, b string) bool {
	if a == b {
		return true
	}
	return filepath.Base(a) == filepath.Base(b) &&
		(strings.HasSuffix(a, "/"+b) || strings.HasSuffix(b, "/"+a) || !strings.Contains(a, "/") || !strings.Contains(b, "/"))
}

// svgArgsAfter drops argv[0] and a leading "--" separator.
func svgArgsAfter(argv []string) []string {
	if len(argv) == 0 {
		return nil
	}
	out := make([]string, 0, len(argv)-1)
	for _, a := range argv[1:] {
		if a == "--" {
			continue
		}
		out = append(out, a)
	}
	return out
}

// svgStepNode describes one command of the compile or link stage.
func svgStepNode(s trace.Step) svgNode {
	tool := ""
	if len(s.Argv) > 0 {
		tool = filepath.Base(s.Argv[0])
	}
	n := svgNode{Full: htmlJoinArgs(s.Argv)}
	if s.Dir != "" {
		n.Full = "cd " + s.Dir + "\n" + n.Full
	}
	out := filepath.Base(s.Output)
	switch s.Kind {
	case trace.KindCgo:
		n.Title = "cgo"
		n.Lines = []string{strings.Join(svgGoFiles(s.Argv), " ")}
	case trace.KindCCCompile:
		n.Title = tool + " -c"
		n.Lines = []string{cdbSourceFile(s.Argv)}
	case trace.KindCCLink:
		n.Title = tool + " (cgo link)"
	case trace.KindCgoDynimport:
		n.Title = "cgo -dynimport"
	case trace.KindLink:
		n.Title = "go link"
	case trace.KindHostLink:
		n.Title = "host link (" + tool + ")"
	}
	if s.Output != "" {
		n.Lines = append(n.Lines, "→ "+out)
	}
	if s.Failed {
		n.State = svgNodeFailed
	}
	return n
}

// svgGoFiles returns the .go arguments of a cgo command, as base names.
func svgGoFiles(argv []string) []string {
	var fs []string
	for _, a := range argv {
		if strings.HasSuffix(a, ".go") {
			fs = append(fs, filepath.Base(a))
		}
	}
	return fs
}

// cdbSourceFile returns the file a compiler command compiles (the argument of
// -c style commands that is not an option or an option's value).
func cdbSourceFile(argv []string) string {
	ins := cdbCompileInputs(argv)
	if len(ins) == 0 {
		return ""
	}
	return ins[len(ins)-1]
}

// svg geometry, in px.
const (
	svgColW    = 214
	svgGap     = 44
	svgBoxH    = 62
	svgBoxGap  = 12
	svgTop     = 30
	svgPad     = 8
	svgCharW   = 7.3 // advance of the 12px monospace font, with a margin
	svgLineH   = 16
	svgMaxText = 27 // (svgColW - 2*svgPad) / svgCharW
)

// svgDiagram draws cols as an inline SVG element. Every piece of text is
// escaped here, so the result is safe to embed as template.HTML.
func svgDiagram(label string, cols []svgColumn) string {
	rows := 0
	for i := range cols {
		cols[i] = svgCapColumn(cols[i])
		n := len(cols[i].Nodes)
		if cols[i].More > 0 {
			n++
		}
		rows = max(rows, n)
	}
	width := len(cols)*svgColW + (len(cols)-1)*svgGap + 2
	height := svgTop + rows*(svgBoxH+svgBoxGap) + 2
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chain" role="img" width="%d" height="%d" viewBox="0 0 %d %d" font-family="ui-monospace, monospace" font-size="12">`,
		width, height, width, height)
	fmt.Fprintf(&b, "<title>%s</title>\n", svgEsc(label))
	for i, c := range cols {
		x := 1 + i*(svgColW+svgGap)
		fmt.Fprintf(&b, `<text class="stage" x="%d" y="16">%s</text>`+"\n", x, svgEsc(strings.ToUpper(c.Stage)))
		if i+1 < len(cols) {
			// One arrow from this stage's first box to the next stage's.
			y := svgTop + svgBoxH/2
			x1, x2 := x+svgColW+3, x+svgColW+svgGap-4
			fmt.Fprintf(&b, `<g class="arrow"><line x1="%d" y1="%d" x2="%d" y2="%d"/><polygon points="%d,%d %d,%d %d,%d"/></g>`+"\n",
				x1, y, x2-7, y, x2, y, x2-8, y-5, x2-8, y+5)
		}
		for j, n := range c.Nodes {
			y := svgTop + j*(svgBoxH+svgBoxGap)
			svgWriteBox(&b, x, y, n)
		}
		if c.More > 0 {
			y := svgTop + len(c.Nodes)*(svgBoxH+svgBoxGap)
			fmt.Fprintf(&b, `<text class="more" x="%d" y="%d">+%d more (listed below)</text>`+"\n", x+svgPad, y+svgLineH, c.More)
		}
	}
	b.WriteString("</svg>")
	return b.String()
}

func svgWriteBox(b *strings.Builder, x, y int, n svgNode) {
	class := "node"
	if n.State != svgNodeOK {
		class += " " + n.State
	}
	fmt.Fprintf(b, `<g class="%s"><title>%s</title>`, class, svgEsc(n.Full))
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="%d" rx="6"/>`, x, y, svgColW, svgBoxH)
	badge := ""
	switch n.State {
	case svgNodeFailed:
		badge = "FAILED"
	case svgNodeCause:
		badge = "SOURCE"
	}
	titleMax := svgMaxText
	if badge != "" {
		titleMax -= len(badge) + 1
		fmt.Fprintf(b, `<text class="badge" x="%d" y="%d" text-anchor="end">%s</text>`, x+svgColW-svgPad, y+svgLineH+2, badge)
	}
	fmt.Fprintf(b, `<text class="head" x="%d" y="%d">%s</text>`, x+svgPad, y+svgLineH+2, svgEsc(svgTruncEnd(n.Title, titleMax)))
	for k, l := range n.Lines {
		if k == 2 {
			break
		}
		fmt.Fprintf(b, `<text x="%d" y="%d">%s</text>`, x+svgPad, y+svgLineH*(k+2)+4, svgEsc(svgTruncMiddle(l, svgMaxText)))
	}
	b.WriteString("</g>\n")
}

// svgCapColumn keeps at most svgMaxColumnNodes nodes, failed and cause nodes
// first, in their original order, and counts the rest in More.
func svgCapColumn(c svgColumn) svgColumn {
	if len(c.Nodes) <= svgMaxColumnNodes {
		return c
	}
	keep := make([]bool, len(c.Nodes))
	left := svgMaxColumnNodes
	for i, n := range c.Nodes {
		if left > 0 && (n.State == svgNodeFailed || n.State == svgNodeCause) {
			keep[i] = true
			left--
		}
	}
	for i := range c.Nodes {
		if left > 0 && !keep[i] {
			keep[i] = true
			left--
		}
	}
	out := svgColumn{Stage: c.Stage}
	for i, n := range c.Nodes {
		if keep[i] {
			out.Nodes = append(out.Nodes, n)
		} else {
			out.More++
		}
	}
	return out
}

// svgEsc escapes s for SVG text and attribute values, after removing the
// characters XML does not allow.
func svgEsc(s string) string {
	return html.EscapeString(htmlClean(s))
}

// htmlClean drops NUL and other control characters except tab and newline,
// and replaces invalid UTF-8.
func htmlClean(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// svgOneLine folds whitespace runs (newlines included) into single spaces.
func svgOneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// svgTruncEnd shortens s to n runes, ending with "…".
func svgTruncEnd(s string, n int) string {
	s = svgOneLine(s)
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	if n < 2 {
		return "…"
	}
	return string(r[:n-1]) + "…"
}

// svgTruncMiddle shortens s to n runes by cutting its middle, so both the
// start and the end (a file name, a library) stay readable.
func svgTruncMiddle(s string, n int) string {
	s = svgOneLine(s)
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	if n < 5 {
		return svgTruncEnd(s, n)
	}
	tail := (n - 1) / 2
	// Keep a whole last path element (a file or library name) if it fits.
	if i := strings.LastIndex(s, "/"); i >= 0 {
		if base := utf8.RuneCountInString(s[i:]); base > tail && base <= n-4 {
			tail = base
		}
	}
	head := n - 1 - tail
	return string(r[:head]) + "…" + string(r[len(r)-tail:])
}
