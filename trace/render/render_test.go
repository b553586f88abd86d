package render

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cgotrace/cgotrace/elfinspect"
	"github.com/cgotrace/cgotrace/trace"
	"github.com/cgotrace/cgotrace/trace/diag"
)

func renderString(t *testing.T, format string, r *trace.Report, o Options) string {
	t.Helper()
	f, err := Lookup(format)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f(&buf, r, o); err != nil {
		t.Fatalf("%s: %v", format, err)
	}
	return buf.String()
}

// allFixtures includes the huge report.
func allFixtures() map[string]*trace.Report {
	m := map[string]*trace.Report{"huge": huge()}
	for _, fx := range fixtures {
		m[fx.name] = fx.make()
	}
	return m
}

// --- fold ---------------------------------------------------------------

func TestFoldNeverCutsAWord(t *testing.T) {
	long := strings.Repeat("x", 150)
	inputs := []string{
		"",
		"short",
		"/usr/bin/gcc -m64 -Wl,--build-id=0x3f5e0c2d8a7b6e4f1d2c3b4a5968778695a4b3c2 -o $WORK/b001/exe/a.out -Wl,--export-dynamic-symbol=_cgo_panic -Wl,--export-dynamic-symbol=_cgo_topofstack",
		"word " + long + " after the long word",
		long,
		"    4 | #include <frobnicate.h>",
		"né à Zürich — ünïcödé wörds count as one column each, and they are never split in the middle",
		"tabs\tbetween\twords  and   double  spaces",
	}
	for _, width := range []int{10, 20, 40, 100} {
		for _, in := range inputs {
			lines := fold(in, width, "  ", "      ")
			var words []string
			for i, l := range lines {
				n := utf8.RuneCountInString(l)
				body := strings.TrimLeft(l, " ")
				if n > width && strings.ContainsRune(body, ' ') {
					t.Errorf("width %d: line %q has %d columns and could have been broken", width, l, n)
				}
				if i > 0 && !strings.HasPrefix(l, "      ") {
					t.Errorf("width %d: continuation %q lacks the hanging indent", width, l)
				}
				words = append(words, strings.Fields(l)...)
			}
			want := strings.Fields(strings.ReplaceAll(in, "\t", " "))
			if strings.Join(words, "\x00") != strings.Join(want, "\x00") {
				t.Errorf("width %d: words changed:\n got %q\nwant %q", width, words, want)
			}
		}
	}
	// Spacing inside a line that fits is kept (gcc's caret lines).
	if got := fold("      |          ^~~~~", 100, "", ""); got[0] != "      |          ^~~~~" {
		t.Errorf("caret line changed: %q", got)
	}
}

func TestTextWidthAndColour(t *testing.T) {
	for name, r := range allFixtures() {
		for _, width := range []int{60, 100} {
			out := renderString(t, "text", r, Options{Width: width})
			if strings.Contains(out, "\x1b") {
				t.Errorf("%s: colour without Options.Color", name)
			}
			for _, l := range strings.Split(out, "\n") {
				body := strings.TrimLeft(l, " ")
				if utf8.RuneCountInString(l) > width && strings.Contains(strings.TrimLeft(body, "└─ "), " ") {
					t.Errorf("%s: width %d: line not folded: %q", name, width, l)
				}
			}
		}
	}
	out := renderString(t, "text", libraryDevMissing(), Options{Color: true})
	if !strings.Contains(out, ansiRed+"root cause: library-dev-missing") {
		t.Errorf("Color: root cause not coloured:\n%s", out)
	}
	// Colour changes only the escapes, never the words or the layout.
	plain := renderString(t, "text", libraryDevMissing(), Options{})
	if stripped := regexp.MustCompile("\x1b\\[[0-9;]*m").ReplaceAllString(out, ""); stripped != plain {
		t.Errorf("coloured text differs from plain text beyond the escapes")
	}
}

