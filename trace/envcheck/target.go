package envcheck

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
)

// port is one entry of `go tool dist list -json`.
type port struct {
	GOOS, GOARCH string
	CgoSupported bool
}

// checkTargets checks every --target: a pure-Go cross build (and what
// CGO_ENABLED=0 changes there) and a cgo cross build (a C cross compiler).
func (s *state) checkTargets(ctx context.Context) []Check {
	if len(s.opts.Targets) == 0 {
		return nil
	}
	ports := map[string]port{}
	out, errb, err := s.run(ctx, nil, "", s.goPath, "tool", "dist", "list", "-json")
	var list []port
	if err == nil {
		err = json.Unmarshal([]byte(out), &list)
	}
	if err != nil {
		s.log.WithError(err).WithField("stderr", errb).Debug("go tool dist list")
	}
	for _, p := range list {
		ports[p.GOOS+"/"+p.GOARCH] = p
	}
	results := make([][]Check, len(s.opts.Targets))
	var wg sync.WaitGroup
	for i, t := range s.opts.Targets {
		wg.Go(func() { results[i] = s.checkTarget(ctx, t, ports) })
	}
	wg.Wait()
	var all []Check
	for _, r := range results {
		all = append(all, r...)
	}
	return all
}

func (s *state) checkTarget(ctx context.Context, t Target, ports map[string]port) []Check {
	id := "target/" + t.String()
	pure := Check{ID: id}
	p, known := ports[t.String()]
	if len(ports) > 0 && !known {
		pure.Verdict = Fail
		pure.Observed = t.String() + " is not a GOOS/GOARCH pair this go supports"
		pure.Fix = "pick one from `go tool dist list`"
		return []Check{pure}
	}
	host := Target{s.goenv["GOHOSTOS"], s.goenv["GOHOSTARCH"]}
	pure.Verdict = OK
	pure.Observed = fmt.Sprintf("pure Go: GOOS=%s GOARCH=%s CGO_ENABLED=0 go build needs nothing more", t.GOOS, t.GOARCH)
	pure.Why = "what CGO_ENABLED=0 changes on " + t.GOOS
	pure.Details = NoCgoEffects(t.GOOS)
	out := []Check{pure}

	cg := Check{ID: id + "/cgo"}
	if known && !p.CgoSupported {
		cg.Verdict = Warn
		cg.Observed = "go does not support cgo on " + t.String()
		cg.Why = "packages that import \"C\" cannot be built for this target"
		return append(out, cg)
	}
	var cands []string
	if t == host {
		cands = append(cands, s.goenv["CC"])
	} else {
		if cc, ok := s.env.Lookup("CC"); ok {
			cands = append(cands, cc)
		}
		for _, n := range CrossCompilerNames(t.GOOS, t.GOARCH) {
			if _, err := LookPath(n, s.env.OSEnv("PATH")); err == nil {
				cands = append(cands, n)
			}
		}
	}
	var tried []string
	for _, cand := range cands {
		c := ProbeCompiler(ctx, "CC", cand, true, ProbeOptions{
			Runner: s.runner, Env: s.env.List(), GOOS: t.GOOS, GOARCH: t.GOARCH, Lang: "c", Compile: true,
		})
		tos, tarch, ok := ParseTriple(c.Triple)
		switch {
		case c.Path == "":
			tried = append(tried, cand+": "+c.LookErr)
			continue
		case !ok || !TargetMatches(tos, tarch, t.GOOS, t.GOARCH):
			tried = append(tried, fmt.Sprintf("%s: builds for %s", cand, orNone(c.Triple)))
			continue
		}
		cmd := fmt.Sprintf("GOOS=%s GOARCH=%s CGO_ENABLED=1 CC=%s go build", t.GOOS, t.GOARCH, cand)
		if t == host {
			cmd = "go build (native)"
		}
		if c.ProbeErr != "" {
			cg.Verdict = Warn
			cg.Observed = fmt.Sprintf("%s (%s) is a compiler for %s but cannot link a C program", cand, c.Triple, t)
			cg.Details = strings.Split(c.ProbeErr, "\n")
			cg.Why = "the cross compiler is there but its C library (sysroot) is not"
			cg.Fix = crossLibcFix(t.GOARCH)
			return append(out, cg)
		}
		cg.Verdict = OK
		cg.Observed = fmt.Sprintf("cgo: %s (%s) compiles and links for %s", cand, c.Triple, t)
		cg.Details = []string{"build with: " + cmd}
		if t != host {
			cg.Details = append(cg.Details, "for pkg-config packages also set PKG_CONFIG_LIBDIR and PKG_CONFIG_SYSROOT_DIR to the target's sysroot")
		}
		return append(out, cg)
	}
	cg.Verdict = Warn
	cg.Observed = "cgo: no C compiler for " + t.String() + " found"
	cg.Details = tried
	if t == host {
		cg.Why = "a native cgo build runs CC; see the cc checks"
		cg.Fix = "install a C compiler (Debian/Ubuntu: apt-get install gcc) or set CC to one"
		return append(out, cg)
	}
	cg.Why = "go turns cgo off when cross-compiling unless CGO_ENABLED=1 is set; then CC must build for the target, or packages that import \"C\" are left out (or fail to link)"
	names := CrossCompilerNames(t.GOOS, t.GOARCH)
	if len(names) > 0 {
		fix := "install a cross compiler"
		if pkg := debianCrossPackage(names[0]); pkg != "" {
			fix += " (Debian/Ubuntu: apt-get install " + pkg + ")"
		}
		cg.Fix = fmt.Sprintf("%s and build with GOOS=%s GOARCH=%s CGO_ENABLED=1 CC=%s", fix, t.GOOS, t.GOARCH, names[0])
	} else {
		cg.Fix = fmt.Sprintf("install a C cross compiler for %s and build with CGO_ENABLED=1 CC=<it>", t)
	}
	return append(out, cg)
}

