package pkgconfig

import (
	"fmt"
	"os"
	"sort"
	"strings"
)

// Suggestion is a way out for a package that is not found.
type Suggestion struct {
	// Kind is "near-name" (a package with a similar name exists on the
	// path), "off-path" (a .pc of that name exists outside the path; Fix
	// is the PKG_CONFIG_PATH that finds it, or for a name given as a
	// file, the path to ask for), "off-path-truncated" (the search of the
	// module's tree stopped at its bounds) or "provided-by" (another .pc
	// names the package in its Provides).
	Kind    string `json:"kind"`
	Name    string `json:"name"`
	PCFile  string `json:"pc_file"`
	Fix     string `json:"fix,omitempty"`
	Message string `json:"message"`
}

// Explanation is `cgotrace pkg-config explain` for one package.
type Explanation struct {
	Package string   `json:"package"`
	Found   bool     `json:"found"`
	PCFile  string   `json:"pc_file"`
	Version string   `json:"version"`
	Static  bool     `json:"static"`
	Cflags  []string `json:"cflags"`
	Libs    []string `json:"libs"`
	// CflagsText and LibsText are the lines pkgconf prints (escaped);
	// CflagsOK and LibsOK whether each call exits 0.
	CflagsText string       `json:"cflags_text"`
	LibsText   string       `json:"libs_text"`
	CflagsOK   bool         `json:"cflags_ok"`
	LibsOK     bool         `json:"libs_ok"`
	CflagsFrom []FlagOrigin `json:"cflags_from,omitempty"`
	LibsFrom   []FlagOrigin `json:"libs_from,omitempty"`
	// Requires is the Requires graph below the package (whose own node
	// has ID 1) as a flat list: see Node.
	Requires          []Node   `json:"requires"`
	SearchPath        []string `json:"search_path"`
	SearchPathMissing []string `json:"search_path_missing,omitempty"`
	// SearchOrder is every directory configured, in order, missing ones
	// marked.
	SearchOrder []SearchDir  `json:"search_order,omitempty"`
	Suggestions []Suggestion `json:"suggestions"`
	Problems    []Problem    `json:"problems"`
	// OK is set when both `pkg-config --cflags` and `--libs` succeed.
	OK bool `json:"ok"`
	// Stderr is what pkgconf prints for the failing call.
	Stderr string `json:"pkgconf_stderr,omitempty"`
}

// Explain resolves one package (a name, "name op version", or a .pc path)
// and explains the result: file, version, tree, flags with their origin,
// and for failures the directories searched, near names, .pc files off the
// path, the chain to a missing dependency, wanted vs found versions and
// flags go build would reject. places overrides CommonPlaces when non-nil.
func Explain(pkg string, opts Options, places []string) (*Explanation, error) {
	res, err := Resolve([]string{pkg}, opts)
	if err != nil {
		return nil, err
	}
	c := newClient(&opts)
	ex := &Explanation{Package: pkg, Static: opts.Static, Cflags: res.Cflags, Libs: res.Libs,
		CflagsFrom: res.CflagsFrom, CflagsText: res.CflagsText, LibsText: res.LibsText,
		CflagsOK: res.CflagsOK, LibsOK: res.LibsOK, LibsFrom: res.LibsFrom, SearchPath: res.SearchPath,
		SearchPathMissing: c.missing, SearchOrder: c.order, Problems: res.Problems, OK: res.OK(), Stderr: res.Stderr,
		Suggestions: []Suggestion{}, Requires: []Node{}}
	if len(res.Tree) > 0 {
		top := res.Tree[0]
		ex.Found = top.Found && top.Problem == ""
		ex.PCFile, ex.Version = top.PCFile, top.Version
		for _, n := range res.Tree[1:] {
			if n.Parent == 0 {
				break
			}
			ex.Requires = append(ex.Requires, n)
		}
	}
	if places == nil {
		places = CommonPlaces
	}
	// the trees of the working directory and of its module, walked once
	// and only when a package is missing
	var ix *treeIndex
	tree := func() *treeIndex {
		if ix == nil && opts.Dir != "" {
			ix = indexTrees([]string{moduleRoot(opts.Dir), opts.Dir})
		}
		return ix
	}
	seen := map[string]bool{}
	for _, p := range res.Problems {
		if p.Kind == ProblemNotFound || p.Kind == ProblemVersionMismatch {
			ex.Suggestions = append(ex.Suggestions, c.providers(p)...)
		}
		if p.Kind != ProblemNotFound || seen[p.Package] {
			continue
		}
		seen[p.Package] = true
		ex.Suggestions = append(ex.Suggestions, c.suggest(p.Package, places, tree)...)
		for path, inv := range c.invalidByName(p.Package) {
			ex.Problems = append(ex.Problems, Problem{Kind: ProblemInvalidFile, Package: p.Package, File: path, Fatal: true,
				Message: path + " exists but is invalid, because " + inv + "; pkgconf skips it and says not found"})
		}
	}
	return ex, nil
}

