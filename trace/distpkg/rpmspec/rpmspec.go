// Package rpmspec reads the %files sections of an RPM spec file: which
// binary package of the spec ships which path. It is what
// scripts/gen-distpkg-fedora.sh makes Fedora's table of (trace/distpkg)
// from, out of Fedora's own spec files.
//
// It is not rpmbuild. Macros are expanded from the spec's own Name,
// Version, %global and %define lines and from the path macros of the
// target (Macros), nothing else: a path that uses a macro defined
// elsewhere (a -rpm-macros package, %(shell), %{lua:}) is counted in
// Spec.Unexpanded and left out, never guessed. Conditionals are not
// evaluated: the %files lines of every branch of %if/%ifarch are read,
// and a macro defined in several branches has each of its values, so a
// path can expand to several (at most maxValues).
package rpmspec

import (
	"bufio"
	"bytes"
	"strings"
)

// Fedora are the path macros of Fedora on x86_64, as rpm's own macros
// file and Fedora's redhat-rpm-config define them (rpm --eval on a
// Fedora machine prints these values).
var Fedora = map[string]string{
	"_prefix":        "/usr",
	"_exec_prefix":   "/usr",
	"_usr":           "/usr",
	"_bindir":        "/usr/bin",
	"_sbindir":       "/usr/sbin",
	"_libexecdir":    "/usr/libexec",
	"_datadir":       "/usr/share",
	"_datarootdir":   "/usr/share",
	"_sysconfdir":    "/etc",
	"_localstatedir": "/var",
	"_lib":           "lib64",
	"_libdir":        "/usr/lib64",
	"_includedir":    "/usr/include",
	"_mandir":        "/usr/share/man",
	"_infodir":       "/usr/share/info",
	"_docdir":        "/usr/share/doc",
	"_arch":          "x86_64",
	"_target_cpu":    "x86_64",
	"_isa":           "(x86-64)",
}

// File is one path of a %files section.
type File struct {
	// Package is the binary package that ships the path ("zeromq-devel").
	Package string
	// Path is the expanded path; it may hold glob characters (*, ?, [).
	Path string
	// Dir is true for a path written with a trailing slash: the
	// directory and everything in it.
	Dir bool
}

// Spec is what Parse read of a spec file.
type Spec struct {
	// Name is the spec's Name: (expanded), "" when it has none.
	Name string
	// Files are the paths of every %files section, in order.
	Files []File
	// Unexpanded counts the %files paths left out because a macro in
	// them (or in their package's name) could not be expanded.
	Unexpanded int
}

// maxValues bounds the expansions of one string: a macro defined in
// several branches of a conditional multiplies them.
const maxValues = 8

// maxDepth bounds nested macro expansion (a macro defined in terms of
// itself never ends).
const maxDepth = 16

// sections are the keywords that start a section of a spec.
var sections = map[string]bool{
	"package": true, "description": true, "prep": true, "build": true,
	"install": true, "check": true, "clean": true, "files": true,
	"changelog": true, "pre": true, "post": true, "preun": true,
	"postun": true, "pretrans": true, "posttrans": true, "preuntrans": true,
	"postuntrans": true, "verifyscript": true, "triggerin": true,
	"triggerun": true, "triggerpostun": true, "triggerprein": true,
	"filetriggerin": true, "filetriggerun": true, "filetriggerpostun": true,
	"transfiletriggerin": true, "transfiletriggerun": true,
	"transfiletriggerpostun": true, "generate_buildrequires": true,
	"conf": true, "sourcelist": true, "patchlist": true,
}

// Parse reads spec. base holds the target's path macros (Fedora); the
// spec's own definitions come on top. It never fails: what it cannot
// read is left out.
func Parse(spec []byte, base map[string]string) *Spec {
	p := &parser{base: base, defs: map[string][]string{}}
	p.read(spec)
	return p.spec
}

type parser struct {
	base map[string]string
	defs map[string][]string
	spec *Spec
}

// line is a line of a spec and the section it is in.
type line struct {
	text    string
	section string // "" for the preamble
	// start: the line starts its section ("%files devel"); args are
	// its arguments ("devel").
	start bool
	args  string
}

