package envcheck

import (
	"bytes"
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/version"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
)

// IssueVendorC is the Go issue about `go mod vendor` leaving out
// directories without Go files (C headers and sources among them).
const IssueVendorC = "https://github.com/golang/go/issues/26366"

// VendorCFix is the usual way out of a C directory that go mod vendor
// left behind.
const VendorCFix = "upstream, add a .go file to each such directory (a package blank-imported by the cgo package) so that go mod vendor copies it; " +
	"here, copy the directories into vendor/ after go mod vendor (github.com/goware/modvendor -copy=\"**/*.c **/*.h\"), or build without vendoring (-mod=readonly, from the module cache); see " + IssueVendorC

func (m *modDoctor) vendorModules() []string {
	var mods []string
	for _, p := range m.vendorPkgs {
		if p.Module != nil && !p.Module.Main && !slices.Contains(mods, p.Module.Path) {
			mods = append(mods, p.Module.Path)
		}
	}
	return mods
}

func (m *modDoctor) checkVendor() Check {
	c := Check{ID: "modules/vendor", Verdict: OK}
	if m.gowork != "" {
		c.Observed = "workspace mode: the module's vendor/ is not used"
		return c
	}
	if m.vendorDir == "" {
		c.Observed = "no vendor directory: dependencies come from the module cache"
		return c
	}
	goLine := ""
	if m.edit != nil {
		goLine = m.edit.Go
	}
	used := false
	switch {
	case m.modFlag == "vendor":
		c.Observed, used = "vendor mode (-mod=vendor in GOFLAGS)", true
	case m.modFlag != "":
		c.Verdict = Warn
		c.Observed = fmt.Sprintf("vendor/ is ignored: GOFLAGS has -mod=%s", m.modFlag)
		c.Why = fmt.Sprintf("builds in this environment use the module cache; go build without that GOFLAGS (CI, a fresh shell, a container) uses vendor/ because go.mod says go %s, and can fail where this one passes", goLine)
		c.Fix = fmt.Sprintf("remove -mod=%s from GOFLAGS and keep vendor/ in step (go mod vendor), or delete vendor/ if nothing uses it", m.modFlag)
	case goLine != "" && version.Compare("go"+goLine, "go1.14") >= 0:
		c.Observed, used = fmt.Sprintf("vendor mode, implied by vendor/ and go %s in go.mod", goLine), true
	default:
		c.Observed = fmt.Sprintf("vendor/ is used only with -mod=vendor (go %s in go.mod is older than 1.14)", orNone(goLine))
	}
	if m.vendorErr != "" {
		if strings.Contains(m.vendorErr, "inconsistent vendoring") {
			c.Observed += "; vendor/modules.txt is out of step with go.mod"
			c.Details = []string{m.vendorErr}
			if used {
				c.Verdict = Fail
				c.Why = "in vendor mode every go command stops with \"go: inconsistent vendoring\" before building anything"
				c.Fix = "run `go mod vendor` and commit vendor/"
			} else {
				c.Fix += "; vendor/ is also out of step with go.mod (go mod vendor)"
			}
			return c
		}
		return failedGo(c, "go list -mod=vendor -m", m.vendorErr)
	}
	c.Observed += "; " + plural(len(m.vendorModules()), "module", "modules") + " vendored, consistent with go.mod"
	return c
}

// includeRE finds `#include "..."` lines, also inside // comments of a cgo
// preamble.
var includeRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?m)^[ \t]*(?://[ \t]*)?#[ \t]*include[ \t]*"([^"\n]+)"`)
})

// includeDirFlags are the C flags that name a directory, with their
// separate-argument forms.
var includeDirFlags = []string{"-isystem", "-iquote", "-idirafter", "-I", "-L"}

// flagDirs returns the directories named by -I, -isystem, -iquote,
// -idirafter and -L in flags (go list has expanded ${SRCDIR} already);
// relative ones are relative to the package directory, where cgo runs.
func flagDirs(flags []string, pkgDir string) (dirs, words []string) {
	for i := 0; i < len(flags); i++ {
		f := flags[i]
		for _, name := range includeDirFlags {
			if !strings.HasPrefix(f, name) {
				continue
			}
			d, w := strings.TrimPrefix(f, name), f
			if d == "" && i+1 < len(flags) {
				i++
				d, w = flags[i], f+" "+flags[i]
			}
			if d == "" {
				break
			}
			if !filepath.IsAbs(d) {
				d = filepath.Join(pkgDir, d)
			}
			dirs, words = append(dirs, filepath.Clean(d)), append(words, w)
			break
		}
	}
	return dirs, words
}

