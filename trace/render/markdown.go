package render

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cgotrace/cgotrace/trace"
	"github.com/cgotrace/cgotrace/trace/diag"
)

func init() { register("markdown", Markdown) }

// DefaultMaxBytes is the Markdown byte budget when Options.MaxBytes is 0:
// GitHub caps a job step summary at 1 MiB.
const DefaultMaxBytes = 1 << 20

// MinMaxBytes is the smallest budget Markdown honours: room for the
// header, the root cause and the note on what was cut.
const MinMaxBytes = 8 << 10

// maxRerunBytes caps one verbose re-run in the Markdown; its tail is kept
// (that is where ld says what went wrong).
const maxRerunBytes = 64 << 10

// noteReserve is the room kept for the note that names what was cut.
const noteReserve = 2048

// Markdown renders GitHub-flavoured Markdown: a summary table (package,
// code, summary, source), then per failing package the chain as a
// Mermaid flowchart with the failing node highlighted and the same chain
// as a plain list (not every viewer renders Mermaid), its evidence, and
// <details> with the failing command and its verbose re-run. The output
// fits in Options.MaxBytes (default 1 MiB): when it would not, the least
// important parts are left out, last first, and a closing note names
// them.
func Markdown(w io.Writer, r *trace.Report, o Options) error {
	r, err := canonical(r)
	if err != nil {
		return err
	}
	budget := o.MaxBytes
	if budget <= 0 {
		budget = DefaultMaxBytes
	}
	budget = max(budget, MinMaxBytes)
	blocks := markdownBlocks(r)
	out := fitBudget(blocks, budget)
	_, err = io.WriteString(w, out)
	return err
}

// Block priorities: lower is more important; cuts start at the highest.
// The root-cause package keeps its chain, evidence and command longest.
const (
	prioHeader = iota
	prioTable
	prioFirstChain
	prioFirstRerun
	prioChain
	prioEvidence
	prioCommand
	prioRerun
)

// mdBlock is one piece of the Markdown that can be kept or cut whole.
type mdBlock struct {
	prio  int
	group string // what the cut note calls it: "summary table rows"
	name  string // which one: a package path, a row number
	text  string
}

