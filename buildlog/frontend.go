package buildlog

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/google/shlex"
)

// The log front end: what CI systems and terminals put around go's own
// lines, recognised and removed per line before the line is parsed, so a
// log that mixes formats (BuildKit output inside a GitHub Actions log)
// reads like the plain log. Line numbers are not changed: a decoration
// line is dropped but still counted.
//
// The shapes, and where each comes from:
//
//   - ANSI escape sequences anywhere (CSI `ESC [ ... final`, OSC `ESC ] ...
//     BEL`, two-byte `ESC x`): colour from go's children, GitLab's SGR
//     and erase codes.
//   - GitHub Actions raw logs: each line starts with an RFC 3339 UTC time
//     with 7 fraction digits and one space (`2024-09-04T00:32:16.3783803Z
//     `); the runner's own lines are `##[group]Run CMD`, `##[endgroup]`,
//     `##[error]Process completed with exit code 1.`, and workflow commands
//     `::group::T`, `::error file=F::msg`. Source: the log pasted in
//     compiler-explorer/compiler-explorer#6826 and actions/setup-go#109.
//   - Docker BuildKit `--progress=plain`: `#N [stage 2/5] RUN ...` opens a
//     step, its output lines are `#N 0.106 text` (seconds since the step
//     started), `#N DONE 0.1s`, `#N CACHED`, `#N ERROR: process "/bin/sh
//     -c go build" did not complete successfully: exit code: 1`; after a
//     failure a trailer repeats the last output lines between `------`
//     lines (`0.345 text`, ` > [builder 5/5] RUN ...:`), then `Dockerfile:N`,
//     an excerpt between `--------------------` lines and `ERROR: failed to
//     solve: process ... exit code: 1`. Sources: moby/moby#45453,
//     moby/buildkit#2221, v-byte-cpu/juicyrout#48.
//   - Classic `docker build`: `Step 5/9 : RUN ...`, ` ---> Running in ID`,
//     ` ---> ID`, `Removing intermediate container ID`, `The command
//     '/bin/sh -c make build' returned a non-zero code: 2`. Source:
//     lukaszraczylo/semver-generator#17, moby/moby#24912.
//   - GitLab job logs: `\e[0Ksection_start:UNIX_TIME:NAME\r\e[0K` + header
//     text, `\e[0Ksection_end:UNIX_TIME:NAME\r\e[0K`, SGR colour, the
//     runner's `ERROR: Job failed: exit code 1` / `Job succeeded`. Source:
//     docs.gitlab.com/ci/jobs/job_logs (custom collapsible sections).
//   - Jenkins: the Timestamper plugin's `[2023-02-11T09:18:32.563Z] ` in
//     Pipeline console text and `21:51:15  ` (HH:mm:ss and two spaces) in
//     freestyle jobs, `[Pipeline] sh` lines, `Finished: FAILURE`. Sources:
//     wiki.jenkins-ci.org/display/JENKINS/Timestamper (`21:51:15  Started
//     by user anonymous`), thelinuxcode.com/timestamps-jenkins (the ISO
//     8601 form `2023-02-11T09:18:32.563Z`); the brackets around it are as
//     issue 12 shows them, not seen in a pasted log.
//   - Shell prompts and command echoes in pasted snippets and CI logs:
//     `$ CGO_ENABLED=0 go build .`, `PS C:\src> go build`, `C:\src>go
//     build`, `user@host:~/src$ go build`, `+ go build` (sh -x, Jenkins):
//     the line is dropped and, when it runs go, kept as a LoggedCommand.

// frontEnd is the per-log state of the front end.
type frontEnd struct {
	buf []byte // scratch for lines with ANSI sequences

	ci          bool // a CI format was recognised
	ciExit      int  // the exit code a CI trailer reported
	ciExitSeen  bool // ciExit is set
	bkSeen      bool // a BuildKit `#N ` line was seen
	bkTrailer   bool // inside BuildKit's error trailer
	ghRunGroup  bool // inside the runner's `##[group]Run ...` echo
	glSkip      bool // inside a GitLab runner section (not the job's script)
	commands    []LoggedCommand
	pendingEnv  []string
	promptSeen  bool
	decorations int
}