// providers explains the Provides: of the .pc files on the search path
// that name a package that was not found (pkgconf looked at them and
// rejected them: say why) or that was found by name at the wrong version
// (pkgconf never consults Provides then).
func (c *client) providers(p Problem) []Suggestion {
	deps := parseDeps(p.Wanted, false, false)
	if len(deps) != 1 || deps[0].Name != p.Package {
		return nil
	}
	d := &deps[0]
	who := "the command line"
	if len(p.Chain) > 1 {
		who = p.Chain[len(p.Chain)-2]
	}
	var out []Suggestion
	for _, dir := range c.dirs {
		f, err := os.Open(c.abs(dir))
		if err != nil {
			continue
		}
		names, _ := f.Readdirnames(-1)
		f.Close()
		sort.Strings(names)
		for _, name := range names {
			if !strings.HasSuffix(name, ".pc") {
				continue
			}
			pkg, ok := c.loadAs(dir+"/"+name, false, false)
			if !ok || !pkg.Valid() || pkg.ID == d.Name {
				continue
			}
			for _, pr := range pkg.Provides {
				if pr.Name != d.Name {
					continue
				}
				file := c.abs(pkg.File)
				prov := "Provides: " + pr.String()
				var msg string
				match := providesMatch(d, pr)
				switch {
				case p.Kind == ProblemVersionMismatch && match:
					msg = fmt.Sprintf("%s is also provided by %s (%s), which satisfies %s, but pkgconf consults Provides only when no %s.pc is found, and one is", d.Name, file, prov, d, d.Name)
				case p.Kind == ProblemVersionMismatch:
				case pr.Op == OpAny && pr.Version == "":
					msg = fmt.Sprintf("%s is provided by %s (%s, without a version), but pkgconf 1.8.1 never resolves a Requires by an unversioned Provides; write %s = %s there", d.Name, file, prov, d.Name, pkg.Version)
				case d.Op == OpAny && d.Version == "":
					msg = fmt.Sprintf("%s is provided by %s (%s), but %s wants %s with no version, and pkgconf 1.8.1 matches that only with Provides: %s = VERSION", d.Name, file, prov, who, d.Name, d.Name)
				case !match:
					msg = fmt.Sprintf("%s is provided by %s (%s), but %s wants %s", d.Name, file, prov, who, d)
				}
				if msg != "" {
					out = append(out, Suggestion{Kind: "provided-by", Name: pkg.ID, PCFile: file, Message: msg})
				}
				break
			}
		}
	}
	return out
}

// invalidByName looks for NAME.pc files in the search path that pkgconf
// skips as invalid.
func (c *client) invalidByName(name string) map[string]string {
	out := map[string]string{}
	for _, d := range c.dirs {
		path := d + "/" + name + ".pc"
		data, err := os.ReadFile(c.abs(path))
		if err != nil {
			continue
		}
		if p := parse(data, path, c.ctx, false); !p.Valid() {
			out[path] = p.InvalidReason()
		}
	}
	return out
}

// suggest finds near names on the path and same-name files off the path.
func (c *client) suggest(name string, places []string, ix func() *treeIndex) []Suggestion {
	var out []Suggestion
	onPath := map[string]bool{}
	var names []string
	nameFile := map[string]string{}
	for _, d := range c.dirs {
		if fi, err := os.Stat(c.abs(d)); err == nil {
			onPath[fileKey(fi)] = true
		}
		ents, _ := os.ReadDir(c.abs(d))
		for _, e := range ents {
			n, ok := strings.CutSuffix(e.Name(), ".pc")
			if !ok || e.IsDir() {
				continue
			}
			if _, dup := nameFile[n]; !dup {
				nameFile[n] = d + "/" + e.Name()
				names = append(names, n)
			}
		}
	}
	var near []string
	for _, n := range names {
		if n != name && nearName(name, n) {
			near = append(near, n)
		}
	}
	sort.Slice(near, func(i, j int) bool {
		di, dj := nearScore(name, near[i]), nearScore(name, near[j])
		if di != dj {
			return di < dj
		}
		return near[i] < near[j]
	})
	if len(near) > 5 {
		near = near[:5]
	}
	for _, n := range near {
		out = append(out, Suggestion{Kind: "near-name", Name: n, PCFile: nameFile[n],
			Message: "did you mean " + n + "? (" + nameFile[n] + ")"})
	}
	return append(out, c.offPath(name, places, onPath, ix)...)
}

func fileKey(fi os.FileInfo) string {
	return fi.Name() + "\x00" + fi.ModTime().String() + "\x00" + sysKey(fi)
}

// nearName says whether candidate looks like what the user meant by name.
func nearName(name, cand string) bool {
	ln, lc := strings.ToLower(name), strings.ToLower(cand)
	if ln == lc {
		return true
	}
	trim := func(s string) string { return strings.TrimPrefix(s, "lib") }
	if trim(ln) == trim(lc) {
		return true
	}
	// sqlite → sqlite3, libpng → libpng16, gtk+-3 → gtk+-3.0, glib → glib-2.0
	if strings.HasPrefix(lc, ln) && len(ln) >= 3 {
		rest := lc[len(ln):]
		if strings.Trim(rest, "0123456789.-_") == "" {
			return true
		}
	}
	if strings.HasPrefix(trim(lc), trim(ln)) && len(trim(ln)) >= 3 {
		rest := trim(lc)[len(trim(ln)):]
		if strings.Trim(rest, "0123456789.-_") == "" {
			return true
		}
	}
	return len(ln) >= 4 && distance(ln, lc) <= 2
}

// nearScore ranks candidates: same name in another case or with/without
// "lib" first, then version-suffixed names (sqlite3 for sqlite), then by
// edit distance.
func nearScore(name, cand string) int {
	ln, lc := strings.ToLower(name), strings.ToLower(cand)
	switch {
	case ln == lc || strings.TrimPrefix(ln, "lib") == strings.TrimPrefix(lc, "lib"):
		return 0
	case strings.HasPrefix(lc, ln) || strings.HasPrefix(strings.TrimPrefix(lc, "lib"), strings.TrimPrefix(ln, "lib")):
		return 1 + len(lc) - len(ln)
	}
	return 100 + distance(ln, lc)
}

// distance is the Levenshtein distance.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
