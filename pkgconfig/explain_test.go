package pkgconfig

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func writePC(t *testing.T, dir, name, content string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name+".pc")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func explainIn(t *testing.T, pkg string, env Env, places []string, static bool) *Explanation {
	t.Helper()
	ex, err := Explain(pkg, Options{Env: env, Defaults: testDefaults(), Static: static}, places)
	if err != nil {
		t.Fatal(err)
	}
	return ex
}

func TestExplainNearNames(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "pc")
	for _, n := range []string{"sqlite3", "libpng16", "gtk+-3.0", "zlib", "glib-2.0"} {
		writePC(t, dir, n, pc(n, ""))
	}
	env := Env{"PKG_CONFIG_PATH=" + dir, "PKG_CONFIG_LIBDIR="}
	for want, ask := range map[string]string{"sqlite3": "sqlite", "libpng16": "libpng", "gtk+-3.0": "gtk+-3", "glib-2.0": "glib"} {
		ex := explainIn(t, ask, env, []string{}, false)
		if ex.Found || ex.OK {
			t.Fatalf("%s: found", ask)
		}
		if len(ex.Suggestions) == 0 || ex.Suggestions[0].Name != want || ex.Suggestions[0].Kind != "near-name" {
			t.Errorf("%s: suggestions %+v, want %s first", ask, ex.Suggestions, want)
		}
		if len(ex.SearchPath) != 1 || ex.SearchPath[0] != dir {
			t.Errorf("search path %v", ex.SearchPath)
		}
	}
}

func TestExplainOffPath(t *testing.T) {
	root := t.TempDir()
	on := filepath.Join(root, "on")
	off := filepath.Join(root, "usr", "local", "lib", "pkgconfig")
	writePC(t, on, "other", pc("other", ""))
	writePC(t, off, "foo", pc("foo", "Libs: -lfoo\n"))
	env := Env{"PKG_CONFIG_PATH=" + on, "PKG_CONFIG_LIBDIR="}
	ex := explainIn(t, "foo", env, []string{filepath.Join(root, "usr", "local", "lib", "*")}, false)
	var got *Suggestion
	for i, s := range ex.Suggestions {
		if s.Kind == "off-path" {
			got = &ex.Suggestions[i]
		}
	}
	if got == nil || got.PCFile != filepath.Join(off, "foo.pc") || got.Fix != "PKG_CONFIG_PATH="+off+":"+on {
		t.Fatalf("suggestions %+v", ex.Suggestions)
	}
	// the fix works
	ex2 := explainIn(t, "foo", Env{got.Fix, "PKG_CONFIG_LIBDIR="}, []string{}, false)
	if !ex2.OK || strings.Join(ex2.Libs, " ") != "-lfoo" {
		t.Fatalf("with the fix: %+v", ex2)
	}
}

func TestExplainDeepChainAndVersion(t *testing.T) {
	dir := t.TempDir()
	writePC(t, dir, "vips", pc("vips", "Requires: glib-2.0\n"))
	writePC(t, dir, "glib-2.0", pc("glib-2.0", "Requires: libffi\n"))
	writePC(t, dir, "app", pc("app", "Requires: zlib >= 9.0\n"))
	writePC(t, dir, "zlib", "Name: zlib\nDescription: z\nVersion: 1.2.13\n")
	env := Env{"PKG_CONFIG_PATH=" + dir, "PKG_CONFIG_LIBDIR="}
	ex := explainIn(t, "vips", env, []string{}, false)
	if !ex.Found || ex.OK || ex.PCFile != filepath.Join(dir, "vips.pc") {
		t.Fatalf("vips: found %v ok %v", ex.Found, ex.OK)
	}
	var p *Problem
	for i := range ex.Problems {
		if ex.Problems[i].Kind == ProblemNotFound {
			p = &ex.Problems[i]
		}
	}
	if p == nil || strings.Join(p.Chain, " → ") != "vips → glib-2.0 → libffi" || !p.Fatal {
		t.Fatalf("problems %+v", ex.Problems)
	}
	if !strings.Contains(ex.Stderr, "Package 'libffi', required by 'glib-2.0', not found") {
		t.Errorf("stderr %q", ex.Stderr)
	}
	ex = explainIn(t, "app", env, []string{}, false)
	if ex.OK || len(ex.Problems) == 0 || ex.Problems[0].Kind != ProblemVersionMismatch ||
		ex.Problems[0].Wanted != "zlib >= 9.0" || ex.Problems[0].Found != "1.2.13" {
		t.Fatalf("problems %+v", ex.Problems)
	}
}

