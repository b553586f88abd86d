package pkgconfig

import (
	"errors"
	"strings"
)

// Fragment is one flag of a Cflags/Libs list as pkgconf stores it: a type
// letter and its data ("-I/usr/include" is {'I', "/usr/include"}), or a
// "special" fragment with Type 0 holding the whole word ("-pthread",
// "-Wl,--as-needed", or "-isystem /x" after pkgconf merged the argument
// into its flag).
type Fragment struct {
	Type byte
	Data string
	// Merged is set when pkgconf joined a following word into this
	// special fragment; its blanks are then printed unescaped.
	Merged bool
	// From is the id of the package whose .pc file gave the fragment.
	From string
}

// String renders the fragment the way pkgconf prints it (escaped).
func (f Fragment) String() string {
	var b strings.Builder
	if f.Type != 0 {
		b.WriteByte('-')
		b.WriteByte(f.Type)
	}
	b.WriteString(quoteFragment(f.Data, f.Merged))
	return b.String()
}

// Flag is the fragment as written, without pkgconf's escaping.
func (f Fragment) Flag() string {
	if f.Type != 0 {
		return "-" + string(f.Type) + f.Data
	}
	return f.Data
}

var unmergeablePrefixes = []string{
	"-framework", "-isystem", "-idirafter", "-pthread", "-Wa,", "-Wl,", "-Wp,",
	"-trigraphs", "-pedantic", "-ansi", "-std=", "-stdlib=", "-include",
	"-nostdinc", "-nostdlibinc", "-nobuiltininc",
	// pkgconf 1.8.1 does not list "-nodefaultlibs" (later versions do):
	// it is an ordinary fragment of type 'n' there.
}

func isUnmergeable(s string) bool {
	if s == "" || s[0] != '-' {
		return true
	}
	for _, p := range unmergeablePrefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func isSpecial(s string) bool {
	if s == "" || s[0] != '-' {
		return true
	}
	if strings.HasPrefix(s, "-lib:") {
		return true
	}
	return isUnmergeable(s)
}

// quoteFragment escapes like pkgconf 1.8.1's fragment_quote. Bytes of 0x80
// and above are escaped too (C's char is signed on the platforms pkgconf
// is built for here).
func quoteFragment(s string, merged bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		lowSpace := byte(' ')
		if merged {
			lowSpace = ' ' + 1
		}
		if c < ' ' || c >= lowSpace && c < '$' || c > '$' && c < '(' || c > ')' && c < '+' ||
			c > ':' && c < '=' || c > '=' && c < '@' || c > 'Z' && c < '\\' || c == '\\' ||
			c > '\\' && c < '^' || c == '`' || c > 'z' && c < '~' || c > '~' {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}

// fragList is an ordered fragment list with pkgconf's add/copy semantics.
type fragList []Fragment

// munge prefixes the sysroot to an absolute path that does not already
// start with it and collapses repeated slashes, as pkgconf's
// fragment_munge does.
func munge(src, sysroot string) string {
	if sysroot != "" && strings.HasPrefix(src, "/") && !strings.HasPrefix(src, sysroot) {
		src = sysroot + src
	}
	if strings.HasPrefix(src, "/") {
		src = collapseSlashes(src)
	}
	return src
}

func collapseSlashes(s string) string {
	if !strings.Contains(s, "//") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteByte(s[i])
		if s[i] == '/' {
			for i+1 < len(s) && s[i+1] == '/' {
				i++
			}
		}
	}
	return b.String()
}

// add appends one word of a Cflags/Libs value (pkgconf_fragment_add).
// sysroot is the client's sysroot (may be empty); sysrootVar is the value of
// the global pc_sysrootdir, used for merged words.
func (l *fragList) add(word, sysroot, sysrootVar, from string) {
	if word == "" {
		return
	}
	if len(word) > 1 && !isSpecial(word) {
		*l = append(*l, Fragment{Type: word[1], Data: munge(word[2:], sysrootOr(sysroot, sysrootVar)), From: from})
		return
	}
	if n := len(*l); n > 0 {
		parent := (*l)[n-1]
		if parent.Type == 0 && isUnmergeable(parent.Data) {
			parent.Data = parent.Data + " " + munge(word, sysrootVar)
			parent.Merged = true
			*l = (*l)[:n-1]
			l.copyFrag(parent, false)
			return
		}
	}
	*l = append(*l, Fragment{Data: word, From: from})
}

func sysrootOr(sysroot, sysrootVar string) string {
	if sysroot != "" {
		return sysroot
	}
	return sysrootVar
}

func canMergeBack(f Fragment, private bool) bool {
	switch f.Type {
	case 'l':
		return !private
	case 'F', 'L', 'I':
		return false
	}
	return true
}

func (l fragList) lookup(f Fragment) int {
	for i := len(l) - 1; i >= 0; i-- {
		if l[i].Type == f.Type && l[i].Data == f.Data {
			return i
		}
	}
	return -1
}

func (l fragList) shouldMerge(i int) bool {
	if i == 0 {
		return true
	}
	base, parent := l[i], l[i-1]
	switch parent.Type {
	case 'l', 'L', 'I':
		return true
	}
	return base.Type == 0 || parent.Type == base.Type
}

// copyFrag is pkgconf_fragment_copy: add f to the list, removing an earlier
// copy ("merge back") or dropping f, following pkgconf 1.8.1's rules.
func (l *fragList) copyFrag(f Fragment, private bool) {
	if canMergeBack(f, private) && !private && isUnmergeable(f.Data) {
		if i := l.lookup(f); i >= 0 {
			if l.shouldMerge(i) {
				*l = append((*l)[:i:i], (*l)[i+1:]...)
			}
		}
	} else if !private && !canMergeBack(f, private) && l.lookup(f) >= 0 {
		return
	}
	*l = append(*l, f)
}

// render joins the fragments the way pkgconf prints them.
func (l fragList) render() string {
	parts := make([]string, len(l))
	for i, f := range l {
		parts[i] = f.String()
	}
	return strings.Join(parts, " ")
}

var errArgv = errors.New("unterminated quote or trailing backslash")

// argvSplit is pkgconf_argv_split: shell-like word splitting with quotes
// and backslash escapes. Every blank ends a word, so runs of blanks give
// empty words, which pkgconf then ignores.
func argvSplit(src string) ([]string, error) {
	var args []string
	var cur strings.Builder
	var quote byte
	escaped := false
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case escaped:
			if quote == '"' && !(c == '$' || c == '`' || c == '"' || c == '\\') {
				cur.WriteByte('\\')
			}
			cur.WriteByte(c)
			escaped = false
		case quote != 0:
			if c == quote {
				quote = 0
			} else if c == '\\' && quote != '\'' {
				escaped = true
			} else {
				cur.WriteByte(c)
			}
		case isSpace(c):
			args = append(args, cur.String())
			cur.Reset()
		case c == '\\':
			escaped = true
		case c == '"' || c == '\'':
			quote = c
		default:
			cur.WriteByte(c)
		}
	}
	if escaped || quote != 0 {
		return nil, errArgv
	}
	if cur.Len() > 0 {
		args = append(args, cur.String())
	}
	return args, nil
}
