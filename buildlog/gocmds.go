package buildlog

import (
	"encoding/json"
	"strings"
)

// The lines of the go commands that build without being go build: go
// test's results and the output of the tests it runs (between build
// steps with -x), go test -json's test2json events, and go run's program
// failing to start and its `exit status N`.

// testEvent is one test2json event of `go test -json`.
type testEvent struct {
	Action      string
	Package     string
	Test        string
	Output      *string
	FailedBuild string
}

// handleTestEvent reads a line that looks like JSON but is not a
// BuildEvent. It reports whether the line is a test2json event.
func (p *Parser) handleTestEvent(b []byte) bool {
	var ev testEvent
	if json.Unmarshal(b, &ev) != nil || ev.Action == "" || ev.Package == "" {
		return false
	}
	switch {
	case ev.Action == "fail" && ev.FailedBuild != "":
		p.fail(ev.FailedBuild)
	case ev.Action == "fail" && ev.Test == "":
		p.testFailed(ev.Package)
	case ev.Action == "output" && ev.Output != nil && ev.Test == "":
		// Before Go 1.24 the build's own output came as output events
		// of the package; read it as text (`FAIL pkg [build failed]`
		// and test output are recognised as such).
		out := *ev.Output
		for out != "" {
			line, rest, _ := strings.Cut(out, "\n")
			p.handleLine(strings.TrimSuffix(line, "\r"))
			out = rest
		}
		p.closeBlock()
	}
	return true
}

func (p *Parser) testFailed(pkg string) {
	for _, q := range p.sum.TestsFailed {
		if q == pkg {
			return
		}
	}
	p.sum.TestsFailed = append(p.sum.TestsFailed, pkg)
}

// goTestLine handles go test's own lines and, between `=== RUN` (or the
// test binary's command) and the package's result line, the tests'
// output. It reports whether the line was taken.
func (p *Parser) goTestLine(line string) bool {
	switch {
	case strings.HasPrefix(line, "FAIL\t"):
		// FAIL pkg [build failed], FAIL pkg 0.01s, FAIL pkg [setup failed]
		p.closeBlock()
		p.inTest = false
		rest := line[len("FAIL\t"):]
		pkg, tail, _ := strings.Cut(rest, "\t")
		if pkg, st, ok := strings.Cut(pkg, " ["); ok {
			if st == "build failed]" || st == "setup failed]" {
				p.fail(pkg)
				return true
			}
		}
		if tail != "" {
			p.testFailed(pkg)
		}
		return true
	case strings.HasPrefix(line, "ok  \t"), strings.HasPrefix(line, "?   \t"):
		p.closeBlock()
		p.inTest = false
		p.resultLine = p.lineNo
		return true
	case line == "FAIL" || line == "PASS":
		p.closeBlock()
		return true
	case strings.HasPrefix(line, "=== RUN "), strings.HasPrefix(line, "=== CONT "),
		strings.HasPrefix(line, "=== PAUSE "), strings.HasPrefix(line, "=== NAME "):
		p.closeBlock()
		p.inTest = true
		return true
	case strings.HasPrefix(line, "--- FAIL: "), strings.HasPrefix(line, "--- PASS: "), strings.HasPrefix(line, "--- SKIP: "):
		p.closeBlock()
		p.inTest = true
		return true
	}
	if p.inTest {
		// The tests' own output: only go's lines (a header, a trace line
		// of a build running in parallel) are read.
		if line != "" && line[0] == '#' || p.sum.Trace && IsTraceLine(line) {
			return false
		}
		return true
	}
	return false
}

// startupFailure handles a program that go run or go test ran and that
// could not start: the dynamic loader's message (glibc: `PROG: error
// while loading shared libraries: LIB: cannot open shared object file:
// No such file or directory`; musl: `Error loading shared library LIB:
// No such file or directory (needed by PROG)`), and go run's `exit
// status N` after it.
func (p *Parser) startupFailure(line string) bool {
	if prog, rest, ok := strings.Cut(line, ": error while loading shared libraries: "); ok && !strings.ContainsAny(prog, " \t") {
		lib, why, _ := strings.Cut(rest, ": ")
		p.closeBlock()
		p.sum.StartupFailures = append(p.sum.StartupFailures, StartupFailure{Line: p.lineNo, Program: prog, Library: lib, Reason: why, Text: line})
		return true
	}
	if rest, ok := strings.CutPrefix(line, "error while loading shared libraries: "); ok {
		lib, why, _ := strings.Cut(rest, ": ")
		p.closeBlock()
		p.sum.StartupFailures = append(p.sum.StartupFailures, StartupFailure{Line: p.lineNo, Library: lib, Reason: why, Text: line})
		return true
	}
	if rest, ok := strings.CutPrefix(line, "Error loading shared library "); ok {
		lib, why, _ := strings.Cut(rest, ": ")
		prog := ""
		if i := strings.LastIndex(why, " (needed by "); i >= 0 && strings.HasSuffix(why, ")") {
			prog = why[i+len(" (needed by ") : len(why)-1]
			why = why[:i]
		}
		p.closeBlock()
		p.sum.StartupFailures = append(p.sum.StartupFailures, StartupFailure{Line: p.lineNo, Program: prog, Library: lib, Reason: why, Text: line})
		return true
	}
	if rest, ok := strings.CutPrefix(line, "exit status "); ok && isDigits(rest) && p.block == nil && rest != "3221225781" {
		// go run: the program's exit code. 3221225781 is Windows'
		// STATUS_DLL_NOT_FOUND (0xc0000135): the message grammar reads it.
		return true
	}
	return false
}
