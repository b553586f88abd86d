// Package docs carries the user documentation the binary prints:
// diagnoses.md, one section per report-v1 diagnosis code, which
// `cgotrace explain CODE` shows. The file is the single source; the
// binary embeds it, so the two cannot drift.
package docs

import (
	_ "embed"
	"strings"
)

// Diagnoses is docs/diagnoses.md.
//
//go:embed diagnoses.md
var Diagnoses string

// Explain returns the section of diagnoses.md for code, from its
// "## code" heading up to the next second-level heading, and whether
// there is one. Headings inside fenced code blocks do not count.
func Explain(code string) (string, bool) {
	for _, s := range sections() {
		if s.code == code {
			return s.text, true
		}
	}
	return "", false
}

// Codes lists the codes that have a section, in the file's order.
func Codes() []string {
	var out []string
	for _, s := range sections() {
		out = append(out, s.code)
	}
	return out
}

type section struct{ code, text string }

func sections() []section {
	var out []section
	var cur *section
	var b strings.Builder
	flush := func() {
		if cur != nil {
			cur.text = strings.TrimRight(b.String(), "\n") + "\n"
			out = append(out, *cur)
		}
		b.Reset()
	}
	fenced := false
	for _, line := range strings.SplitAfter(Diagnoses, "\n") {
		if strings.HasPrefix(line, "```") {
			fenced = !fenced
		}
		if !fenced && strings.HasPrefix(line, "## ") {
			flush()
			cur = &section{code: strings.TrimSpace(line[3:])}
		}
		if cur != nil {
			b.WriteString(line)
		}
	}
	flush()
	return out
}
