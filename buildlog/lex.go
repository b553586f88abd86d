package buildlog

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/shlex"
)

// Command is one command line of a -x trace, split the way cmd/go printed
// it (cmd/go/internal/work: Shell.ShowCmd, joinUnambiguously).
type Command struct {
	// Env holds the NAME=value prefixes, unquoted, as "NAME=value".
	Env []string
	// Argv is the command and its arguments, unquoted. $WORK and the `cd`
	// dot rewriting are not undone here (see Parser).
	Argv []string
	// Suffix is the trailer read from the raw line before tokenizing:
	// "internal", "test for internal linking errors (succeeded)",
	// "test for internal linking errors (failed)" or "|| true".
	Suffix string
}

// The trailers cmd/go appends to a printed command. "  # internal" (two
// spaces) is what buildid.go prints after `cat FILE`.
var suffixes = []struct{ text, name string }{
	{" # internal", "internal"},
	{" # test for internal linking errors (succeeded)", "test for internal linking errors (succeeded)"},
	{" # test for internal linking errors (failed)", "test for internal linking errors (failed)"},
	{" || true", "|| true"},
}

// cutSuffix removes a known trailer from the end of a printed command.
func cutSuffix(line string) (rest, suffix string) {
	if n := len(line); n == 0 || line[n-1] != 'l' && line[n-1] != ')' && line[n-1] != 'e' {
		return line, "" // the last bytes of the trailers: internal, (...), true
	}
	for _, s := range suffixes {
		if strings.HasSuffix(line, s.text) {
			return strings.TrimRight(line[:len(line)-len(s.text)], " "), s.name
		}
	}
	return line, ""
}

var errUnterminated = errors.New("unterminated quoted word")

// SplitCommand splits one printed command line into env prefixes, argv and
// suffix. It matches the printer exactly: words are separated by single
// spaces; a word that starts with `"` is a Go-quoted string (strconv.Quote),
// read with strconv.QuotedPrefix and unquoted; any other word is raw text up
// to the next space (it cannot contain a space or `"`). Leading NAME='v'
// (shell single quotes, split with shlex) and NAME="v" (Go quoting, used
// when v contains a ') are env prefixes. On a malformed quoted word the
// rest of that word is kept raw and an error is returned with the parts
// that were read.
func SplitCommand(line string) (Command, error) {
	var c Command
	rest, suffix := cutSuffix(line)
	c.Suffix = suffix
	var firstErr error

	i := 0
	// Env prefixes.
	for i < len(rest) {
		for i < len(rest) && rest[i] == ' ' {
			i++
		}
		name := EnvName(rest[i:])
		if name == "" {
			break
		}
		v := rest[i+len(name)+1:]
		var val string
		var n int
		if v[0] == '\'' {
			end := strings.IndexByte(v[1:], '\'')
			if end < 0 {
				break
			}
			n = end + 2
			// v[:n] is one single-quoted word without a ' inside: its
			// content is literal, as shellWords would return it.
			val = v[1 : n-1]
		} else {
			q, err := strconv.QuotedPrefix(v)
			if err != nil {
				break
			}
			n = len(q)
			val, _ = strconv.Unquote(q)
		}
		if n < len(v) && v[n] != ' ' {
			break
		}
		c.Env = append(c.Env, name+"="+val)
		i += len(name) + 1 + n
	}

	// Arguments. Count first so that argv is allocated once.
	words := 1 + strings.Count(rest[i:], " ")
	c.Argv = make([]string, 0, words)
	for i < len(rest) {
		if rest[i] == ' ' {
			i++
			continue
		}
		if rest[i] == '"' {
			if n, ok := plainQuoted(rest[i:]); ok {
				c.Argv = append(c.Argv, rest[i+1:i+n-1])
				i += n
				continue
			}
			q, err := strconv.QuotedPrefix(rest[i:])
			if err == nil {
				s, err := strconv.Unquote(q)
				if err == nil {
					c.Argv = append(c.Argv, s)
					i += len(q)
					continue
				}
			}
			if firstErr == nil {
				firstErr = errUnterminated
			}
		}
		j := strings.IndexByte(rest[i:], ' ')
		if j < 0 {
			j = len(rest) - i
		}
		c.Argv = append(c.Argv, rest[i:i+j])
		i += j
	}
	return c, firstErr
}

