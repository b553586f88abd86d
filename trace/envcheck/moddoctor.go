package envcheck

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/version"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
)

// The module doctor: the module half of `cgotrace env`. Everything it knows
// about the module comes from the go command's JSON outputs (go mod edit
// -json, go work edit -json, go list -m -json all, go mod graph, go list
// -json in vendor mode), run with GOPROXY=off, GOTOOLCHAIN=local and
// -mod=readonly (or -mod=vendor for the vendor checks): nothing is
// downloaded, and a module missing from the module cache makes a check
// say "not checked", never wait.

// modFileJSON is `go mod edit -json` (cmd/go/internal/modcmd fileJSON).
type modFileJSON struct {
	Module    struct{ Path string }
	Go        string
	Toolchain string
	Require   []struct {
		Path, Version string
		Indirect      bool
	}
	Exclude []modVersion
	Replace []modReplace
}

// workFileJSON is `go work edit -json` (cmd/go/internal/workcmd workJSON).
type workFileJSON struct {
	Go        string
	Toolchain string
	Use       []struct{ DiskPath, ModPath string }
	Replace   []modReplace
}

type modVersion struct{ Path, Version string }

type modReplace struct{ Old, New modVersion }

func (r modReplace) String() string {
	s := r.Old.Path
	if r.Old.Version != "" {
		s += " " + r.Old.Version
	}
	s += " => " + r.New.Path
	if r.New.Version != "" {
		s += " " + r.New.Version
	}
	return s
}

// listModule is one module of `go list -m -json`.
type listModule struct {
	Path, Version string
	Main          bool
	Dir, GoMod    string
	GoVersion     string
	Replace       *listModule
	Retracted     []string
	Error         *struct{ Err string }
}

func (m *listModule) String() string {
	if m.Version == "" {
		return m.Path
	}
	return m.Path + "@" + m.Version
}

// vendorPackage is one package of `go list -mod=vendor -json`.
type vendorPackage struct {
	ImportPath, Dir string
	Standard        bool
	Module          *listModule
	CgoFiles        []string
	CFiles          []string
	CXXFiles        []string
	HFiles          []string
	CgoCFLAGS       []string
	CgoCPPFLAGS     []string
	CgoCXXFLAGS     []string
	CgoFFLAGS       []string
	CgoLDFLAGS      []string
}

// modDoctor holds the go command's answers about one module (or workspace).
type modDoctor struct {
	s        *state
	gomod    string // go.mod of the current module, "" in a workspace root without one
	root     string // its directory
	gowork   string // go.work in use, ""
	modcache string
	goflags  []string // the user's GOFLAGS without -mod
	modFlag  string   // -mod from GOFLAGS, ""

	edit    *modFileJSON
	editErr string
	work    *workFileJSON
	workErr string

	list    []*listModule
	listErr string
	graph   [][2]string // edges "path@version" (the main module: path alone)
	grErr   string

	retracted      []*listModule // the modules that may be retracted
	retractedErr   string
	retractScanned int // modules whose cached go.mod files were read

	vendorDir    string // root/vendor when it is a directory
	vendorErr    string // go list -mod=vendor -m failed (inconsistent vendoring, ...)
	vendorPkgs   []*vendorPackage
	vendorPkgErr string
}

