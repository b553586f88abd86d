package trace

import (
	"bufio"
	"encoding/json"
	"io"
	"path/filepath"
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
				if afterFailed[ev.ImportPath] || !isTraceLine(first) && !isCommandLine(first, pcCmd) {
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

// isTraceLine reports whether a line is part of the -x trace rather than
// tool output. Tool output never starts like a command: compilers and
// linkers prefix their messages with "file:", "tool:" or indentation.
func isTraceLine(l string) bool {
	switch {
	case l == "":
		return false
	case strings.HasPrefix(l, "WORK="), strings.HasPrefix(l, "cd "), strings.HasPrefix(l, "mkdir -p "),
		strings.HasPrefix(l, "mv "), strings.HasPrefix(l, "cp "), strings.HasPrefix(l, "rm -"),
		strings.HasPrefix(l, "cat >"), strings.HasPrefix(l, "echo "), strings.HasPrefix(l, "go tool "),
		strings.HasPrefix(l, "ln "), strings.HasPrefix(l, "touch "):
		return true
	case strings.HasSuffix(l, " # internal"), strings.HasSuffix(l, " || true"),
		strings.Contains(l, " # test for internal linking errors ("):
		return true
	case buildlog.EnvName(l) != "":
		return true
	}
	first, _, _ := strings.Cut(l, " ")
	if strings.HasSuffix(first, ":") {
		return false // "tool: message", "file:line: message"
	}
	if strings.Contains(first, "/pkg/tool/") {
		return true
	}
	base := filepath.Base(first)
	if !strings.Contains(l, " -") {
		return false
	}
	// A C compiler or pkg-config run with flags (cgo's gcc lines carry a
	// TERM= prefix; the dynimport link and probes do not).
	for _, s := range []string{"gcc", "g++", "cc", "c++", "clang", "clang++", "pkg-config", "pkgconf", "cgotrace"} {
		if base == s || strings.HasSuffix(base, "-"+s) {
			return true
		}
	}
	return false
}

// isCommandLine reports whether l runs cmd with flags: how the -x line
// of a pkg-config call named by PKG_CONFIG starts.
func isCommandLine(l, cmd string) bool {
	return cmd != "" && strings.HasPrefix(l, cmd+" -")
}