func markdownBlocks(r *trace.Report) []mdBlock {
	var bs []mdBlock
	add := func(prio int, group, name, text string) {
		bs = append(bs, mdBlock{prio: prio, group: group, name: name, text: text})
	}

	// Header: verdict, command, root cause and fix.
	var h strings.Builder
	switch {
	case interruptedBy(r) != "":
		h.WriteString("## cgotrace: build interrupted by " + interruptedBy(r) + "\n\nNo diagnosis: the build did not finish.\n\n")
	case onlyTestsFailed(r):
		h.WriteString("## cgotrace: tests failed\n\nEvery package built; the tests of " + mdCode(strings.Join(testsFailed(r), " ")) + " failed (no diagnosis).\n\n")
	case startFailed(r):
		h.WriteString("## cgotrace: build succeeded, but a program it built could not start\n\n")
	case buildFailed(r):
		h.WriteString("## cgotrace: build failed\n\n")
	case failed(r):
		h.WriteString("## cgotrace: build succeeded, with problems\n\n")
	default:
		h.WriteString("## cgotrace: build succeeded\n\n")
	}
	fmt.Fprintf(&h, "%s exited with status %d.\n", mdCode(commandText(r)), r.Command.ExitCode)
	if rc := rootCause(r); rc >= 0 {
		d := &r.Diagnoses[rc]
		h.WriteString("\n**Root cause:** ")
		h.WriteString(mdCode(string(d.Code)))
		if d.Package != "" {
			h.WriteString(" in " + mdCode(d.Package))
		}
		if d.Source != nil {
			h.WriteString(" at " + mdCode(sourceText(d.Source)))
		}
		h.WriteString(": " + mdText(d.Summary) + "\n")
		if d.Fix != "" {
			h.WriteString("\n**Fix:** " + mdText(d.Fix) + "\n")
		}
		h.WriteString("\n**More:** " + mdCode("cgotrace explain "+string(d.Code)) + "\n")
	} else if len(r.Diagnoses) == 0 {
		h.WriteString("\nNo problems found.\n")
	}
	for _, n := range r.Notes {
		h.WriteString("\n**Note:** " + mdText(n) + "\n")
	}
	add(prioHeader, "", "", h.String())

	// Summary table: one row per diagnosis, each row cut separately.
	if len(r.Diagnoses) > 0 {
		add(prioTable, "", "", "\n"+mdCode("cgotrace explain CODE")+" explains each code.\n\n| package | code | summary | source |\n| --- | --- | --- | --- |\n")
		for i, d := range r.Diagnoses {
			sev := ""
			if d.Severity != diag.Error {
				sev = " (" + string(d.Severity) + ")"
			}
			row := fmt.Sprintf("| %s | %s%s | %s | %s |\n",
				mdCell(d.Package, true), mdCell(string(d.Code), true), sev,
				mdCell(d.Summary, false), mdCell(sourceText(d.Source), true))
			add(prioTable, "summary table rows", strconv.Itoa(i+1), row)
		}
	}

	// Binaries that will not start: their missing libraries.
	var bin strings.Builder
	for _, b := range r.Binaries {
		if b != nil && len(b.Missing) > 0 {
			if bin.Len() == 0 {
				bin.WriteString("\n### Binaries\n\n")
			}
			var libs []string
			for _, m := range b.Missing {
				libs = append(libs, mdCode(m))
			}
			fmt.Fprintf(&bin, "- %s is missing %s at run time\n", mdCode(b.Path), strings.Join(libs, ", "))
		}
	}
	if bin.Len() > 0 {
		add(prioTable, "", "", bin.String())
	}

	// Per failing package: chain, evidence, command, re-run.
	paths, first := failingPackages(r)
	for k, path := range paths {
		pChain, pEvidence, pCommand, pRerun := prioChain, prioEvidence, prioCommand, prioRerun
		if k == 0 {
			pChain, pEvidence, pCommand, pRerun = prioFirstChain, prioFirstChain, prioFirstChain, prioFirstRerun
		}
		d := first[path]
		if d == nil {
			d = &diag.Diagnosis{Package: path, Summary: "the package failed; cgotrace has no diagnosis for it"}
		}
		c := buildChain(r, d)
		add(pChain, "chains", path, "\n### "+mdCode(path)+"\n\n"+mermaidChain(&c)+"\n"+chainList(&c))
		if len(d.Evidence) > 0 {
			add(pEvidence, "evidence blocks", path, "\n"+mdText("What the tools printed:")+"\n\n"+fence(strings.Join(d.Evidence, "\n"), "text"))
		}
		if s := c.Step; s != nil {
			title := "Failing command (" + s.Kind + ")"
			body := fence(envPrefix(s.Env)+commandLine(s.Argv), "sh")
			if s.Dir != "" {
				body = "Run in " + mdCode(s.Dir) + ":\n\n" + body
			}
			add(pCommand, "failing commands", path, details(title, body))
			if s.Rerun != "" {
				rerun := s.Rerun
				note := ""
				if len(rerun) > maxRerunBytes {
					cut := len(rerun) - maxRerunBytes
					for cut < len(rerun) && !utf8.RuneStart(rerun[cut]) {
						cut++
					}
					note = fmt.Sprintf("The first %d bytes are left out here; the whole re-run is in report.json.\n\n", cut)
					rerun = rerun[cut:]
				}
				add(pRerun, "verbose re-runs", path, details("Verbose re-run by cgotrace", note+fence(rerun, "text")))
			}
		}
	}
	if c := countedPackages(r); c != "" {
		add(prioTable, "", "", "\nAlso: "+mdText(c)+".\n")
	}
	return bs
}

