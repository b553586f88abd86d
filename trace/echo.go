package trace

import (
	"bufio"
	"encoding/json"
	"io"
	"strings"

	"github.com/cgotrace/cgotrace/buildlog"
)

// echoBlocks copies to term what plain `go build` prints: every output line
// of the BuildEvents except the -x trace (command lines, heredocs, WORK=).
// Lines that are not JSON (go may still print some text) pass through.
// pcCmd is the pkg-config command of the build (the first word of
// PKG_CONFIG): its -x lines are trace too, whatever it is called.
func echoBlocks(r *bufio.Reader, term io.Writer, pcCmd string) {
	afterFailed := map[string]bool{} // import path → previous line was "running X failed"
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 {
			ev, ok := buildlog.DecodeEvent(line)
			switch {
			case !ok && (line[0] != '{' || !json.Valid(line)):
				term.Write(line) // not a BuildEvent: go printed text
			case ok && ev.Action == "build-output" && ev.Output != "":
				first, _, _ := strings.Cut(ev.Output, "\n")
				if afterFailed[ev.ImportPath] || !buildlog.IsTraceLine(first) && !isCommandLine(first, pcCmd) {
					io.WriteString(term, ev.Output)
				}
				afterFailed[ev.ImportPath] = isRunningFailed(first)
			}
		}
		if err != nil {
			return
		}
	}
}

// isRunningFailed matches cmd/link's `: running CC failed: ` (the regexp
// `: running \S+ failed: `, by hand: echo runs on every line of a build).
func isRunningFailed(l string) bool {
	for {
		i := strings.Index(l, ": running ")
		if i < 0 {
			return false
		}
		l = l[i+len(": running "):]
		j := strings.IndexAny(l, " \t\n\f\r") // RE2 \s
		if j > 0 && strings.HasPrefix(l[j:], " failed: ") {
			return true
		}
	}
}

// isCommandLine reports whether l runs cmd with flags: how the -x line
// of a pkg-config call named by PKG_CONFIG starts.
func isCommandLine(l, cmd string) bool {
	return cmd != "" && strings.HasPrefix(l, cmd+" -")
}
