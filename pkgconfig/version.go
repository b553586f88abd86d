package pkgconfig

import "strings"

// Op is a version comparison operator of a dependency ("zlib >= 1.2").
type Op int

// The operators pkgconf 1.8.1 knows. Any other operator ("==", "=<",
// "=>", "<>") is read as OpAny: the constraint silently disappears.
const (
	OpAny Op = iota
	OpLT
	OpGT
	OpLE
	OpGE
	OpEQ
	OpNE
)

var opNames = [...]string{OpAny: "(any)", OpLT: "<", OpGT: ">", OpLE: "<=", OpGE: ">=", OpEQ: "=", OpNE: "!="}

func (o Op) String() string {
	if o < 0 || int(o) >= len(opNames) {
		return "(any)"
	}
	return opNames[o]
}

// lookupOp maps an operator as written to an Op the way pkgconf does:
// anything unknown means "any version".
func lookupOp(s string) Op {
	for i, n := range opNames {
		if n == s && Op(i) != OpAny {
			return Op(i)
		}
	}
	return OpAny
}

// Satisfies reports whether version have meets "op want".
func (o Op) Satisfies(have, want string) bool {
	switch o {
	case OpLT:
		return CompareVersion(have, want) < 0
	case OpGT:
		return CompareVersion(have, want) > 0
	case OpLE:
		return CompareVersion(have, want) <= 0
	case OpGE:
		return CompareVersion(have, want) >= 0
	case OpEQ:
		return CompareVersion(have, want) == 0
	case OpNE:
		return CompareVersion(have, want) != 0
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isAlnum(c byte) bool { return isDigit(c) || isAlpha(c) }

// isSpace is C's isspace in the C locale.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// CompareVersion compares two versions with pkgconf 1.8.1's algorithm (an
// rpmvercmp variant): case-insensitively equal strings are equal; otherwise
// segments of digits or letters are compared in turn, separators skipped,
// '~' sorting before anything, numbers greater than letters, numbers
// compared by value. It returns -1, 0 or 1.
func CompareVersion(a, b string) int {
	if strings.EqualFold(a, b) {
		return 0
	}
	// pkgconf works on NUL-terminated copies: a NUL ends the string.
	if i := strings.IndexByte(a, 0); i >= 0 {
		a = a[:i]
	}
	if i := strings.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		for i < len(a) && !isAlnum(a[i]) && a[i] != '~' {
			i++
		}
		for j < len(b) && !isAlnum(b[j]) && b[j] != '~' {
			j++
		}
		ca, cb := byte(0), byte(0)
		if i < len(a) {
			ca = a[i]
		}
		if j < len(b) {
			cb = b[j]
		}
		if ca == '~' || cb == '~' {
			if ca != '~' {
				return 1
			}
			if cb != '~' {
				return -1
			}
			i++
			j++
			continue
		}
		if ca == 0 || cb == 0 {
			break
		}
		si, sj := i, j
		isnum := isDigit(ca)
		if isnum {
			for i < len(a) && isDigit(a[i]) {
				i++
			}
			for j < len(b) && isDigit(b[j]) {
				j++
			}
		} else {
			for i < len(a) && isAlpha(a[i]) {
				i++
			}
			for j < len(b) && isAlpha(b[j]) {
				j++
			}
		}
		if si == i {
			return -1
		}
		if sj == j {
			if isnum {
				return 1
			}
			return -1
		}
		one, two := a[si:i], b[sj:j]
		if isnum {
			one = strings.TrimLeft(one, "0")
			two = strings.TrimLeft(two, "0")
			if len(one) > len(two) {
				return 1
			}
			if len(two) > len(one) {
				return -1
			}
		}
		if c := strings.Compare(one, two); c != 0 {
			return c
		}
	}
	endA, endB := i >= len(a), j >= len(b)
	switch {
	case endA && endB:
		return 0
	case endA:
		return -1
	}
	return 1
}