func TestExplainInvalidFileAndFlags(t *testing.T) {
	dir := t.TempDir()
	writePC(t, dir, "nodesc", "Name: nodesc\nVersion: 1\nLibs: -lx\n")
	writePC(t, dir, "bad", pc("bad", "Cflags: -fplugin=evil.so -DC=(paren)\nLibs: -Wl,--bogus-flag -lbad\n"))
	env := Env{"PKG_CONFIG_PATH=" + dir, "PKG_CONFIG_LIBDIR="}
	ex := explainIn(t, "nodesc", env, []string{}, false)
	found := false
	for _, p := range ex.Problems {
		if p.Kind == ProblemInvalidFile && strings.Contains(p.Message, "exists but is invalid, because it does not declare a Description field") {
			found = true
		}
	}
	if !found || ex.OK {
		t.Fatalf("problems %+v", ex.Problems)
	}
	ex = explainIn(t, "bad", env, []string{}, false)
	var kinds []string
	for _, p := range ex.Problems {
		kinds = append(kinds, string(p.Kind)+":"+p.Flag)
	}
	if got := strings.Join(kinds, " "); got != "shell-char: invalid-flag:-Wl,--bogus-flag" {
		t.Fatalf("problems %q: %+v", got, ex.Problems)
	}
	if !ex.OK {
		t.Fatal("pkg-config itself succeeds for bad")
	}
}

// TestExplainDeepChain is issue 20.6: a Requires chain deeper than
// pkgconf's limit. pkgconf 1.8.1 looks up the package at depth 2000 but
// uses neither its flags nor its Requires, and says nothing (checked
// against the installed pkgconf when there is one); the explanation stops
// there too, as a flat list, so time and output stay small whatever the
// depth. The chain is 2,500 deep, not the 10,000: nothing below
// 2000 is read, and writing 10,000 files costs this machine 5 s.
func TestExplainDeepChain(t *testing.T) {
	dir := t.TempDir()
	const n = 2500
	for i := 1; i <= n; i++ {
		err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("p%d.pc", i)),
			fmt.Appendf(nil, "Name: p%d\nDescription: d\nVersion: 1\nRequires: p%d\nLibs: -lp%d\n", i, i+1, i), 0o644)
		if err != nil {
			t.Fatal(err)
		}
	}
	env := Env{"PKG_CONFIG_PATH=" + dir, "PKG_CONFIG_LIBDIR="}
	start := time.Now()
	ex := explainIn(t, "p1", env, []string{}, false)
	b, err := json.Marshal(ex)
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	if took > 5*time.Second || len(b) > 1<<20 {
		t.Errorf("took %v and %d bytes of JSON", took, len(b))
	}
	if !ex.OK || !strings.HasSuffix(ex.LibsText, " -lp1998 -lp1999") || strings.Contains(ex.LibsText, "-lp2000 ") {
		t.Fatalf("ok %v, libs ...%s", ex.OK, ex.LibsText[max(0, len(ex.LibsText)-40):])
	}
	if len(ex.Requires) != 1999 {
		t.Fatalf("%d nodes below p1, want 1999 (depths 2 to 2000)", len(ex.Requires))
	}
	last := ex.Requires[len(ex.Requires)-1]
	if last.Name != "p2000" || last.Depth != DefaultMaxDepth || !last.DepthLimit || last.Parent != last.ID-1 {
		t.Fatalf("last node %+v", last)
	}
	var warned bool
	for _, p := range ex.Problems {
		warned = warned || p.Kind == ProblemMaxDepth && p.Package == "p2000" && !p.Fatal
	}
	if !warned {
		t.Errorf("no max-depth warning: %+v", ex.Problems)
	}
	if prog, err := exec.LookPath("pkgconf"); err == nil {
		cmd := exec.Command(prog, "--libs", "--", "p1")
		cmd.Env = env
		out, err := cmd.Output()
		if err != nil || strings.TrimRight(string(out), " \n") != ex.LibsText {
			t.Errorf("pkgconf: %v, libs differ (pkgconf ...%q)", err, string(out[max(0, len(out)-40):]))
		}
	}
	// a missing package at depth 2000 is still looked up, one deeper is not
	os.Remove(filepath.Join(dir, "p2001.pc"))
	if ex := explainIn(t, "p1", env, []string{}, false); !ex.OK {
		t.Errorf("p2001 missing: not ok: %+v", ex.Problems[0])
	}
	os.Remove(filepath.Join(dir, "p2000.pc"))
	if ex := explainIn(t, "p1", env, []string{}, false); ex.OK || ex.Problems[0].Package != "p2000" || ex.Problems[0].Kind != ProblemNotFound {
		t.Errorf("p2000 missing: ok %v, %+v", ex.OK, ex.Problems)
	}
}

