package buildlog

import (
	"encoding/json"
	"strings"
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
// when the line is not a JSON object with a known Action.
func decodeEvent(line []byte) (ev buildEvent, ok bool) {
	if err := json.Unmarshal(line, &ev); err != nil {
		return ev, false
	}
	switch ev.Action {
	case "build-output", "build-fail":
		return ev, true
	}
	return ev, false
}

// looksJSON reports whether a line is meant to be a JSON object (after
// optional blanks), so that a torn one can be counted as skipped instead
// of being read as a command.
func looksJSON(line string) bool {
	return strings.HasPrefix(strings.TrimLeft(line, " \t"), "{\"")
}
