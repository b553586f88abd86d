package pkgconfig

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The bounds of the search of the working directory's tree and the
// module's for .pc files off the search path: BenchmarkOffPathSearch measures
// a checkout of 100,000 files.
const (
	treeMaxDepth   = 16
	treeMaxEntries = 200000
)

// treeMaxTime stops a walk that started somewhere huge (a home
// directory, /) on a slow disk. A variable for the benchmark, which
// measures a busy machine.
var treeMaxTime = time.Second

// CommonPlaces are directories where .pc files often live off the default
// search path; globs are expanded. Places that depend on the environment
// ($HOME/.local, $CONDA_PREFIX, a Nix profile, $VCPKG_ROOT,
// $HOMEBREW_PREFIX, the sysroot) are added from Options.Env.
var CommonPlaces = []string{
	"/usr/local/lib/pkgconfig", "/usr/local/lib64/pkgconfig", "/usr/local/share/pkgconfig", "/usr/local/lib/*/pkgconfig",
	"/usr/lib/*/pkgconfig", "/usr/lib64/pkgconfig", "/usr/lib32/pkgconfig", "/usr/share/pkgconfig",
	"/opt/*/lib/pkgconfig", "/opt/*/lib64/pkgconfig", "/opt/*/share/pkgconfig", "/opt/*/lib/*/pkgconfig",
	// Homebrew (macOS arm64, macOS x86-64, Linux) and its keg-only formulae
	"/opt/homebrew/lib/pkgconfig", "/opt/homebrew/share/pkgconfig", "/opt/homebrew/opt/*/lib/pkgconfig",
	"/usr/local/opt/*/lib/pkgconfig",
	"/home/linuxbrew/.linuxbrew/lib/pkgconfig", "/home/linuxbrew/.linuxbrew/share/pkgconfig",
	"/home/linuxbrew/.linuxbrew/opt/*/lib/pkgconfig",
	// Nix: the default profile and NixOS's system profile
	"/nix/var/nix/profiles/default/lib/pkgconfig", "/run/current-system/sw/lib/pkgconfig",
	// vcpkg's usual clone locations (classic mode)
	"/opt/vcpkg/installed/*/lib/pkgconfig", "/usr/local/vcpkg/installed/*/lib/pkgconfig",
}

// envPlaces are the places that follow from the environment.
func envPlaces(env Env, sysroot string) []string {
	var out []string
	prefix := func(p string, subs ...string) {
		if p == "" || !filepath.IsAbs(p) {
			return
		}
		for _, s := range subs {
			out = append(out, filepath.Join(p, s))
		}
	}
	std := []string{"lib/pkgconfig", "lib64/pkgconfig", "share/pkgconfig", "lib/*/pkgconfig"}
	if home := env.Get("HOME"); home != "" {
		prefix(filepath.Join(home, ".local"), std...)
		prefix(filepath.Join(home, ".nix-profile"), "lib/pkgconfig", "share/pkgconfig")
		prefix(filepath.Join(home, ".linuxbrew"), "lib/pkgconfig", "opt/*/lib/pkgconfig")
	}
	for _, p := range strings.Fields(env.Get("NIX_PROFILES")) {
		prefix(p, "lib/pkgconfig", "share/pkgconfig")
	}
	prefix(env.Get("CONDA_PREFIX"), "lib/pkgconfig", "share/pkgconfig")
	prefix(env.Get("HOMEBREW_PREFIX"), "lib/pkgconfig", "share/pkgconfig", "opt/*/lib/pkgconfig")
	prefix(env.Get("VCPKG_ROOT"), "installed/*/lib/pkgconfig", "installed/*/debug/lib/pkgconfig")
	prefix(env.Get("VCPKG_INSTALLATION_ROOT"), "installed/*/lib/pkgconfig")
	if sysroot != "" {
		prefix(sysroot, "usr/lib/*/pkgconfig", "usr/lib/pkgconfig", "usr/lib64/pkgconfig", "usr/share/pkgconfig",
			"usr/local/lib/pkgconfig", "usr/local/lib/*/pkgconfig", "lib/*/pkgconfig")
	}
	return out
}

