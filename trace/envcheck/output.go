package envcheck

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

const (
	ansiReset  = "\x1b[0m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiGreen  = "\x1b[32m"
	ansiDim    = "\x1b[2m"
)

// WriteText prints the report as a table, one line per check, with the
// why, fix and details under every check that is not ok. color adds ANSI
// colours.
func WriteText(w io.Writer, r *Report, color bool) error {
	paint := func(code, s string) string {
		if !color {
			return s
		}
		return code + s + ansiReset
	}
	width := 0
	for _, c := range r.Checks {
		width = max(width, len(c.ID))
	}
	var b strings.Builder
	for _, c := range r.Checks {
		v := fmt.Sprintf("%-4s", c.Verdict)
		switch c.Verdict {
		case Fail:
			v = paint(ansiRed, v)
		case Warn:
			v = paint(ansiYellow, v)
		case OK:
			v = paint(ansiGreen, v)
		}
		fmt.Fprintf(&b, "%s  %-*s  %s\n", v, width, c.ID, c.Observed)
		if c.Verdict == OK {
			continue
		}
		indent := strings.Repeat(" ", 6)
		for _, d := range c.Details {
			for l := range strings.SplitSeq(d, "\n") {
				fmt.Fprintf(&b, "%s%s\n", indent, paint(ansiDim, l))
			}
		}
		if c.Why != "" {
			fmt.Fprintf(&b, "%swhy: %s\n", indent, c.Why)
		}
		if c.Fix != "" {
			fmt.Fprintf(&b, "%sfix: %s\n", indent, c.Fix)
		}
	}
	fmt.Fprintf(&b, "\n%d ok, %d warn, %d fail (%d ms)\n", r.Summary.OK, r.Summary.Warn, r.Summary.Fail, r.ElapsedMS)
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON prints the report as indented JSON.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
