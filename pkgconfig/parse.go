package pkgconfig

import (
	"fmt"
	"strings"
)

// bufSize is PKGCONF_BUFSIZE: the line buffer and the cap on an expanded
// value (64 KiB).
const bufSize = 65535

// Dep is one item of a Requires, Requires.private, Conflicts or Provides
// list: a package name with an optional version constraint.
type Dep struct {
	Name    string `json:"name"`
	Op      Op     `json:"-"`
	Version string `json:"version,omitempty"`
	// Private is set for Requires.private (and Requires.internal) items.
	Private bool `json:"private,omitempty"`
	// Internal is set for Requires.internal items.
	Internal bool `json:"internal,omitempty"`
}

// String gives "name", or "name op version".
func (d Dep) String() string {
	if d.Version == "" && d.Op == OpAny {
		return d.Name
	}
	return d.Name + " " + d.Op.String() + " " + d.Version
}

// Variable is one "name=value" line, value already expanded.
type Variable struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	Line  int    `json:"line"`
}

// Package is a parsed .pc file.
type Package struct {
	// ID is the file name without directory and extension (and without
	// "-uninstalled" for an uninstalled file): the name pkgconf knows it by.
	ID          string
	File        string
	Dir         string // ${pcfiledir}
	Uninstalled bool

	Name                                string
	Description                         string
	Version                             string
	HasName, HasDescription, HasVersion bool

	Requires        []Dep // Requires
	RequiresPrivate []Dep // Requires.private and Requires.internal, in file order
	Conflicts       []Dep
	Provides        []Dep // includes the implicit "ID = Version"
	Cflags          []Fragment
	CflagsPrivate   []Fragment
	Libs            []Fragment
	LibsPrivate     []Fragment
	Vars            []Variable
	// Lines maps a keyword (lower case) to the line numbers that set it.
	Lines map[string][]int
	// Warnings are what pkgconf prints with --validate or --debug.
	Warnings []string
}

// Valid reports whether pkgconf accepts the file (Name, Description and
// Version are all present).
func (p *Package) Valid() bool { return p.HasName && p.HasDescription && p.HasVersion }

// InvalidReason says why pkgconf skips the file, or "" when it is valid.
func (p *Package) InvalidReason() string {
	var miss []string
	if !p.HasName {
		miss = append(miss, "Name")
	}
	if !p.HasDescription {
		miss = append(miss, "Description")
	}
	if !p.HasVersion {
		miss = append(miss, "Version")
	}
	if len(miss) == 0 {
		return ""
	}
	return "it does not declare a " + strings.Join(miss, ", ") + " field"
}

// Var returns the expanded value of a variable of the file (the last
// definition wins) and whether it is defined.
func (p *Package) Var(name string) (string, bool) {
	for i := len(p.Vars) - 1; i >= 0; i-- {
		if p.Vars[i].Name == name {
			return p.Vars[i].Value, true
		}
	}
	return "", false
}

// ParseContext is what parsing needs from the environment.
type ParseContext struct {
	// Sysroot is PKG_CONFIG_SYSROOT_DIR; SysrootSet tells "set" apart
	// from "unset".
	Sysroot    string
	SysrootSet bool
	// FDOSysrootRules is PKG_CONFIG_FDO_SYSROOT_RULES or DESTDIR equal to
	// the sysroot: variables then do not get the sysroot prefix.
	FDOSysrootRules bool
	// TopBuildDir is PKG_CONFIG_TOP_BUILD_DIR (default "$(top_builddir)").
	TopBuildDir string
	// Define holds --define-variable values; they override the file.
	Define map[string]string
}

func (c *ParseContext) global(name string) (string, bool) {
	if v, ok := c.Define[name]; ok {
		return v, true
	}
	switch name {
	case "pc_sysrootdir":
		if c.SysrootSet {
			return c.Sysroot, true
		}
		return "/", true
	case "pc_top_builddir":
		if c.TopBuildDir != "" {
			return c.TopBuildDir, true
		}
		return "$(top_builddir)", true
	}
	return "", false
}

// sysrootVar is the value of the global pc_sysrootdir.
func (c *ParseContext) sysrootVar() string {
	v, _ := c.global("pc_sysrootdir")
	return v
}

// clientSysroot is the client's sysroot_dir ("" when unset).
func (c *ParseContext) clientSysroot() string {
	if c.SysrootSet {
		return c.Sysroot
	}
	return ""
}