func within(dir, root string) bool {
	rel, err := filepath.Rel(root, dir)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

func dirExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// VendorGap is a directory a vendored cgo package reaches that go mod
// vendor did not copy.
type VendorGap struct {
	Package string   // import path
	Module  string   // module path
	Dir     string   // the missing directory (absolute, under vendor/)
	By      []string // what reaches it: "x.go: #include \"../csrc/x.h\"", "#cgo CFLAGS -I..."
	Source  string   // the same directory in the module's source (module cache or replacement), when it exists there
}

// vendorGaps finds, for every vendored package with cgo, the directories
// its #cgo flags and #include "..." lines reach inside its module that
// are missing under vendor/.
func (m *modDoctor) vendorGaps() (gaps []VendorGap, cgoPkgs int) {
	for _, p := range m.vendorPkgs {
		if p.Standard || p.Module == nil || p.Module.Main || len(p.CgoFiles) == 0 || p.Dir == "" {
			continue
		}
		cgoPkgs++
		modRoot := filepath.Join(m.vendorDir, filepath.FromSlash(p.Module.Path))
		// The module's own copy (module cache or replacement), when it is
		// at hand, says whether a directory is missing from vendor/ only.
		src := ""
		if r := p.Module.Replace; r != nil {
			src = r.Dir
			if src == "" {
				src = m.cacheDir(r.Path, r.Version)
			}
		} else {
			src = m.cacheDir(p.Module.Path, p.Module.Version)
		}
		inSource := func(d string) bool {
			rel, err := filepath.Rel(modRoot, d)
			return err == nil && src != "" && dirExists(filepath.Join(src, rel))
		}
		reached := map[string][]string{}
		var incDirs []string
		for _, fl := range []struct {
			name  string
			flags []string
		}{{"CPPFLAGS", p.CgoCPPFLAGS}, {"CFLAGS", p.CgoCFLAGS}, {"CXXFLAGS", p.CgoCXXFLAGS}, {"FFLAGS", p.CgoFFLAGS}, {"LDFLAGS", p.CgoLDFLAGS}} {
			dirs, words := flagDirs(fl.flags, p.Dir)
			for i, d := range dirs {
				if !strings.HasPrefix(words[i], "-L") {
					incDirs = append(incDirs, d)
				}
				// A directory missing upstream too (made by a build
				// step, say) is not go mod vendor's doing.
				if within(d, modRoot) && !dirExists(d) && (src == "" || inSource(d)) {
					reached[d] = append(reached[d], "#cgo "+fl.name+": "+words[i])
				}
			}
		}
		files := slices.Concat(p.CgoFiles, p.CFiles, p.CXXFiles, p.HFiles)
		for _, f := range files {
			data, err := os.ReadFile(filepath.Join(p.Dir, f))
			if err != nil {
				continue
			}
			for _, sm := range includeRE().FindAllSubmatch(data, -1) {
				inc := filepath.FromSlash(string(sm[1]))
				if filepath.IsAbs(inc) || !strings.Contains(string(sm[1]), "/") {
					continue
				}
				found := false
				for _, d := range append([]string{p.Dir}, incDirs...) {
					if fileExists(filepath.Join(d, inc)) {
						found = true
						break
					}
				}
				target := filepath.Dir(filepath.Join(p.Dir, inc))
				if found || !within(target, modRoot) || dirExists(target) {
					continue
				}
				// #include "openssl/ssl.h" may be a system header in
				// quotes: without the module's own copy to look in, only
				// an explicitly relative path counts.
				explicit := strings.HasPrefix(string(sm[1]), "./") || strings.HasPrefix(string(sm[1]), "../")
				if !inSource(target) && (src != "" || !explicit) {
					continue
				}
				reached[target] = append(reached[target], fmt.Sprintf("%s: #include \"%s\"", f, sm[1]))
			}
		}
		for _, d := range slices.Sorted(maps.Keys(reached)) {
			g := VendorGap{Package: p.ImportPath, Module: p.Module.Path, Dir: d, By: reached[d]}
			if inSource(d) {
				rel, _ := filepath.Rel(modRoot, d)
				g.Source = filepath.Join(src, rel)
			}
			gaps = append(gaps, g)
		}
	}
	return gaps, cgoPkgs
}

func (m *modDoctor) checkVendorCgo() Check {
	c := Check{ID: "modules/vendor-cgo", Verdict: OK}
	switch {
	case m.gowork != "":
		c.Observed = "workspace mode: the module's vendor/ is not used"
		return c
	case m.vendorDir == "":
		c.Observed = "no vendor directory"
		return c
	case m.vendorErr != "":
		c.Observed = "not checked: go list -mod=vendor fails (see modules/vendor)"
		return c
	case m.vendorPkgs == nil && m.vendorPkgErr != "":
		c.Observed = "not checked: go list -mod=vendor all fails: " + firstLine(m.vendorPkgErr)
		return c
	}
	gaps, n := m.vendorGaps()
	if len(gaps) == 0 {
		if n == 0 {
			c.Observed = "no vendored package uses cgo"
		} else {
			c.Observed = fmt.Sprintf("%s with cgo: every directory their #cgo flags and #include \"...\" lines reach in their module is vendored", plural(n, "vendored package", "vendored packages"))
		}
		return c
	}
	c.Verdict = Fail
	var names []string
	for _, g := range gaps {
		rel, _ := filepath.Rel(m.root, g.Dir)
		names = append(names, rel)
		line := fmt.Sprintf("%s is missing (%s: %s)", rel, g.Package, strings.Join(g.By, "; "))
		if g.Source != "" {
			line += "; it exists in " + g.Source
		}
		c.Details = append(c.Details, line)
	}
	c.Observed = "missing under vendor/: " + shortList(names, 3)
	c.Why = "go mod vendor copies only the directories of Go packages (" + IssueVendorC + "): a directory of C headers or sources without .go files stays behind, and go build -mod=vendor fails with \"fatal error: x.h: No such file or directory\" although the build from the module cache works"
	c.Fix = VendorCFix
	return c
}

// cgoLines returns, for every package directory under root (relative
// path), the #cgo lines of its Go files, normalised and sorted. Nested
// modules, vendor/, testdata/ and directories starting with . or _ are
// skipped, as the go command skips them.
func cgoLines(root string) map[string][]string {
	out := map[string][]string{}
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			name := d.Name()
			if p != root && (name == "vendor" || name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") ||
				fileExists(filepath.Join(p, "go.mod"))) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil || !bytes.Contains(data, []byte(`"C"`)) {
			return nil
		}
		lines := cgoDirectives(data)
		if len(lines) == 0 {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(p))
		for _, l := range lines {
			if !slices.Contains(out[rel], l) {
				out[rel] = append(out[rel], l)
			}
		}
		sort.Strings(out[rel])
		return nil
	})
	return out
}