// LoggedCommand is a go command the log shows being run: a shell prompt
// line of a pasted snippet, a CI system's echo of the command.
type LoggedCommand struct {
	Line int `json:"line"`
	// Env holds the NAME=value assignments before the command, in order.
	Env []string `json:"env,omitempty"`
	// Argv is the command, split as the shell would ("go", "build", ...).
	Argv []string `json:"argv"`
}

// decorated holds the bytes a decorated line can start with; any other
// line without an ESC byte is passed through untouched (the plain path).
var decorated = func() (t [256]bool) {
	for _, c := range []byte("0123456789#:[ SRTEFJD-$P+>%sCRUAWGN") {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true // user@host:dir$ prompts
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true // C:\src> prompts, runner lines
	}
	return t
}()

// frontLine removes the decorations of one line. drop is true when the
// whole line is a decoration (nothing of go's output is on it).
func (p *Parser) frontLine(b []byte) (out []byte, drop bool) {
	if len(b) == 0 {
		if p.fe.bkTrailer || p.fe.glSkip {
			return b, true
		}
		return b, false
	}
	if !decorated[b[0]] && bytes.IndexByte(b, 0x1b) < 0 {
		if p.fe.bkTrailer || p.fe.ghRunGroup || p.fe.glSkip {
			return p.frontState(b)
		}
		return b, false
	}
	fe := &p.fe
	if bytes.IndexByte(b, 0x1b) >= 0 {
		fe.buf = stripANSI(fe.buf[:0], b)
		b = fe.buf
		// GitLab: `section_start:T:NAME\r` + header; the erase code is gone.
		if rest, ok := bytes.CutPrefix(b, []byte("section_start:")); ok {
			fe.ci = true
			name, _, _ := bytes.Cut(rest, []byte("\r"))
			if i := bytes.IndexByte(name, ':'); i >= 0 {
				name = name[i+1:]
			}
			if i := bytes.IndexByte(name, '['); i >= 0 {
				name = name[:i] // NAME[collapsed=true]
			}
			fe.glSkip = gitlabRunnerSection(string(name))
			return nil, true
		}
		if bytes.HasPrefix(b, []byte("section_end:")) {
			fe.ci = true
			fe.glSkip = false
			return nil, true
		}
		// Other carriage returns: what a terminal shows is after the last.
		if i := bytes.LastIndexByte(b, '\r'); i >= 0 {
			b = b[i+1:]
		}
	}
	for range 4 {
		if len(b) == 0 {
			break
		}
		n := len(b)
		var d bool
		b, d = p.frontPrefix(b)
		if d {
			fe.decorations++
			return nil, true
		}
		if len(b) == n || len(b) == 0 {
			break
		}
	}
	if fe.bkTrailer || fe.ghRunGroup || fe.glSkip {
		if len(b) == 0 {
			return b, true
		}
		return p.frontState(b)
	}
	if len(b) > 0 && decorated[b[0]] {
		if p.prompt(b) {
			return nil, true
		}
	}
	return b, false
}

// frontState handles the lines of a region that is dropped whole.
func (p *Parser) frontState(b []byte) ([]byte, bool) {
	fe := &p.fe
	if fe.bkTrailer {
		p.exitTrailer(b)
		return nil, true
	}
	if fe.ghRunGroup || fe.glSkip {
		return nil, true
	}
	return b, false
}