// checkModuleDoctor runs the module checks (ids "modules/..."); nothing
// outside a module or workspace.
func (s *state) checkModuleDoctor(ctx context.Context, moduleMode bool) []Check {
	gomod, gowork := s.goenv["GOMOD"], s.goenv["GOWORK"]
	if gomod == os.DevNull {
		gomod = ""
	}
	if gowork == "off" {
		gowork = ""
	}
	if !moduleMode || (gomod == "" && gowork == "") {
		return nil
	}
	m := &modDoctor{s: s, gomod: gomod, gowork: gowork, modcache: s.goenv["GOMODCACHE"]}
	if gomod != "" {
		m.root = filepath.Dir(gomod)
	} else {
		m.root = filepath.Dir(gowork)
	}
	if flags, err := SplitQuoted(s.env.Get("GOFLAGS")); err == nil {
		for _, f := range flags {
			if v, ok := strings.CutPrefix(strings.TrimLeft(f, "-"), "mod="); ok && strings.HasPrefix(f, "-") {
				m.modFlag = v
				continue
			}
			m.goflags = append(m.goflags, f)
		}
	}
	m.load(ctx)
	return []Check{
		m.checkToolchain(),
		m.checkGraph(),
		m.checkReplace(),
		m.checkReplaceIgnored(ctx),
		m.checkReplaceCgo(),
		m.checkExclude(),
		m.checkRetract(),
		m.checkPseudo(),
		m.checkVendor(),
		m.checkVendorCgo(),
		m.checkWorkspace(ctx),
	}
}

// goEnv is the environment of every go command the doctor runs: no
// network, no toolchain switch, and the -mod mode given.
func (m *modDoctor) goEnv(mod string, extra ...string) []string {
	flags := append(append([]string(nil), m.goflags...), "-mod="+mod)
	kv := append([]string{"GOPROXY=off", "GOTOOLCHAIN=local", "GOFLAGS=" + strings.Join(flags, " ")}, extra...)
	return m.s.env.With(kv...)
}

// goRun runs the go command in the module's directory.
func (m *modDoctor) goRun(ctx context.Context, env []string, args ...string) (string, string, error) {
	return m.s.run(ctx, env, m.root, m.s.goPath, args...)
}

func (m *modDoctor) load(ctx context.Context) {
	var wg sync.WaitGroup
	ro := m.goEnv("readonly")
	if m.gomod != "" {
		wg.Go(func() {
			out, errb, err := m.goRun(ctx, ro, "mod", "edit", "-json", m.gomod)
			m.edit, m.editErr = decodeJSON[modFileJSON](out, errb, err)
		})
	}
	if m.gowork != "" {
		wg.Go(func() {
			out, errb, err := m.goRun(ctx, ro, "work", "edit", "-json", m.gowork)
			m.work, m.workErr = decodeJSON[workFileJSON](out, errb, err)
		})
	}
	wg.Go(func() {
		// -e: a module whose .info is not in the cache (only its go.mod
		// was needed) is listed with an error instead of failing all.
		out, errb, err := m.goRun(ctx, ro, "list", "-m", "-e", "-json", "all")
		m.list, m.listErr = decodeStream[listModule](out, errb, err)
		if err == nil && strings.TrimSpace(errb) != "" {
			// -e also lets go carry on past what stops a build ("go:
			// ignoring requirement on excluded version ...", then
			// "updates to go.mod needed"): ask again without it.
			if _, errb, err := m.goRun(ctx, ro, "list", "-m", "all"); err != nil {
				m.listErr = errText(errb, err)
			}
		}
		m.loadRetractions(ctx)
	})
	wg.Go(func() {
		out, errb, err := m.goRun(ctx, ro, "mod", "graph")
		if err != nil {
			m.grErr = errText(errb, err)
			return
		}
		for l := range strings.SplitSeq(out, "\n") {
			if a, b, ok := strings.Cut(strings.TrimSpace(l), " "); ok {
				m.graph = append(m.graph, [2]string{a, b})
			}
		}
	})
	if fi, err := os.Stat(filepath.Join(m.root, "vendor")); err == nil && fi.IsDir() && m.gomod != "" {
		m.vendorDir = filepath.Join(m.root, "vendor")
		vend := m.goEnv("vendor")
		wg.Go(func() {
			_, errb, err := m.goRun(ctx, vend, "list", "-m")
			if err != nil {
				m.vendorErr = errText(errb, err)
				return
			}
			out, errb, err := m.goRun(ctx, vend, "list", "-e", "-json="+vendorListFields, "all")
			m.vendorPkgs, m.vendorPkgErr = decodeStream[vendorPackage](out, errb, err)
		})
	}
	wg.Wait()
}

