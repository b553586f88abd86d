package buildlog

import (
	"bytes"
	"encoding/json"
	"unicode/utf16"
	"unicode/utf8"
)

// Item is one thing the streaming parser yields. Exactly one field is set.
type Item struct {
	Record   *Record
	Block    *Block
	HostLink *HostLink
}

// buildEvent is one line of `go build -json` output (cmd/go's BuildEvent).
type buildEvent struct {
	ImportPath string
	Action     string
	Output     *string
}

// decodeEvent decodes a line that looks like a BuildEvent. ok is false
// when the line is not a JSON object with a known Action. The exact shape
// cmd/go prints is read by hand (fast path); anything else goes through
// encoding/json.
func decodeEvent(line []byte) (ev buildEvent, ok bool) {
	if ev, ok := fastEvent(line); ok {
		return ev, true
	}
	if err := json.Unmarshal(line, &ev); err != nil {
		return ev, false
	}
	switch ev.Action {
	case "build-output", "build-fail":
		return ev, true
	}
	return ev, false
}

// Event is one cmd/go BuildEvent (a line of `go build -json`).
type Event struct {
	ImportPath, Action, Output string
}

// DecodeEvent decodes one line of `go build -json` output; ok is true for
// a build-output or build-fail event only. The shape cmd/go prints is read
// by hand, without encoding/json.
func DecodeEvent(line []byte) (ev Event, ok bool) {
	e, ok := decodeEvent(bytes.TrimRight(line, "\r\n"))
	if !ok {
		return Event{}, false
	}
	ev = Event{ImportPath: e.ImportPath, Action: e.Action}
	if e.Output != nil {
		ev.Output = *e.Output
	}
	return ev, true
}

// looksJSON reports whether a line is meant to be a JSON object (after
// optional blanks), so that a torn one can be counted as skipped instead
// of being read as a command.
func looksJSON(line []byte) bool {
	return bytes.HasPrefix(bytes.TrimLeft(line, " \t"), []byte(`{"`))
}

// fastEvent reads {"ImportPath":"...","Action":"...","Output":"..."} (Output
// optional), the field order cmd/go's encoder uses, with nothing else on
// the line but trailing blanks.
func fastEvent(b []byte) (ev buildEvent, ok bool) {
	var rest []byte
	if rest, ok = bytes.CutPrefix(b, []byte(`{"ImportPath":`)); !ok {
		return ev, false
	}
	if ev.ImportPath, rest, ok = jsonString(rest); !ok {
		return ev, false
	}
	if rest, ok = bytes.CutPrefix(rest, []byte(`,"Action":`)); !ok {
		return ev, false
	}
	if ev.Action, rest, ok = jsonString(rest); !ok {
		return ev, false
	}
	if r, found := bytes.CutPrefix(rest, []byte(`,"Output":`)); found {
		var out string
		if out, rest, ok = jsonString(r); !ok {
			return ev, false
		}
		ev.Output = &out
	}
	rest = bytes.TrimRight(rest, " \t")
	if len(rest) != 1 || rest[0] != '}' {
		return ev, false
	}
	switch ev.Action {
	case "build-output", "build-fail":
		return ev, true
	}
	return ev, false
}

// jsonString decodes the JSON string at the start of b and returns the
// bytes after it. ok is false on anything it does not fully understand.
func jsonString(b []byte) (s string, rest []byte, ok bool) {
	if len(b) == 0 || b[0] != '"' {
		return "", nil, false
	}
	b = b[1:]
	// No escapes: one allocation.
	i := 0
	for i < len(b) && b[i] != '"' && b[i] != '\\' && b[i] >= 0x20 {
		i++
	}
	if i < len(b) && b[i] == '"' {
		return string(b[:i]), b[i+1:], true
	}
	buf := make([]byte, 0, len(b))
	buf = append(buf, b[:i]...)
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			return string(buf), b[i+1:], true
		case c < 0x20:
			return "", nil, false
		case c != '\\':
			buf = append(buf, c)
			i++
			continue
		}
		if i+1 >= len(b) {
			return "", nil, false
		}
		switch e := b[i+1]; e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'n':
			buf = append(buf, '\n')
		case 't':
			buf = append(buf, '\t')
		case 'r':
			buf = append(buf, '\r')
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'u':
			r, n := hex4(b[i+2:])
			if n < 0 {
				return "", nil, false
			}
			i += 4
			if utf16.IsSurrogate(r) {
				r2, n2 := rune(-1), -1
				if i+3 < len(b) && b[i+2] == '\\' && b[i+3] == 'u' {
					r2, n2 = hex4(b[i+4:])
				}
				if n2 < 0 {
					return "", nil, false // lone surrogate: let encoding/json decide
				}
				r = utf16.DecodeRune(r, r2)
				i += 6
			}
			buf = utf8.AppendRune(buf, r)
		default:
			return "", nil, false
		}
		i += 2
	}
	return "", nil, false
}

func hex4(b []byte) (rune, int) {
	if len(b) < 4 {
		return 0, -1
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, -1
		}
		r = r<<4 | rune(c)
	}
	return r, 4
}