// fitBudget joins the blocks, leaving out the least important ones (the
// highest priority number, and within it the last) until the result and
// the note naming the cuts fit in budget bytes.
func fitBudget(bs []mdBlock, budget int) string {
	total := 0
	for _, b := range bs {
		total += len(b.text)
	}
	if total <= budget {
		var sb strings.Builder
		for _, b := range bs {
			sb.WriteString(b.text)
		}
		return sb.String()
	}
	order := make([]int, len(bs))
	for i := range order {
		order[i] = i
	}
	// Cut order: highest prio first, last block first; never the header.
	sort.SliceStable(order, func(a, b int) bool {
		if bs[order[a]].prio != bs[order[b]].prio {
			return bs[order[a]].prio > bs[order[b]].prio
		}
		return order[a] > order[b]
	})
	cut := make([]bool, len(bs))
	limit := budget - noteReserve
	for _, i := range order {
		if total <= limit {
			break
		}
		if bs[i].prio == prioHeader {
			continue
		}
		cut[i] = true
		total -= len(bs[i].text)
	}
	// Put back, most important first, what fits in the room the big
	// cuts left (one huge re-run should not cost every chain).
	for k := len(order) - 1; k >= 0; k-- {
		i := order[k]
		if cut[i] && total+len(bs[i].text) <= limit {
			cut[i] = false
			total += len(bs[i].text)
		}
	}
	// The table heading goes when all its rows went.
	rowsLeft := false
	for i, b := range bs {
		if b.group == "summary table rows" && !cut[i] {
			rowsLeft = true
		}
	}
	var sb strings.Builder
	for i, b := range bs {
		if cut[i] || (b.prio == prioTable && b.group == "" && strings.Contains(b.text, "| --- |") && !rowsLeft) {
			continue
		}
		sb.WriteString(b.text)
	}
	out := sb.String()
	// Last resort: a header bigger than the budget on its own.
	hard := false
	if len(out) > limit {
		end := strings.LastIndexByte(out[:limit], '\n')
		if end < 0 {
			end = 0
		}
		out = out[:end+1]
		hard = true
	}
	return out + cutNote(bs, cut, budget, hard)
}

// cutNote names what fitBudget left out, grouped, at most five names per
// group.
func cutNote(bs []mdBlock, cut []bool, budget int, hard bool) string {
	type group struct {
		names []string
		bytes int
	}
	groups := map[string]*group{}
	var order []string
	for i, b := range bs {
		if !cut[i] || b.group == "" {
			continue
		}
		g := groups[b.group]
		if g == nil {
			g = &group{}
			groups[b.group] = g
			order = append(order, b.group)
		}
		g.names = append(g.names, b.name)
		g.bytes += len(b.text)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "\n---\n\n**Cut to fit the %s limit of this summary.** The full report (report.json, report.html) has everything. Left out:\n\n", byteSize(budget))
	for _, name := range order {
		g := groups[name]
		shown := g.names
		more := ""
		if len(shown) > 5 {
			more = fmt.Sprintf(" and %d more", len(shown)-5)
			shown = shown[:5]
		}
		var ns []string
		for _, n := range shown {
			ns = append(ns, mdCode(n))
		}
		fmt.Fprintf(&sb, "- %d %s (%s): %s%s\n", len(g.names), mdText(name), byteSize(g.bytes), strings.Join(ns, ", "), more)
	}
	if hard {
		sb.WriteString("- the end of the summary above\n")
	}
	return sb.String()
}