// TestExplainDiamondListedOnce: each package's requirements are listed
// once, so 2^12 paths through a lattice give a few dozen nodes.
func TestExplainDiamondListedOnce(t *testing.T) {
	dir := t.TempDir()
	const levels = 12
	for l := 1; l <= levels; l++ {
		for _, s := range []string{"a", "b"} {
			req := ""
			if l < levels {
				req = fmt.Sprintf("Requires: a%d b%d\n", l+1, l+1)
			}
			writePC(t, dir, fmt.Sprintf("%s%d", s, l), pc(fmt.Sprintf("%s%d", s, l), req+fmt.Sprintf("Libs: -l%s%d\n", s, l)))
		}
	}
	writePC(t, dir, "top", pc("top", "Requires: a1 b1\n"))
	ex := explainIn(t, "top", Env{"PKG_CONFIG_PATH=" + dir, "PKG_CONFIG_LIBDIR="}, []string{}, false)
	if !ex.OK || len(ex.Requires) != 2+4*(levels-1) {
		t.Fatalf("ok %v, %d nodes, want %d", ex.OK, len(ex.Requires), 2+4*(levels-1))
	}
	same := 0
	for _, n := range ex.Requires {
		if n.SameAs != 0 {
			same++
			if ref := ex.Requires[n.SameAs-2]; ref.Name != n.Name || ref.SameAs != 0 {
				t.Fatalf("node %+v points at %+v", n, ref)
			}
		}
	}
	if same != 2*(levels-1) {
		t.Errorf("%d nodes refer back, want %d", same, 2*(levels-1))
	}
}

// TestExplainRelativePCFile: `explain ./some/dir/foo.pc` reports absolute
// files, while the flags keep the relative ${pcfiledir} pkgconf prints.
func TestExplainRelativePCFile(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "some", "dir")
	writePC(t, dir, "foo", pc("foo", "Requires: bar\nCflags: -I${pcfiledir}/inc\n"))
	writePC(t, dir, "bar", pc("bar", "Libs: -lbar\n"))
	ex, err := Explain("./some/dir/foo.pc", Options{Env: Env{"PKG_CONFIG_LIBDIR="}, Dir: root, Defaults: testDefaults()}, []string{})
	if err != nil {
		t.Fatal(err)
	}
	if !ex.OK || ex.PCFile != filepath.Join(dir, "foo.pc") || len(ex.Requires) != 1 || ex.Requires[0].PCFile != filepath.Join(dir, "bar.pc") {
		t.Fatalf("ok %v pc_file %q requires %+v", ex.OK, ex.PCFile, ex.Requires)
	}
	// pkgconf 1.8.1 prints "-I./some/dir/inc" here (rules.golden, pc-path-argument)
	if ex.CflagsText != "-I./some/dir/inc" {
		t.Errorf("cflags %q", ex.CflagsText)
	}
}