// readLines splits data into logical lines as pkgconf_fgetline does.
func readLines(data []byte) []string {
	var lines []string
	pos := 0
	n := len(data)
	for pos < n {
		var s []byte
		quoted := false
		gotEOF := true
		for len(s) < bufSize-1 && pos < n {
			c := data[pos]
			pos++
			gotEOF = false
			if c == '\\' && !quoted {
				quoted = true
				continue
			}
			if c == '#' {
				if !quoted {
					// skip the rest of the line; pkgconf stores the
					// terminating character, which is EOF (0xff as a
					// char) when the file ends inside the comment.
					term := byte(0xff)
					for pos < n {
						c2 := data[pos]
						pos++
						if c2 == '\n' {
							term = '\n'
							break
						}
					}
					s = append(s, term)
					break
				}
				s = append(s, c)
				quoted = false
				continue
			}
			if c == '\n' {
				if quoted {
					for pos < n && (data[pos] == '\t' || data[pos] == ' ') {
						pos++
					}
					quoted = false
					continue
				}
				s = append(s, c)
				break
			}
			if c == '\r' {
				s = append(s, '\n')
				if pos < n && data[pos] == '\n' {
					pos++
					if quoted {
						quoted = false
						continue
					}
					break
				}
				if quoted {
					quoted = false
					continue
				}
				break
			}
			if quoted {
				s = append(s, '\\')
				quoted = false
			}
			s = append(s, c)
		}
		_ = gotEOF
		if len(s) > 0 && s[len(s)-1] == '\n' {
			s = s[:len(s)-1]
			if len(s) > 0 && s[len(s)-1] == '\r' {
				s = s[:len(s)-1]
			}
		}
		lines = append(lines, string(s))
	}
	return lines
}

// expand is pkgconf_tuple_parse: ${var} expansion with globals first,
// then the file's variables defined so far, plus the sysroot prefix for
// absolute values.
func (c *ParseContext) expand(vars []Variable, value string, depth int) string {
	return c.expandMemo(vars, value, depth, map[string]string{})
}

// expandMemo remembers the expansion of each variable within one
// top-level expansion (it cannot change meanwhile), so that values built
// with the $${x} trick cannot make the work exponential.
func (c *ParseContext) expandMemo(vars []Variable, value string, depth int, memo map[string]string) string {
	var b strings.Builder
	if !c.FDOSysrootRules {
		if sr := c.clientSysroot(); strings.HasPrefix(value, "/") && c.SysrootSet && !strings.HasPrefix(value, sr) {
			b.WriteString(sr)
		}
	}
	for i := 0; i < len(value) && b.Len() < bufSize; i++ {
		ch := value[i]
		if ch != '$' || i+1 >= len(value) || value[i+1] != '{' {
			b.WriteByte(ch)
			continue
		}
		j := i + 2
		for j < len(value) && value[j] != '}' {
			j++
		}
		name := value[i+2 : j]
		if len(name) > 1023 {
			name = name[:1023]
		}
		if j >= len(value) {
			j = len(value) - 1
		}
		i = j
		if kv, ok := c.global(name); ok {
			b.WriteString(kv)
			continue
		}
		if v, ok := memo[name]; ok {
			b.WriteString(v)
			continue
		}
		for k := len(vars) - 1; k >= 0; k-- {
			if vars[k].Name == name {
				if depth < 64 {
					v := c.expandMemo(vars, vars[k].Value, depth+1, memo)
					memo[name] = v
					b.WriteString(v)
				}
				break
			}
		}
	}
	s := b.String()
	if len(s) > bufSize-1 {
		s = s[:bufSize-1]
	}
	// pkgconf undoes a doubled sysroot (a .pc written for fdo's rules,
	// "${pc_sysrootdir}${prefix}" with prefix already prefixed): when the
	// sysroot appears again after the first len(sysroot) bytes, the first
	// len(sysroot) bytes are dropped.
	if sr := c.clientSysroot(); c.SysrootSet && strings.HasPrefix(s, "/") && sr != "/" && sr != "" &&
		len(s) > len(sr) && strings.Contains(s[len(sr):], sr) {
		s = collapseSlashes(s[len(sr):])
	}
	return s
}

// Parse parses the bytes of a .pc file the way pkgconf 1.8.1 does. file is
// the path it was read from (for ${pcfiledir} and the package id). Parse
// never fails: pkgconf ignores what it cannot read; check Valid.
func Parse(data []byte, file string, ctx *ParseContext) *Package {
	return parse(data, file, ctx, false)
}