// plainQuoted returns the length of the Go-quoted string that starts s
// when it has no escape: strconv.QuotedPrefix and strconv.Unquote would
// return it and its content as they are (the common case: -trimpath
// "$WORK/b001=>"), in one pass over it instead of four.
func plainQuoted(s string) (int, bool) {
	end := strings.IndexByte(s[1:], '"')
	if end < 0 {
		return 0, false
	}
	body := s[1 : 1+end]
	for i := 0; i < len(body); i++ {
		if c := body[i]; c == '\\' || c == '\n' || c >= utf8.RuneSelf {
			return 0, false // escapes, or UTF-8 to validate: the slow path
		}
	}
	return end + 2, true
}

// EnvName returns NAME when s starts with NAME=' or NAME=" (an
// environment prefix as cmd/go prints it before a command), else "".
func EnvName(s string) string {
	for i := 0; i < len(s); i++ {
		b := s[i]
		switch {
		case b == '_' || 'A' <= b && b <= 'Z' || 'a' <= b && b <= 'z':
		case '0' <= b && b <= '9' && i > 0:
		case b == '=' && i > 0:
			if i+1 < len(s) && (s[i+1] == '\'' || s[i+1] == '"') {
				return s[:i]
			}
			return ""
		default:
			return ""
		}
	}
	return ""
}

// shellWords splits genuinely shell-quoted text with shlex, fixing what
// shlex does not do for cmd/go output:
//   - a word that is a complete Go-quoted string ("a\tb", "\x01") is
//     unquoted with Go rules (shlex turns every \X into X);
//   - a word that starts with # is kept (shlex drops it and the rest of the
//     line as a comment);
//   - a raw ' inside a word (-I/tmp/it's) does not swallow the rest.
//
// A word that is exactly one single-quoted string ('dumb') is taken
// without shlex: its content is literal in the shell, and this is the
// common case (env prefixes) on the hot path.
//
// Words are separated by unquoted blanks; quotes group as in the shell.
func shellWords(s string) ([]string, error) {
	var out []string
	var firstErr error
	for _, w := range splitShellish(s) {
		if n := len(w); n >= 2 && w[0] == '\'' && strings.IndexByte(w[1:], '\'') == n-2 {
			// Fast path: one single-quoted word ('dumb', ''), literal
			// in the shell and in shlex alike.
			out = append(out, w[1:n-1])
			continue
		}
		if w[0] == '"' {
			if q, err := strconv.QuotedPrefix(w); err == nil && len(q) == len(w) {
				if u, err := strconv.Unquote(q); err == nil {
					out = append(out, u)
					continue
				}
			}
		}
		if w[0] == '#' {
			out = append(out, w)
			continue
		}
		parts, err := shlex.Split(w)
		if err != nil || len(parts) != 1 {
			if err != nil && firstErr == nil {
				firstErr = err
			}
			out = append(out, w)
			continue
		}
		out = append(out, parts[0])
	}
	return out, firstErr
}

// splitShellish cuts s at blanks outside quotes. Inside "...", a backslash
// escapes the next byte; '...' has no escapes. An unbalanced quote runs to
// the end of s.
func splitShellish(s string) []string {
	var words []string
	start := -1
	var quote byte
	for i := 0; i < len(s); i++ {
		b := s[i]
		if quote != 0 {
			switch {
			case quote == '"' && b == '\\':
				i++
			case b == quote:
				quote = 0
			}
			continue
		}
		switch b {
		case ' ', '\t', '\n', '\r':
			if start >= 0 {
				words = append(words, s[start:i])
				start = -1
			}
			continue
		case '"', '\'':
			// A ' in the middle of a raw word (it's) is literal text
			// for cmd/go's printer; only a leading quote groups.
			if start < 0 || b == '"' {
				quote = b
			}
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		words = append(words, s[start:])
	}
	return words
}

// CgoLDFlags returns the linker flags of a cgo command line: the value of
// its -ldflags= argument, which cmd/go builds by Go-quoting each flag and
// joining them with spaces (the second level of quoting). The flags are
// returned as go build received them. cgo itself splits the value with a
// shell-like splitter in which a backslash escapes any character, so a
// flag holding a tab or another escape reaches the linker differently.
func CgoLDFlags(argv []string) ([]string, error) {
	for _, a := range argv {
		if v, ok := strings.CutPrefix(a, "-ldflags="); ok {
			return shellWords(v)
		}
		if a == "--" {
			break
		}
	}
	return nil, nil
}