// debianCrossLibc are the GOARCHes whose libc6-dev-<debArch>-cross
// Debian 12's index has (apt-cache show, checked by
// TestCrossLibcPackagesExist where apt is); for the others no name is
// given.
var debianCrossLibc = map[string]bool{
	"amd64": true, "arm64": true, "arm": true, "386": true, "ppc64le": true, "ppc64": true,
	"mips64le": true, "mips64": true, "mipsle": true, "mips": true, "riscv64": true, "s390x": true,
}

// crossLibcFix is the fix for a cross compiler without its C library.
func crossLibcFix(goarch string) string {
	if debianCrossLibc[goarch] {
		return "install the target's C library development files (Debian: libc6-dev-" + debArch(goarch) + "-cross)"
	}
	return "install the target's C library development files into the cross compiler's sysroot (no Debian package for " + goarch + " is known to cgotrace)"
}

func debArch(goarch string) string {
	switch goarch {
	case "amd64":
		return "amd64"
	case "arm64":
		return "arm64"
	case "arm":
		return "armhf"
	case "386":
		return "i386"
	case "ppc64le":
		return "ppc64el"
	case "mips64le":
		return "mips64el"
	case "mipsle":
		return "mipsel"
	}
	return goarch
}

// NoCgoEffects lists what a CGO_ENABLED=0 build changes in the standard
// library on goos.
func NoCgoEffects(goos string) []string {
	var e []string
	switch goos {
	case "windows":
		e = append(e,
			"net, os/user and crypto/x509 use Windows APIs directly: nothing changes for them")
	case "darwin", "ios":
		e = append(e,
			"net: the pure-Go DNS resolver reads /etc/resolv.conf and /etc/hosts only; VPN and per-domain resolvers configured in the system (scutil --dns) are not used",
			"os/user: users and groups from /etc/passwd and /etc/group only (no Directory Services / Open Directory accounts)",
			"crypto/x509: no change (system roots come from the Security framework without cgo since Go 1.18)")
	default:
		e = append(e,
			"net: the pure-Go DNS resolver; /etc/nsswitch.conf is honoured only for files and dns, so NSS modules (mdns, myhostname, resolve, sss, ldap, winbind) are not consulted",
			"os/user: users and groups from /etc/passwd and /etc/group only (no LDAP, SSSD, NIS or systemd-homed accounts)",
			"crypto/x509: no change on "+goos+" (system roots are read from the usual certificate files and directories)")
	}
	e = append(e,
		"plugin: unavailable (the plugin package and -buildmode=plugin need cgo), and so are -buildmode=c-shared and c-archive",
		"packages that import \"C\" are excluded; the binary needs no C library at run time")
	return e
}