// TestExplainProvides: a Requires resolved, or not, by another file's
// Provides, as pkgconf 1.8.1 does it (the installed pkgconf is asked too
// when there is one), and the explanation of a rejected provider.
func TestExplainProvides(t *testing.T) {
	dir := t.TempDir()
	writePC(t, dir, "libfoo-ng", pc("libfoo-ng", "Provides: libfoo = 8\nLibs: -lfoo-ng\n"))
	writePC(t, dir, "libbar-ng", pc("libbar-ng", "Provides: libbar\nLibs: -lbar-ng\n"))
	writePC(t, dir, "app", pc("app", "Requires: libfoo >= 9\nLibs: -lapp\n"))
	writePC(t, dir, "app8", pc("app8", "Requires: libfoo >= 8\nLibs: -lapp8\n"))
	writePC(t, dir, "appbar", pc("appbar", "Requires: libbar\nLibs: -lappbar\n"))
	writePC(t, dir, "baz", "Name: baz\nDescription: d\nVersion: 1.0\nLibs: -lbaz\n")
	writePC(t, dir, "baz-ng", pc("baz-ng", "Provides: baz = 2.0\n"))
	writePC(t, dir, "appbaz", pc("appbaz", "Requires: baz >= 2\n"))
	env := Env{"PKG_CONFIG_PATH=" + dir, "PKG_CONFIG_LIBDIR="}
	for _, tc := range []struct {
		pkg, libs, hint string
	}{
		{"app", "", "libfoo is provided by " + dir + "/libfoo-ng.pc (Provides: libfoo = 8), but app wants libfoo >= 9"},
		{"app8", "-lapp8 -lfoo-ng", ""},
		{"appbar", "", "libbar is provided by " + dir + "/libbar-ng.pc (Provides: libbar, without a version), but pkgconf 1.8.1 never resolves a Requires by an unversioned Provides; write libbar = 1.0 there"},
		{"appbaz", "", "baz is also provided by " + dir + "/baz-ng.pc (Provides: baz = 2.0), which satisfies baz >= 2, but pkgconf consults Provides only when no baz.pc is found, and one is"},
	} {
		ex := explainIn(t, tc.pkg, env, []string{}, false)
		if ex.OK != (tc.libs != "") || ex.OK && ex.LibsText != tc.libs {
			t.Errorf("%s: ok %v libs %q, want %q", tc.pkg, ex.OK, ex.LibsText, tc.libs)
		}
		var hints []string
		for _, s := range ex.Suggestions {
			if s.Kind == "provided-by" {
				hints = append(hints, s.Message)
			}
		}
		if tc.hint != "" && (len(hints) != 1 || hints[0] != tc.hint) || tc.hint == "" && len(hints) != 0 {
			t.Errorf("%s: hints %q, want %q", tc.pkg, hints, tc.hint)
		}
		if prog, err := exec.LookPath("pkgconf"); err == nil {
			cmd := exec.Command(prog, "--libs", "--", tc.pkg)
			cmd.Env = env
			out, err := cmd.Output()
			if (err == nil) != ex.OK || strings.TrimRight(string(out), " \n") != tc.libs {
				t.Errorf("%s: pkgconf says %v %q", tc.pkg, err, out)
			}
		}
	}
}

