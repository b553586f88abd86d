package buildlog

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

var msgSeverities = map[string]bool{SevError: true, SevWarning: true, SevNote: true, SevInfo: true}

// FuzzParseMessages feeds ParseMessages newline-separated text, seeded
// with the tool-output lines of every captured log in ../testdata/logs and
// the lines of the table tests, and checks its invariants: no panic; every
// non-blank, non-header line ends up in exactly one message's Raw, in
// order; Raw is a window of the input; kinds and msgSeverities are set.
func FuzzParseMessages(f *testing.F) {
	for _, file := range capturedLogFiles(f) {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		tool := capturedToolLines(f, data)
		f.Add(strings.Join(tool, "\n"))
		// And in small windows, so the mutator works on short inputs.
		for i := 0; i < len(tool); i += 3 {
			f.Add(strings.Join(tool[i:min(i+3, len(tool))], "\n"))
		}
	}
	for _, tt := range messageTests {
		f.Add(tt.line)
	}
	// Tool output users pasted in issue threads (macOS, Windows, old Go).
	pasted, _ := filepath.Glob("../trace/testdata/pasted/*.log")
	for _, file := range pasted {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(string(data))
		}
	}
	f.Add("Undefined symbols for architecture arm64:\n  \"_x\", referenced from:\n      _main in main.o\n     (maybe you meant: _x2)\n")
	f.Add("x.o: In function `f':\nx.c:1: undefined reference to `g'\ncollect2.exe: error: ld returned 1 exit status")
	f.Add("a: exec: \"C:\\\\Program\": file does not exist\n'gcc' is not recognized as an internal or external command,\nexit status 0xc0000135")
	f.Add("ld.lld: error: undefined symbol: x\n>>> referenced by a.c:1\n>>>               a.o:(main)")
	f.Add("x.go:1:2: error: \xff\x00\r\n    1 | \x00\n")
	f.Fuzz(func(t *testing.T, text string) {
		lines := strings.Split(text, "\n")
		msgs := ParseMessages(lines)
		next := 0 // lines before next are accounted for
		for _, m := range msgs {
			if m.Kind == "" || !msgSeverities[m.Severity] {
				t.Fatalf("bad kind/severity: %+v", m)
			}
			if len(m.Raw) == 0 {
				t.Fatalf("message without Raw: %+v", m)
			}
			// Raw must be lines[start:start+len(Raw)] for a start >= next.
			start := -1
			for s := next; s+len(m.Raw) <= len(lines); s++ {
				if lines[s] == m.Raw[0] && slices.Equal(lines[s:s+len(m.Raw)], m.Raw) {
					start = s
					break
				}
			}
			if start < 0 {
				t.Fatalf("Raw %q is not a window of the input after line %d", m.Raw, next)
			}
			for _, skipped := range lines[next:start] {
				if !msgIgnorable(skipped) {
					t.Fatalf("line %q is in no message", skipped)
				}
			}
			next = start + len(m.Raw)
			if m.Line < 0 || m.Column < 0 {
				t.Fatalf("negative position: %+v", m)
			}
			if utf8.ValidString(text) && !utf8.ValidString(m.Text) {
				t.Fatalf("Text %q is not valid UTF-8 though the input is", m.Text)
			}
		}
		for _, rest := range lines[next:] {
			if !msgIgnorable(rest) {
				t.Fatalf("trailing line %q is in no message", rest)
			}
		}
		for _, l := range lines {
			m, _ := ParseMessage(l)
			if len(m.Raw) != 1 || m.Kind == "" || !msgSeverities[m.Severity] {
				t.Fatalf("ParseMessage(%q) = %+v", l, m)
			}
		}
	})
}

// ignorable lines produce no message: blank lines, `# header` lines and
// context lines that no message followed.
func msgIgnorable(l string) bool {
	l = msgTrimCR(l)
	return strings.TrimSpace(l) == "" || strings.HasPrefix(l, "# ") || l == "#" || msgContextOf(l) != msgCtxNone
}

// FuzzSymbols checks that the symbol helpers never panic on what a log
// may hold, and keep their promises: Demangle gives both forms or
// neither for a mangled name, CgoName gives a C.NAME with a C identifier.
func FuzzSymbols(f *testing.F) {
	for _, s := range cxxRuntimeMangled {
		f.Add(s)
	}
	for _, s := range []string{"operator new(unsigned long)", "__Znwm", "_cgo_74c548aa5022_Cfunc_compute_checksum",
		"__cgo_74c548aa5022_Cfunc_compute_checksum", "_Ctype_int", "cos@@GLIBC_2.2.5", "/tmp/go-build/main.cgo2.c",
		"_ZN7Counter3addEi", "___gxx_personality_v0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, d := Demangle(s)
		if strings.HasPrefix(m, "_Z") && d == "" {
			t.Fatalf("Demangle(%q) = %q, %q: mangled without demangled", s, m, d)
		}
		if n, ok := CgoName(s); ok && (!strings.HasPrefix(n, "C.") || !isCIdent(n[2:])) {
			t.Fatalf("CgoName(%q) = %q", s, n)
		}
		if g, ok := CgoSourceFile(s); ok && !strings.HasSuffix(g, ".go") {
			t.Fatalf("CgoSourceFile(%q) = %q", s, g)
		}
		CxxRuntimeSymbol(s)
	})
}