// frontPrefix removes one prefix, or reports the line as decoration.
func (p *Parser) frontPrefix(b []byte) ([]byte, bool) {
	fe := &p.fe
	switch c := b[0]; {
	case c >= '0' && c <= '9':
		if n := githubTime(b); n > 0 {
			fe.ci = true
			return b[n:], false
		}
		if n := clockTime(b); n > 0 {
			fe.ci = true
			return b[n:], false
		}
		if fe.bkTrailer {
			return nil, true
		}
	case c == '[':
		if n := bracketTime(b); n > 0 {
			fe.ci = true
			return b[n:], false
		}
		if bytes.HasPrefix(b, []byte("[Pipeline] ")) {
			fe.ci = true
			return nil, true
		}
	case c == '#':
		if len(b) > 2 && b[1] == '#' && b[2] == '[' {
			return p.githubCommand(b)
		}
		if n := buildkitStep(b); n > 0 {
			return p.buildkit(b, n)
		}
	case c == ':':
		if isWorkflowCommand(b) {
			fe.ci = true
			if bytes.HasPrefix(b, []byte("::group::Run ")) {
				fe.ghRunGroup = false // not the runner's own echo
			}
			return nil, true
		}
	case c == '-':
		if fe.bkSeen && isDashes(b) {
			fe.bkTrailer = true
			return nil, true
		}
	case c == ' ':
		if bytes.HasPrefix(b, []byte(" ---> ")) {
			fe.ci = true
			return nil, true
		}
	case c >= 'A' && c <= 'Z':
		if d := p.runnerLine(b); d {
			fe.ci = true
			return nil, true
		}
	}
	return b, false
}

// runnerLine recognises the lines CI runners and docker print on their own.
func (p *Parser) runnerLine(b []byte) bool {
	fe := &p.fe
	switch {
	case bytes.HasPrefix(b, []byte("Step ")) && isDockerStep(b[5:]):
		return true
	case p.fe.ci && (bytes.Equal(b, []byte("Post job cleanup.")) || bytes.Equal(b, []byte("Cleaning up orphan processes")) ||
		bytes.HasPrefix(b, []byte("Terminate orphan process: "))):
		return true
	case bytes.HasPrefix(b, []byte("Removing intermediate container ")),
		bytes.HasPrefix(b, []byte("Sending build context to Docker daemon")),
		bytes.HasPrefix(b, []byte("Successfully built ")),
		bytes.HasPrefix(b, []byte("Successfully tagged ")):
		return true
	case bytes.HasPrefix(b, []byte("The command '")) && bytes.Contains(b, []byte("' returned a non-zero code: ")):
		i := bytes.LastIndex(b, []byte("' returned a non-zero code: "))
		p.setExit(b[i+len("' returned a non-zero code: "):])
		return true
	case bytes.HasPrefix(b, []byte("ERROR: Job failed: exit code ")):
		p.setExit(b[len("ERROR: Job failed: exit code "):])
		return true
	case bytes.Equal(b, []byte("Job succeeded")), bytes.Equal(b, []byte("Finished: SUCCESS")):
		fe.ciExit, fe.ciExitSeen = 0, true
		return true
	case bytes.HasPrefix(b, []byte("Finished: ")):
		fe.ciExit, fe.ciExitSeen = 1, true
		return true
	case bytes.HasPrefix(b, []byte("ERROR: script returned exit code ")):
		p.setExit(b[len("ERROR: script returned exit code "):])
		return true
	case bytes.HasPrefix(b, []byte("ERROR: failed to solve: ")), bytes.HasPrefix(b, []byte("ERROR: process \"")):
		p.exitTrailer(b)
		return true
	}
	return false
}

// exitTrailer reads `... exit code: N` at the end of a BuildKit error.
func (p *Parser) exitTrailer(b []byte) {
	if i := bytes.LastIndex(b, []byte("exit code: ")); i >= 0 {
		p.setExit(b[i+len("exit code: "):])
	}
}

func (p *Parser) setExit(b []byte) {
	b = bytes.TrimRight(b, ". ")
	if n, err := strconv.Atoi(string(b)); err == nil {
		p.fe.ciExit, p.fe.ciExitSeen = n, true
		p.fe.ci = true
	}
}