func parse(data []byte, file string, ctx *ParseContext, uninstalled bool) *Package {
	if ctx == nil {
		ctx = &ParseContext{}
	}
	p := &Package{File: file, Lines: map[string][]int{}}
	// pkgconf cuts the file name at its last '/', leaving the whole name
	// when there is none.
	dir := file
	if i := strings.LastIndexByte(file, '/'); i >= 0 {
		dir = file[:i]
	}
	p.Dir = dir
	base := file[strings.LastIndexByte(file, '/')+1:]
	id := base
	if i := strings.LastIndexByte(id, '.'); i >= 0 {
		id = id[:i]
	}
	if uninstalled {
		p.Uninstalled = true
		if i := strings.LastIndexByte(id, '-'); i >= 0 {
			id = id[:i]
		}
	}
	p.ID = id
	p.Vars = append(p.Vars, Variable{Name: "pcfiledir", Value: ctx.expand(nil, dequote(dir), 0)})

	for n, line := range readLines(data) {
		lineno := n + 1
		p.parseLine(ctx, line, lineno)
	}
	if p.Valid() {
		p.Provides = append(p.Provides, Dep{Name: p.ID, Op: OpEQ, Version: p.Version})
	}
	return p
}

func isKeyChar(c byte) bool { return isAlnum(c) || c == '_' || c == '.' }

func (p *Package) parseLine(ctx *ParseContext, line string, lineno int) {
	// a NUL byte ends a C string
	if i := strings.IndexByte(line, 0); i >= 0 {
		line = line[:i]
	}
	i := 0
	for i < len(line) && isSpace(line[i]) {
		i++
	}
	if i > 0 && i < len(line) {
		p.Warnings = append(p.Warnings, fmt.Sprintf("%s:%d: warning: whitespace encountered while parsing key section", p.File, lineno))
	}
	ks := i
	for i < len(line) && isKeyChar(line[i]) {
		i++
	}
	if ks >= len(line) || !isAlpha(line[ks]) {
		return
	}
	key := line[ks:i]
	for i < len(line) && isSpace(line[i]) {
		i++
	}
	var op byte
	if i < len(line) {
		op = line[i]
		i++
	}
	for i < len(line) && isSpace(line[i]) {
		i++
	}
	value := line[i:]
	end := len(value)
	for end > 1 && isSpace(value[end-1]) {
		end--
	}
	if end < len(value) && op == '=' {
		p.Warnings = append(p.Warnings, fmt.Sprintf("%s:%d: warning: trailing whitespace encountered while parsing value section", p.File, lineno))
	}
	value = value[:end]
	switch op {
	case ':':
		p.keyword(ctx, key, value, lineno)
	case '=':
		p.setVar(ctx, key, value, lineno)
	}
}

// setVar is pkgconf_tuple_add: an earlier definition of the name is
// deleted first (so "x=${x}1" sees no x), then the value is dequoted and
// expanded.
func (p *Package) setVar(ctx *ParseContext, key, value string, lineno int) {
	for i := range p.Vars {
		if p.Vars[i].Name == key {
			p.Vars = append(p.Vars[:i:i], p.Vars[i+1:]...)
			break
		}
	}
	p.Vars = append(p.Vars, Variable{Name: key, Value: ctx.expand(p.Vars, dequote(value), 0), Line: lineno})
}

// dequote is pkgconf 1.8.1's dequote (tuple.c), applied to variable
// values only: when the value starts with a quote character, every
// occurrence of that character is dropped and a backslash before it
// yields the character itself; any other value is kept as it is.
func dequote(value string) string {
	if value == "" || value[0] != '\'' && value[0] != '"' {
		return value
	}
	quote := value[0]
	b := make([]byte, 0, len(value))
	for i := 0; i < len(value); i++ {
		switch c := value[i]; {
		case c == '\\' && i+1 < len(value) && value[i+1] == quote:
			i++
			b = append(b, quote)
		case c != quote:
			b = append(b, c)
		}
	}
	return string(b)
}

