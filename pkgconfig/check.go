package pkgconfig

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// SplitPkgConfigOutput splits pkg-config output into words the way cmd/go
// does (POSIX shell word splitting without expansions), rejecting the same
// things with the same messages: unquoted | & ; < > ( ) $ `, unterminated
// quotes, a trailing backslash.
func SplitPkgConfigOutput(out string) ([]string, error) {
	out = strings.TrimSpace(out)
	if out == "" {
		return nil, nil
	}
	var flags []string
	flag := make([]byte, 0, len(out))
	didQuote, escaped := false, false
	var quote byte
	for i := 0; i < len(out); i++ {
		c := out[i]
		if escaped {
			if quote == '"' && c != '$' && c != '`' && c != '"' && c != '\\' && c != '\n' {
				flag = append(flag, '\\', c)
				escaped = false
				continue
			}
			if c != '\n' {
				flag = append(flag, c)
			}
			escaped = false
			continue
		}
		if quote != 0 && c == quote {
			quote = 0
			continue
		}
		switch quote {
		case '\'':
			flag = append(flag, c)
			continue
		case '"':
			if c != '`' && c != '$' && c != '\\' {
				flag = append(flag, c)
				continue
			}
		}
		switch c {
		case '|', '&', ';', '<', '>', '(', ')', '$', '`':
			return nil, fmt.Errorf("unexpected shell character %q in pkgconf output", c)
		case '\\':
			escaped = true
			continue
		case '"', '\'':
			quote = c
			didQuote = true
			continue
		case ' ', '\t', '\n':
			if len(flag) > 0 || didQuote {
				flags = append(flags, string(flag))
			}
			flag, didQuote = flag[:0], false
			continue
		}
		flag = append(flag, c)
	}
	if quote != 0 {
		return nil, errors.New("unterminated quoted string in pkgconf output")
	}
	if escaped {
		return nil, errors.New("broken character escaping in pkgconf output")
	}
	if len(flag) > 0 || didQuote {
		flags = append(flags, string(flag))
	}
	return flags, nil
}

// SafeArg is cmd/go's load.SafeArg: the first character of a package name
// or of a flag's separate argument must be [0-9A-Za-z._/] or non-ASCII.
func SafeArg(name string) bool {
	if name == "" {
		return false
	}
	c := name[0]
	return '0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || c == '.' || c == '_' || c == '/' || c >= utf8.RuneSelf
}

// FlagKind selects an allow-list of cmd/go.
type FlagKind int

// The allow-lists. CompilerFlags governs `pkg-config --cflags` output (with
// CGO_CFLAGS_ALLOW/DISALLOW), LinkerFlags `pkg-config --libs` output (with
// CGO_LDFLAGS_ALLOW/DISALLOW), PkgConfigFlags the `--flags` of a
// `#cgo pkg-config:` line (no override).
const (
	CompilerFlags FlagKind = iota
	LinkerFlags
	PkgConfigFlags
)

// InvalidFlagError is cmd/go's rejection of a flag.
type InvalidFlagError struct {
	Source string // "pkg-config --cflags"
	Flag   string
	Next   string // the following word, when the flag takes one
	// NoArg is set when the flag needs an argument and none follows.
	NoArg bool
	// EnvVar is the CGO_*_ALLOW variable that would accept it ("" for
	// pkg-config's own flags, which have no override).
	EnvVar string
}

func (e *InvalidFlagError) Error() string {
	switch {
	case e.Next != "":
		return fmt.Sprintf("invalid flag in %s: %s %s (see https://go.dev/s/invalidflag)", e.Source, e.Flag, e.Next)
	case e.NoArg:
		return fmt.Sprintf("invalid flag in %s: %s without argument (see https://go.dev/s/invalidflag)", e.Source, e.Flag)
	}
	return fmt.Sprintf("invalid flag in %s: %s (see https://go.dev/s/invalidflag)", e.Source, e.Flag)
}

