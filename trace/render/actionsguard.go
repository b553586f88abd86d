package render

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ActionsGuard keeps text that comes from a build (compiler messages,
// file names, a header's #error line) from being read as a workflow
// command by the GitHub Actions runner, which reads every line of a
// step's stdout and stderr and runs
//
//   - a line that starts, after leading white space, with "::"
//     (ActionCommand.TryParseV2 trims the line first), and
//   - a line that contains "##[" anywhere (the older TryParse).
//
// The runner splits lines at "\r" as well as "\n" (.NET's ReadLine), and
// compares with .NET's culture-sensitive StartsWith and IndexOf, which
// skip format characters such as U+200B and U+00AD: the check here
// ignores them too, so it errs towards guarding.
//
// The guard is lazy: output without such a line passes byte for byte.
// At the first one it writes "::stop-commands::TOKEN" (a random token
// the build cannot know) before it, and Close writes "::TOKEN::", after
// which the runner reads commands again. In JSON mode "##[" is written
// "##\u005b" instead (it can only occur inside a JSON string, where the
// escape means the same), so a JSON document stays one.
type ActionsGuard struct {
	w       io.Writer
	json    bool
	buf     []byte
	token   string
	stopped bool
	lastNL  bool
	err     error
}

// NewActionsGuard guards w. json selects the JSON escape (json and sarif
// output); every other format is guarded with stop-commands.
func NewActionsGuard(w io.Writer, json bool) *ActionsGuard {
	return &ActionsGuard{w: w, json: json, lastNL: true}
}

// Write buffers p up to the end of its last complete line and writes the
// complete lines.
func (g *ActionsGuard) Write(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	g.buf = append(g.buf, p...)
	i := bytes.LastIndexByte(g.buf, '\n')
	if i < 0 {
		return len(p), nil
	}
	g.lines(g.buf[:i+1])
	g.buf = append(g.buf[:0], g.buf[i+1:]...)
	return len(p), g.err
}

func (g *ActionsGuard) lines(b []byte) {
	for len(b) > 0 && g.err == nil {
		j := bytes.IndexByte(b, '\n')
		line := b
		if j >= 0 {
			line = b[:j+1]
		}
		b = b[len(line):]
		if WorkflowCommandLike(line) {
			if g.json {
				line = bytes.ReplaceAll(line, []byte("##["), []byte(`##\u005b`))
			}
			if WorkflowCommandLike(line) && !g.stopped {
				g.stop()
			}
		}
		g.write(line)
	}
}

func (g *ActionsGuard) stop() {
	var t [16]byte
	rand.Read(t[:])
	g.token = "cgotrace-" + hex.EncodeToString(t[:])
	if !g.lastNL {
		g.write([]byte("\n"))
	}
	g.write([]byte("::stop-commands::" + g.token + "\n"))
	g.stopped = true
}

func (g *ActionsGuard) write(b []byte) {
	if g.err != nil || len(b) == 0 {
		return
	}
	_, g.err = g.w.Write(b)
	g.lastNL = b[len(b)-1] == '\n'
}

// Close writes what is left of the last line and, when commands were
// stopped, the line that resumes them.
func (g *ActionsGuard) Close() error {
	if len(g.buf) > 0 {
		g.lines(g.buf)
		g.buf = g.buf[:0]
	}
	if g.stopped {
		if !g.lastNL {
			g.write([]byte("\n"))
		}
		g.write([]byte("::" + g.token + "::\n"))
		g.stopped = false
	}
	return g.err
}

// WorkflowCommandLike reports whether the runner could read a command in
// line (which may hold several lines for the runner: "\r" ends one too).
func WorkflowCommandLike(line []byte) bool {
	s := ignorable(string(line))
	if strings.Contains(s, "##[") {
		return true
	}
	for _, seg := range strings.FieldsFunc(s, func(r rune) bool { return r == '\r' || r == '\n' }) {
		if strings.HasPrefix(strings.TrimLeftFunc(seg, dotnetSpace), "::") {
			return true
		}
	}
	return false
}

// ignorable drops the runes a culture-sensitive .NET comparison skips
// (format characters, NUL) and invalid UTF-8.
func ignorable(s string) string {
	clean := true
	for _, r := range s {
		if r == 0 || r == utf8.RuneError || unicode.Is(unicode.Cf, r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == 0 || r == utf8.RuneError || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, s)
}

// dotnetSpace is .NET's char.IsWhiteSpace (what String.TrimStart trims).
func dotnetSpace(r rune) bool {
	return unicode.IsSpace(r) || unicode.In(r, unicode.Zs, unicode.Zl, unicode.Zp)
}
