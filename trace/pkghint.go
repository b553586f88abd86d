package trace

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cgotrace/cgotrace/trace/distpkg"
)

// Which package ships a file, for the fix texts. The names come from a
// distribution's own data, never from the library's name: on the Debian
// release the embedded table (trace/distpkg) was made from, the table;
// otherwise first this machine's package manager, asked offline and
// briefly (dpkg-query and apt, apt-file, dnf, apk, Homebrew's kegs), then
// the table of its family (Debian's, or Fedora's, made from Fedora's
// spec files). When none knows, the fix says so
// (docs/diagnoses.md, "Where the package names in a fix come from").

// fileKind is what a build looked for.
type fileKind int

const (
	kindPC      fileKind = iota // NAME.pc
	kindHeader                  // an #include name
	kindLibrary                 // libNAME.so / libNAME.a
	kindProgram                 // a C compiler in /usr/bin (aarch64-linux-gnu-gcc)
)

// pkgQuery is what a fix asks: which package ships name (kind), and
// the files of the same library installed here (libz.so.1 when only the
// run-time library is), whose owner leads to its development package.
type pkgQuery struct {
	kind      fileKind
	name      string
	installed []string
}

// pkgAnswer is a package manager's answer: the packages, which tool said
// so, and what else the fix should tell.
type pkgAnswer struct {
	from string
	pkgs []string
	note string
	// candidates: pkgs are not alternatives that each ship the file but
	// the packages among which it is (apt's development packages of one
	// source: libglib2.0-dev, libglib2.0-dev-bin).
	candidates bool
}

func (a pkgAnswer) phrase() string {
	if len(a.pkgs) == 0 {
		return ""
	}
	p := (&distpkg.Table{Distro: a.from}).Phrase(a.pkgs)
	if a.candidates {
		p = a.from + ": " + strings.Join(a.pkgs, ", ")
	}
	if a.note != "" {
		p += ", " + a.note
	}
	return p
}

// PackageAsk asks this machine's package manager which packages ship a
// file; nil (log-only analysis, tests) asks nothing.
type PackageAsk func(q pkgQuery) pkgAnswer

// shipping phrases the packages that ship name ("Debian: zlib1g-dev"),
// or "" when nothing is known. installed are files of the same library
// that are installed here (libz.so.1), for the package manager.
func (c *blockCtx) shipping(kind fileKind, name string, installed ...string) string {
	t := c.f.Table
	if t == nil {
		t = distpkg.Debian()
	}
	var pkgs []string
	switch kind {
	case kindPC:
		pkgs = t.PCFile(name)
	case kindHeader:
		pkgs, _ = t.Header(name)
	case kindLibrary:
		if name == "libstdc++.so" || name == "libstdc++.a" {
			// gcc's own, one package per gcc version: without the
			// version, no name (apt-file would list every version's).
			if c.f.CCMajor != nil {
				if major := c.f.CCMajor(); major != "" {
					pkgs = t.GCCLibrary(major, name)
				}
			}
			if pkgs == nil {
				return ""
			}
		} else {
			pkgs = t.Library(name)
		}
	case kindProgram:
		pkgs = t.Program(name)
	}
	// The table of this very release answers without asking anyone.
	if len(pkgs) > 0 && c.f.TableCurrent {
		return t.Phrase(pkgs)
	}
	if c.f.AskPackages != nil {
		if a := c.f.AskPackages(pkgQuery{kind: kind, name: name, installed: installed}); len(a.pkgs) > 0 {
			return a.phrase()
		}
	}
	if c.f.TableForeign {
		return ""
	}
	return t.Phrase(pkgs)
}

// ProgramPackage phrases the package that ships a C compiler program
// on this machine's family, from the embedded table ("Debian:
// gcc-aarch64-linux-gnu"), "" when it is not known; nothing is asked.
// cgotrace env gives it to envcheck for a CC that is not installed.
func ProgramPackage(program string) string {
	return programPackage("/etc/os-release", runtime.GOOS, program)
}

func programPackage(osRelease, goos, program string) string {
	t, foreign := machineTable(osRelease, goos)
	if foreign {
		return ""
	}
	if t == nil {
		t = distpkg.Debian()
	}
	return t.Phrase(t.Program(program))
}

