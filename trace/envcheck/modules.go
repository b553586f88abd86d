package envcheck

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// checkModules checks GO111MODULE and its effect in the directory, GOMOD,
// GOPATH/src, GOFLAGS and the proxy settings.
func (s *state) checkModules(ctx context.Context) []Check {
	raw, _ := s.env.Lookup("GO111MODULE")
	modFile := findGoMod(s.dir)
	var gopath []string
	for p := range strings.SplitSeq(s.goenv["GOPATH"], string(os.PathListSeparator)) {
		if p != "" {
			gopath = append(gopath, p)
		}
	}
	m, moduleMode := CheckGO111MODULE(raw, s.env.Origin("GO111MODULE"), modFile, s.dir, gopath)
	out := []Check{m}
	out = append(out, checkGoMod(s.goenv["GOMOD"], moduleMode, modFile))
	out = append(out, checkGOPATH(gopath, s.dir, moduleMode))
	out = append(out, checkGOFLAGS(s.goenv["GOFLAGS"], s.goenv["GOMOD"], moduleMode))
	out = append(out, checkProxy(s.goenv))
	out = append(out, s.checkModuleDoctor(ctx, moduleMode)...)
	return out
}

// findGoMod returns the go.mod file governing dir, or "".
func findGoMod(dir string) string {
	for d := filepath.Clean(dir); ; {
		p := filepath.Join(d, "go.mod")
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}

// underGOPATHSrc returns the GOPATH entry whose src contains dir, or "".
func underGOPATHSrc(dir string, gopath []string) string {
	for _, p := range gopath {
		src := filepath.Join(p, "src")
		if rel, err := filepath.Rel(src, dir); err == nil && rel != ".." && !strings.HasPrefix(rel, "../") {
			return p
		}
	}
	return ""
}

// CheckGO111MODULE decides module mode from GO111MODULE (value and where it
// was set) and the go.mod governing dir. It returns the check and whether
// go runs in module mode.
func CheckGO111MODULE(value, origin, goMod, dir string, gopath []string) (Check, bool) {
	c := Check{ID: "go111module"}
	shown := value
	if shown == "" {
		shown = "(unset)"
	}
	if origin != "" {
		shown += " from " + origin
	}
	unsetFix := "unset GO111MODULE (and go env -u GO111MODULE if it was set with go env -w): module mode is the default since Go 1.16"
	switch value {
	case "", "on":
		c.Verdict = OK
		c.Observed = shown + ": module mode"
		return c, true
	case "auto":
		if goMod != "" {
			c.Verdict, c.Observed = OK, shown+": module mode (go.mod at "+goMod+")"
			return c, true
		}
		c.Verdict, c.Observed = Warn, shown+": GOPATH mode here (no go.mod in this directory or above)"
		c.Why = "with GO111MODULE=auto and no go.mod, imports resolve from GOPATH/src only and go.sum is not checked"
		c.Fix = "run `go mod init MODULE-PATH` here, or " + unsetFix
		return c, false
	case "off":
		if goMod != "" {
			c.Verdict, c.Observed = Fail, shown+": GOPATH mode inside a module (go.mod at "+goMod+" is ignored)"
			c.Why = "with GO111MODULE=off go ignores go.mod: dependencies and versions come from GOPATH/src, requirements are not honoured and imports of the module's own packages fail (\"cannot find package\")"
			c.Fix = unsetFix
			return c, false
		}
		c.Verdict, c.Observed = Warn, shown+": GOPATH mode"
		c.Why = "GOPATH mode is deprecated; many tools and go install pkg@version need module mode"
		if underGOPATHSrc(dir, gopath) == "" {
			c.Why += "; this directory is not under GOPATH/src, so its imports cannot be resolved"
		}
		c.Fix = unsetFix
		return c, false
	default:
		c.Verdict, c.Observed = Fail, fmt.Sprintf("%q from %s: not a valid value", value, origin)
		c.Why = "go refuses to run: \"go: unknown environment setting GO111MODULE=" + value + "\""
		c.Fix = "set GO111MODULE to on, off or auto, or " + unsetFix
		return c, true
	}
}

func checkGoMod(gomod string, moduleMode bool, found string) Check {
	c := Check{ID: "gomod", Observed: gomod}
	switch {
	case !moduleMode:
		c.Verdict = OK
		if gomod == "" {
			c.Observed = "(none: GOPATH mode)"
		}
		if found != "" {
			c.Observed += "; " + found + " is present but not used"
		}
	case gomod == os.DevNull || gomod == "":
		c.Verdict, c.Observed = Warn, os.DevNull+" (no go.mod in this directory or above)"
		c.Why = "in module mode outside a module, `go build ./...` fails with \"go.mod file not found in current directory or any parent directory\"; only single files and pkg@version work"
		c.Fix = "run cgotrace in the module's directory, or create one with `go mod init MODULE-PATH`"
	default:
		c.Verdict = OK
	}
	return c
}

func checkGOPATH(gopath []string, dir string, moduleMode bool) Check {
	c := Check{ID: "gopath", Verdict: OK, Observed: strings.Join(gopath, string(os.PathListSeparator))}
	in := underGOPATHSrc(dir, gopath)
	switch {
	case len(gopath) == 0:
		c.Verdict, c.Observed = Warn, "(empty)"
		c.Why = "go needs GOPATH for the module cache (GOMODCACHE) and go install"
		c.Fix = "unset GOPATH to use the default $HOME/go, or set it to an absolute directory"
	case in != "" && moduleMode:
		c.Observed += "; this directory is under " + filepath.Join(in, "src") + " (ignored in module mode)"
	case in != "":
		c.Observed += "; this directory is under " + filepath.Join(in, "src")
	case !moduleMode:
		c.Verdict = Warn
		c.Observed += "; this directory is not under GOPATH/src"
		c.Why = "in GOPATH mode, packages outside GOPATH/src cannot be imported by path"
		c.Fix = "use module mode (unset GO111MODULE, go mod init), or move the code under " + filepath.Join(gopath[0], "src")
	}
	return c
}

// checkGOFLAGS reports GOFLAGS, with -mod and the flags that change cgo.
func checkGOFLAGS(goflags, gomod string, moduleMode bool) Check {
	c := Check{ID: "goflags", Verdict: OK, Observed: goflags}
	if goflags == "" {
		c.Observed = "(empty)"
		return c
	}
	flags, err := SplitQuoted(goflags)
	if err != nil {
		c.Verdict, c.Why = Fail, "go cannot parse GOFLAGS: "+err.Error()
		c.Fix = "fix the quoting in GOFLAGS"
		return c
	}
	var notes []string
	for _, f := range flags {
		if !strings.HasPrefix(f, "-") {
			c.Verdict = Fail
			c.Why = fmt.Sprintf("GOFLAGS holds %q, which is not a flag: go fails with \"go: parsing $GOFLAGS: non-flag %q\"", f, f)
			c.Fix = "GOFLAGS takes only -flag or -flag=value words"
			return c
		}
		name, val, _ := strings.Cut(strings.TrimLeft(f, "-"), "=")
		switch name {
		case "mod":
			switch val {
			case "vendor":
				notes = append(notes, "-mod=vendor: dependencies come from vendor/")
				if moduleMode && gomod != "" && gomod != os.DevNull {
					vdir := filepath.Join(filepath.Dir(gomod), "vendor")
					if fi, err := os.Stat(vdir); err != nil || !fi.IsDir() {
						c.Verdict = Fail
						c.Why = "GOFLAGS=-mod=vendor but " + vdir + " does not exist: go build fails with \"inconsistent vendoring\""
						c.Fix = "run `go mod vendor`, or remove -mod=vendor from GOFLAGS"
					}
				}
			case "mod":
				notes = append(notes, "-mod=mod: go may update go.mod while building")
			case "readonly":
				notes = append(notes, "-mod=readonly (the default)")
			default:
				c.Verdict = Fail
				c.Why = fmt.Sprintf("-mod=%s is not valid: go accepts readonly, vendor or mod", val)
				c.Fix = "use -mod=readonly, -mod=vendor or -mod=mod in GOFLAGS"
			}
			if !moduleMode {
				c.Verdict = Fail
				c.Why = "-mod in GOFLAGS is an error in GOPATH mode: \"go: -mod may only be set when using modules\""
				c.Fix = "remove -mod from GOFLAGS or use module mode"
			}
		case "tags":
			for _, t := range strings.FieldsFunc(val, func(r rune) bool { return r == ',' || r == ' ' }) {
				switch t {
				case "netgo":
					notes = append(notes, "-tags netgo: net uses the pure-Go resolver even with cgo")
				case "osusergo":
					notes = append(notes, "-tags osusergo: os/user reads /etc/passwd even with cgo")
				}
			}
		case "ldflags":
			for _, w := range []string{"-linkmode", "-extld", "-extldflags"} {
				if strings.Contains(val, w) {
					notes = append(notes, "-ldflags with "+w+": changes the external (C) link of cgo binaries")
				}
			}
		case "buildmode":
			notes = append(notes, "-buildmode="+val)
		case "race", "msan", "asan":
			notes = append(notes, "-"+name+": needs cgo and a working C toolchain")
		}
	}
	if len(notes) > 0 {
		c.Details = notes
	}
	return c
}

// RedactURL hides the password of a URL-like proxy entry.
func RedactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		if i := strings.Index(s, "@"); i >= 0 && strings.Contains(s[:i], ":") && strings.Contains(s, "://") {
			scheme, _, _ := strings.Cut(s, "://")
			return scheme + "://***@" + s[i+1:]
		}
		return s
	}
	u.User = nil
	return strings.Replace(u.String(), "://", "://***@", 1)
}

