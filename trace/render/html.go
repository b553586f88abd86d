package render

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"
	"sync"

	"github.com/cgotrace/cgotrace/trace"
	"github.com/cgotrace/cgotrace/trace/diag"
)

// The "html" format: one self-contained page (no external CSS, script,
// font or image, and a Content-Security-Policy that forbids fetching any)
// with the root cause first, the chain of each failing package drawn as
// inline SVG, the commands and the raw evidence. Everything from the
// report goes through html/template or svgEsc, so it is escaped.

func init() { register("html", renderHTML) }

//go:embed html.tmpl
var htmlTemplateText string

// htmlTemplate is parsed on first use, not at start-up: every cgotrace run
// (the pkg-config shim included) would pay for it otherwise.
var htmlTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("report").Funcs(template.FuncMap{
		"args":   htmlJoinArgs,
		"source": htmlSource,
		"lower":  strings.ToLower,
		"nonOK":  func(s string) bool { return s != svgNodeOK },
	}).Parse(htmlTemplateText))
})

// htmlPage is what the template renders.
type htmlPage struct {
	R       *trace.Report
	Root    *diag.Diagnosis
	Others  []diag.Diagnosis // neither the root cause nor under a failing package
	Failing []htmlPackage
	Passing []*trace.Package
	// Counted says how many pure-Go packages built, which the page
	// counts rather than lists.
	Counted string
}

// htmlPackage is one failing package with its chain.
type htmlPackage struct {
	P       *trace.Package
	Diags   []diag.Diagnosis // but the root cause
	Chain   []svgColumn
	Diagram template.HTML
}

func renderHTML(w io.Writer, r *trace.Report, _ Options) error {
	if r == nil {
		return fmt.Errorf("html: no report")
	}
	page := htmlPage{R: r, Counted: countedPackages(r)}
	for i := range r.Diagnoses {
		if r.Diagnoses[i].Severity == diag.Error {
			page.Root = &r.Diagnoses[i]
			break
		}
	}
	shown := map[string]bool{} // packages with their own section
	for _, p := range r.Packages {
		if p == nil {
			continue
		}
		// ds feeds the diagram; more lists the package's diagnoses
		// other than the root cause, which the page shows first.
		var ds, more []diag.Diagnosis
		for i, d := range r.Diagnoses {
			if d.Package != p.ImportPath {
				continue
			}
			ds = append(ds, d)
			if page.Root != &r.Diagnoses[i] {
				more = append(more, d)
			}
		}
		if !p.Failed && !htmlHasError(ds) {
			if !p.PureGo() {
				page.Passing = append(page.Passing, p)
			}
			continue
		}
		shown[p.ImportPath] = true
		chain := svgBuildChain(p, ds)
		svg := svgDiagram(fmt.Sprintf("chain of package %s: #cgo lines, pkg-config, C compile, link", p.ImportPath), chain)
		page.Failing = append(page.Failing, htmlPackage{
			P: p, Diags: more, Chain: chain,
			// svgDiagram escapes every string it writes.
			Diagram: template.HTML(svg),
		})
	}
	// Every diagnosis is shown once: the root cause first, then under its
	// failing package, the rest here.
	for i, d := range r.Diagnoses {
		if page.Root != &r.Diagnoses[i] && (d.Package == "" || !shown[d.Package]) {
			page.Others = append(page.Others, d)
		}
	}
	// html/template escapes markup but passes control characters and
	// invalid UTF-8 through: drop those from the whole page.
	var buf strings.Builder
	if err := htmlTemplate().Execute(&buf, page); err != nil {
		return fmt.Errorf("html: %w", err)
	}
	if _, err := io.WriteString(w, htmlClean(buf.String())); err != nil {
		return fmt.Errorf("html: %w", err)
	}
	return nil
}

func htmlHasError(ds []diag.Diagnosis) bool {
	for _, d := range ds {
		if d.Severity == diag.Error {
			return true
		}
	}
	return false
}

// htmlSource prints a source as file:line:column.
func htmlSource(s *diag.Source) string {
	if s == nil {
		return ""
	}
	out := s.File
	if s.Line > 0 {
		out += fmt.Sprintf(":%d", s.Line)
		if s.Column > 0 {
			out += fmt.Sprintf(":%d", s.Column)
		}
	}
	return out
}

// htmlJoinArgs prints argv as one shell command line a person can copy:
// arguments that need it are single-quoted.
func htmlJoinArgs(argv []string) string {
	var b strings.Builder
	for i, a := range argv {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(htmlShellQuote(a))
	}
	return b.String()
}

func htmlShellQuote(a string) string {
	if a == "" {
		return "''"
	}
	safe := true
	for _, r := range a {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			strings.ContainsRune("-_./=:,+@%^$", r)) {
			safe = false
			break
		}
	}
	if safe {
		return a
	}
	return "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
}