func TestTextRootCauseFirst(t *testing.T) {
	out := renderString(t, "text", cxxRuntimeMissing(), Options{})
	rc := strings.Index(out, "root cause: cxx-runtime-missing")
	fix := strings.Index(out, "fix: add -lstdc++")
	chain := strings.Index(out, "chain of example.com/cxx-runtime-missing-basic")
	other := strings.Index(out, "error: undefined-symbol")
	if rc < 0 || fix < rc || chain < fix || other < chain {
		t.Errorf("want root cause, fix, chain, other diagnoses in that order; got:\n%s", out)
	}
	if !strings.Contains(out, "#cgo LDFLAGS: ${SRCDIR}/lib/libcounter.a  (main.go:3)") {
		t.Errorf("chain does not start at the #cgo line:\n%s", out)
	}
	ok := renderString(t, "text", healthy(), Options{})
	if ok != "build succeeded: go build -o app .\n" {
		t.Errorf("healthy build: %q", ok)
	}
}

// --- json ---------------------------------------------------------------

func TestJSONShape(t *testing.T) {
	for name, r := range allFixtures() {
		out := renderString(t, "json", r, Options{})
		if !strings.HasPrefix(out, "{\n  \"schema_version\": 1,\n") || !strings.HasSuffix(out, "}\n") {
			t.Errorf("%s: JSON does not start with schema_version or lacks the trailing newline: %.60q", name, out)
		}
		if strings.Contains(out, "null") {
			t.Errorf("%s: JSON holds null", name)
		}
		var back trace.Report
		if err := json.Unmarshal([]byte(out), &back); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if again := renderString(t, "json", &back, Options{}); again != out {
			t.Errorf("%s: JSON not stable through a round trip", name)
		}
	}
	// Nil lists that have no omitempty must come out as [], not null.
	bare := &trace.Report{SchemaVersion: 1, Tool: fxTool,
		Packages: []*trace.Package{{ImportPath: "p", Directives: []trace.Directive{{File: "a.go", Line: 1, Verb: "LDFLAGS"}},
			Steps: []trace.Step{{Kind: "other"}}, PkgConfig: []trace.PkgConfigCall{{}}}, nil},
		Binaries: []*elfinspect.Binary{{Path: "app", Format: "elf"}}}
	out := renderString(t, "json", bare, Options{})
	if strings.Contains(out, "null") {
		t.Errorf("null in the JSON of a report with nil lists:\n%s", out)
	}
	for _, want := range []string{`"argv": []`, `"diagnoses": []`, `"args": []`, `"needed": []`, `"missing": []`} {
		if !strings.Contains(out, want) {
			t.Errorf("JSON lacks %s", want)
		}
	}
	if bare.Diagnoses != nil || bare.Command.Argv != nil {
		t.Error("the JSON renderer changed the caller's report")
	}
}

// --- markdown -----------------------------------------------------------

// mermaidGraph is a parsed flowchart.
type mermaidGraph struct {
	nodes  map[string]string // id → raw label
	edges  [][2]string
	styled map[string]string // id → class
	class  map[string]bool   // classDef names
}

var (
	reNode     = regexp.MustCompile(`^  ([A-Za-z][A-Za-z0-9_]*)\["([^"]*)"\]$`)
	reEdge     = regexp.MustCompile(`^  ([A-Za-z][A-Za-z0-9_]*) --> ([A-Za-z][A-Za-z0-9_]*)$`)
	reClassDef = regexp.MustCompile(`^  classDef ([A-Za-z]+) (.+)$`)
	reClass    = regexp.MustCompile(`^  class ([A-Za-z0-9_,]+) ([A-Za-z]+)$`)
	reEntity   = regexp.MustCompile(`#([a-z]+|[0-9]+);`)
)