// loadRetractions asks go which selected versions are retracted, for the
// modules that may have any: those with a go.mod in the module cache that
// mentions retract. go reads retractions from the newest go.mod of a
// module; the module cache's download directory is laid out as a module
// proxy, so with GOPROXY pointing there go reads the versions the cache
// holds, and nothing else.
func (m *modDoctor) loadRetractions(ctx context.Context) {
	if m.modcache == "" {
		return
	}
	var cands []string
	for _, mod := range m.list {
		if mod.Main || mod.Version == "" {
			continue
		}
		m.retractScanned++
		dir := filepath.Join(m.modcache, "cache", "download", escapePath(mod.Path), "@v")
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if !strings.HasSuffix(e.Name(), ".mod") {
				continue
			}
			if data, err := os.ReadFile(filepath.Join(dir, e.Name())); err == nil && bytes.Contains(data, []byte("retract")) {
				cands = append(cands, mod.Path)
				break
			}
		}
	}
	if len(cands) == 0 {
		return
	}
	env := m.goEnv("readonly", "GOPROXY=file://"+filepath.ToSlash(filepath.Join(m.modcache, "cache", "download")), "GOSUMDB=off")
	out, errb, err := m.goRun(ctx, env, append([]string{"list", "-m", "-e", "-retracted", "-json"}, cands...)...)
	m.retracted, m.retractedErr = decodeStream[listModule](out, errb, err)
}

// decodeJSON decodes one JSON value printed by a go command.
func decodeJSON[T any](out, errb string, err error) (*T, string) {
	if err != nil {
		return nil, errText(errb, err)
	}
	v := new(T)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		return nil, "unreadable JSON from go: " + err.Error()
	}
	return v, ""
}

// decodeStream decodes the concatenated JSON values of go list -json.
func decodeStream[T any](out, errb string, err error) ([]*T, string) {
	if err != nil {
		return nil, errText(errb, err)
	}
	var vs []*T
	dec := json.NewDecoder(strings.NewReader(out))
	for {
		v := new(T)
		if err := dec.Decode(v); err != nil {
			if errors.Is(err, io.EOF) {
				return vs, ""
			}
			return vs, "unreadable JSON from go: " + err.Error()
		}
		vs = append(vs, v)
	}
}

// notInCacheRE matches the go command's words for a module it would have
// to download: "go: example.com/m@v1.0.0: module lookup disabled by
// GOPROXY=off".
var notInCacheRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?m)^go: (?:[^\s:]+@[^\s:]+ requires\s+)?([^\s:]+@[^\s:]+): module lookup disabled by GOPROXY=off`)
})

// notChecked turns a go command failure caused by a module missing from
// the module cache into the "not checked" wording; ok is false for any
// other failure.
func notChecked(errText string) (string, bool) {
	ms := notInCacheRE().FindAllStringSubmatch(errText, -1)
	if len(ms) == 0 {
		return "", false
	}
	var mods []string
	for _, sm := range ms {
		if !slices.Contains(mods, sm[1]) {
			mods = append(mods, sm[1])
		}
	}
	verb := "is"
	if len(mods) > 1 {
		verb = "are"
	}
	return "not checked: " + strings.Join(mods, ", ") + " " + verb + " not in the module cache (run go mod download)", true
}

// failedGo is the check of a go command that failed for another reason
// than the module cache.
func failedGo(c Check, what, errText string) Check {
	if msg, ok := notChecked(errText); ok {
		c.Verdict, c.Observed = OK, msg
		return c
	}
	c.Verdict, c.Observed = Fail, what+" fails: "+firstLine(errText)
	c.Details = []string{errText}
	c.Why = "go build runs into the same error before it compiles anything"
	c.Fix = "fix what go names above"
	if strings.Contains(errText, "updates to go.mod needed") {
		c.Fix = "run `go mod tidy` and commit go.mod and go.sum"
		if strings.Contains(errText, "excluded version") {
			c.Fix = "see modules/exclude"
		}
	}
	if strings.Contains(errText, "requires go >=") {
		c.Fix = "see modules/toolchain"
	}
	if strings.Contains(errText, "replaced by") {
		c.Fix = "fix the replace directive go names (see modules/replace)"
	}
	return c
}

// IsPseudoVersion reports whether v is a pseudo-version
// (vX.0.0-yyyymmddhhmmss-abcdefabcdef and its two other forms), as
// golang.org/x/mod/module.IsPseudoVersion decides.
func IsPseudoVersion(v string) bool {
	return strings.Count(v, "-") >= 2 && pseudoRE().MatchString(v)
}

var pseudoRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^v[0-9]+\.(0\.0-|\d+\.\d+-([^+]*\.)?0\.)\d{14}-[A-Za-z0-9]+(\+[0-9A-Za-z-]+)?$`)
})

