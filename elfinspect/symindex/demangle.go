package symindex

import (
	"bytes"

	"github.com/ianlancetaylor/demangle"
	"os/exec"
	"slices"
	"strconv"
	"strings"
)

// Demangled names are not stored: demangling every C++ name of the system
// libraries (~300k here) would cost more than the whole index. A demangled
// query is instead turned into the pieces its mangled form must contain —
// every name component appears once as <length><identifier> ("3foo"),
// operators as their two-letter code — the mangled names holding all of
// them are the candidates, and only those are demangled and compared.

// isMangled reports whether name is an Itanium C++ ABI mangled name.
func isMangled(name string) bool {
	return strings.HasPrefix(name, "_Z") || strings.HasPrefix(name, "__Z")
}

// looksDemangled reports whether q can only be a demangled C++ name.
func looksDemangled(q string) bool {
	return strings.ContainsAny(q, ":()<>~ ,*&")
}

// GoDemangle demangles names in process with
// github.com/ianlancetaylor/demangle (the demangler of Go's own tools), the
// default. The result has one entry per name, "" where a name is not a
// mangled C++ name or cannot be demangled.
func GoDemangle(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		name := n
		if strings.HasPrefix(name, "__Z") {
			name = name[1:] // Mach-O's extra underscore
		}
		if s, err := demangle.ToString(name, demangle.Verbose); err == nil && s != n {
			out[i] = s
		}
	}
	return out
}

// CxxFilt demangles names with one c++filt process (binutils); tests use
// it as the reference for GoDemangle. The result
// has one entry per name, "" where a name is not demangled (or c++filt is
// missing or fails).
func CxxFilt(names []string) []string {
	out := make([]string, len(names))
	if len(names) == 0 {
		return out
	}
	cmd := exec.Command("c++filt")
	cmd.Stdin = strings.NewReader(strings.Join(names, "\n") + "\n")
	res, err := cmd.Output()
	if err != nil {
		return out
	}
	lines := strings.Split(strings.TrimSuffix(string(res), "\n"), "\n")
	if len(lines) != len(names) {
		return out
	}
	for i, l := range lines {
		if l != names[i] {
			out[i] = l
		}
	}
	return out
}

// operatorCodes maps C++ operator names to their mangled codes.
var operatorCodes = map[string]string{
	"new": "nw", "new[]": "na", "delete": "dl", "delete[]": "da",
	"+": "pl", "-": "mi", "*": "ml", "/": "dv", "%": "rm", "&": "an", "|": "or", "^": "eo",
	"=": "aS", "+=": "pL", "-=": "mI", "*=": "mL", "/=": "dV", "%=": "rM", "&=": "aN",
	"|=": "oR", "^=": "eO", "<<": "ls", ">>": "rs", "<<=": "lS", ">>=": "rS", "==": "eq",
	"!=": "ne", "<": "lt", ">": "gt", "<=": "le", ">=": "ge", "<=>": "ss", "!": "nt",
	"&&": "aa", "||": "oo", "++": "pp", "--": "mm", ",": "cm", "->*": "pm", "->": "pt",
	"()": "cl", "[]": "ix", "~": "co",
}

// stdAbbrev are std:: names the mangling abbreviates (St, Sa, Sb, Ss, ...):
// they do not appear as <length><identifier>.
var stdAbbrev = map[string]bool{
	"allocator": true, "basic_string": true, "string": true, "istream": true,
	"ostream": true, "iostream": true,
}

// mangledNeedles returns the substrings every mangled form of the
// demangled name q contains. nil means none could be derived (every C++
// name is then a candidate).
func mangledNeedles(q string) []string {
	q = strings.ReplaceAll(strings.TrimSpace(q), "(anonymous namespace)", "_GLOBAL__N_1")
	// The operator, if any, and the qualified name before it.
	var opCode string
	if i := strings.LastIndex(q, "operator"); i >= 0 && (i == 0 || !isIdentByte(q[i-1])) {
		rest := strings.TrimSpace(q[i+len("operator"):])
		if p := paramsStart(rest); p >= 0 {
			rest = strings.TrimSpace(rest[:p])
		}
		if c, ok := operatorCodes[strings.ReplaceAll(rest, " ", "")]; ok {
			opCode = c
		}
		q = strings.TrimSuffix(strings.TrimSpace(q[:i]), "::")
	} else if p := paramsStart(q); p >= 0 {
		q = q[:p]
	}
	q = stripAngles(q)
	// A return type precedes the name: "void ns::f".
	if i := strings.LastIndexByte(strings.TrimSpace(q), ' '); i >= 0 {
		q = q[i+1:]
	}
	var comps []string
	for c := range strings.SplitSeq(q, "::") {
		if c = strings.TrimSpace(c); c != "" {
			comps = append(comps, c)
		}
	}
	// Constructors and destructors are C1/C2/D0/D1/D2, not a second name.
	if n := len(comps); n >= 2 && (comps[n-1] == comps[n-2] || comps[n-1] == "~"+comps[n-2]) {
		comps = comps[:n-1]
	}
	var needles []string
	underStd := false
	for _, c := range comps {
		if c == "std" {
			underStd = true
			continue
		}
		if underStd && stdAbbrev[c] {
			underStd = false
			continue
		}
		underStd = false
		if !isIdent(c) {
			return nil
		}
		n := strconv.Itoa(len(c)) + c
		if !slices.Contains(needles, n) {
			needles = append(needles, n)
		}
	}
	if opCode != "" && len(needles) == 0 {
		needles = append(needles, "_Z"+opCode)
	}
	return needles
}

// paramsStart returns the index of the '(' opening the parameter list of
// a demangled function name, or -1.
func paramsStart(s string) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '<':
			depth++
		case '>':
			depth--
		case '(':
			if depth == 0 && i > 0 {
				return i
			}
		}
	}
	return -1
}

// stripAngles removes template arguments: "a<b<c>>::d" → "a::d".
func stripAngles(s string) string {
	var b strings.Builder
	depth := 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '<':
			depth++
		case s[i] == '>' && depth > 0:
			depth--
		case depth == 0:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdent(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isIdentByte(s[i]) {
			return false
		}
	}
	return true
}

// candidates returns the distinct mangled names of the index that contain
// every needle (all of them when needles is empty).
func (t *table) candidates(needles []string) []string {
	block := t.mangled
	var out []string
	seen := map[string]bool{}
	keep := func(l []byte) {
		if len(l) > 0 && !seen[string(l)] {
			seen[string(l)] = true
			out = append(out, string(l))
		}
	}
	if len(needles) == 0 {
		for l := range bytes.SplitSeq(block, []byte{'\n'}) {
			keep(l)
		}
		return out
	}
	// Scan for the longest (rarest) needle, check the others on its line.
	sorted := slices.Clone(needles)
	slices.SortFunc(sorted, func(a, b string) int { return len(b) - len(a) })
	first := []byte(sorted[0])
	for pos := 0; pos < len(block); {
		i := bytes.Index(block[pos:], first)
		if i < 0 {
			break
		}
		i += pos
		start := bytes.LastIndexByte(block[:i], '\n') + 1
		end := bytes.IndexByte(block[i:], '\n')
		if end < 0 {
			end = len(block)
		} else {
			end += i
		}
		line := block[start:end]
		ok := true
		for _, n := range sorted[1:] {
			if !bytes.Contains(line, []byte(n)) {
				ok = false
				break
			}
		}
		if ok {
			keep(line)
		}
		pos = end + 1
	}
	return out
}