// siblingPlaces are the lib64 twins of the lib/pkgconfig directories of
// the search path, and the other way round: a prefix that installed into
// lib64 (Fedora, RHEL, CMake's GNUInstallDirs there) while the path names
// lib.
func siblingPlaces(order []SearchDir) []string {
	var out []string
	for _, d := range order {
		switch {
		case strings.HasSuffix(d.Dir, "/lib/pkgconfig"):
			out = append(out, strings.TrimSuffix(d.Dir, "/lib/pkgconfig")+"/lib64/pkgconfig")
		case strings.HasSuffix(d.Dir, "/lib64/pkgconfig"):
			out = append(out, strings.TrimSuffix(d.Dir, "/lib64/pkgconfig")+"/lib/pkgconfig")
		}
	}
	return out
}

// moduleRoot is the directory of the go.mod above dir (dir itself
// included), or "".
func moduleRoot(dir string) string {
	for d := dir; ; {
		if fi, err := os.Stat(filepath.Join(d, "go.mod")); err == nil && !fi.IsDir() {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}

// treeIndex maps a package name to the directories under the roots that
// hold NAME.pc, in depth-first order with each directory's entries sorted
// by name. It skips hidden directories (.git, .cache, ...) and
// node_modules, goes at most treeMaxDepth deep, reads at most
// treeMaxEntries directory entries in all and stops after treeMaxTime;
// truncated says it stopped at one of these bounds.
type treeIndex struct {
	dirs      map[string][]string
	entries   atomic.Int64
	truncated atomic.Bool
	deadline  time.Time
	sem       chan struct{}
	wg        sync.WaitGroup
	bufs      sync.Pool // *[]byte: the 32 KiB buffers of readDir
}

// treeNode is one directory of the walk: the .pc names it holds and its
// subdirectories, filled concurrently and read in order afterwards.
type treeNode struct {
	path     string
	pcs      []string
	children []*treeNode
}

func indexTrees(roots []string) *treeIndex {
	ix := &treeIndex{dirs: map[string][]string{}, deadline: time.Now().Add(treeMaxTime),
		sem: make(chan struct{}, treeWalkers-1)}
	ix.bufs.New = func() any { b := make([]byte, 32<<10); return &b }
	var walked []string
	for _, r := range roots {
		if r == "" {
			continue
		}
		// a root inside one already walked adds nothing
		inside := false
		for _, s := range walked {
			inside = inside || r == s || strings.HasPrefix(r, s+"/")
		}
		if inside {
			continue
		}
		walked = append(walked, r)
		top := &treeNode{path: r}
		ix.visit(top, 0)
		ix.wg.Wait()
		ix.collect(top)
	}
	return ix
}

func (ix *treeIndex) collect(n *treeNode) {
	for _, name := range n.pcs {
		ix.dirs[name] = append(ix.dirs[name], n.path)
	}
	for _, c := range n.children {
		ix.collect(c)
	}
}

// treeWalkers is how many goroutines read directories at once, the
// caller's included: directory reads wait on the disk and on a busy
// machine's scheduler more than they compute, but a few are enough.
const treeWalkers = 4

// visit reads one directory and visits its subdirectories, on goroutines
// while fewer than cap(ix.sem) others run, else inline.
func (ix *treeIndex) visit(n *treeNode, depth int) {
	if ix.entries.Load() >= treeMaxEntries || time.Now().After(ix.deadline) {
		ix.truncated.Store(true)
		return
	}
	buf := ix.bufs.Get().(*[]byte)
	names, dirs, entries, ok := readDir(n.path, *buf)
	ix.bufs.Put(buf)
	if !ok {
		return
	}
	ix.entries.Add(int64(entries))
	sort.Strings(names)
	sort.Strings(dirs)
	for _, name := range names {
		if pc, ok := strings.CutSuffix(name, ".pc"); ok && pc != "" {
			n.pcs = append(n.pcs, pc)
		}
	}
	for _, d := range dirs {
		if d[0] != '.' && d != "node_modules" {
			n.children = append(n.children, &treeNode{path: n.path + "/" + d})
		}
	}
	if depth+1 > treeMaxDepth {
		if len(n.children) > 0 {
			ix.truncated.Store(true)
			n.children = nil
		}
		return
	}
	for _, c := range n.children {
		select {
		case ix.sem <- struct{}{}:
			ix.wg.Add(1)
			go func() {
				defer func() { <-ix.sem; ix.wg.Done() }()
				ix.visit(c, depth+1)
			}()
		default:
			ix.visit(c, depth+1)
		}
	}
}

// offPath finds NAME.pc off the search path: in the places (globs), the
// places the environment names, the lib64/lib twins of the search path,
// and the trees of the working directory and of its module. Each hit says
// which PKG_CONFIG_PATH finds it. name may be a file name ("foo.pc",
// "dir/foo.pc") as given on the command line: its base name is looked
// for.
func (c *client) offPath(name string, places []string, onPath map[string]bool, ix func() *treeIndex) []Suggestion {
	asFile := strings.HasSuffix(name, ".pc")
	base := strings.TrimSuffix(filepath.Base(name), ".pc")
	var dirs []string
	globs := append(append(append([]string{}, places...), envPlaces(c.opts.Env, c.ctx.clientSysroot())...), siblingPlaces(c.order)...)
	if sr := c.ctx.clientSysroot(); sr != "" {
		for _, d := range c.defaults.PCPath {
			globs = append(globs, filepath.Join(sr, d))
		}
	}
	for _, g := range globs {
		if !strings.ContainsAny(g, "*?[") {
			dirs = append(dirs, g)
			continue
		}
		m, _ := filepath.Glob(g)
		dirs = append(dirs, m...)
	}
	if tree := ix(); tree != nil {
		dirs = append(dirs, tree.dirs[base]...)
	}
	var out []Suggestion
	done := map[string]bool{}
	for _, d := range dirs {
		d = filepath.Clean(d)
		if done[d] {
			continue
		}
		done[d] = true
		path := filepath.Join(d, base+".pc")
		fi, err := os.Stat(path)
		if err != nil || fi.IsDir() {
			continue
		}
		if di, err := os.Stat(d); err != nil || onPath[fileKey(di)] && !asFile {
			continue
		}
		if asFile {
			// `explain foo.pc`: pkgconf opens the name as a path from the
			// working directory
			rel := path
			if r, err := filepath.Rel(c.opts.Dir, path); err == nil && c.opts.Dir != "" && !strings.HasPrefix(r, "../") {
				rel = "./" + r
			}
			out = append(out, Suggestion{Kind: "off-path", Name: base, PCFile: path, Fix: rel,
				Message: "no file " + name + " here, but " + path + " exists: ask for " + rel +
					", or for " + base + " with PKG_CONFIG_PATH=" + d})
			continue
		}
		fix := "PKG_CONFIG_PATH=" + d
		if cur := c.opts.Env.Get("PKG_CONFIG_PATH"); cur != "" {
			fix += ":" + cur
		}
		out = append(out, Suggestion{Kind: "off-path", Name: base, PCFile: path, Fix: fix,
			Message: path + " exists but " + d + " is not on the search path; set " + fix})
	}
	if tree := ix(); tree != nil && tree.truncated.Load() && len(out) == 0 {
		out = append(out, Suggestion{Kind: "off-path-truncated", Name: base,
			Message: "the search of the module for " + base + ".pc stopped early (over " +
				strconv.Itoa(treeMaxEntries) + " entries, deeper than " + strconv.Itoa(treeMaxDepth) + " directories or longer than " + treeMaxTime.String() + ")"})
	}
	return out
}