// byteSize is "1 MiB", "54 KiB", "312 bytes".
func byteSize(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", (n+512)>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// stageTitle names a chain stage for people.
func stageTitle(n chainNode) string {
	switch n.Stage {
	case stageDirective:
		return n.Detail
	case stagePkgConfig:
		return "pkg-config"
	case stageFlag:
		return "flag"
	case stageCommand:
		return "command"
	}
	return "error"
}

// mermaidChain draws the chain as a Mermaid flowchart, the failing node
// in the "failing" class.
func mermaidChain(c *chain) string {
	var b strings.Builder
	b.WriteString("```mermaid\nflowchart TD\n")
	for _, n := range c.Nodes {
		fmt.Fprintf(&b, "  %s[\"%s<br/>%s\"]\n", n.ID, mermaidText(stageTitle(n), 60), mermaidText(n.Label, 60))
	}
	for _, e := range c.Edges {
		fmt.Fprintf(&b, "  %s --> %s\n", c.Nodes[e[0]].ID, c.Nodes[e[1]].ID)
	}
	b.WriteString("  classDef failing fill:#ffd6d6,stroke:#d1242f,stroke-width:3px,color:#000\n")
	fmt.Fprintf(&b, "  class %s failing\n", c.Nodes[c.failing()].ID)
	b.WriteString("```\n")
	return b.String()
}

// chainList is the chain as a numbered list, in stage order.
func chainList(c *chain) string {
	var b strings.Builder
	for i, n := range c.Nodes {
		fmt.Fprintf(&b, "%d. **%s** %s", i+1, mdText(stageTitle(n)), mdCode(n.Label))
		if n.Detail != "" && n.Stage != stageDirective {
			b.WriteString(" — " + mdText(n.Detail))
		}
		if n.Failing {
			b.WriteString(" — **failed here**")
		}
		b.WriteByte('\n')
	}
	var om []string
	for st, k := range c.Omitted {
		if k > 0 {
			om = append(om, fmt.Sprintf("%d more %s", k, stageTitle(chainNode{Stage: st, Detail: ""})))
		}
	}
	if len(om) > 0 {
		b.WriteString("\n" + mdText("Not shown: "+strings.Join(om, ", ")+" (see the report).") + "\n")
	}
	return b.String()
}

// mermaidText shortens s to at most max runes at a word boundary (the
// whole text is in the list and the details) and escapes it for a
// double-quoted Mermaid label with entity codes: # first, since the
// codes themselves start with it.
func mermaidText(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > max {
		cut, n := 0, 0
		for i, r := range s {
			if n > max-2 {
				break
			}
			if r == ' ' {
				cut = i
			}
			n++
		}
		if cut == 0 { // one long word: cut it, the full text is elsewhere
			cut = len(string([]rune(s)[:max-2]))
		}
		s = s[:cut] + " …"
	}
	r := strings.NewReplacer(
		"#", "#35;",
		"\"", "#quot;",
		"&", "#amp;",
		"<", "#lt;",
		">", "#gt;",
		"`", "#96;",
	)
	return r.Replace(s)
}

// mdText escapes s for running Markdown text (a paragraph, a list item,
// a table cell): Markdown punctuation gets a backslash ($ too: GitHub
// reads $…$ as math), HTML metacharacters become entities, newlines
// become <br>.
func mdText(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		// A URL is left as it is: GitHub links it, and backslash escapes
		// inside a link would show.
		if n := urlPrefix(s[i:]); n > 0 && (i == 0 || s[i-1] == ' ' || s[i-1] == '(') {
			b.WriteString(s[i : i+n])
			i += n
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\\', '`', '*', '_', '[', ']', '|', '~', '#', '!', '$':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\r':
		case '\n':
			b.WriteString("<br>")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// urlPrefix returns the length of the URL s starts with (http://,
// https://, www.), or 0. Only characters that mean nothing to Markdown
// inside GitHub's autolinks are accepted; a URL with any other character
// is escaped like the rest of the text.
func urlPrefix(s string) int {
	if !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") && !strings.HasPrefix(s, "www.") {
		return 0
	}
	n := 0
	for n < len(s) {
		c := s[n]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~:/?#@!'()*+,;=%", c) >= 0 {
			n++
			continue
		}
		if c == ' ' || c == '\n' {
			break
		}
		return 0
	}
	return n
}

// mdCode writes s as an inline code span outside tables, with a fence of
// backticks longer than any run inside it.
func mdCode(s string) string {
	if s == "" {
		return ""
	}
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }), " ")
	delim := strings.Repeat("`", longestBacktickRun(s)+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || (strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ")) {
		s = " " + s + " "
	}
	return delim + s + delim
}

// mdCell is a table cell: code or escaped text, with | escaped in both
// (GFM splits cells on | even inside code spans unless it is escaped).
func mdCell(s string, code bool) string {
	if s == "" {
		return ""
	}
	// GFM splits the row before it parses code spans, and there a
	// backslash escapes the next character, pipe or backslash: text with
	// a backslash is written as escaped text, not as code.
	if code && !strings.ContainsRune(s, '\\') {
		return strings.ReplaceAll(mdCode(s), "|", `\|`)
	}
	return mdText(s)
}

// longestBacktickRun is the length of the longest run of backticks in s:
// a code span or fence must use a longer one.
func longestBacktickRun(s string) int {
	run, longest := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}

// fence wraps s in a fenced code block whose fence is longer than any
// run of backticks in s.
func fence(s, info string) string {
	f := strings.Repeat("`", max(3, longestBacktickRun(s)+1))
	s = strings.TrimRight(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	return f + info + "\n" + s + "\n" + f + "\n"
}

// details wraps body in a collapsed <details> block.
func details(summary, body string) string {
	return "\n<details><summary>" + htmlEscape(summary) + "</summary>\n\n" + body + "\n</details>\n"
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

// envPrefix writes a step's environment the way go build -x does, in
// front of the command: NAME='value' (Go-quoted when the value has a ').
func envPrefix(env map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(env)) {
		v := env[k]
		if strings.ContainsRune(v, '\'') {
			fmt.Fprintf(&b, "%s=%s ", k, strconv.Quote(v))
		} else {
			fmt.Fprintf(&b, "%s='%s' ", k, v)
		}
	}
	return b.String()
}