// machineTable is the embedded table of this machine's family: Fedora's
// on Fedora and its relatives (os-release ID or ID_LIKE), nil (Debian's)
// on a Debian-like machine or one whose family is not known; foreign is
// true where no table is of the family (Alpine, macOS).
func machineTable(osRelease, goos string) (t *distpkg.Table, foreign bool) {
	if goos == "darwin" {
		return nil, true
	}
	switch osFamily(osRelease) {
	case "fedora":
		return distpkg.Fedora(), false
	case "", "debian":
		return nil, false
	}
	return nil, true
}

// Timeouts of one package-manager command at run time: it must never
// hold a report up. apt-file reads all of its Contents files (8-12 s on
// the 2-core machine this was written on), so it rarely answers in time;
// apt show with a pattern walks apt's whole cache (median 1.5 s of CPU
// here, where no pkgcache.bin is kept; 7 s of wall time at a load
// average of 30, when it misses) and dnf loads its repository metadata:
// those two get the longer one.
var (
	askTimeout     = 2 * time.Second
	askSlowTimeout = 5 * time.Second
)

// pkgAsker asks the package manager of this machine, chosen by
// /etc/os-release (ID, ID_LIKE) and what is on the build's PATH: at most
// two commands per question, each with a timeout. Answers are kept, so a
// file is asked about once per build.
type pkgAsker struct {
	ctx        context.Context
	r          Runner
	env        []string
	family     string            // "debian", "fedora", "alpine" or ""
	tools      map[string]string // dpkg-query, apt, apt-file, dnf, apk, brew: path on PATH
	brewPrefix string            // $HOMEBREW_PREFIX
	// tableCurrent: the embedded Debian table was made from this
	// release's Contents index, which is all apt-file searches.
	tableCurrent         bool
	timeout, slowTimeout time.Duration
	mu                   sync.Mutex
	memo                 map[string]pkgAnswer
}

// packageManagerAsk returns the PackageAsk of this machine, or nil when
// it has no package manager cgotrace can ask.
func packageManagerAsk(ctx context.Context, r Runner, env []string, osRelease string) PackageAsk {
	a := newPkgAsker(ctx, r, env, osRelease)
	if len(a.tools) == 0 && a.brewPrefix == "" {
		return nil
	}
	return a.ask
}

func newPkgAsker(ctx context.Context, r Runner, env []string, osRelease string) *pkgAsker {
	a := &pkgAsker{ctx: ctx, r: r, env: env, family: osFamily(osRelease), tools: map[string]string{},
		timeout: askTimeout, slowTimeout: askSlowTimeout, memo: map[string]pkgAnswer{}}
	for _, name := range []string{"dpkg-query", "apt", "apt-file", "dnf", "apk", "brew"} {
		if p := lookPathEnv(env, name); p != "" {
			a.tools[name] = p
		}
	}
	a.brewPrefix, _ = envValue(env, "HOMEBREW_PREFIX")
	a.tableCurrent = tableIsThisRelease(osRelease)
	return a
}

func (a *pkgAsker) ask(q pkgQuery) pkgAnswer {
	key := fmt.Sprint(q.kind, "\x00", q.name, "\x00", q.installed)
	a.mu.Lock()
	ans, ok := a.memo[key]
	a.mu.Unlock()
	if ok {
		return ans
	}
	calls := 0 // commands run for this question: two at most
	switch a.family {
	case "debian":
		ans = a.askDebian(q, &calls)
	case "fedora":
		ans = a.askDnf(q, &calls)
	case "alpine":
		ans = a.askApk(q, &calls)
	}
	if len(ans.pkgs) == 0 {
		ans = a.askBrew(q, &calls)
	}
	a.mu.Lock()
	a.memo[key] = ans
	a.mu.Unlock()
	return ans
}

// run runs one command of a question and returns its stdout, or nil when
// it failed, timed out, or the question's two commands are spent. Exit
// status 1 is kept: dpkg-query -S exits 1 when one of several paths is
// in no package and still prints the others.
func (a *pkgAsker) run(calls *int, timeout time.Duration, tool string, args ...string) []byte {
	p := a.tools[tool]
	if p == "" || *calls >= 2 {
		return nil
	}
	*calls++
	ctx, cancel := context.WithTimeout(a.ctx, timeout)
	defer cancel()
	var out bytes.Buffer
	code, err := a.r.Run(ctx, Cmd{Name: p, Args: args, Env: a.env, Stdout: &out, Stderr: io.Discard})
	if err != nil || ctx.Err() != nil || code > 1 {
		return nil
	}
	return out.Bytes()
}