// escapePath is the module cache's case encoding of a module path or
// version (golang.org/x/mod/module.EscapePath): every upper-case letter
// becomes '!' and its lower case.
func escapePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if 'A' <= r && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// cacheDir is the extracted copy of path@version in the module cache, or
// "" when it is not there.
func (m *modDoctor) cacheDir(path, ver string) string {
	if m.modcache == "" || ver == "" {
		return ""
	}
	d := filepath.Join(m.modcache, escapePath(path)+"@"+escapePath(ver))
	if fi, err := os.Stat(d); err == nil && fi.IsDir() {
		return d
	}
	return ""
}

// replaces are the replace directives in force: go.work's, then the main
// module's (go.work's win for the same module).
func (m *modDoctor) replaces() (out []modReplace, from []string) {
	if m.work != nil {
		for _, r := range m.work.Replace {
			out, from = append(out, r), append(from, m.gowork)
		}
	}
	if m.edit != nil {
		for _, r := range m.edit.Replace {
			out, from = append(out, r), append(from, m.gomod)
		}
	}
	return out, from
}

// isLocalPath reports whether a replacement path is a directory (go's
// rule: it starts with ./ or ../, or is absolute).
func isLocalPath(p string) bool {
	return filepath.IsAbs(p) || p == "." || p == ".." || strings.HasPrefix(p, "./") || strings.HasPrefix(p, "../") ||
		strings.HasPrefix(p, `.\`) || strings.HasPrefix(p, `..\`)
}

// shortList joins at most n items and says how many more there are.
func shortList(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:n], ", ") + fmt.Sprintf(" and %d more", len(items)-n)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// goToolchain is GOTOOLCHAIN as the go command reads it, and where from:
// the environment, the go env file, then $GOROOT/go.env; unset means
// local.
func (s *state) goToolchain() (string, string) {
	if v, ok := s.env.Lookup("GOTOOLCHAIN"); ok {
		return v, s.env.Origin("GOTOOLCHAIN")
	}
	if root := s.goenv["GOROOT"]; root != "" {
		p := filepath.Join(root, "go.env")
		if data, err := os.ReadFile(p); err == nil {
			for l := range strings.SplitSeq(string(data), "\n") {
				if v, ok := strings.CutPrefix(strings.TrimSpace(l), "GOTOOLCHAIN="); ok {
					return v, p
				}
			}
		}
	}
	return "local", "default"
}

func (m *modDoctor) checkToolchain() Check {
	c := Check{ID: "modules/toolchain", Verdict: OK}
	local := m.s.goenv["GOVERSION"]
	goLine, tcLine, file := "", "", m.gomod
	if m.edit != nil {
		goLine, tcLine = m.edit.Go, m.edit.Toolchain
	}
	if m.work != nil {
		// In a workspace go.work's toolchain line governs, and go needs
		// the newer of the go lines (go.work's must not be older than a
		// module's: go says so and stops).
		tcLine = m.work.Toolchain
		if goLine == "" || version.Compare("go"+m.work.Go, "go"+goLine) >= 0 {
			goLine, file = m.work.Go, m.gowork
		}
	}
	tc, origin := m.s.goToolchain()
	c.Observed = fmt.Sprintf("%s: go %s", filepath.Base(file), orNone(goLine))
	if tcLine != "" {
		c.Observed += ", toolchain " + tcLine
	}
	c.Observed += fmt.Sprintf("; installed %s; GOTOOLCHAIN=%s (%s)", local, tc, origin)
	if goLine == "" || !version.IsValid(local) {
		if !version.IsValid(local) {
			c.Observed += "; not checked: " + local + " is not a release version"
		}
		return c
	}
	mode := tc
	if _, after, ok := strings.Cut(tc, "+"); ok {
		mode = after
	} else if strings.HasPrefix(tc, "go") {
		mode = "pinned"
	}
	need := "go" + goLine
	if version.Compare(need, local) > 0 {
		quoted := fmt.Sprintf("\"go: %s requires go >= %s (running go %s; GOTOOLCHAIN=%s)\"", shortPath(m.s.dir, file), goLine, strings.TrimPrefix(local, "go"), tc)
		if m.work != nil && file != m.gowork {
			// go stops on go.work first.
			quoted = fmt.Sprintf("\"go: module . listed in go.work file requires go >= %s, but go.work lists go %s\"", goLine, m.work.Go)
		}
		switch mode {
		case "local":
			c.Verdict = Fail
			c.Why = "the go line is the minimum Go version; with GOTOOLCHAIN=local go refuses to run: " + quoted
			c.Fix = fmt.Sprintf("install Go %s or newer, or let go switch toolchains (GOTOOLCHAIN=auto downloads it through GOPROXY once)", goLine)
		case "auto":
			c.Verdict = Warn
			c.Why = fmt.Sprintf("every go command here switches to Go %s, downloaded through GOPROXY on first use; offline or with GOPROXY=off it fails (\"toolchain not available\")", goLine)
			c.Fix = fmt.Sprintf("install Go %s or newer to build without the download", goLine)
		case "path":
			c.Verdict = Warn
			c.Why = fmt.Sprintf("with GOTOOLCHAIN=%s go looks for a go%s binary on PATH and fails without one", tc, goLine)
			c.Fix = fmt.Sprintf("put Go %s or newer on PATH", goLine)
		}
		return c
	}
	if tcLine != "" && version.Compare(tcLine, local) > 0 {
		switch mode {
		case "local":
			c.Observed += "; the toolchain line is ignored with GOTOOLCHAIN=local"
		case "auto":
			c.Observed += "; go switches to " + tcLine + " (downloaded through GOPROXY on first use)"
		}
	}
	return c
}

// shortPath is p relative to dir when that is shorter, as the go command
// prints paths (cmd/go/internal/base.ShortPath).
func shortPath(dir, p string) string {
	if rel, err := filepath.Rel(dir, p); err == nil && len(rel) < len(p) {
		return rel
	}
	return p
}

// checkGraph compares the flat module list with the edges of the graph:
// every module of `go list -m all` at its selected version must be a node
// of `go mod graph`, and every module of the graph must be in the list.
func (m *modDoctor) checkGraph() Check {
	c := Check{ID: "modules/graph"}
	if m.listErr != "" {
		return failedGo(c, "go list -m all", m.listErr)
	}
	if m.grErr != "" {
		return failedGo(c, "go mod graph", m.grErr)
	}
	var broken []string
	for _, mod := range m.list {
		// "lookup disabled" on a module is its .info or go.mod missing
		// from the cache: go mod graph above has succeeded, so the graph
		// did not need them (a pruned module's go.mod is never read).
		if mod.Error != nil && !strings.Contains(mod.Error.Err, "lookup disabled by GOPROXY=off") {
			broken = append(broken, mod.String()+": "+mod.Error.Err)
		}
	}
	if len(broken) > 0 {
		c.Verdict, c.Observed = Fail, "go list -m all reports errors: "+shortList(broken, 2)
		c.Details = broken
		c.Why = "go build runs into the same errors before it compiles anything"
		c.Fix = "fix what go names above"
		return c
	}
	nodes := map[string]bool{}
	graphPaths := map[string]bool{}
	for _, e := range m.graph {
		for _, n := range e {
			p, _, _ := strings.Cut(n, "@")
			if p == "go" || p == "toolchain" {
				continue
			}
			nodes[n] = true
			graphPaths[p] = true
		}
	}
	listed := map[string]bool{}
	var missing []string
	for _, mod := range m.list {
		listed[mod.Path] = true
		if mod.Main || nodes[mod.String()] {
			continue
		}
		missing = append(missing, mod.String())
	}
	var extra []string
	for p := range graphPaths {
		if !listed[p] {
			extra = append(extra, p)
		}
	}
	sort.Strings(extra)
	c.Observed = fmt.Sprintf("%s in go list -m all, %s in go mod graph", plural(len(m.list), "module", "modules"), plural(len(m.graph), "edge", "edges"))
	if len(missing) == 0 && len(extra) == 0 {
		c.Verdict = OK
		c.Observed += ": they agree"
		return c
	}
	c.Verdict = Warn
	c.Observed += ": they disagree"
	for _, s := range missing {
		c.Details = append(c.Details, s+" is in the list but no edge of the graph names it"+m.suspect(s))
	}
	for _, p := range extra {
		c.Details = append(c.Details, p+" is in the graph but not in the list"+m.suspect(p))
	}
	c.Why = "go list -m all is the build list selected from go mod graph: a module in one and not the other is changed by a replace, an exclude or competing pseudo-versions, and go build may use another version than the graph suggests"
	c.Fix = "run `go mod tidy`, then look at the replace and exclude directives named above"
	return c
}

// suspect names a directive that may explain a disagreement about
// path[@version].
func (m *modDoctor) suspect(mod string) string {
	path, _, _ := strings.Cut(mod, "@")
	var why []string
	rs, _ := m.replaces()
	for _, r := range rs {
		if r.Old.Path == path {
			why = append(why, "replace "+r.String())
		}
	}
	if m.edit != nil {
		for _, e := range m.edit.Exclude {
			if e.Path == path {
				why = append(why, "exclude "+e.Path+" "+e.Version)
			}
		}
	}
	if vs := m.pseudoVersions()[path]; len(vs) > 1 {
		why = append(why, "pseudo-versions "+strings.Join(vs, ", "))
	}
	if len(why) == 0 {
		return ""
	}
	return " (" + strings.Join(why, "; ") + ")"
}

func (m *modDoctor) checkReplace() Check {
	c := Check{ID: "modules/replace", Verdict: OK}
	rs, from := m.replaces()
	if m.edit == nil && m.work == nil {
		c.Observed = "not checked: go mod edit -json failed: " + firstLine(m.editErr)
		return c
	}
	if len(rs) == 0 {
		c.Observed = "no replace directives"
		return c
	}
	var all []string
	for i, r := range rs {
		all = append(all, r.String())
		if r.New.Version != "" || !isLocalPath(r.New.Path) {
			continue
		}
		dir := r.New.Path
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(filepath.Dir(from[i]), dir)
		}
		gomod := filepath.Join(dir, "go.mod")
		fi, err := os.Stat(dir)
		switch {
		case err != nil || !fi.IsDir():
			c.Verdict = Fail
			c.Details = append(c.Details, fmt.Sprintf("%s (in %s): %s does not exist", r, from[i], dir))
		case !fileExists(gomod):
			c.Verdict = Fail
			c.Details = append(c.Details, fmt.Sprintf("%s (in %s): %s has no go.mod", r, from[i], dir))
		default:
			out, errb, err := m.goRun(context.Background(), m.goEnv("readonly"), "mod", "edit", "-json", gomod)
			f, e := decodeJSON[modFileJSON](out, errb, err)
			if f == nil {
				c.Verdict = Fail
				c.Details = append(c.Details, fmt.Sprintf("%s (in %s): %s", r, from[i], firstLine(e)))
			} else if f.Module.Path != r.Old.Path {
				c.Verdict = worst(c.Verdict, Warn)
				c.Details = append(c.Details, fmt.Sprintf("%s (in %s): %s declares module %s", r, from[i], gomod, f.Module.Path))
			}
		}
	}
	c.Observed = plural(len(rs), "replace directive", "replace directives") + ": " + shortList(all, 3)
	switch c.Verdict {
	case Fail:
		c.Why = "go reads the replacement's go.mod before anything else and every go command fails: \"go: M@V (replaced by DIR): reading DIR/go.mod: open DIR/go.mod: no such file or directory\""
		c.Fix = "point the replace at the checkout of the module (a directory with its go.mod), or remove the directive"
	case Warn:
		c.Why = "go does not check the module line of a directory replacement (go build uses it), but a go.mod that declares another path usually means the replacement points at the wrong checkout, and imports of that other path inside it do not come from it"
		c.Fix = "point the replace at the checkout of the module it replaces"
	}
	return c
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir()
}

func worst(a, b Verdict) Verdict {
	rank := map[Verdict]int{OK: 0, Warn: 1, Fail: 2}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// checkReplaceIgnored finds replace directives in the go.mod of
// dependencies: go ignores them, which surprises whoever expects the
// dependency to build as it does in its own repository.
func (m *modDoctor) checkReplaceIgnored(ctx context.Context) Check {
	c := Check{ID: "modules/replace-ignored", Verdict: OK}
	if m.list == nil {
		c.Observed = "not checked: go list -m all failed (see modules/graph)"
		return c
	}
	inBuild := map[string]bool{}
	for _, mod := range m.list {
		inBuild[mod.Path] = true
	}
	var found []string
	deps := 0
	for _, mod := range m.list {
		if mod.Main || mod.GoMod == "" {
			continue
		}
		deps++
		data, err := os.ReadFile(mod.GoMod)
		// Only a go.mod that mentions replace is worth a go command.
		if err != nil || !bytes.Contains(data, []byte("replace")) {
			continue
		}
		out, errb, err := m.goRun(ctx, m.goEnv("readonly"), "mod", "edit", "-json", mod.GoMod)
		f, _ := decodeJSON[modFileJSON](out, errb, err)
		if f == nil {
			continue
		}
		for _, r := range f.Replace {
			if inBuild[r.Old.Path] {
				found = append(found, mod.String()+": replace "+r.String())
			}
		}
	}
	if len(found) == 0 {
		c.Observed = fmt.Sprintf("no dependency's go.mod replaces a module of this build (%s read)", plural(deps, "go.mod", "go.mod files"))
		return c
	}
	c.Verdict = Warn
	c.Observed = plural(len(found), "replace directive", "replace directives") + " in dependencies' go.mod, ignored by go: " + shortList(found, 2)
	c.Details = found
	c.Why = "go applies replace directives only from the main module's go.mod (and go.work): here the dependency gets the version this build selects, not the replacement its authors build and test with"
	c.Fix = "if the replacement is needed, copy the replace into your go.mod; otherwise ask the dependency for a release that does not need it"
	return c
}

// checkExclude finds exclude directives that remove a version go.mod
// requires.
func (m *modDoctor) checkExclude() Check {
	c := Check{ID: "modules/exclude", Verdict: OK}
	if m.edit == nil {
		c.Observed = "not checked: no go.mod read"
		return c
	}
	if len(m.edit.Exclude) == 0 {
		c.Observed = "no exclude directives"
		return c
	}
	excluded := map[modVersion]bool{}
	for _, e := range m.edit.Exclude {
		excluded[e] = true
	}
	var hit []string
	for _, r := range m.edit.Require {
		if excluded[modVersion{r.Path, r.Version}] {
			hit = append(hit, r.Path+" "+r.Version)
		}
	}
	c.Observed = plural(len(m.edit.Exclude), "exclude directive", "exclude directives")
	if len(hit) == 0 {
		c.Observed += ", none names a version go.mod requires"
		return c
	}
	c.Verdict = Fail
	c.Observed += "; go.mod requires an excluded version: " + strings.Join(hit, ", ")
	c.Why = "go ignores a requirement on an excluded version (\"go: ignoring requirement on excluded version " + hit[0] + "\") and has to look up the next one: with -mod=readonly every build fails with \"updates to go.mod needed\""
	path, _, _ := strings.Cut(hit[0], " ")
	c.Fix = "require a version that is not excluded (go get " + path + "@VERSION with the release you want, then go mod tidy), or drop the exclude directive"
	return c
}

// checkRetract reports selected versions that their module retracts,
// as far as the module cache knows (see loadRetractions).
func (m *modDoctor) checkRetract() Check {
	c := Check{ID: "modules/retract", Verdict: OK}
	if m.modcache == "" {
		c.Observed = "not checked: GOMODCACHE is not set"
		return c
	}
	if m.list == nil {
		c.Observed = "not checked: go list -m all failed (see modules/graph)"
		return c
	}
	if m.retracted == nil && m.retractedErr != "" {
		c.Observed = "not checked: " + firstLine(m.retractedErr)
		return c
	}
	var hit []string
	for _, mod := range m.retracted {
		if len(mod.Retracted) > 0 && !mod.Main {
			hit = append(hit, fmt.Sprintf("%s (%s)", mod, strings.Join(mod.Retracted, "; ")))
		}
	}
	if len(hit) == 0 {
		c.Observed = fmt.Sprintf("no selected version is retracted by the newest go.mod of its module in the module cache (%s)", plural(m.retractScanned, "module", "modules"))
		return c
	}
	c.Verdict = Warn
	c.Observed = "retracted by their authors: " + shortList(hit, 3)
	c.Details = hit
	c.Why = "a retracted version still builds, but its authors withdrew it (the reason is in parentheses); go get -u and go list -m -u move off it"
	first, _, _ := strings.Cut(hit[0], " ")
	path, _, _ := strings.Cut(first, "@")
	c.Fix = "go get " + path + "@latest (or the newest version that is not retracted), then go mod tidy"
	return c
}

// pseudoVersions are the pseudo-versions each module path is required at
// in the graph, sorted.
func (m *modDoctor) pseudoVersions() map[string][]string {
	out := map[string][]string{}
	for _, e := range m.graph {
		p, v, ok := strings.Cut(e[1], "@")
		if ok && IsPseudoVersion(v) && !slices.Contains(out[p], v) {
			out[p] = append(out[p], v)
		}
	}
	for _, vs := range out {
		sort.Strings(vs)
	}
	return out
}

func (m *modDoctor) checkPseudo() Check {
	c := Check{ID: "modules/pseudo-versions", Verdict: OK}
	if m.grErr != "" {
		c.Observed = "not checked: go mod graph failed (see modules/graph)"
		return c
	}
	selected := map[string]string{}
	for _, mod := range m.list {
		selected[mod.Path] = mod.Version
	}
	var paths []string
	pv := m.pseudoVersions()
	for p, vs := range pv {
		if len(vs) > 1 {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	if len(paths) == 0 {
		c.Observed = "no module is required at two pseudo-versions"
		return c
	}
	c.Verdict = Warn
	var obs []string
	for _, p := range paths {
		var reqs []string
		for _, v := range pv[p] {
			var by []string
			for _, e := range m.graph {
				if e[1] == p+"@"+v {
					by = append(by, e[0])
				}
			}
			reqs = append(reqs, v+" (required by "+strings.Join(by, ", ")+")")
		}
		line := p + ": " + strings.Join(reqs, ", ")
		if s := selected[p]; s != "" {
			line += "; selected " + s
		}
		c.Details = append(c.Details, line)
		obs = append(obs, fmt.Sprintf("%s at %d pseudo-versions", p, len(pv[p])))
	}
	c.Observed = strings.Join(obs, ", ")
	c.Why = "pseudo-versions order by commit time, not by history: go selects the newest commit, possibly of another branch than the one a dependency was tested with; for a cgo module its C sources and #cgo lines are that commit's"
	c.Fix = "require one tagged release of the module in go.mod (go get MODULE@vX.Y.Z), or ask its maintainers to tag one"
	return c
}