func (p *parser) read(src []byte) {
	p.spec = &Spec{}
	var lines []line
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		text := strings.TrimSpace(sc.Text())
		if kw, rest, ok := sectionLine(text); ok {
			section = kw
			lines = append(lines, line{text: text, section: kw, start: true, args: rest})
			continue
		}
		if section == "changelog" {
			continue
		}
		lines = append(lines, line{text: text, section: section})
	}
	// Definitions first, wherever they are (%build and %install hold
	// some): rpm reads them in order, but the conditionals around them
	// are not evaluated here anyway.
	for _, l := range lines {
		p.definition(l.text)
	}
	for _, l := range lines {
		if l.section == "" && !l.start {
			if v, ok := tag(l.text, "Name"); ok && p.spec.Name == "" {
				if names := p.expand(v, 0); len(names) == 1 {
					p.spec.Name = names[0]
					p.defs["name"] = []string{names[0]}
				}
			}
			if v, ok := tag(l.text, "Version"); ok {
				p.addDef("version", v)
			}
			if v, ok := tag(l.text, "Release"); ok {
				p.addDef("release", v)
			}
		}
	}
	if p.spec.Name == "" {
		return
	}
	var pkgs []string
	for _, l := range lines {
		switch {
		case l.start:
			pkgs = nil
			if l.section == "files" {
				pkgs = p.filesPackage(l.args)
			}
		case l.section != "files":
		case pkgs == nil:
			if l.text != "" && !strings.HasPrefix(l.text, "#") {
				p.spec.Unexpanded++
			}
		default:
			p.filesLine(l.text, pkgs)
		}
	}
}

// sectionLine reports whether text starts a section: "%files devel".
func sectionLine(text string) (kw, args string, ok bool) {
	if !strings.HasPrefix(text, "%") {
		return "", "", false
	}
	word, rest, _ := strings.Cut(text[1:], " ")
	if w, r, found := strings.Cut(word, "\t"); found {
		word, rest = w, r+" "+rest
	}
	if !sections[word] {
		return "", "", false
	}
	return word, strings.TrimSpace(rest), true
}

// tag reads a preamble tag line "Name: value".
func tag(text, name string) (string, bool) {
	k, v, ok := strings.Cut(text, ":")
	if !ok || !strings.EqualFold(strings.TrimSpace(k), name) {
		return "", false
	}
	return strings.TrimSpace(v), true
}

// definition records "%global name body" and "%define name body"; a
// parametric macro (name(opts)) or a body continued on the next line is
// not recorded.
func (p *parser) definition(text string) {
	var rest string
	switch {
	case strings.HasPrefix(text, "%global"):
		rest = text[len("%global"):]
	case strings.HasPrefix(text, "%define"):
		rest = text[len("%define"):]
	default:
		return
	}
	if rest == "" || (rest[0] != ' ' && rest[0] != '\t') {
		return
	}
	fields := strings.Fields(rest)
	if len(fields) < 2 || !isName(fields[0]) || strings.HasSuffix(text, "\\") {
		return
	}
	body := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(rest), fields[0]))
	p.addDef(fields[0], body)
}

func (p *parser) addDef(name, body string) {
	for _, v := range p.defs[name] {
		if v == body {
			return
		}
	}
	p.defs[name] = append(p.defs[name], body)
}

func isName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9' {
			continue
		}
		return false
	}
	return true
}

// filesPackage is the package of a "%files" line's arguments: the main
// package, "devel" (NAME-devel) or "-n name"; nil when it cannot be
// expanded to exactly one name.
func (p *parser) filesPackage(args string) []string {
	fields := strings.Fields(args)
	var sub string
	full := false
	for i := 0; i < len(fields); i++ {
		switch f := fields[i]; {
		case f == "-n":
			if i+1 >= len(fields) {
				return nil
			}
			sub, full = fields[i+1], true
			i++
		case f == "-f":
			i++ // a file list made at build time: its paths are unknown
		case strings.HasPrefix(f, "-"):
		default:
			if sub == "" {
				sub = f
			}
		}
	}
	switch {
	case sub == "":
		return []string{p.spec.Name}
	case full:
		return p.expand(sub, 0)
	}
	names := p.expand(sub, 0)
	for i, n := range names {
		names[i] = p.spec.Name + "-" + n
	}
	return names
}

// filesLine reads one line of a %files section.
func (p *parser) filesLine(text string, pkgs []string) {
	if text == "" || strings.HasPrefix(text, "#") {
		return
	}
	for {
		var skip bool
		text, skip = directive(text)
		if skip {
			return
		}
		if !strings.HasPrefix(text, "%") || strings.HasPrefix(text, "%{") || strings.HasPrefix(text, "%%") {
			break
		}
		// A bare macro (%_libdir/...) is a path; any other directive
		// (%if, %else, %endif, %defattr, %doc, %license, %ghost, %dir,
		// %exclude, %docdir) is not one this reads.
		word := text[1:]
		if i := strings.IndexAny(word, "/ \t("); i >= 0 {
			word = word[:i]
		}
		if _, ok := p.lookup(word); !ok {
			return
		}
		break
	}
	for _, f := range words(text) {
		paths := p.expand(f, 0)
		if paths == nil {
			p.spec.Unexpanded++
			continue
		}
		for _, pkg := range pkgs {
			for _, path := range paths {
				if !strings.HasPrefix(path, "/") {
					continue
				}
				dir := strings.HasSuffix(path, "/")
				path = strings.TrimRight(path, "/")
				if path == "" {
					continue
				}
				p.spec.Files = append(p.spec.Files, File{Package: pkg, Path: path, Dir: dir})
			}
		}
	}
}