func (p *Package) keyword(ctx *ParseContext, key, value string, lineno int) {
	k := strings.ToLower(key)
	switch k {
	case "name", "description", "version", "requires", "requires.private", "requires.internal",
		"conflicts", "provides", "cflags", "cflags.private", "libs", "libs.private":
	default:
		return
	}
	p.Lines[k] = append(p.Lines[k], lineno)
	switch k {
	case "name":
		p.Name, p.HasName = ctx.expand(p.Vars, value, 0), true
	case "description":
		p.Description, p.HasDescription = ctx.expand(p.Vars, value, 0), true
	case "version":
		v := ctx.expand(p.Vars, value, 0)
		if i := strings.IndexAny(v, " \t"); i >= 0 {
			v = v[:i]
			p.Warnings = append(p.Warnings, fmt.Sprintf("%s:%d: warning: malformed version field with whitespace, trimming to [%s]", p.File, lineno, v))
		}
		p.Version, p.HasVersion = v, true
	case "requires":
		p.Requires = append(p.Requires, parseDeps(ctx.expand(p.Vars, value, 0), false, false)...)
	case "requires.private":
		p.RequiresPrivate = append(p.RequiresPrivate, parseDeps(ctx.expand(p.Vars, value, 0), true, false)...)
	case "requires.internal":
		p.RequiresPrivate = append(p.RequiresPrivate, parseDeps(ctx.expand(p.Vars, value, 0), true, true)...)
	case "conflicts":
		p.Conflicts = append(p.Conflicts, parseDeps(ctx.expand(p.Vars, value, 0), false, false)...)
	case "provides":
		p.Provides = append(p.Provides, parseDeps(ctx.expand(p.Vars, value, 0), false, false)...)
	case "cflags", "cflags.private", "libs", "libs.private":
		dest := map[string]*[]Fragment{"cflags": &p.Cflags, "cflags.private": &p.CflagsPrivate,
			"libs": &p.Libs, "libs.private": &p.LibsPrivate}[k]
		expanded := ctx.expand(p.Vars, value, 0)
		words, err := argvSplit(expanded)
		if err != nil {
			p.Warnings = append(p.Warnings, fmt.Sprintf("%s:%d: warning: unable to parse field '%s' into an argument vector, value [%s]", p.File, lineno, key, value))
			return
		}
		l := fragList(*dest)
		for _, w := range words {
			l.add(w, ctx.clientSysroot(), ctx.sysrootVar(), p.ID)
		}
		*dest = l
	}
}

func isModSep(c byte) bool { return c == ',' || isSpace(c) }
func isOpChar(c byte) bool { return c == '<' || c == '>' || c == '!' || c == '=' }

// parseDeps is pkgconf_dependency_parse_str: a state machine over
// "name [op version]" items separated by blanks or commas.
func parseDeps(s string, private, internal bool) []Dep {
	const (
		outside = iota
		inName
		beforeOp
		inOp
		afterOp
		inVersion
	)
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	buf := s + " "
	var deps []Dep
	state := outside
	op := OpAny
	var cmp []byte
	start := 0
	pkgStart, pkgLen := -1, 0
	vstart := 0
	add := func(name string, op Op, ver string) {
		d := Dep{Name: name, Op: op, Version: ver, Private: private, Internal: internal}
		deps = append(deps, d)
	}
	for ptr := 0; ptr < len(buf); ptr++ {
		c := buf[ptr]
		switch state {
		case outside:
			if !isModSep(c) {
				state = inName
			}
		case inName:
			if isSpace(c) {
				sp := ptr
				for sp < len(buf) && isSpace(buf[sp]) {
					sp++
				}
				switch {
				case sp >= len(buf):
					state = outside
				case isModSep(buf[sp]):
					state = outside
				case isOpChar(buf[sp]):
					state = beforeOp
				default:
					state = outside
				}
			} else if isModSep(c) {
				state = outside
			} else if ptr+1 >= len(buf) {
				ptr++
				state = outside
			}
			if state != inName && start != ptr {
				it := start
				for it < len(buf) && isModSep(buf[it]) {
					it++
				}
				pkgStart, pkgLen = it, ptr-it
				start = ptr
			}
			if state == outside {
				name := ""
				if pkgStart >= 0 && pkgLen > 0 {
					name = buf[pkgStart : pkgStart+pkgLen]
				}
				add(name, op, "")
				op = OpAny
				pkgLen = 0
			}
		case beforeOp:
			if isOpChar(c) {
				state = inOp
				cmp = append(cmp, c)
			}
		case inOp:
			if !isOpChar(c) {
				state = afterOp
				op = lookupOp(string(cmp))
			} else {
				cmp = append(cmp, c)
			}
		case afterOp:
			if !isSpace(c) {
				vstart = ptr
				state = inVersion
			}
		case inVersion:
			if isModSep(c) || ptr+1 >= len(buf) {
				name := ""
				if pkgStart >= 0 && pkgLen > 0 {
					name = buf[pkgStart : pkgStart+pkgLen]
				}
				add(name, op, buf[vstart:ptr])
				state = outside
				op = OpAny
				cmp = cmp[:0]
				pkgLen = 0
			}
			if state == outside {
				start = ptr
			}
		}
	}
	return deps
}