// githubCommand handles the runner's `##[name]text` lines.
func (p *Parser) githubCommand(b []byte) ([]byte, bool) {
	fe := &p.fe
	end := bytes.IndexByte(b, ']')
	if end < 0 {
		return b, false
	}
	fe.ci = true
	name, text := string(b[3:end]), b[end+1:]
	switch name {
	case "group":
		if cmd, ok := bytes.CutPrefix(text, []byte("Run ")); ok {
			// The step's script and env follow until ##[endgroup].
			fe.ghRunGroup = true
			p.promptCommand(cmd, false)
		}
	case "endgroup":
		fe.ghRunGroup = false
	case "error":
		if rest, ok := bytes.CutPrefix(text, []byte("Process completed with exit code ")); ok {
			p.setExit(rest)
		} else {
			p.exitTrailer(text)
		}
	}
	return nil, true
}

// buildkit handles a `#N ...` line; n is the length of `#N `.
func (p *Parser) buildkit(b []byte, n int) ([]byte, bool) {
	fe := &p.fe
	fe.ci, fe.bkSeen, fe.bkTrailer = true, true, false
	rest := b[n:]
	if m := seconds(rest); m > 0 {
		return rest[m:], false // step output
	}
	if bytes.HasPrefix(rest, []byte("ERROR: ")) {
		p.exitTrailer(rest)
	}
	return nil, true // step header, DONE, CACHED, progress
}

// buildkitStep returns the length of `#N ` at the start of b, or 0.
func buildkitStep(b []byte) int {
	i := 1
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	if i == 1 || i >= len(b) || b[i] != ' ' {
		if i > 1 && i == len(b) {
			return i // `#N` alone
		}
		return 0
	}
	return i + 1
}

// seconds returns the length of `12.345 ` (or `12.345` ending the line).
func seconds(b []byte) int {
	i := 0
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	if i == 0 || i >= len(b) || b[i] != '.' {
		return 0
	}
	j := i + 1
	for j < len(b) && b[j] >= '0' && b[j] <= '9' {
		j++
	}
	if j == i+1 {
		return 0
	}
	if j == len(b) {
		return j
	}
	if b[j] != ' ' {
		return 0
	}
	return j + 1
}

// githubTime returns the length of `2024-09-04T00:32:16.3783803Z ` or 0.
func githubTime(b []byte) int {
	n := isoTime(b)
	if n == 0 || n >= len(b) || b[n] != ' ' {
		if n > 0 && n == len(b) {
			return n
		}
		return 0
	}
	return n + 1
}

// bracketTime returns the length of `[2023-02-11T09:18:32.563Z] ` or of
// `[21:51:15] `, or 0.
func bracketTime(b []byte) int {
	n := isoTime(b[1:])
	if n == 0 {
		n = hhmmss(b[1:])
	}
	if n == 0 || 1+n >= len(b) || b[1+n] != ']' {
		return 0
	}
	n += 2
	if n < len(b) && b[n] == ' ' {
		n++
	}
	return n
}

// clockTime returns the length of Timestamper's `21:51:15  ` or 0.
func clockTime(b []byte) int {
	n := hhmmss(b)
	if n == 0 || len(b) < n+2 || b[n] != ' ' || b[n+1] != ' ' {
		return 0
	}
	return n + 2
}

// isoTime returns the length of `YYYY-MM-DDTHH:MM:SS[.frac][Z|±hh:mm]`, or 0.
func isoTime(b []byte) int {
	const shape = "dddd-dd-ddTdd:dd:dd"
	if len(b) < len(shape) {
		return 0
	}
	for i := 0; i < len(shape); i++ {
		if shape[i] == 'd' {
			if b[i] < '0' || b[i] > '9' {
				return 0
			}
		} else if b[i] != shape[i] {
			return 0
		}
	}
	i := len(shape)
	if i < len(b) && (b[i] == '.' || b[i] == ',') {
		j := i + 1
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		if j == i+1 {
			return 0
		}
		i = j
	}
	if i < len(b) && b[i] == 'Z' {
		return i + 1
	}
	if i+6 <= len(b) && (b[i] == '+' || b[i] == '-') && b[i+3] == ':' {
		return i + 6
	}
	return 0
}