// TestExplainOffPathPlaces: a .pc file off the search path is found in
// the module's tree (not in hidden directories or node_modules), in the
// lib64 twin of a search path directory, under $HOME/.local,
// $CONDA_PREFIX, a Nix profile, $VCPKG_ROOT, $HOMEBREW_PREFIX and the
// sysroot, and for a bare file name; each fix works when applied (checked
// with Resolve, and with the installed pkgconf when there is one).
func TestExplainOffPathPlaces(t *testing.T) {
	root := t.TempDir()
	mod := filepath.Join(root, "mod")
	pkgDir := filepath.Join(mod, "cmd", "app")
	for _, d := range []string{pkgDir, filepath.Join(mod, ".git")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(mod, "go.mod"), []byte("module example.com/m\n"), 0o644)
	lib := func(name string) string { return pc(name, "Libs: -l"+name+"\n") }
	writePC(t, filepath.Join(mod, "third_party", "vend", "lib", "pkgconfig"), "vend", lib("vend"))
	writePC(t, filepath.Join(mod, ".cache", "hidden"), "hid", lib("hid"))
	writePC(t, filepath.Join(mod, "node_modules", "x"), "nm", lib("nm"))
	writePC(t, filepath.Join(mod, "build", "_install", "lib"), "bare", lib("bare"))
	writePC(t, filepath.Join(root, "fedora", "lib64", "pkgconfig"), "fed", lib("fed"))
	home, conda, vcpkg, brew, nixp, sysroot := filepath.Join(root, "home"), filepath.Join(root, "conda"),
		filepath.Join(root, "vcpkg"), filepath.Join(root, "brew"), filepath.Join(root, "nix"), filepath.Join(root, "sr")
	writePC(t, filepath.Join(home, ".local", "lib", "pkgconfig"), "loc", lib("loc"))
	writePC(t, filepath.Join(home, ".nix-profile", "lib", "pkgconfig"), "nixhome", lib("nixhome"))
	writePC(t, filepath.Join(conda, "lib", "pkgconfig"), "cond", lib("cond"))
	writePC(t, filepath.Join(vcpkg, "installed", "x64-linux", "lib", "pkgconfig"), "vcp", lib("vcp"))
	writePC(t, filepath.Join(brew, "opt", "keg", "lib", "pkgconfig"), "kegonly", lib("kegonly"))
	writePC(t, filepath.Join(nixp, "lib", "pkgconfig"), "nixprof", lib("nixprof"))
	writePC(t, filepath.Join(sysroot, "usr", "lib", "aarch64-linux-gnu", "pkgconfig"), "cross", lib("cross"))
	writePC(t, filepath.Join(root, "opt", "thing", "lib64", "pkgconfig"), "optlib64", lib("optlib64"))
	onPath := filepath.Join(root, "on")
	writePC(t, onPath, "other", lib("other"))
	env := Env{"PKG_CONFIG_PATH=" + onPath + ":" + filepath.Join(root, "fedora", "lib", "pkgconfig"), "PKG_CONFIG_LIBDIR=",
		"HOME=" + home, "CONDA_PREFIX=" + conda, "VCPKG_ROOT=" + vcpkg, "HOMEBREW_PREFIX=" + brew, "NIX_PROFILES=" + nixp}
	places := []string{filepath.Join(root, "opt", "*", "lib64", "pkgconfig")}
	explain := func(name string, env Env) *Explanation {
		ex, err := Explain(name, Options{Env: env, Dir: pkgDir, Defaults: testDefaults()}, places)
		if err != nil {
			t.Fatal(err)
		}
		return ex
	}
	for name, dir := range map[string]string{
		"vend":     filepath.Join(mod, "third_party", "vend", "lib", "pkgconfig"),
		"fed":      filepath.Join(root, "fedora", "lib64", "pkgconfig"),
		"loc":      filepath.Join(home, ".local", "lib", "pkgconfig"),
		"nixhome":  filepath.Join(home, ".nix-profile", "lib", "pkgconfig"),
		"cond":     filepath.Join(conda, "lib", "pkgconfig"),
		"vcp":      filepath.Join(vcpkg, "installed", "x64-linux", "lib", "pkgconfig"),
		"kegonly":  filepath.Join(brew, "opt", "keg", "lib", "pkgconfig"),
		"nixprof":  filepath.Join(nixp, "lib", "pkgconfig"),
		"optlib64": filepath.Join(root, "opt", "thing", "lib64", "pkgconfig"),
		"hid":      "",
		"nm":       "",
	} {
		ex := explain(name, env)
		var got []Suggestion
		for _, s := range ex.Suggestions {
			if s.Kind == "off-path" {
				got = append(got, s)
			}
		}
		if dir == "" {
			if len(got) != 0 {
				t.Errorf("%s: found in a skipped directory: %+v", name, got)
			}
			continue
		}
		fix := "PKG_CONFIG_PATH=" + dir + ":" + env.Get("PKG_CONFIG_PATH")
		if len(got) != 1 || got[0].PCFile != filepath.Join(dir, name+".pc") || got[0].Fix != fix {
			t.Errorf("%s: suggestions %+v, want %s", name, got, fix)
			continue
		}
		fixed := append(append(Env{}, env...), fix)
		if ex := explain(name, fixed); !ex.OK || ex.LibsText != "-l"+name {
			t.Errorf("%s: with %s: ok %v libs %q", name, fix, ex.OK, ex.LibsText)
		}
		if prog, err := exec.LookPath("pkgconf"); err == nil {
			cmd := exec.Command(prog, "--libs", "--", name)
			cmd.Env = fixed
			if out, err := cmd.Output(); err != nil || strings.TrimSpace(string(out)) != "-l"+name {
				t.Errorf("%s: pkgconf with %s: %v %q", name, fix, err, out)
			}
		}
	}
	// the sysroot's multiarch directory
	ex := explain("cross", append(append(Env{}, env...), "PKG_CONFIG_SYSROOT_DIR="+sysroot))
	if len(ex.Suggestions) == 0 || ex.Suggestions[0].PCFile != filepath.Join(sysroot, "usr", "lib", "aarch64-linux-gnu", "pkgconfig", "cross.pc") {
		t.Errorf("cross: %+v", ex.Suggestions)
	}
	// a bare file name that is not in the working directory
	ex = explain("bare.pc", env)
	if ex.OK || len(ex.Suggestions) == 0 || ex.Suggestions[0].PCFile != filepath.Join(mod, "build", "_install", "lib", "bare.pc") {
		t.Fatalf("bare.pc: %+v", ex.Suggestions)
	}
	if ex := explain(ex.Suggestions[0].Fix, env); !ex.OK || ex.LibsText != "-lbare" {
		t.Errorf("asking for %s: ok %v %+v", ex.Package, ex.OK, ex.Problems)
	}
}

