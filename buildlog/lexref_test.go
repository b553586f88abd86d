package buildlog

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// cutSuffixRef is cutSuffix as it was before the speed work; it removes a known trailer from the end of a printed command.
func cutSuffixRef(line string) (rest, suffix string) {
	for _, s := range suffixes {
		if strings.HasSuffix(line, s.text) {
			return strings.TrimRight(line[:len(line)-len(s.text)], " "), s.name
		}
	}
	return line, ""
}

// splitCommandRef is SplitCommand as it was before the speed work
// (main at 5d6af07), the reference the fast paths must agree with.
func splitCommandRef(line string) (Command, error) {
	var c Command
	rest, suffix := cutSuffixRef(line)
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
			w, err := shellWords(v[:n])
			if err != nil || len(w) != 1 {
				break
			}
			val = w[0]
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

// FuzzSplitCommandRef checks that SplitCommand and cutSuffix, with their
// fast paths (single-quoted env values, escape-free Go-quoted words, the
// trailers' last byte), return what they returned before them.
func FuzzSplitCommandRef(f *testing.F) {
	for _, file := range realLogs(f) {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for _, l := range strings.Split(string(data), "\n") {
			f.Add(l)
		}
	}
	for _, l := range []string{`A='x' B="it's" gcc "a b" "\t" "é" "x\"y" "unterminated`, "echo x # internal", "x  || true",
		`TERM='dumb' CGO_LDFLAGS='"-g" "-O2"' cgo`, `A='' "" ""x`, `"a"b "c`} {
		f.Add(l)
	}
	f.Fuzz(func(t *testing.T, line string) {
		got, gerr := SplitCommand(line)
		want, werr := splitCommandRef(line)
		if !slices.Equal(got.Env, want.Env) || !slices.Equal(got.Argv, want.Argv) || got.Suffix != want.Suffix || (gerr == nil) != (werr == nil) {
			t.Fatalf("SplitCommand(%q) = %q %q %q %v, want %q %q %q %v", line, got.Env, got.Argv, got.Suffix, gerr, want.Env, want.Argv, want.Suffix, werr)
		}
		r1, s1 := cutSuffix(line)
		r2, s2 := cutSuffixRef(line)
		if r1 != r2 || s1 != s2 {
			t.Fatalf("cutSuffix(%q) = %q %q, want %q %q", line, r1, s1, r2, s2)
		}
	})
}
