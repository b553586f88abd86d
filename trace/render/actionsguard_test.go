package render

import (
	"bytes"
	"strings"
	"testing"
)

// runnerSees lists the workflow commands the GitHub Actions runner would
// run in out (actions/runner ActionCommand.TryParseV2 and TryParse, and
// the stop-commands state of ActionCommandManager), ignoring format
// characters as its culture-sensitive comparisons do.
func runnerSees(out string) []string {
	var cmds []string
	stop := ""
	for _, line := range strings.FieldsFunc(out, func(r rune) bool { return r == '\n' || r == '\r' }) {
		line = ignorable(line)
		var name string
		if l := strings.TrimLeftFunc(line, dotnetSpace); strings.HasPrefix(l, "::") {
			end := strings.Index(l[2:], "::")
			if end < 0 {
				continue
			}
			name, _, _ = strings.Cut(l[2:2+end], " ")
			if stop == "" && name == "stop-commands" {
				stop = l[2+end+2:]
				continue
			}
		} else if i := strings.Index(line, "##["); i >= 0 {
			rb := strings.IndexByte(line[i:], ']')
			if rb < 0 {
				continue
			}
			name, _, _ = strings.Cut(line[i+3:i+rb], " ")
		} else {
			continue
		}
		if stop != "" {
			if strings.EqualFold(name, stop) {
				stop = ""
			}
			continue
		}
		cmds = append(cmds, name)
	}
	return cmds
}

func guard(t testing.TB, in string, json bool, chunk int) string {
	var out bytes.Buffer
	g := NewActionsGuard(&out, json)
	for b := []byte(in); len(b) > 0; {
		n := min(chunk, len(b))
		if _, err := g.Write(b[:n]); err != nil {
			t.Fatal(err)
		}
		b = b[n:]
	}
	if err := g.Close(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestActionsGuard(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		json     bool
		same     bool // passes byte for byte
	}{
		{"plain", "build failed\n  ./main.go:3: error: x\n", false, true},
		{"no final newline", "a\nb", false, true},
		{"folded", "error: #error\n      ::error title=Spoofed::INJECTED\nmore\n", false, false},
		{"no final newline, command", "x\n::warning::y", false, false},
		{"v1 anywhere", "note: ##[error]INJECTED\n", false, false},
		{"carriage return", "progress\r::error::INJECTED\n", false, false},
		{"format character", "\u200b::error::INJECTED\n", false, false},
		{"nbsp", "\u00a0\u2003::error::INJECTED\n", false, false},
		{"json v1", `  "summary": "##[error]INJECTED"` + "\n", true, false},
		{"json plain", `{"a": "::error::x"}` + "\n", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, chunk := range []int{1, 7, 1 << 20} {
				out := guard(t, tc.in, tc.json, chunk)
				if cmds := runnerSees(out); len(cmds) > 0 {
					t.Errorf("chunk %d: the runner runs %q in\n%s", chunk, cmds, out)
				}
				if tc.same && out != tc.in {
					t.Errorf("chunk %d: harmless output changed:\n%q\n%q", chunk, tc.in, out)
				}
				if !tc.same && tc.json && strings.Contains(out, "stop-commands") {
					t.Errorf("JSON got stop-commands: %q", out)
				}
			}
		})
	}
	// What the runner sees without the guard: the cases are real.
	if cmds := runnerSees("error: #error\n      ::error title=Spoofed::INJECTED\n"); len(cmds) != 1 {
		t.Errorf("the runner model does not see the folded command: %q", cmds)
	}
}

// FuzzActionsGuard: whatever the input and however it is cut into
// writes, the runner reads no command from the guarded output, and
// output without anything command-like passes unchanged.
func FuzzActionsGuard(f *testing.F) {
	f.Add("error: #error\n      ::error title=Spoofed::INJECTED\n", false, 3)
	f.Add("##[group]x\r\n::endgroup::\n", true, 1)
	f.Add("plain text\nno commands", false, 100)
	f.Fuzz(func(t *testing.T, in string, json bool, chunk int) {
		if chunk <= 0 || chunk > 1<<16 {
			chunk = 1 << 16
		}
		out := guard(t, in, json, chunk)
		if cmds := runnerSees(out); len(cmds) > 0 {
			t.Fatalf("the runner runs %q in %q", cmds, out)
		}
		if !WorkflowCommandLike([]byte(in)) && out != in {
			t.Fatalf("harmless output changed: %q -> %q", in, out)
		}
	})
}