// dpkgOwnable are the paths a Debian package can have installed: under
// the directories of the FHS that packages use (/usr, /lib*, /opt, /etc,
// /bin, /sbin), not a build's own directory, /tmp or a home. dpkg-query
// -S reads every package's file list to answer (150-220 ms of CPU here),
// so a library the user built is not asked about.
func dpkgOwnable(paths []string) []string {
	var out []string
	for _, p := range paths {
		c := filepath.Clean(p)
		for _, d := range []string{"/usr/", "/lib/", "/lib32/", "/lib64/", "/libx32/", "/opt/", "/etc/", "/bin/", "/sbin/"} {
			if strings.HasPrefix(c, d) {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// askDebian: for a library whose run-time file is installed, dpkg-query
// -S names its owner, and apt show the libdevel packages of the same
// source that depend on it; else apt-file searches the Contents index.
func (a *pkgAsker) askDebian(q pkgQuery, calls *int) pkgAnswer {
	if owned := dpkgOwnable(q.installed); len(owned) > 0 && a.tools["dpkg-query"] != "" && a.tools["apt"] != "" {
		out := a.run(calls, a.timeout, "dpkg-query", append([]string{"-S"}, withUsrMergeTwins(owned)...)...)
		if owners := distpkg.ParseDpkgSearch(out); len(owners) > 0 {
			o := owners[0]
			pattern := fmt.Sprintf("?or(?exact-name(%s),?and(?section(libdevel),?depends(?exact-name(%s))))", o.Package, o.Package)
			src, pkgs := distpkg.DevSiblings(distpkg.ParseAptShow(a.run(calls, a.slowTimeout, "apt", "show", pattern)), o.Package)
			if len(pkgs) > 0 {
				return pkgAnswer{from: "apt", pkgs: pkgs, candidates: len(pkgs) > 1,
					note: fmt.Sprintf("built from %s like %s, which installed %s here", src, o.Package, o.Path)}
			}
		}
	}
	// On the release the table was made of, apt-file knows nothing the
	// table does not of the files it covers: asking it would only cost
	// up to its 2 s (1.7 s of CPU for a miss here).
	if re := fileRegexp(q.kind, q.name); re != "" && !(a.tableCurrent && tableCovers(q)) {
		if pkgs := parseAptFile(a.run(calls, a.timeout, "apt-file", "search", "-x", re)); len(pkgs) > 0 {
			return pkgAnswer{from: "apt-file", pkgs: pkgs}
		}
	}
	return pkgAnswer{}
}

// askDnf: dnf repoquery from its cache (-C: never the network), for
// pkgconfig(NAME), which rpm's generator adds to the package of every .pc
// file, or for the file's path (dnf's filelists). repoquery, not dnf
// provides: "repoquery should be used if you want to get provides in
// parse-able way" (dnf's maintainers,
// https://github.com/rpm-software-management/dnf/pull/733); the
// --queryformat newline is printed by dnf 5 and doubled by dnf 4, both
// read (trace/distpkg/testdata).
func (a *pkgAsker) askDnf(q pkgQuery, calls *int) pkgAnswer {
	if strings.ContainsAny(q.name, "\n\x00") {
		return pkgAnswer{}
	}
	var spec string
	switch q.kind {
	case kindPC:
		spec = "pkgconfig(" + q.name + ")"
	case kindHeader:
		spec = "/usr/include/" + path.Clean(q.name)
	case kindLibrary:
		spec = "/usr/lib*/" + path.Base(q.name)
	case kindProgram:
		spec = "/usr/bin/" + path.Base(q.name)
	default:
		return pkgAnswer{}
	}
	out := a.run(calls, a.slowTimeout, "dnf", "-q", "-C", "repoquery", "--whatprovides", spec, "--queryformat", "%{name}\\n")
	if pkgs := distpkg.ParseDnfNames(out); len(pkgs) > 0 {
		return pkgAnswer{from: "dnf", pkgs: pkgs}
	}
	return pkgAnswer{}
}

// askApk: apk's index has a pc:NAME provide for every .pc file (abuild
// adds it), and apk search finds its package offline, as abuild itself
// asks. apk has no index of headers or libraries, and apk info
// --who-owns of an installed run-time library names its package but not
// that package's -dev sibling (no second command links the two), so
// nothing else is asked.
func (a *pkgAsker) askApk(q pkgQuery, calls *int) pkgAnswer {
	if q.kind != kindPC || strings.ContainsAny(q.name, " \n\x00") {
		return pkgAnswer{}
	}
	if pkgs := distpkg.ParseApkNames(a.run(calls, a.timeout, "apk", "search", "-q", "-x", "pc:"+q.name)); len(pkgs) > 0 {
		return pkgAnswer{from: "apk", pkgs: pkgs}
	}
	return pkgAnswer{}
}

// askBrew: Homebrew has no index of the files of formulae it has not
// installed; what it can answer is which installed formula (a keg in
// $(brew --prefix)/opt, keg-only ones included) has the file.
func (a *pkgAsker) askBrew(q pkgQuery, calls *int) pkgAnswer {
	if a.brewPrefix == "" && a.tools["brew"] == "" {
		return pkgAnswer{}
	}
	prefix := a.brewPrefix
	if prefix == "" {
		prefix = strings.TrimSpace(string(a.run(calls, a.timeout, "brew", "--prefix")))
	}
	if !filepath.IsAbs(prefix) || strings.ContainsAny(q.name, "*?[\\\n\x00") {
		return pkgAnswer{}
	}
	opt := filepath.Join(prefix, "opt")
	var globs []string
	var dir, how string
	switch q.kind {
	case kindPC:
		globs = []string{"lib/pkgconfig/" + q.name + ".pc", "share/pkgconfig/" + q.name + ".pc"}
		dir, how = "lib/pkgconfig", "add %s to PKG_CONFIG_PATH"
	case kindHeader:
		globs = []string{"include/" + path.Clean(q.name)}
		dir, how = "include", "add -I%s to CGO_CFLAGS"
	case kindLibrary:
		globs = []string{"lib/" + path.Base(q.name)}
		if base, ok := strings.CutSuffix(path.Base(q.name), ".so"); ok {
			globs = append(globs, "lib/"+base+".dylib")
		}
		dir, how = "lib", "add -L%s to CGO_LDFLAGS"
	default:
		return pkgAnswer{}
	}
	var formulae []string
	for _, g := range globs {
		m, _ := filepath.Glob(filepath.Join(opt, "*", g))
		for _, f := range m {
			rel, _ := filepath.Rel(opt, f)
			name, _, _ := strings.Cut(rel, string(filepath.Separator))
			if !slices.Contains(formulae, name) {
				formulae = append(formulae, name)
			}
		}
	}
	if len(formulae) == 0 {
		return pkgAnswer{}
	}
	slices.Sort(formulae)
	return pkgAnswer{from: "Homebrew, installed", pkgs: formulae,
		note: "which the build does not search: " + fmt.Sprintf(how, filepath.Join(opt, formulae[0], dir))}
}

// withUsrMergeTwins adds, for each path under /usr/lib, /usr/bin or
// /usr/sbin, the same path without /usr, and the reverse: on a merged-/usr
// system dpkg's database knows only the path the package shipped
// (zlib1g: /lib/x86_64-linux-gnu/libz.so.1, not /usr/lib/...).
func withUsrMergeTwins(paths []string) []string {
	var out []string
	for _, p := range paths {
		if !filepath.IsAbs(p) {
			continue
		}
		out = append(out, p)
		for _, d := range []string{"/lib/", "/bin/", "/sbin/"} {
			if rest, ok := strings.CutPrefix(p, "/usr"+d); ok {
				out = append(out, d+rest)
			} else if rest, ok := strings.CutPrefix(p, d); ok {
				out = append(out, "/usr"+d+rest)
			}
		}
	}
	return out
}

// osFamily is the package-manager family of an os-release file: its ID,
// else the first of its ID_LIKE that cgotrace can ask.
func osFamily(osRelease string) string {
	v := readOSRelease(osRelease)
	for _, id := range append([]string{v["ID"]}, strings.Fields(v["ID_LIKE"])...) {
		switch id {
		case "debian", "ubuntu":
			return "debian"
		case "fedora", "rhel", "centos":
			return "fedora"
		case "alpine":
			return "alpine"
		}
	}
	return ""
}

func readOSRelease(p string) map[string]string {
	v := map[string]string{}
	b, err := os.ReadFile(p)
	if err != nil {
		return v
	}
	for _, l := range strings.Split(string(b), "\n") {
		if k, val, ok := strings.Cut(l, "="); ok {
			v[k] = strings.Trim(val, `"'`)
		}
	}
	return v
}

// lookPathEnv finds an executable on the PATH of env (the build's), not
// of cgotrace's own environment.
func lookPathEnv(env []string, name string) string {
	pathVar, _ := envValue(env, "PATH")
	for _, dir := range filepath.SplitList(pathVar) {
		if !filepath.IsAbs(dir) {
			continue
		}
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	return ""
}

// tableIsThisRelease reports whether the embedded table was made from
// the package index of the release this machine runs (os-release ID,
// VERSION_ID and VERSION_CODENAME, as scripts/gen-distpkg.sh records
// them): then it answers without asking the package manager.
func tableIsThisRelease(osRelease string) bool {
	v := readOSRelease(osRelease)
	if v["ID"] == "" || v["VERSION_ID"] == "" {
		return false
	}
	rel := v["ID"] + " " + v["VERSION_ID"] + " (" + v["VERSION_CODENAME"] + ")"
	return strings.Contains(distpkg.DebianSource(), " "+rel+" ")
}

// tableCompiler is what scripts/gen-distpkg.sh keeps of /usr/bin.
var tableCompiler = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(gcc|cc|clang|g\+\+|c\+\+)(-[0-9.]+)?$`) })

// tableCovers reports whether the Debian table holds every file of q's
// kind that apt-file would find (scripts/gen-distpkg.sh): .pc files and
// libraries in the same directories, headers at most three levels
// down, and C compilers of /usr/bin.
func tableCovers(q pkgQuery) bool {
	switch q.kind {
	case kindPC, kindLibrary:
		return true
	case kindHeader:
		return strings.Count(path.Clean(q.name), "/") <= 2
	case kindProgram:
		return tableCompiler().MatchString(path.Base(q.name))
	}
	return false
}

// fileRegexp is the apt-file -x pattern of where kind's file sits.
func fileRegexp(kind fileKind, name string) string {
	q := regexp.QuoteMeta(name)
	switch kind {
	case kindPC:
		return `^/usr/(lib/[^/]+/pkgconfig|lib/pkgconfig|share/pkgconfig)/` + q + `\.pc$`
	case kindHeader:
		return `^/usr/include/([^/]+-linux-[^/]+/)?` + q + `$`
	case kindLibrary:
		return `^/(usr/)?lib/([^/]+-linux-[^/]+/)?` + q + `$`
	case kindProgram:
		return `^/usr/bin/` + q + `$`
	}
	return ""
}

// parseAptFile reads "pkg: /path" lines into sorted, unique packages.
func parseAptFile(out []byte) []string {
	var pkgs []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if p, _, ok := strings.Cut(sc.Text(), ": "); ok && p != "" && !slices.Contains(pkgs, p) {
			pkgs = append(pkgs, p)
		}
	}
	slices.Sort(pkgs)
	return pkgs
}

// ccMajor is the major version of the C compiler (`$CC -dumpversion`:
// "12"), or "".
func ccMajor(ctx context.Context, r Runner, cc []string, dir string, env []string) string {
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(ctx, askTimeout)
	defer cancel()
	if code, err := r.Run(ctx, Cmd{Name: cc[0], Args: append(cc[1:len(cc):len(cc)], "-dumpversion"), Dir: dir, Env: env, Stdout: &out}); err != nil || code != 0 {
		return ""
	}
	v, _, _ := strings.Cut(strings.TrimSpace(out.String()), ".")
	for _, c := range v {
		if c < '0' || c > '9' {
			return ""
		}
	}
	return v
}
