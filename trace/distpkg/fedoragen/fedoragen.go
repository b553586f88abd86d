// Package fedoragen makes trace/distpkg's Fedora table from Fedora's spec
// files: which binary package ships a .pc file, a header or a link-time
// library, as the %files sections of the specs say
// (scripts/gen-distpkg-fedora.sh runs it; the script says where the
// specs came from).
//
// A spec names most files exactly (%{_libdir}/pkgconfig/libzmq.pc), some
// by a glob (%{_includedir}/zmq*.h) and some not at all (a -f file list
// made at build time, a macro from another package). Exact paths are
// kept as they are. A glob cannot be listed without the built package,
// so it is resolved against the names that are known to exist — the
// Debian table's keys of the same kind and the Fedora specs' exact ones —
// and kept alone only when it matches few of them (maxGlobMatches):
// "*.pc" says nothing of which .pc files. A broader glob is resolved
// through the Debian packages of the same library (see Generate). A
// name some spec lists exactly is never also given to a spec's glob.
// What is not resolved is left out: the table then knows nothing, and
// the fix says so.
package fedoragen

import (
	"bufio"
	"bytes"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/cgotrace/cgotrace/trace/distpkg/rpmspec"
)

// maxGlobMatches is the most known names one glob may stand for.
const maxGlobMatches = 8

// maxOwners is the most packages a name may have: past it, which one
// ships it is decided by conditionals this does not evaluate.
const maxOwners = 4

// Stats counts what Generate read and left out.
type Stats struct {
	Specs, Files, Unexpanded int
	// Globs are the glob paths of the kinds kept; Resolved those that
	// matched between 1 and maxGlobMatches known names.
	Globs, Resolved int
	// Linked counts the globs too broad to resolve alone that the
	// Debian packages of the same library resolved.
	Linked int
	// Ambiguous counts the names left out for having too many owners.
	Ambiguous int
	Rows      int
}

// Key turns a Fedora path into a table key: "p NAME" for NAME.pc in a
// pkg-config directory, "h REL" for a header file under /usr/include,
// "h DIR/" for the files directly in an include directory given by a
// glob (DIR/*, DIR/*.h), "t DIR/" for an include directory shipped
// whole (DIR/ or an extensionless DIR: everything below it), "l FILE"
// for libNAME.so and libNAME.a in /usr/lib64 or /usr/lib. glob reports
// a path with glob characters: its key is a pattern.
func Key(f rpmspec.File) (kind, key string, glob, ok bool) {
	p := path.Clean(f.Path)
	dir, base := path.Split(p)
	dir = strings.TrimSuffix(dir, "/")
	glob = strings.ContainsAny(p, "*?[")
	switch {
	case (dir == "/usr/lib64/pkgconfig" || dir == "/usr/lib/pkgconfig" || dir == "/usr/share/pkgconfig") && !f.Dir && (strings.HasSuffix(base, ".pc") || base == "*"):
		// pkgconfig/* ships the directory's .pc files.
		return "p", strings.TrimSuffix(base, ".pc"), glob, base != ".pc"
	case (dir == "/usr/lib64" || dir == "/usr/lib") && strings.HasPrefix(base, "lib") && (strings.HasSuffix(base, ".so") || strings.HasSuffix(base, ".a")) && !f.Dir:
		return "l", base, glob, true
	case strings.HasPrefix(p, "/usr/include/"):
		rel := strings.TrimPrefix(p, "/usr/include/")
		relDir := strings.TrimPrefix(strings.TrimPrefix(dir, "/usr/include"), "/")
		switch {
		case strings.ContainsAny(relDir, "*?["):
			return "", "", false, false
		case f.Dir || !glob && !strings.Contains(base, "."):
			if glob {
				return "", "", false, false
			}
			return "t", rel + "/", false, true
		case relDir != "" && (base == "*" || glob && strings.HasPrefix(base, "*.") && !strings.ContainsAny(base[1:], "*?[")):
			// DIR/* or DIR/*.h: the files directly in DIR.
			return "h", relDir + "/", true, true
		}
		return "h", rel, glob, true
	}
	return "", "", false, false
}