// parseMermaid parses the subset of flowchart syntax the renderer
// writes, and fails on any other line.
func parseMermaid(t *testing.T, src string) mermaidGraph {
	t.Helper()
	g := mermaidGraph{nodes: map[string]string{}, styled: map[string]string{}, class: map[string]bool{}}
	lines := strings.Split(strings.TrimSuffix(src, "\n"), "\n")
	if lines[0] != "flowchart TD" {
		t.Fatalf("flowchart starts with %q", lines[0])
	}
	for _, l := range lines[1:] {
		switch {
		case reNode.MatchString(l):
			m := reNode.FindStringSubmatch(l)
			if _, dup := g.nodes[m[1]]; dup {
				t.Errorf("node %s defined twice", m[1])
			}
			g.nodes[m[1]] = m[2]
		case reEdge.MatchString(l):
			m := reEdge.FindStringSubmatch(l)
			g.edges = append(g.edges, [2]string{m[1], m[2]})
		case reClassDef.MatchString(l):
			g.class[reClassDef.FindStringSubmatch(l)[1]] = true
		case reClass.MatchString(l):
			m := reClass.FindStringSubmatch(l)
			for _, id := range strings.Split(m[1], ",") {
				g.styled[id] = m[2]
			}
		default:
			t.Errorf("unexpected flowchart line %q", l)
		}
	}
	return g
}

// mermaidBlocks returns the bodies of the ```mermaid blocks in md.
func mermaidBlocks(md string) []string {
	var out []string
	for _, part := range strings.Split(md, "```mermaid\n")[1:] {
		if end := strings.Index(part, "\n```\n"); end >= 0 {
			out = append(out, part[:end+1])
		}
	}
	return out
}

func TestMermaidStructure(t *testing.T) {
	for name, r := range allFixtures() {
		md := renderString(t, "markdown", r, Options{})
		blocks := mermaidBlocks(md)
		paths, _ := failingPackages(r)
		if len(blocks) != len(paths) && name != "huge" {
			t.Errorf("%s: %d flowcharts for %d failing packages", name, len(blocks), len(paths))
		}
		for _, b := range blocks {
			g := parseMermaid(t, b)
			if len(g.nodes) < 1 {
				t.Errorf("%s: empty flowchart", name)
			}
			for _, e := range g.edges {
				if _, ok := g.nodes[e[0]]; !ok {
					t.Errorf("%s: edge from undefined node %s", name, e[0])
				}
				if _, ok := g.nodes[e[1]]; !ok {
					t.Errorf("%s: edge to undefined node %s", name, e[1])
				}
			}
			failing := 0
			for id, cls := range g.styled {
				if _, ok := g.nodes[id]; !ok {
					t.Errorf("%s: class on undefined node %s", name, id)
				}
				if !g.class[cls] {
					t.Errorf("%s: class %s has no classDef", name, cls)
				}
				if cls == "failing" {
					failing++
				}
			}
			if failing != 1 {
				t.Errorf("%s: %d failing nodes styled, want 1:\n%s", name, failing, b)
			}
			for id, label := range g.nodes {
				// Everything Mermaid or HTML would read is an entity code.
				bare := reEntity.ReplaceAllString(strings.ReplaceAll(label, "<br/>", ""), "")
				if strings.ContainsAny(bare, "\"<>&#`") {
					t.Errorf("%s: node %s label %q has an unescaped character", name, id, label)
				}
			}
		}
	}
}

// The chain of header-not-found runs #cgo pkg-config → pkg-config --cflags
// → -I flag → the cgo command (failing) → the error.
func TestMermaidHeaderChain(t *testing.T) {
	g := parseMermaid(t, mermaidBlocks(renderString(t, "markdown", headerNotFound(), Options{}))[0])
	find := func(sub string) string {
		for id, l := range g.nodes {
			if strings.Contains(l, sub) {
				return id
			}
		}
		t.Fatalf("no node with %q in %v", sub, g.nodes)
		return ""
	}
	dir, cflags := find("pkg-config: frobnicate"), find("--cflags")
	inc, cmd, errn := find("-I/opt/frob/include"), find("cgo -objdir"), find("fatal error")
	for _, e := range [][2]string{{dir, cflags}, {cflags, inc}, {inc, cmd}, {cmd, errn}} {
		found := false
		for _, have := range g.edges {
			found = found || have == e
		}
		if !found {
			t.Errorf("edge %s --> %s missing: %v", e[0], e[1], g.edges)
		}
	}
	if g.styled[cmd] != "failing" {
		t.Errorf("the failing cgo command %s is not styled: %v", cmd, g.styled)
	}
}