// RedactProxy hides credentials in every entry of a GOPROXY list.
func RedactProxy(goproxy string) string {
	var b strings.Builder
	start := 0
	for i := 0; i <= len(goproxy); i++ {
		if i == len(goproxy) || goproxy[i] == ',' || goproxy[i] == '|' {
			b.WriteString(RedactURL(goproxy[start:i]))
			if i < len(goproxy) {
				b.WriteByte(goproxy[i])
			}
			start = i + 1
		}
	}
	return b.String()
}

func checkProxy(ge GoEnv) Check {
	c := Check{ID: "goproxy", Verdict: OK}
	proxy := RedactProxy(ge["GOPROXY"])
	parts := []string{"GOPROXY=" + proxy}
	for _, k := range []string{"GOPRIVATE", "GONOPROXY", "GONOSUMDB", "GOINSECURE"} {
		if v := ge[k]; v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	if v := ge["GOSUMDB"]; v != "" && v != "sum.golang.org" {
		parts = append(parts, "GOSUMDB="+RedactProxy(v))
	}
	c.Observed = strings.Join(parts, " ")
	switch {
	case ge["GOPROXY"] == "off":
		c.Verdict = Warn
		c.Why = "GOPROXY=off: any module missing from the module cache fails to download (\"module lookup disabled by GOPROXY=off\")"
		c.Fix = "set GOPROXY=https://proxy.golang.org,direct, or vendor the dependencies"
	case ge["GOSUMDB"] == "off":
		c.Verdict = Warn
		c.Why = "GOSUMDB=off: downloaded modules are not checked against the checksum database"
		c.Fix = "unset GOSUMDB; list private modules in GOPRIVATE instead"
	}
	return c
}