// CgoPreambles returns the preambles of import "C" in a file parsed with
// comments: the doc comment of the import, or of its import declaration
// when that holds the one import, as cmd/cgo reads them.
func CgoPreambles(f *ast.File) []*ast.CommentGroup {
	var out []*ast.CommentGroup
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.IMPORT {
			continue
		}
		for _, spec := range gd.Specs {
			is := spec.(*ast.ImportSpec)
			if is.Path.Value != `"C"` {
				continue
			}
			doc := is.Doc
			if doc == nil && len(gd.Specs) == 1 {
				doc = gd.Doc
			}
			if doc != nil {
				out = append(out, doc)
			}
		}
	}
	return out
}

// cgoDirectives returns the #cgo lines of the preamble of import "C" in
// a Go source file, with runs of blanks made one space.
func cgoDirectives(src []byte) []string {
	fset := token.NewFileSet()
	f, _ := parser.ParseFile(fset, "", src, parser.ImportsOnly|parser.ParseComments)
	if f == nil {
		return nil
	}
	var out []string
	for _, doc := range CgoPreambles(f) {
		for l := range strings.SplitSeq(doc.Text(), "\n") {
			l = strings.TrimSpace(l)
			if strings.HasPrefix(l, "#cgo ") || strings.HasPrefix(l, "#cgo\t") {
				out = append(out, strings.Join(strings.Fields(l), " "))
			}
		}
	}
	return out
}