// hhmmss returns 8 for `HH:MM:SS` at the start of b, else 0.
func hhmmss(b []byte) int {
	if len(b) < 8 || b[2] != ':' || b[5] != ':' {
		return 0
	}
	for _, i := range [6]int{0, 1, 3, 4, 6, 7} {
		if b[i] < '0' || b[i] > '9' {
			return 0
		}
	}
	return 8
}

// isWorkflowCommand matches `::name::msg` and `::name k=v,...::msg`.
func isWorkflowCommand(b []byte) bool {
	if len(b) < 4 || b[1] != ':' {
		return false
	}
	i := 2
	for i < len(b) && (b[i] >= 'a' && b[i] <= 'z' || b[i] == '-') {
		i++
	}
	if i == 2 || i >= len(b) {
		return false
	}
	if b[i] == ' ' {
		j := bytes.Index(b[i:], []byte("::"))
		return j > 0
	}
	return bytes.HasPrefix(b[i:], []byte("::"))
}

// isDashes matches BuildKit's `------` and `--------------------` rules.
func isDashes(b []byte) bool {
	if len(b) < 6 {
		return false
	}
	for _, c := range b {
		if c != '-' {
			return false
		}
	}
	return true
}

// isDockerStep matches the `5/9 : ` of `Step 5/9 : RUN ...` (and the
// older `Step 36 : `).
func isDockerStep(b []byte) bool {
	i := 0
	for i < len(b) && (b[i] >= '0' && b[i] <= '9' || b[i] == '/') {
		i++
	}
	return i > 0 && bytes.HasPrefix(b[i:], []byte(" : "))
}

// gitlabRunnerSection reports whether a section holds the runner's own
// work (preparing the executor, fetching sources, caches, artifacts)
// rather than the job's script.
func gitlabRunnerSection(name string) bool {
	switch name {
	case "prepare_executor", "prepare_script", "get_sources", "restore_cache",
		"download_artifacts", "archive_cache", "archive_cache_on_failure",
		"upload_artifacts_on_success", "upload_artifacts_on_failure",
		"cleanup_file_variables", "resolve_secrets":
		return true
	}
	return false
}

// stripANSI appends b without its escape sequences to dst.
func stripANSI(dst, b []byte) []byte {
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != 0x1b {
			dst = append(dst, c)
			continue
		}
		if i+1 >= len(b) {
			break
		}
		switch b[i+1] {
		case '[': // CSI: parameters, intermediates, one final byte
			j := i + 2
			for j < len(b) && b[j] >= 0x20 && b[j] <= 0x3f {
				j++
			}
			if j < len(b) && b[j] >= 0x40 && b[j] <= 0x7e {
				i = j
			} else {
				i = j - 1
			}
		case ']': // OSC: up to BEL or ESC \
			j := i + 2
			for j < len(b) && b[j] != 0x07 && !(b[j] == 0x1b && j+1 < len(b) && b[j+1] == '\\') {
				j++
			}
			if j < len(b) && b[j] == 0x1b {
				j++
			}
			i = j
		default:
			i++ // ESC and one byte
		}
	}
	return dst
}