// Generate reads specs (file name → text) and the Debian table's text
// and returns the Fedora table: "# source" then "kind TAB key TAB
// pkg,pkg" lines sorted by kind and key, as trace/distpkg reads.
//
// The Debian table serves twice. Its keys are the names known to exist,
// which a glob is resolved against. And it links a Fedora spec to the
// Debian packages built from the same library — those that ship a file
// the spec lists by name (zmq.h, libssl.so for openssl-libs'
// libssl.so.%{version}) — so that a glob too broad to resolve alone
// (openssl-devel's %{_libdir}/pkgconfig/*.pc) stands for the names
// those Debian packages ship that it matches (openssl.pc, libssl.pc,
// libcrypto.pc). A name is given by the strongest evidence there is: a
// path that names it, else a glob that matches few names, else the link
// through Debian.
func Generate(specs map[string][]byte, debianTSV []byte, source string) ([]byte, Stats) {
	var st Stats
	deb := readDebian(debianTSV)
	exact := owners{}   // named by a path
	narrow := owners{}  // by a glob that matches few known names
	dirGlob := owners{} // "h\tDIR/" from DIR/*
	linked := owners{}  // by a broad glob, through Debian
	type glob struct {
		kind, pattern, pkg, spec string
	}
	var globs []glob
	anchors := map[string][]string{} // spec → its named files, as Debian keys
	names := make([]string, 0, len(specs))
	for n := range specs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		s := rpmspec.Parse(specs[n], rpmspec.Fedora)
		st.Specs++
		st.Unexpanded += s.Unexpanded
		for _, f := range s.Files {
			st.Files++
			if stem, ok := runtimeStem(f); ok {
				anchors[n] = append(anchors[n], "l\t"+stem)
			}
			kind, key, isGlob, ok := Key(f)
			if !ok {
				continue
			}
			switch {
			case kind == "h" && strings.HasSuffix(key, "/"):
				dirGlob.add("h\t"+key, f.Package)
				anchors[n] = append(anchors[n], "h\t"+key)
			case isGlob:
				st.Globs++
				globs = append(globs, glob{kind, key, f.Package, n})
			default:
				exact.add(kind+"\t"+key, f.Package)
				anchors[n] = append(anchors[n], kind+"\t"+key)
			}
		}
	}
	known := map[string][]string{} // kind → names
	seen := map[string]bool{}
	addKnown := func(kind, key string) {
		if k := kind + "\t" + key; !seen[k] {
			seen[k] = true
			known[kind] = append(known[kind], key)
		}
	}
	for _, k := range deb.keys {
		if kind, key, _ := strings.Cut(k, "\t"); !strings.HasSuffix(key, "/") {
			addKnown(kind, key)
		}
	}
	for k := range exact {
		kind, key, _ := strings.Cut(k, "\t")
		addKnown(kind, key)
	}
	for _, g := range globs {
		var matched []string
		for _, name := range known[g.kind] {
			if ok, err := path.Match(g.pattern, name); err == nil && ok {
				matched = append(matched, name)
				if len(matched) > maxGlobMatches {
					break
				}
			}
		}
		if len(matched) > 0 && len(matched) <= maxGlobMatches {
			st.Resolved++
			for _, name := range matched {
				narrow.add(g.kind+"\t"+name, g.pkg)
			}
			continue
		}
		// Too broad, or matching no known name: the Debian packages
		// of the same library say which names it stands for.
		from := deb.linkedPackages(anchors[g.spec])
		if len(from) == 0 {
			continue
		}
		n := 0
		for _, d := range from {
			for _, k := range deb.byPackage[d] {
				kind, key, _ := strings.Cut(k, "\t")
				if kind != g.kind || !matchKey(g.pattern, key) {
					continue
				}
				linked.add(k, g.pkg)
				n++
			}
		}
		if n > 0 {
			st.Linked++
		}
	}
	rows := owners{}
	for _, m := range []owners{exact, narrow, linked} {
		for k, pkgs := range m {
			if rows[k] == nil {
				rows[k] = pkgs
			}
		}
	}
	for k, pkgs := range rows {
		// An include directory that several packages list whole
		// (SDL/: SDL_image-devel, SDL_mixer-devel, ...) holds a part
		// of each; a file that many packages ship is one whose
		// package the specs' conditionals decide (python3.pc in
		// every python3.X-devel, of which one ships it).
		if strings.HasPrefix(k, "t\t") && len(pkgs) > 1 || len(pkgs) > maxOwners {
			delete(rows, k)
			st.Ambiguous++
		}
	}
	for k, pkgs := range dirGlob {
		// A directory whose files several packages give by a glob
		// (X11/extensions/*.h) is shared: it says nothing of one
		// header.
		if len(pkgs) == 1 && rows[k] == nil {
			rows[k] = pkgs
		}
	}
	keys := make([]string, 0, len(rows))
	for k := range rows {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out bytes.Buffer
	fmt.Fprintf(&out, "# %s\n", source)
	for _, k := range keys {
		pkgs := make([]string, 0, len(rows[k]))
		for p := range rows[k] {
			pkgs = append(pkgs, p)
		}
		sort.Strings(pkgs)
		fmt.Fprintf(&out, "%s\t%s\n", k, strings.Join(pkgs, ","))
	}
	st.Rows = len(keys)
	return out.Bytes(), st
}

