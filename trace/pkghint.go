package trace

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/cgotrace/cgotrace/trace/distpkg"
)

// Which package ships a file, for the fix texts. The names come from a
// distribution's own data, never from the library's name: the embedded
// table of Debian's index (trace/distpkg), else this machine's package
// manager when it can answer offline and quickly. When neither knows, the
// fix says so.

// fileKind is what a build looked for.
type fileKind int

const (
	kindPC      fileKind = iota // NAME.pc
	kindHeader                  // an #include name
	kindLibrary                 // libNAME.so / libNAME.a
)

// PackageAsk asks this machine's package manager which packages ship a
// file; nil (log-only analysis, tests) asks nothing.
type PackageAsk func(kind fileKind, name string) (distro string, pkgs []string)

// shipping phrases the packages that ship name ("Debian: zlib1g-dev"),
// or "" when nothing is known.
func (c *blockCtx) shipping(kind fileKind, name string) string {
	t := distpkg.Debian()
	var pkgs []string
	switch kind {
	case kindPC:
		pkgs = t.PCFile(name)
	case kindHeader:
		pkgs, _ = t.Header(name)
	case kindLibrary:
		if name == "libstdc++.so" || name == "libstdc++.a" {
			// gcc's own, one package per gcc version.
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
	}
	if len(pkgs) > 0 {
		return t.Phrase(pkgs)
	}
	if c.f.AskPackages != nil {
		if distro, pkgs := c.f.AskPackages(kind, name); len(pkgs) > 0 {
			return (&distpkg.Table{Distro: distro}).Phrase(pkgs)
		}
	}
	return ""
}

// askTimeout bounds one package-manager query at run time: it must never
// hold a report up. apt-file reads all of its Contents files (8-12 s on
// the 2-core machine this was written on), so there it rarely answers in
// time; the embedded table is asked first for that reason.
const askTimeout = 2 * time.Second

// packageManagerAsk returns the PackageAsk of this machine: apt-file
// (Debian, Ubuntu), when it is installed; nil otherwise. Other package
// managers (dnf, apk, brew) are not asked: their offline file queries
// could not be run and checked where this was written.
func packageManagerAsk(ctx context.Context, r Runner, env []string, timeout time.Duration) PackageAsk {
	aptFile, err := exec.LookPath("apt-file")
	if err != nil {
		return nil
	}
	return func(kind fileKind, name string) (string, []string) {
		re := fileRegexp(kind, name)
		if re == "" {
			return "", nil
		}
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		var out bytes.Buffer
		code, err := r.Run(ctx, Cmd{Name: aptFile, Args: []string{"search", "-x", re}, Env: env, Stdout: &out})
		if err != nil || code != 0 || ctx.Err() != nil {
			return "", nil
		}
		if pkgs := parseAptFile(out.Bytes()); len(pkgs) > 0 {
			return "apt-file", pkgs
		}
		return "", nil
	}
}

// tableIsThisRelease reports whether the embedded table was made from
// the package index of the release this machine runs (os-release ID,
// VERSION_ID and VERSION_CODENAME, as scripts/gen-distpkg.sh records
// them): then apt-file would only repeat it, more slowly.
func tableIsThisRelease(osRelease string) bool {
	b, err := os.ReadFile(osRelease)
	if err != nil {
		return false
	}
	v := map[string]string{}
	for _, l := range strings.Split(string(b), "\n") {
		if k, val, ok := strings.Cut(l, "="); ok {
			v[k] = strings.Trim(val, `"`)
		}
	}
	if v["ID"] == "" || v["VERSION_ID"] == "" {
		return false
	}
	rel := v["ID"] + " " + v["VERSION_ID"] + " (" + v["VERSION_CODENAME"] + ")"
	return strings.Contains(distpkg.Debian().Source, " "+rel+" ")
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