// checkReplaceCgo compares the #cgo lines of every replaced module with
// those of the replacement: a fork that links or includes other things
// changes what the C compiler and linker need.
func (m *modDoctor) checkReplaceCgo() Check {
	c := Check{ID: "modules/replace-cgo", Verdict: OK}
	if m.list == nil {
		c.Observed = "not checked: go list -m all failed (see modules/graph)"
		return c
	}
	var notChecked []string
	var compared int
	for _, mod := range m.list {
		r := mod.Replace
		if r == nil || mod.Main {
			continue
		}
		newDir := r.Dir
		if newDir == "" {
			notChecked = append(notChecked, r.String()+" is not in the module cache")
			continue
		}
		newLines := cgoLines(newDir)
		oldDir := m.cacheDir(mod.Path, mod.Version)
		if oldDir == "" {
			if len(newLines) > 0 {
				notChecked = append(notChecked, mod.String()+" is not in the module cache")
			}
			continue
		}
		oldLines := cgoLines(oldDir)
		if len(oldLines) == 0 && len(newLines) == 0 {
			continue
		}
		compared++
		for _, dir := range slices.Sorted(maps.Keys(mergeKeys(oldLines, newLines))) {
			pkg := mod.Path
			if dir != "." {
				pkg += "/" + filepath.ToSlash(dir)
			}
			for _, l := range oldLines[dir] {
				if !slices.Contains(newLines[dir], l) {
					c.Details = append(c.Details, fmt.Sprintf("%s: only in %s: %s", pkg, mod, l))
				}
			}
			for _, l := range newLines[dir] {
				if !slices.Contains(oldLines[dir], l) {
					c.Details = append(c.Details, fmt.Sprintf("%s: only in the replacement %s: %s", pkg, r.Path, l))
				}
			}
		}
	}
	if len(c.Details) > 0 {
		c.Verdict = Warn
		c.Observed = "a replacement's #cgo lines differ from the module it replaces"
		c.Why = "the fork compiles and links other C code than the module it replaces: the headers and libraries it needs are the fork's, and the module's own documentation of its C dependencies does not apply"
		c.Fix = "install what the replacement's #cgo lines need, or bring the fork in line with the module it replaces"
		return c
	}
	var parts []string
	if compared > 0 {
		parts = append(parts, fmt.Sprintf("%s with cgo compared with its replacement: the #cgo lines agree", plural(compared, "module", "modules")))
	}
	if len(notChecked) > 0 {
		parts = append(parts, "not checked: "+strings.Join(notChecked, ", ")+" (run go mod download)")
	}
	if len(parts) == 0 {
		parts = append(parts, "no replaced module uses cgo")
	}
	c.Observed = strings.Join(parts, "; ")
	return c
}

func mergeKeys(a, b map[string][]string) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