// BenchmarkOffPathSearch is explain of a package that is missing, run in a
// module checkout of 100,000 files (250 directories of 40 subdirectories
// of 10 files, and the .pc file deep in one of them): the search of the
// module's tree must stay within 200 ms. Creating the tree takes a while;
// run it by hand:
//
//	go test ./pkgconfig -run '^$' -bench OffPathSearch -benchtime 20x
func BenchmarkOffPathSearch(b *testing.B) {
	mod := b.TempDir()
	os.WriteFile(filepath.Join(mod, "go.mod"), []byte("module example.com/big\n"), 0o644)
	files := 0
	for i := 0; i < 250; i++ {
		for j := 0; j < 40; j++ {
			d := filepath.Join(mod, fmt.Sprintf("pkg%03d", i), fmt.Sprintf("sub%02d", j))
			if err := os.MkdirAll(d, 0o755); err != nil {
				b.Fatal(err)
			}
			for k := 0; k < 10; k++ {
				if err := os.WriteFile(filepath.Join(d, fmt.Sprintf("f%d.go", k)), nil, 0o644); err != nil {
					b.Fatal(err)
				}
				files++
			}
		}
	}
	pcDir := filepath.Join(mod, "pkg249", "sub39", "third_party", "lib", "pkgconfig")
	if err := os.MkdirAll(pcDir, 0o755); err != nil {
		b.Fatal(err)
	}
	os.WriteFile(filepath.Join(pcDir, "deep.pc"), []byte(pc("deep", "")), 0o644)
	dir := filepath.Join(mod, "pkg000", "sub00")
	opts := Options{Env: Env{"PKG_CONFIG_LIBDIR=" + b.TempDir()}, Dir: dir, Defaults: testDefaults()}
	defer func(d time.Duration) { treeMaxTime = d }(treeMaxTime)
	treeMaxTime = time.Hour // a busy machine must not cut the walk short
	var ru0, ru1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	n := 0
	for b.Loop() {
		n++
		ex, err := Explain("deep", opts, []string{})
		if err != nil {
			b.Fatal(err)
		}
		if len(ex.Suggestions) != 1 || ex.Suggestions[0].PCFile != filepath.Join(pcDir, "deep.pc") {
			b.Fatalf("suggestions %+v", ex.Suggestions)
		}
	}
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	cpu := time.Duration(ru1.Utime.Nano() + ru1.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano())
	b.ReportMetric(float64(cpu.Milliseconds())/float64(n), "cpu-ms/op")
	b.ReportMetric(float64(files), "files")
}