func TestMarkdownEscaping(t *testing.T) {
	r := &trace.Report{SchemaVersion: 1, Tool: fxTool, Command: trace.Command{Argv: []string{"go", "build"}, ExitCode: 1},
		Diagnoses: []diag.Diagnosis{{Code: diag.CompileError, Severity: diag.Error, Package: "example.com/a|b",
			Summary: "a | b <script>alert(1)</script> *bold* `tick` [link](x) & more\nsecond line",
			Source:  &diag.Source{File: "we|ird`.c", Line: 2}}}}
	md := renderString(t, "markdown", r, Options{})
	var row string
	for _, l := range strings.Split(md, "\n") {
		if strings.Contains(l, "compile-error") && strings.HasPrefix(l, "| ") {
			row = l
		}
	}
	if row == "" {
		t.Fatalf("no table row:\n%s", md)
	}
	// GFM splits cells on unescaped pipes: the row must have exactly 4.
	cells := regexp.MustCompile(`(^|[^\\])\|`).FindAllString(row, -1)
	if len(cells) != 5 {
		t.Errorf("row has %d cell separators, want 5: %s", len(cells), row)
	}
	// Outside code spans and fences (where it is literal text) no raw HTML.
	prose := regexp.MustCompile("(?s)```.*?```|``[^`].*?``|`[^`]*`").ReplaceAllString(md, "")
	if strings.Contains(prose, "<script>") {
		t.Errorf("raw HTML reached the Markdown:\n%s", md)
	}
	if !strings.Contains(row, `a \| b &lt;script&gt;alert(1)&lt;/script&gt; \*bold\* \`+"`tick\\` \\[link\\](x) &amp; more<br>second line") {
		t.Errorf("summary cell not escaped as expected: %s", row)
	}
}

func TestMarkdownBudget(t *testing.T) {
	r := huge()
	for _, budget := range []int{0, 1, 8 << 10, 64 << 10, 300 << 10} {
		md := renderString(t, "markdown", r, Options{MaxBytes: budget})
		limit := budget
		if limit == 0 {
			limit = DefaultMaxBytes
		}
		limit = max(limit, MinMaxBytes)
		if len(md) > limit {
			t.Errorf("budget %d: %d bytes", limit, len(md))
		}
		if !strings.Contains(md, "Cut to fit the") || !strings.Contains(md, "verbose re-runs") {
			t.Errorf("budget %d: the note does not name what was cut", limit)
		}
		if !strings.Contains(md, "**Root cause:** `library-not-found` in `example.com/mono/pkg00`") {
			t.Errorf("budget %d: the root cause was cut", limit)
		}
		if strings.Count(md, "```")%2 != 0 {
			t.Errorf("budget %d: unbalanced code fences", limit)
		}
		if !utf8.ValidString(md) {
			t.Errorf("budget %d: invalid UTF-8", limit)
		}
	}
	// A report that fits is not cut.
	if md := renderString(t, "markdown", libraryDevMissing(), Options{}); strings.Contains(md, "Cut to fit") {
		t.Error("a small report was cut")
	}
	// The root-cause package keeps its failing command and re-run when
	// there is room for it.
	md := renderString(t, "markdown", r, Options{MaxBytes: 300 << 10})
	if !strings.Contains(md, "<details><summary>Verbose re-run by cgotrace</summary>") {
		t.Error("300 KiB: the root cause's re-run was cut")
	}
}

// A report read back from report.json renders to the same bytes in every
// format, even when a tool printed invalid UTF-8 or a list is empty.
func TestRoundTripSameBytes(t *testing.T) {
	rs := allFixtures()
	odd := libraryDevMissing()
	odd.Diagnoses[0].Evidence = append(odd.Diagnoses[0].Evidence, "gcc: \xe9rreur: caf\xc3 \x1b[31mred\x1b[0m")
	odd.Packages[0].Steps[0].Env = map[string]string{}
	odd.Packages[0].Flags = []trace.Flag{}
	rs["odd"] = odd
	for name, r := range rs {
		js := renderString(t, "json", r, Options{})
		var back trace.Report
		if err := json.Unmarshal([]byte(js), &back); err != nil {
			t.Fatal(err)
		}
		for _, format := range []string{"text", "json", "markdown", "github", "junit"} {
			if a, b := renderString(t, format, r, Options{}), renderString(t, format, &back, Options{}); a != b {
				t.Errorf("%s/%s: rendering the decoded report.json differs from rendering the report", name, format)
			}
		}
	}
}

