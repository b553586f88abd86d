package distpkg

import (
	"bufio"
	"bytes"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// What package managers print when asked which package ships a file.
// The formats are those of real runs (testdata/SOURCES.md says where
// each fixture comes from); a line of another shape is skipped, never
// guessed at.

// Owner is one "package: path" line of dpkg -S (dpkg-query -S).
type Owner struct {
	Package string // without the ":arch" qualifier
	Path    string
}

// ParseDpkgSearch reads dpkg-query -S output: "pkg[:arch][, pkg2]: path"
// lines. Diversion lines ("diversion by ...") and anything else are
// skipped.
func ParseDpkgSearch(out []byte) []Owner {
	var owners []Owner
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "diversion ") {
			continue
		}
		pkgs, path, ok := strings.Cut(line, ": ")
		if !ok || !strings.HasPrefix(path, "/") {
			continue
		}
		for _, p := range strings.Split(pkgs, ", ") {
			p, _, _ = strings.Cut(p, ":")
			if validDebName(p) {
				owners = append(owners, Owner{Package: p, Path: path})
			}
		}
	}
	return owners
}

// The patterns are compiled when first used: at init they cost every
// cgotrace run, a successful build's too, 0.13 ms (GODEBUG=inittrace=1).
var debName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9][a-z0-9+.-]+$`) })

func validDebName(s string) bool { return debName().MatchString(s) }

// Record is one package of apt show (deb822 stanzas).
type Record struct {
	Package string
	Source  string // source package, without its "(version)"; Package when absent
	Section string
	Depends []string // the names of the packages it depends on, alternatives included
}

// ParseAptShow reads the stanzas of apt show (or apt-cache show).
func ParseAptShow(out []byte) []Record {
	var recs []Record
	var cur Record
	flush := func() {
		if cur.Package != "" {
			if cur.Source == "" {
				cur.Source = cur.Package
			}
			recs = append(recs, cur)
		}
		cur = Record{}
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			continue // a continuation line (Description)
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch k {
		case "Package":
			if cur.Package != "" {
				flush()
			}
			if validDebName(v) {
				cur.Package = v
			}
		case "Source":
			src, _, _ := strings.Cut(v, " ")
			if validDebName(src) {
				cur.Source = src
			}
		case "Section":
			cur.Section = v
		case "Depends", "Pre-Depends":
			for _, alt := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == '|' }) {
				name, _, _ := strings.Cut(strings.TrimSpace(alt), " ")
				name, _, _ = strings.Cut(name, ":")
				if validDebName(name) {
					cur.Depends = append(cur.Depends, name)
				}
			}
		}
	}
	flush()
	return recs
}

// DevSiblings are the development packages built from the same source
// as owner: section libdevel (or area/libdevel), the same source
// package, and a dependency on owner, as Debian's -dev packages depend on
// their run-time library; and that source. Sorted, unique; nil when recs
// lack owner.
func DevSiblings(recs []Record, owner string) (source string, pkgs []string) {
	src := ""
	for _, r := range recs {
		if r.Package == owner {
			src = r.Source
		}
	}
	if src == "" {
		return "", nil
	}
	var out []string
	for _, r := range recs {
		if r.Package == owner || r.Source != src || !isLibdevel(r.Section) || !slices.Contains(r.Depends, owner) {
			continue
		}
		if !slices.Contains(out, r.Package) {
			out = append(out, r.Package)
		}
	}
	slices.Sort(out)
	return src, out
}

func isLibdevel(section string) bool {
	return section == "libdevel" || strings.HasSuffix(section, "/libdevel")
}

var (
	// rpmName is an RPM package name as --queryformat '%{name}\n' prints it.
	rpmName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_+][A-Za-z0-9_.+-]*$`) })
	// nevra is dnf5's default repoquery line: name-epoch:version-release.arch.
	nevra = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^([A-Za-z0-9_+][A-Za-z0-9_.+-]*)-[0-9]+:[^-:\s]+-[^-:\s]+\.[A-Za-z0-9_]+$`)
	})
)

// ParseDnfNames reads dnf repoquery --queryformat '%{name}\n' output,
// from dnf 4 (a blank line after each name) or dnf 5, and dnf 5's
// default name-epoch:version-release.arch lines. Status lines ("Last
// metadata expiration check: ...", "Repositories loaded.") have spaces or
// colons and are skipped. Sorted, unique.
func ParseDnfNames(out []byte) []string {
	var names []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		name := ""
		if m := nevra().FindStringSubmatch(line); m != nil {
			name = m[1]
		} else if rpmName().MatchString(line) {
			name = line
		}
		if name != "" && !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

var (
	apkName    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_+][A-Za-z0-9_.+-]*$`) })
	apkVersion = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`-[0-9][0-9A-Za-z._]*-r[0-9]+$`) })
)

// ParseApkNames reads apk search output: names alone (--quiet) or
// name-version-rN lines (the default verbosity), the version cut off.
// Sorted, unique.
func ParseApkNames(out []byte) []string {
	var names []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !apkName().MatchString(line) {
			continue
		}
		name := apkVersion().ReplaceAllString(line, "")
		if name != "" && !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}