// owners maps "kind\tkey" to the packages that ship it.
type owners map[string]map[string]bool

func (o owners) add(k, pkg string) {
	if o[k] == nil {
		o[k] = map[string]bool{}
	}
	o[k][pkg] = true
}

// runtimeStem is libX.so for a run-time library /usr/lib64/libX.so.N
// (or a glob of it, libX.so.*): the development package of the same
// library ships libX.so.
func runtimeStem(f rpmspec.File) (string, bool) {
	dir, base := path.Split(path.Clean(f.Path))
	if dir != "/usr/lib64/" || !strings.HasPrefix(base, "lib") {
		return "", false
	}
	i := strings.Index(base, ".so.")
	if i < 0 || strings.ContainsAny(base[:i], "*?[") {
		return "", false
	}
	return base[:i+3], true
}

// matchKey matches a glob of a Fedora path against a Debian key: a .pc
// name or library file as it is, a header key (zlib.h, glib-2.0/) by
// its first component, since a glob in the include directory
// (%{_includedir}/*) ships whole directories.
func matchKey(pattern, key string) bool {
	first, _, _ := strings.Cut(key, "/")
	ok, err := path.Match(pattern, first)
	return err == nil && ok
}

// debian is the Debian table read for linking.
type debian struct {
	keys      []string
	owners    map[string][]string // "kind\tkey" → packages
	byPackage map[string][]string // package → "kind\tkey"
}

func readDebian(text []byte) *debian {
	d := &debian{owners: map[string][]string{}, byPackage: map[string][]string{}}
	sc := bufio.NewScanner(bytes.NewReader(text))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 3 || strings.HasPrefix(f[0], "#") {
			continue
		}
		k := f[0] + "\t" + f[1]
		d.keys = append(d.keys, k)
		for _, p := range strings.Split(f[2], ",") {
			d.owners[k] = append(d.owners[k], p)
			d.byPackage[p] = append(d.byPackage[p], k)
		}
	}
	return d
}

// Linking limits: a file that several Debian packages ship (linux/
// headers, a library in three flavours) links little, and a spec that
// links to many Debian packages is a bundle, not one library.
const (
	maxAnchorOwners = 3
	maxLinked       = 6
)

// linkedPackages are the Debian packages that ship a file the spec
// names (a key of anchors).
func (d *debian) linkedPackages(anchors []string) []string {
	set := map[string]bool{}
	for _, a := range anchors {
		if strings.HasPrefix(a, "t\t") {
			// An include directory links nothing: several
			// versions of a library share guile/ or SDL/.
			continue
		}
		found := d.owners[a]
		if len(found) == 0 || len(found) > maxAnchorOwners {
			continue
		}
		for _, p := range found {
			set[p] = true
		}
	}
	if len(set) > maxLinked {
		return nil
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}