func (m *modDoctor) checkWorkspace(ctx context.Context) Check {
	c := Check{ID: "modules/workspace", Verdict: OK}
	if m.gowork == "" {
		c.Observed = "no go.work"
		if v, _ := m.s.env.Lookup("GOWORK"); v == "off" {
			c.Observed = "GOWORK=off: go.work files are ignored"
		}
		return c
	}
	if m.work == nil {
		c.Verdict, c.Observed = Fail, "go work edit -json fails: "+firstLine(m.workErr)
		c.Details = []string{m.workErr}
		c.Why = "every go command in the workspace fails the same way"
		c.Fix = "fix " + m.gowork + " (or build without it: GOWORK=off)"
		return c
	}
	_, explicit := m.s.env.Lookup("GOWORK")
	wdir := filepath.Dir(m.gowork)
	uses := map[string]string{}
	var missing []string
	for _, u := range m.work.Use {
		d := u.DiskPath
		if !filepath.IsAbs(d) {
			d = filepath.Join(wdir, d)
		}
		gm := filepath.Join(d, "go.mod")
		if !fileExists(gm) {
			missing = append(missing, fmt.Sprintf("use %s: %s does not exist", u.DiskPath, gm))
			continue
		}
		out, errb, err := m.goRun(ctx, m.goEnv("readonly"), "mod", "edit", "-json", gm)
		if f, _ := decodeJSON[modFileJSON](out, errb, err); f != nil {
			uses[f.Module.Path] = u.DiskPath
		}
	}
	c.Observed = fmt.Sprintf("%s uses %s", m.gowork, plural(len(m.work.Use), "module", "modules"))
	if explicit {
		c.Observed += " (GOWORK is set)"
	} else {
		c.Observed += " (GOWORK is unset: go found it above this directory)"
	}
	if len(missing) > 0 {
		c.Verdict = Fail
		c.Details = missing
		c.Why = "every go command in the workspace fails: \"go: cannot load module DIR listed in go.work file: open DIR/go.mod: no such file or directory\""
		c.Fix = "restore the module's directory, or drop it from the workspace (go work edit -dropuse=DIR)"
		return c
	}
	if m.edit != nil {
		if _, ok := uses[m.edit.Module.Path]; !ok {
			c.Verdict = Fail
			c.Observed += fmt.Sprintf("; %s is not one of them", m.edit.Module.Path)
			c.Why = "go build here fails: \"current directory is contained in a module that is not one of the workspace modules listed in go.work\""
			c.Fix = "add it (go work use .) or build without the workspace (GOWORK=off)"
			return c
		}
	}
	var overrides []string
	if m.edit != nil {
		for _, r := range m.edit.Require {
			if d, ok := uses[r.Path]; ok {
				overrides = append(overrides, fmt.Sprintf("go.mod requires %s %s, the workspace uses %s", r.Path, r.Version, d))
			}
		}
	}
	for _, r := range m.work.Replace {
		overrides = append(overrides, "go.work: replace "+r.String())
	}
	if len(overrides) == 0 {
		return c
	}
	c.Observed += "; it overrides go.mod: " + shortList(overrides, 2)
	c.Details = overrides
	if !explicit {
		c.Verdict = Warn
		c.Why = "go build here takes those modules from the workspace, not at the versions go.mod requires; a build without this go.work (CI, a fresh clone, go install MODULE@VERSION) gets the required versions, so a build passing here says nothing about that one"
		c.Fix = "build with GOWORK=off to check go.mod alone; set GOWORK explicitly when the workspace is meant"
	}
	return c
}

// VendorGaps runs the vendor-cgo check alone for the module that governs
// o.Dir (o.Env, o.Dir, o.Go, o.Runner, o.Log are used): the directories
// that vendored cgo packages reach and go mod vendor left out. It returns
// nil when the module has no vendor directory or its vendor/modules.txt is
// out of step; the error is non-nil when go env cannot run.
func VendorGaps(ctx context.Context, o Options) ([]VendorGap, error) {
	s, err := goEnvState(ctx, o, true)
	if err != nil {
		return nil, err
	}
	ge := s.goenv
	gomod := ge["GOMOD"]
	if gomod == "" || gomod == os.DevNull || (ge["GOWORK"] != "" && ge["GOWORK"] != "off") {
		return nil, nil
	}
	m := &modDoctor{s: s, gomod: gomod, root: filepath.Dir(gomod), modcache: ge["GOMODCACHE"]}
	if !dirExists(filepath.Join(m.root, "vendor")) {
		return nil, nil
	}
	m.vendorDir = filepath.Join(m.root, "vendor")
	vend := m.goEnv("vendor")
	if _, errb, err := m.goRun(ctx, vend, "list", "-m"); err != nil {
		s.log.WithField("err", errText(errb, err)).Debug("vendor gaps: go list -mod=vendor -m")
		return nil, nil
	}
	out, errb, err := m.goRun(ctx, vend, "list", "-e", "-json="+vendorListFields, "all")
	m.vendorPkgs, _ = decodeStream[vendorPackage](out, errb, err)
	gaps, _ := m.vendorGaps()
	return gaps, nil
}

const vendorListFields = "ImportPath,Dir,Standard,Module,CgoFiles,CFiles,CXXFiles,HFiles,CgoCFLAGS,CgoCPPFLAGS,CgoCXXFLAGS,CgoFFLAGS,CgoLDFLAGS"

// Explains reports whether the gap explains the C compiler not finding
// header: an #include of exactly that name reaches the missing directory,
// or the directory is an include directory (-I, -isystem, -iquote) and,
// when the module's source is at hand, the header is in it there.
func (g VendorGap) Explains(header string) bool {
	for _, b := range g.By {
		if strings.HasSuffix(b, `#include "`+header+`"`) {
			return true
		}
		if _, w, ok := strings.Cut(b, ": "); ok && strings.HasPrefix(b, "#cgo ") && !strings.HasPrefix(w, "-L") {
			if g.Source == "" || fileExists(filepath.Join(g.Source, filepath.FromSlash(header))) {
				return true
			}
		}
	}
	return false
}