// --- github -------------------------------------------------------------

// unescapeData and unescapeProperty invert GitHub's escaping the way the
// runner does (actions/runner ActionCommand: each mapping replaced in
// turn, %25 last).
func unescapeData(s string) string {
	for _, m := range [][2]string{{"%0D", "\r"}, {"%0A", "\n"}, {"%25", "%"}} {
		s = strings.ReplaceAll(s, m[0], m[1])
	}
	return s
}

func unescapeProperty(s string) string {
	for _, m := range [][2]string{{"%0D", "\r"}, {"%0A", "\n"}, {"%3A", ":"}, {"%2C", ","}, {"%25", "%"}} {
		s = strings.ReplaceAll(s, m[0], m[1])
	}
	return s
}

var reCommand = regexp.MustCompile(`^::(error|warning|notice)( [^:]*)?::(.*)$`)

type annotation struct {
	kind  string
	props map[string]string
	msg   string
}

func parseAnnotations(t *testing.T, out string) []annotation {
	t.Helper()
	var as []annotation
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if l == "" {
			continue
		}
		m := reCommand.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("not a workflow command: %q", l)
		}
		a := annotation{kind: m[1], props: map[string]string{}, msg: unescapeData(m[3])}
		if strings.ContainsAny(m[3], "\r\n") {
			t.Errorf("raw CR/LF in message %q", m[3])
		}
		if p := strings.TrimPrefix(m[2], " "); p != "" {
			for _, kv := range strings.Split(p, ",") {
				k, v, ok := strings.Cut(kv, "=")
				if !ok {
					t.Fatalf("bad property %q in %q", kv, l)
				}
				a.props[k] = unescapeProperty(v)
			}
		}
		as = append(as, a)
	}
	return as
}

func TestGitHubAnnotations(t *testing.T) {
	r := manyDiagnoses()
	as := parseAnnotations(t, renderString(t, "github", r, Options{}))
	count := map[string]int{}
	for _, a := range as {
		count[a.kind]++
	}
	if count["error"] != 10 || count["warning"] != 10 || count["notice"] != 1 {
		t.Fatalf("annotations per kind = %v, want 10 errors, 10 warnings, 1 notice", count)
	}
	last := as[len(as)-1]
	if last.kind != "notice" || !strings.Contains(last.msg, "5 diagnoses more") || !strings.Contains(last.msg, "4 error, 1 warning") {
		t.Errorf("closing notice: %+v", last)
	}
	// Decoding gives back exactly the report's text.
	for i, a := range as[:10] {
		d := r.Diagnoses[i]
		if want := fmt.Sprintf("multi/c:dir/beta,gamma_%02d.c", i); a.props["file"] != want {
			t.Errorf("file = %q, want %q", a.props["file"], want)
		}
		if a.props["line"] != fmt.Sprint(d.Source.Line) {
			t.Errorf("line = %q", a.props["line"])
		}
		if a.props["title"] != "cgotrace: multiple-definition in example.com/multi" {
			t.Errorf("title = %q", a.props["title"])
		}
		if !strings.HasPrefix(a.msg, d.Summary+"\nfix: "+d.Fix+"\n") {
			t.Errorf("message = %q", a.msg)
		}
	}
	if as[10].msg != r.Diagnoses[14].Summary+"\n"+ExplainPointer(&r.Diagnoses[14]) {
		t.Errorf("CR LF lost: %q", as[10].msg)
	}
}