// prompt recognises a shell prompt or a command echo at the start of b:
// `$ CMD`, `% CMD`, `+ CMD` (sh -x), `PS C:\src> CMD`, `C:\src>CMD`,
// `user@host:~/src$ CMD`. A go command on it is kept.
func (p *Parser) prompt(b []byte) bool {
	if p.heredoc != nil || len(b) < 2 {
		return false
	}
	var cmd []byte
	windows := false
	switch c := b[0]; {
	case (c == '$' || c == '%' || c == '+') && b[1] == ' ':
		cmd = b[2:]
	case c == 'P' && bytes.HasPrefix(b, []byte("PS ")):
		i := bytes.Index(b, []byte("> "))
		if i < 0 || !isWindowsPath(b[3:i]) {
			return false
		}
		cmd, windows = b[i+2:], true
	case c >= 'A' && c <= 'Z' && len(b) > 3 && b[1] == ':' && b[2] == '\\':
		i := bytes.IndexByte(b, '>')
		if i < 0 || bytes.ContainsAny(b[:i], " \t\"") {
			return false
		}
		cmd, windows = b[i+1:], true
	case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		at := bytes.IndexByte(b[:min(len(b), 65)], '@')
		if at <= 0 {
			return false
		}
		colon := bytes.IndexByte(b[at:], ':')
		if colon < 0 {
			return false
		}
		colon += at
		end := bytes.Index(b[colon:], []byte("$ "))
		if end < 0 {
			end = bytes.Index(b[colon:], []byte("# "))
		}
		if end < 0 {
			return false
		}
		end += colon
		if !isHostWord(b[:at]) || !isHostWord(b[at+1:colon]) || bytes.ContainsAny(b[colon:end], " \t") {
			return false
		}
		cmd = b[end+2:]
	default:
		return false
	}
	p.fe.promptSeen = true
	p.promptCommand(cmd, windows)
	return true
}

func isWindowsPath(b []byte) bool {
	return len(b) >= 2 && (b[1] == ':' || b[0] == '\\' || b[0] == '/' || b[0] == '~')
}

func isHostWord(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// promptCommand keeps the go commands of a command line: `A=1 B=2 go
// build ...`, `env A=1 go test`, `export A=1` / `set A=1` /
// `$env:A="1"` (remembered for the go command that follows), separated
// by `;`, `&&` or `||`.
func (p *Parser) promptCommand(cmd []byte, windows bool) {
	s := string(cmd)
	for _, sep := range []string{"&&", "||", ";"} {
		s = strings.ReplaceAll(s, sep, "\n")
	}
	for _, part := range strings.Split(s, "\n") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		words, err := shlex.Split(part)
		if err != nil || windows {
			// cmd.exe and PowerShell: backslashes are path separators.
			words = strings.Fields(part)
			for i, w := range words {
				if n := len(w); n >= 2 && (w[0] == '"' || w[0] == '\'') && w[n-1] == w[0] {
					words[i] = w[1 : n-1]
				}
			}
		}
		var env []string
		for len(words) > 0 {
			w := words[0]
			switch {
			case w == "env" || w == "sudo" || w == "time" || w == "export" || w == "set" || w == "-E":
			case isAssign(w):
				env = append(env, unquoteAssign(w))
			case len(w) > 5 && (w[:5] == "$env:" || w[:5] == "$Env:" || w[:5] == "$ENV:"):
				env = append(env, unquoteAssign(w[5:]))
			default:
				goto cmd
			}
			words = words[1:]
		}
	cmd:
		if len(words) == 0 {
			p.fe.pendingEnv = append(p.fe.pendingEnv, env...)
			continue
		}
		base := words[0]
		if i := strings.LastIndexAny(base, `/\\`); i >= 0 {
			base = base[i+1:]
		}
		if base != "go" && base != "go.exe" {
			continue
		}
		all := append(append([]string(nil), p.fe.pendingEnv...), env...)
		p.fe.commands = append(p.fe.commands, LoggedCommand{Line: p.lineNo, Env: all, Argv: words})
	}
}

func isAssign(w string) bool {
	i := 0
	for i < len(w) && (w[i] == '_' || w[i] >= 'A' && w[i] <= 'Z' || w[i] >= 'a' && w[i] <= 'z' || i > 0 && w[i] >= '0' && w[i] <= '9') {
		i++
	}
	return i > 0 && i < len(w) && w[i] == '='
}

// unquoteAssign turns PowerShell's `NAME="v"` into NAME=v.
func unquoteAssign(w string) string {
	name, v, ok := strings.Cut(w, "=")
	if !ok {
		return w
	}
	if n := len(v); n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n-1] == v[0] {
		v = v[1 : n-1]
	}
	return name + "=" + v
}