// CheckFlags checks flags as cmd/go's checkFlags does and returns the first
// rejection (cmd/go stops at the first), or nil. getenv supplies
// CGO_CFLAGS_ALLOW and friends (nil: none set). source is the text cmd/go
// names in its message ("pkg-config --libs", "#cgo LDFLAGS").
func CheckFlags(kind FlagKind, source string, flags []string, getenv func(string) string) error {
	var invalid, valid []*regexp.Regexp
	var validNext []string
	envName := ""
	switch kind {
	case CompilerFlags:
		valid, validNext, envName = validCompilerFlags(), validCompilerFlagsWithNextArg, "CFLAGS"
		if strings.Contains(source, "CPPFLAGS") {
			envName = "CPPFLAGS"
		} else if strings.Contains(source, "CXXFLAGS") {
			envName = "CXXFLAGS"
		} else if strings.Contains(source, "FFLAGS") {
			envName = "FFLAGS"
		}
	case LinkerFlags:
		invalid, valid, validNext, envName = invalidLinkerFlags(), validLinkerFlags(), validLinkerFlagsWithNextArg, "LDFLAGS"
	case PkgConfigFlags:
		valid = validPkgConfigFlags()
	}
	var allow, disallow *regexp.Regexp
	if envName != "" && getenv != nil {
		if v := getenv("CGO_" + envName + "_ALLOW"); v != "" {
			r, err := regexp.Compile(v)
			if err != nil {
				return fmt.Errorf("parsing $CGO_%s_ALLOW: %v", envName, err)
			}
			allow = r
		}
		if v := getenv("CGO_" + envName + "_DISALLOW"); v != "" {
			r, err := regexp.Compile(v)
			if err != nil {
				return fmt.Errorf("parsing $CGO_%s_DISALLOW: %v", envName, err)
			}
			disallow = r
		}
	}
	full := func(re *regexp.Regexp, s string) bool { return re.FindString(s) == s }
	bad := func(arg string) error {
		e := &InvalidFlagError{Source: source, Flag: arg}
		if envName != "" {
			e.EnvVar = "CGO_" + envName + "_ALLOW"
		}
		return e
	}
Args:
	for i := 0; i < len(flags); i++ {
		arg := flags[i]
		if disallow != nil && full(disallow, arg) {
			return bad(arg)
		}
		if allow != nil && full(allow, arg) {
			continue
		}
		for _, re := range invalid {
			if full(re, arg) {
				return bad(arg)
			}
		}
		for _, re := range valid {
			if full(re, arg) {
				continue Args
			} else if strings.HasPrefix(arg, "-Wl,--push-state,") {
				for _, a := range strings.Split(arg, ",")[1:] {
					a = "-Wl," + a
					found := false
					for _, re := range valid {
						if full(re, a) {
							found = true
							break
						}
					}
					if !found {
						return bad(arg)
					}
					for _, re := range invalid {
						if full(re, a) {
							return bad(arg)
						}
					}
				}
				continue Args
			}
		}
		for _, x := range validNext {
			if arg != x {
				continue
			}
			if i+1 < len(flags) && SafeArg(flags[i+1]) {
				i++
				continue Args
			}
			if i+1 < len(flags) && strings.HasPrefix(arg, "-Wl,") && strings.HasPrefix(flags[i+1], "-Wl,") &&
				SafeArg(flags[i+1][4:]) && !strings.Contains(flags[i+1][4:], ",") {
				i++
				continue Args
			}
			if i+1 < len(flags) && arg == "-I" {
				if (strings.HasPrefix(flags[i+1], "=") || strings.HasPrefix(flags[i+1], "$SYSROOT")) && SafeArg(flags[i+1][1:]) {
					i++
					continue Args
				}
			}
			e := bad(arg).(*InvalidFlagError)
			if i+1 < len(flags) {
				e.Next = flags[i+1]
			} else {
				e.NoArg = true
			}
			return e
		}
		return bad(arg)
	}
	return nil
}

// checkOutput adds the problems cmd/go would find in a pkg-config output:
// shell characters and flags off the allow-list.
func checkOutput(res *Result, mode, text string, words []string, env Env) {
	if _, err := SplitPkgConfigOutput(text); err != nil {
		addProblem(res, Problem{Kind: ProblemShellChar, Message: fmt.Sprintf("go build will reject the output of pkg-config %s: %v", mode, err), Fatal: false})
		return
	}
	kind, src := CompilerFlags, "pkg-config --cflags"
	if mode == "--libs" {
		kind, src = LinkerFlags, "pkg-config --libs"
	}
	// cmd/go stops at the first rejected flag; report each one by
	// checking the remaining words after a rejection.
	rest := words
	for len(rest) > 0 {
		err := CheckFlags(kind, src, rest, env.Get)
		if err == nil {
			break
		}
		var ife *InvalidFlagError
		if !errors.As(err, &ife) {
			addProblem(res, Problem{Kind: ProblemInvalidFlag, Message: err.Error()})
			break
		}
		msg := "go build will reject it: " + ife.Error()
		if ife.EnvVar != "" {
			msg += "; allow it with " + ife.EnvVar + "=" + regexp.QuoteMeta(ife.Flag)
		}
		addProblem(res, Problem{Kind: ProblemInvalidFlag, Flag: ife.Flag, Message: msg})
		idx := indexOf(rest, ife.Flag)
		if idx < 0 {
			break
		}
		rest = rest[idx+1:]
	}
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}