func TestGitHubPaths(t *testing.T) {
	r := libraryDevMissing()
	tests := []struct {
		root, want string
	}{
		{"", "main.go"}, // relative to the command's directory
		{"/home/ci", "src/library-dev-missing-basic/main.go"},
		{"/elsewhere", "/home/ci/src/library-dev-missing-basic/main.go"},
	}
	for _, tt := range tests {
		as := parseAnnotations(t, renderString(t, "github", r, Options{RepoRoot: tt.root}))
		if got := as[0].props["file"]; got != tt.want {
			t.Errorf("RepoRoot %q: file = %q, want %q", tt.root, got, tt.want)
		}
		if as[0].props["line"] != "3" {
			t.Errorf("line = %q, want the #cgo line 3", as[0].props["line"])
		}
	}
	if out := renderString(t, "github", healthy(), Options{}); out != "" {
		t.Errorf("healthy build annotated: %q", out)
	}
}

// --- junit --------------------------------------------------------------

func TestJUnitParses(t *testing.T) {
	for name, r := range allFixtures() {
		out := renderString(t, "junit", r, Options{})
		var doc junitSuites
		if err := xml.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(doc.Suites) != 1 {
			t.Fatalf("%s: %d suites, want 1 per build", name, len(doc.Suites))
		}
		s := doc.Suites[0]
		if s.Tests != len(s.Cases) {
			t.Errorf("%s: tests=%d but %d cases", name, s.Tests, len(s.Cases))
		}
		failures, errs := 0, 0
		for _, c := range s.Cases {
			if len(c.Failures) > 0 {
				failures++
			}
			for _, f := range c.Failures {
				if f.Type == "" || f.Message == "" {
					t.Errorf("%s: failure without type or message: %+v", name, f)
				}
			}
		}
		for _, d := range r.Diagnoses {
			if d.Severity == diag.Error {
				errs++
			}
		}
		if failures != s.Failures {
			t.Errorf("%s: failures=%d, counted %d", name, s.Failures, failures)
		}
		got := 0
		for _, c := range s.Cases {
			got += len(c.Failures)
		}
		if got < errs {
			t.Errorf("%s: %d failures for %d error diagnoses", name, got, errs)
		}
		if failed(r) != (s.Failures > 0) {
			t.Errorf("%s: failed=%v but %d failing cases", name, failed(r), s.Failures)
		}
	}
	// Control characters from a coloured gcc do not break the XML.
	r := libraryDevMissing()
	r.Diagnoses[0].Evidence = []string{"\x1b[01;31merror:\x1b[m \x00 bad"}
	var doc junitSuites
	if err := xml.Unmarshal([]byte(renderString(t, "junit", r, Options{})), &doc); err != nil {
		t.Errorf("control characters: %v", err)
	}
}

// --- all renderers --------------------------------------------------------

func TestNilReport(t *testing.T) {
	for _, format := range []string{"text", "json", "markdown", "github", "junit"} {
		f, _ := Lookup(format)
		if err := f(&bytes.Buffer{}, nil, Options{}); err == nil {
			t.Errorf("%s: nil report: no error", format)
		}
	}
}

// BenchmarkRender renders a typical report (library-dev-missing, 7 KB of
// report.json) and the huge one (40 failing packages, 2 MB) in each
// format; report-MB/s is report.json bytes per second.
func BenchmarkRender(b *testing.B) {
	for _, rep := range []struct {
		name string
		r    *trace.Report
	}{{"small", libraryDevMissing()}, {"huge", huge()}} {
		js, _ := json.Marshal(rep.r)
		for _, format := range []string{"text", "json", "markdown", "github", "junit"} {
			b.Run(rep.name+"/"+format, func(b *testing.B) {
				f, _ := Lookup(format)
				var n int
				for b.Loop() {
					var buf bytes.Buffer
					if err := f(&buf, rep.r, Options{}); err != nil {
						b.Fatal(err)
					}
					n = buf.Len()
				}
				b.ReportMetric(float64(len(js))/1e6*float64(b.N)/b.Elapsed().Seconds(), "report-MB/s")
				b.ReportMetric(float64(n), "out-bytes")
			})
		}
	}
}

