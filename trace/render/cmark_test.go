package render

import (
	"bytes"
	"html"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/cgotrace/cgotrace/trace"
	"github.com/cgotrace/cgotrace/trace/diag"
)

// These tests read the Markdown back with cmark-gfm, GitHub's own fork of
// the CommonMark parser (Debian package cmark-gfm), instead of trusting
// our idea of the escaping rules.

func cmarkGFM(t *testing.T, md string) string {
	t.Helper()
	bin, err := exec.LookPath("cmark-gfm")
	if err != nil {
		t.Skip("cmark-gfm not installed (Debian package cmark-gfm)")
	}
	// --unsafe passes raw HTML through, as GitHub does for the tags it
	// allows: so an escaping mistake shows up as a raw tag.
	cmd := exec.Command(bin, "--unsafe", "-e", "table", "-e", "autolink", "-e", "strikethrough")
	cmd.Stdin = strings.NewReader(md)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("cmark-gfm: %v: %s", err, stderr.String())
	}
	return out.String()
}

var (
	reTR       = regexp.MustCompile(`(?s)<tr>(.*?)</tr>`)
	reCell     = regexp.MustCompile(`(?s)<t[dh]>(.*?)</t[dh]>`)
	reTag      = regexp.MustCompile(`<[^>]*>`)
	reCodeBody = regexp.MustCompile(`(?s)<pre><code class="language-([a-z]+)">(.*?)</code></pre>`)
)

// cellText is what a reader sees in a cell: tags dropped (a <br /> is a
// newline), entities decoded.
func cellText(s string) string {
	s = strings.ReplaceAll(s, "<br />", "\n")
	s = strings.ReplaceAll(s, "<br>", "\n")
	return html.UnescapeString(reTag.ReplaceAllString(s, ""))
}

func TestMarkdownWithCmarkGFM(t *testing.T) {
	for name, r := range allFixtures() {
		md := renderString(t, "markdown", r, Options{})
		out := cmarkGFM(t, md)
		rows := reTR.FindAllStringSubmatch(out, -1)
		for _, row := range rows {
			if n := len(reCell.FindAllString(row[1], -1)); n != 4 {
				t.Errorf("%s: a table row has %d cells, want 4: %s", name, n, row[0])
			}
		}
		if !strings.Contains(md, "Cut to fit") && len(r.Diagnoses) > 0 && len(rows) != len(r.Diagnoses)+1 {
			t.Errorf("%s: %d table rows for %d diagnoses", name, len(rows)-1, len(r.Diagnoses))
		}
		// Every fenced block survives as one code block with the exact text.
		blocks := reCodeBody.FindAllStringSubmatch(out, -1)
		merm := mermaidBlocks(md)
		var gotMerm []string
		for _, b := range blocks {
			if b[1] == "mermaid" {
				gotMerm = append(gotMerm, html.UnescapeString(b[2]))
			}
		}
		if strings.Join(gotMerm, "\x00") != strings.Join(merm, "\x00") {
			t.Errorf("%s: the Mermaid blocks GitHub sees differ from the ones written", name)
		}
		if strings.Count(out, "<details>") != strings.Count(md, "<details>") || strings.Count(out, "</details>") != strings.Count(out, "<details>") {
			t.Errorf("%s: <details> blocks not kept whole", name)
		}
		_, first := failingPackages(r)
		checked := 0
		for i := range r.Diagnoses {
			d := &r.Diagnoses[i]
			if len(d.Evidence) == 0 || strings.Contains(md, "Cut to fit") {
				continue
			}
			if first[d.Package] == d {
				checked++
				want := strings.Join(d.Evidence, "\n") + "\n"
				found := false
				for _, b := range blocks {
					found = found || html.UnescapeString(b[2]) == want
				}
				if !found {
					t.Errorf("%s: evidence of %s not shown verbatim", name, d.Package)
				}
			}
		}
		if checked == 0 && name != "healthy" && name != "huge" && name != "runtime-library-missing" {
			t.Errorf("%s: no evidence block checked", name)
		}
	}
}

// Table cells and running text read back, through GitHub's parser, as
// exactly the text the report holds.
func TestMarkdownEscapingWithCmarkGFM(t *testing.T) {
	texts := []string{
		"a | b <script>alert(1)</script> *bold* _it_ `tick` [link](x) & more",
		`back\slash \| pipe \\| two \\\| three`,
		"~~strike~~ ![img](x.png) <!-- comment --> &amp; &#35; $x$ and $$y$$",
		"https://example.com/x_y_z and www.example.com autolinks",
		"# not a heading | > not a quote | - not a list",
		"line one\nline two\r\nline three",
		"undefined reference to `operator new(unsigned long)'",
		"‘-mthreads’ unicode « » 漢字",
	}
	var r trace.Report
	r.SchemaVersion = 1
	r.Command.ExitCode = 1
	for i, s := range texts {
		r.Diagnoses = append(r.Diagnoses, diag.Diagnosis{Code: diag.CompileError, Severity: diag.Error,
			Package: "example.com/p" + strings.Repeat("x", i), Summary: s, Source: &diag.Source{File: s}})
	}
	out := cmarkGFM(t, renderString(t, "markdown", &r, Options{}))
	rows := reTR.FindAllStringSubmatch(out, -1)
	if len(rows) != len(texts)+1 {
		t.Fatalf("%d rows for %d diagnoses:\n%s", len(rows)-1, len(texts), out)
	}
	for i, s := range texts {
		cells := reCell.FindAllStringSubmatch(rows[i+1][1], -1)
		if len(cells) != 4 {
			t.Errorf("%q: %d cells", s, len(cells))
			continue
		}
		want := strings.ReplaceAll(s, "\r", "")
		if got := cellText(cells[2][1]); got != want {
			t.Errorf("summary cell reads %q, want %q", got, want)
		}
		// Source is a code cell: newlines become spaces in a code span.
		wantCode := strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }), " ")
		if got := cellText(cells[3][1]); got != wantCode {
			t.Errorf("source cell reads %q, want %q", got, wantCode)
		}
	}
	if strings.Contains(out, "<script>") || strings.Contains(out, "<del>") || strings.Contains(out, "<img") || strings.Contains(out, `<a href="x"`) || strings.Contains(out, "<!--") {
		t.Errorf("markup leaked from report text:\n%s", out)
	}
	if !strings.Contains(out, `<a href="https://example.com/x_y_z">https://example.com/x_y_z</a>`) {
		t.Errorf("URL not linked as it is:\n%s", out)
	}
	// The root cause line is running text: the same must hold there.
	p := regexp.MustCompile(`(?s)<p><strong>Root cause:</strong>(.*?)</p>`).FindStringSubmatch(out)
	if p == nil || !strings.HasSuffix(cellText(p[1]), ": "+texts[0]) {
		t.Errorf("root cause paragraph: %q", p)
	}
}