// words splits a %files line at blanks, as rpm does; a path in double
// quotes may hold blanks.
func words(text string) []string {
	var out []string
	var cur strings.Builder
	in, started := false, false
	for _, c := range text {
		switch {
		case c == '"':
			in, started = !in, true
		case !in && (c == ' ' || c == '\t'):
			if started {
				out = append(out, cur.String())
				cur.Reset()
				started = false
			}
		default:
			cur.WriteRune(c)
			started = true
		}
	}
	if started {
		out = append(out, cur.String())
	}
	return out
}

// directive strips a leading %attr(...), %config(...), %verify(...),
// %lang(...), %caps(...) or %config/%artifact from a %files line; skip
// is true for a line that lists nothing shipped as written (%dir: only
// the directory itself; %exclude; %ghost: not in the package's payload;
// %doc, %license: documentation).
func directive(text string) (rest string, skip bool) {
	for _, d := range []string{"%dir", "%exclude", "%ghost", "%doc", "%license", "%defattr", "%docdir", "%readme"} {
		if strings.HasPrefix(text, d) && (len(text) == len(d) || strings.ContainsRune(" \t(", rune(text[len(d)]))) {
			return "", true
		}
	}
	for _, d := range []string{"%attr", "%config", "%verify", "%lang", "%caps", "%artifact", "%missingok"} {
		if !strings.HasPrefix(text, d) {
			continue
		}
		rest := text[len(d):]
		if strings.HasPrefix(rest, "(") {
			i := strings.IndexByte(rest, ')')
			if i < 0 {
				return "", true
			}
			rest = rest[i+1:]
		} else if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
			continue
		}
		return strings.TrimSpace(rest), false
	}
	return text, false
}

func (p *parser) lookup(name string) ([]string, bool) {
	if v, ok := p.defs[name]; ok {
		return v, true
	}
	if v, ok := p.base[name]; ok {
		return []string{v}, true
	}
	return nil, false
}

// expand expands the macros of s: every value it can have, or nil when
// a macro in it is not known (or the values are too many).
func (p *parser) expand(s string, depth int) []string {
	if depth > maxDepth {
		return nil
	}
	outs := []string{""}
	add := func(vals []string) bool {
		if vals == nil {
			return false
		}
		var next []string
		for _, o := range outs {
			for _, v := range vals {
				next = append(next, o+v)
			}
		}
		if len(next) > maxValues {
			return false
		}
		outs = next
		return true
	}
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], '%')
		if j < 0 {
			add([]string{s[i:]})
			break
		}
		add([]string{s[i : i+j]})
		i += j
		if i+1 >= len(s) {
			return nil
		}
		switch c := s[i+1]; {
		case c == '%':
			add([]string{"%"})
			i += 2
		case c == '{':
			end := matchBrace(s, i+1)
			if end < 0 {
				return nil
			}
			vals := p.braced(s[i+2:end], depth)
			if !add(vals) {
				return nil
			}
			i = end + 1
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			k := i + 1
			for k < len(s) && (s[k] == '_' || s[k] >= 'a' && s[k] <= 'z' || s[k] >= 'A' && s[k] <= 'Z' || s[k] >= '0' && s[k] <= '9') {
				k++
			}
			vals, ok := p.lookup(s[i+1 : k])
			if !ok || !add(p.expandAll(vals, depth)) {
				return nil
			}
			i = k
		default:
			return nil
		}
	}
	return outs
}

// braced expands the inside of %{...}: name, ?name, !?name, ?name:text
// and !?name:text.
func (p *parser) braced(in string, depth int) []string {
	cond, neg := false, false
	for len(in) > 0 && (in[0] == '?' || in[0] == '!') {
		if in[0] == '?' {
			cond = true
		} else {
			neg = true
		}
		in = in[1:]
	}
	name, alt, hasAlt := strings.Cut(in, ":")
	if !isName(name) {
		return nil
	}
	vals, defined := p.lookup(name)
	switch {
	case !cond && !neg:
		if hasAlt || !defined {
			return nil
		}
		return p.expandAll(vals, depth)
	case cond && !neg && !hasAlt:
		if !defined {
			return []string{""}
		}
		return p.expandAll(vals, depth)
	case cond && !neg && hasAlt:
		if !defined {
			return []string{""}
		}
		return p.expand(alt, depth+1)
	case cond && neg:
		if defined {
			return []string{""}
		}
		if !hasAlt {
			return []string{""}
		}
		return p.expand(alt, depth+1)
	}
	return nil
}

func (p *parser) expandAll(vals []string, depth int) []string {
	var out []string
	for _, v := range vals {
		e := p.expand(v, depth+1)
		if e == nil {
			return nil
		}
		out = append(out, e...)
	}
	if len(out) > maxValues {
		return nil
	}
	return out
}

// matchBrace is the index of the } that closes the { at open, or -1.
func matchBrace(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}