// FuzzGitHubEscaping: whatever a tool printed, the runner decodes the
// annotation back to it, and nothing in it ends the command early.
func FuzzGitHubEscaping(f *testing.F) {
	f.Add("multiple definition of `helper'; first defined here", "c:dir/beta,gamma.c")
	f.Add("100% done\r\nnext line %0A %25", "a%2Cb:c")
	f.Add("::error::injected", "::")
	f.Fuzz(func(t *testing.T, msg, file string) {
		if !utf8.ValidString(msg) || !utf8.ValidString(file) || strings.ContainsRune(msg+file, 0) {
			return // the report is JSON: strings are valid UTF-8
		}
		r := &trace.Report{SchemaVersion: 1, Diagnoses: []diag.Diagnosis{{Code: diag.LinkError, Severity: diag.Error,
			Summary: msg, Source: &diag.Source{File: "/" + file, Line: 1}}}}
		out := renderString(t, "github", r, Options{RepoRoot: "/"})
		if strings.Count(out, "\n") != 1 {
			t.Fatalf("%d lines for one annotation: %q", strings.Count(out, "\n"), out)
		}
		m := reCommand.FindStringSubmatch(strings.TrimSuffix(out, "\n"))
		if m == nil {
			t.Fatalf("not a workflow command: %q", out)
		}
		if got, want := unescapeData(m[3]), msg+"\nmore: cgotrace explain link-error"; got != want {
			t.Fatalf("message decodes to %q, want %q", got, want)
		}
		props := strings.Split(strings.TrimPrefix(m[2], " "), ",")
		if len(props) != 3 || !strings.HasPrefix(props[0], "file=") {
			t.Fatalf("properties %q", m[2])
		}
		want := filepath.ToSlash(filepath.Clean("/" + file))
		if want == "/" {
			return // the root itself is not a file
		}
		if rel := strings.TrimPrefix(want, "/"); rel != "" {
			want = rel
		}
		if got := unescapeProperty(strings.TrimPrefix(props[0], "file=")); got != want && "/"+got != want {
			t.Fatalf("file decodes to %q, want %q", got, want)
		}
	})
}

// FuzzMarkdownCell: any text stays inside its table cell and never
// becomes raw HTML.
func FuzzMarkdownCell(f *testing.F) {
	f.Add("a | b <script>alert(1)</script> *x* `y`", "we|ird`.c")
	f.Add("\\|", "``|``")
	f.Fuzz(func(t *testing.T, text, code string) {
		row := "| " + mdCell(text, false) + " | " + mdCell(code, true) + " |"
		if strings.ContainsAny(row, "\n\r") {
			t.Fatalf("newline in a row: %q", row)
		}
		// Count the cell separators GFM sees: a | not escaped by an odd
		// number of backslashes.
		seps := 0
		for i := 0; i < len(row); i++ {
			if row[i] != '|' {
				continue
			}
			bs := 0
			for j := i - 1; j >= 0 && row[j] == '\\'; j-- {
				bs++
			}
			if bs%2 == 0 {
				seps++
			}
		}
		if seps != 3 {
			t.Fatalf("%d separators in %q", seps, row)
		}
		if strings.Contains(mdText(text), "<") && !strings.Contains(text, "\n") {
			t.Fatalf("raw < in %q", mdText(text))
		}
	})
}

// FuzzFold: folding keeps every word whole and in order, and a line is
// longer than the width only when it holds a single word.
func FuzzFold(f *testing.F) {
	f.Add("/usr/bin/ld: cannot find -lgizmo: No such file or directory", 20)
	f.Add("      |          ^~~~~~~~~~~~~~", 8)
	f.Add("a  b\tc ü 漢字 "+strings.Repeat("x", 40), 10)
	f.Fuzz(func(t *testing.T, s string, width int) {
		if width < 1 || width > 200 || strings.ContainsAny(s, "\n\r") {
			return
		}
		// fold breaks at spaces (and tabs) only: a no-break space or a
		// vertical tab is part of a word.
		spaces := func(s string) []string {
			return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' })
		}
		lines := fold(s, width, "  ", "    ")
		var words []string
		for _, l := range lines {
			fields := spaces(l)
			if utf8.RuneCountInString(l) > width && len(fields) > 1 {
				t.Fatalf("line %q over width %d with %d words", l, width, len(fields))
			}
			words = append(words, fields...)
		}
		if want := spaces(s); strings.Join(words, "\x00") != strings.Join(want, "\x00") {
			t.Fatalf("words changed: %q -> %q", want, words)
		}
	})
}

