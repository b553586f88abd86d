package buildlog

import (
	"bytes"
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
		p.testPkg = ev.Package // whose test binary could not start
		for out != "" {
			line, rest, _ := strings.Cut(out, "\n")
			p.handleLine(strings.TrimSuffix(line, "\r"))
			out = rest
		}
		p.testPkg = ""
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
		p.inTest = false
		rest := line[len("FAIL\t"):]
		pkg, tail, _ := strings.Cut(rest, "\t")
		if p.runBlock && p.block.ImportPath == "" && tail != "" {
			// The test binary could not start: its package is the one
			// go test reports as failed.
			p.block.ImportPath = pkg
		}
		p.closeBlock()
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

// IsStartFailure reports whether line (without its newline) is the
// loader's message about a program that go run or go test built and
// could not start (see startedProgram): what go test prints on its
// stdout, apart from the build log, when a test binary cannot start.
func IsStartFailure(line string) bool { return startedProgram(line) }

// IsStartFailureEvent reports whether line is a test2json event of go
// test -json whose package-level output holds such a line.
func IsStartFailureEvent(line []byte) bool {
	if !bytes.Contains(line, []byte("error while loading shared libraries: ")) && !bytes.Contains(line, []byte("Error loading shared library ")) {
		return false
	}
	var ev testEvent
	if json.Unmarshal(line, &ev) != nil || ev.Action != "output" || ev.Test != "" || ev.Output == nil {
		return false
	}
	for _, l := range strings.Split(*ev.Output, "\n") {
		if startedProgram(strings.TrimSuffix(l, "\r")) {
			return true
		}
	}
	return false
}

// startedProgram reports whether line is the loader's message about a
// program that go run or go test built (in go's build directory: an
// exe/ of $WORK, a .test binary), not about a tool of the build.
func startedProgram(line string) bool {
	if !strings.Contains(line, "error while loading shared libraries: ") && !strings.HasPrefix(line, "Error loading shared library ") {
		return false
	}
	var m Message
	if !classifyRuntimeLoad(line, &m) {
		return false
	}
	prog := m.Program
	return strings.Contains(prog, "/go-build") && strings.Contains(prog, "/exe/") ||
		strings.HasSuffix(prog, ".test") || strings.HasSuffix(prog, ".test.exe")
}

// goRunExit handles go run's `exit status N` after the program it ran
// exited or could not start: go's own line, which closes the block of a
// start-up failure. 3221225781 is Windows' STATUS_DLL_NOT_FOUND
// (0xc0000135): the message grammar reads it (MsgRuntimeLoad).
func (p *Parser) goRunExit(line string) bool {
	rest, ok := strings.CutPrefix(line, "exit status ")
	if !ok || !isDigits(rest) || rest == "3221225781" || (p.block != nil && !p.runBlock) {
		return false
	}
	p.closeBlock()
	return true
}