// A linker finding points at the failed host link even when cmd/go's
// dynimport test link (cc-link) failed first in the log.
func TestChainPicksTheLinkStep(t *testing.T) {
	r := libraryDevMissing()
	p := r.Packages[0]
	dyn := trace.Step{Action: "b001", Kind: trace.KindCCLink, Argv: []string{"gcc", "-o", "$WORK/b001/_cgo_.o", "-lgizmo"}, Failed: true}
	p.Steps = append([]trace.Step{dyn}, p.Steps...)
	c := buildChain(r, &r.Diagnoses[0])
	if c.Step == nil || c.Step.Kind != trace.KindHostLink {
		t.Errorf("chain step = %+v, want the host link", c.Step)
	}
	r.Diagnoses[0].Code = diag.HeaderNotFound
	if c := buildChain(r, &r.Diagnoses[0]); c.Step == nil || c.Step.Kind != trace.KindCCLink {
		t.Errorf("a compiler finding: chain step = %+v, want the first failed step", c.Step)
	}
}

// A library package's link flag fails at the main package's host link:
// the chain of the library package leads to that link.
func TestChainAcrossPackages(t *testing.T) {
	r := libraryDevMissing()
	main := r.Packages[0]
	lib := &trace.Package{ImportPath: "example.com/x/b", Dir: "/home/ci/src/x/b", Failed: true,
		Directives: []trace.Directive{{File: "b.go", Line: 4, Verb: "LDFLAGS", Args: []string{"-lgizmo"}}},
		Flags:      []trace.Flag{{Flag: "-lgizmo", Stage: "link", Origin: trace.OriginDirective, Detail: "b.go:4"}}}
	main.Directives, main.Flags = nil, nil
	r.Packages = append(r.Packages, lib)
	r.Diagnoses[0].Package = lib.ImportPath
	r.Diagnoses[0].Source = &diag.Source{File: "b.go", Line: 4}
	c := buildChain(r, &r.Diagnoses[0])
	if c.Step == nil || c.Step.Kind != trace.KindHostLink {
		t.Fatalf("chain step = %+v, want main's host link", c.Step)
	}
	g := parseMermaid(t, mermaidBlocks(renderString(t, "markdown", r, Options{}))[0])
	if len(g.nodes) != 4 || len(g.edges) != 3 {
		t.Errorf("want #cgo → -lgizmo → host link → error, got %v %v", g.nodes, g.edges)
	}
	as := parseAnnotations(t, renderString(t, "github", r, Options{RepoRoot: "/home/ci/src"}))
	if as[0].props["file"] != "x/b/b.go" || as[0].props["line"] != "4" {
		t.Errorf("annotation at %s:%s, want the #cgo line x/b/b.go:4", as[0].props["file"], as[0].props["line"])
	}
}

// A report's text never sends a tool's escape sequences to the terminal.
func TestTextControlCharacters(t *testing.T) {
	r := libraryDevMissing()
	r.Diagnoses[0].Evidence = []string{"\x1b[01;31merror:\x1b[m bell\a cr\r csi\u009b31m"}
	out := renderString(t, "text", r, Options{})
	for _, c := range []string{"\x1b", "\a", "\r", "\u009b"} {
		if strings.Contains(out, c) {
			t.Errorf("text holds control character %q", c)
		}
	}
	if !strings.Contains(out, `\x1b[01;31merror:\x1b[m bell\x07 cr\r csi\u009b31m`) {
		t.Errorf("control characters not shown as escapes:\n%s", out)
	}
	colour := renderString(t, "text", r, Options{Color: true})
	if strings.Count(colour, "\x1b[") != strings.Count(colour, ansiReset)*2 {
		t.Errorf("escape sequences other than cgotrace's own colour")
	}
}
