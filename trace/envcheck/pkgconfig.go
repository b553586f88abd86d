package envcheck

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
)

// PkgConfig is what is known of the pkg-config go would run.
type PkgConfig struct {
	// Value is go env PKG_CONFIG; Explicit whether the user set it.
	Value    string `json:"value"`
	Explicit bool   `json:"explicit"`
	Path     string `json:"path,omitempty"`
	LookErr  string `json:"look_error,omitempty"`
	Version  string `json:"version,omitempty"`
	// DefaultPath is its compiled-in search path (pc_path).
	DefaultPath []string `json:"default_path,omitempty"`
}

// ProbePkgConfig finds pkg-config and asks it for its version and default
// search path (concurrently).
func ProbePkgConfig(ctx context.Context, r Runner, env []string, value string, explicit bool) PkgConfig {
	pc := PkgConfig{Value: value, Explicit: explicit}
	words, err := SplitQuoted(value)
	if err != nil || len(words) == 0 {
		pc.LookErr = fmt.Sprintf("PKG_CONFIG=%q: cannot split into a command", value)
		return pc
	}
	p, err := LookPath(words[0], envGet(env, "PATH"))
	if err != nil {
		pc.LookErr = err.Error()
		return pc
	}
	pc.Path = p
	if r == nil {
		r = ExecRunner{}
	}
	run := func(args ...string) (string, error) {
		out, _, err := r.Run(ctx, Command{Env: env, Path: p, Args: append(append([]string{}, words[1:]...), args...)})
		return string(out), err
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		if out, err := run("--version"); err == nil {
			pc.Version = firstLine(out)
		}
	})
	wg.Go(func() {
		if out, err := run("--variable", "pc_path", "pkg-config"); err == nil {
			for d := range strings.SplitSeq(strings.TrimSpace(out), ":") {
				if d != "" {
					pc.DefaultPath = append(pc.DefaultPath, d)
				}
			}
		}
	})
	wg.Wait()
	return pc
}

func (s *state) checkPkgConfig(ctx context.Context) []Check {
	value := s.goenv["PKG_CONFIG"]
	if value == "" {
		value = "pkg-config"
	}
	_, explicit := s.env.Lookup("PKG_CONFIG")
	pc := ProbePkgConfig(ctx, s.runner, s.env.List(), value, explicit)
	st := DecideCgo(s.env, s.goenv)
	return CheckPkgConfig(pc, st, s.env.Get("PKG_CONFIG_PATH"), s.env.Get("PKG_CONFIG_LIBDIR"), s.env.Get("PKG_CONFIG_SYSROOT_DIR"))
}

// CheckPkgConfig turns a probed pkg-config and the PKG_CONFIG_* variables
// into the pkg-config checks.
func CheckPkgConfig(pc PkgConfig, st CgoState, pcPath, libdir, sysroot string) []Check {
	c := Check{ID: "pkg-config"}
	if pc.Path == "" {
		c.Observed = fmt.Sprintf("PKG_CONFIG=%q: not found", pc.Value)
		c.Details = []string{pc.LookErr}
		c.Why = "go runs it for every `#cgo pkg-config:` line; such packages fail with \"exec: \\\"" + pc.Value + "\\\": executable file not found in $PATH\""
		if pc.Explicit {
			c.Verdict = Fail
			c.Fix = "point PKG_CONFIG at an installed pkg-config (e.g. PKG_CONFIG=pkg-config) or unset it"
		} else {
			c.Verdict = Warn
			c.Fix = "install pkg-config (Debian/Ubuntu: apt-get install pkgconf; Fedora: pkgconf-pkg-config; macOS: brew install pkgconf)"
		}
		return []Check{c}
	}
	c.Verdict = OK
	c.Observed = pc.Path
	if pc.Version != "" {
		c.Observed += " " + pc.Version
	}
	out := []Check{c}

	sp := Check{ID: "pkg-config-path", Verdict: OK}
	var search, missing []string
	for d := range strings.SplitSeq(pcPath, ":") {
		if d == "" {
			continue
		}
		search = append(search, d)
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			missing = append(missing, d)
		}
	}
	base := pc.DefaultPath
	baseName := "default"
	if libdir != "" {
		base, baseName = nil, "PKG_CONFIG_LIBDIR"
		for d := range strings.SplitSeq(libdir, ":") {
			if d != "" {
				base = append(base, d)
				if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
					missing = append(missing, d)
				}
			}
		}
	}
	sp.Observed = fmt.Sprintf("PKG_CONFIG_PATH=%s; %s: %s", orNone(strings.Join(search, ":")), baseName, orNone(strings.Join(base, ":")))
	if len(missing) > 0 {
		sp.Verdict = Warn
		sp.Details = []string{"does not exist: " + strings.Join(missing, ", ")}
		sp.Why = "pkg-config skips a directory that does not exist: the .pc files meant to be there are \"not found\""
		sp.Fix = "fix the entries above in PKG_CONFIG_PATH / PKG_CONFIG_LIBDIR (a typo, or the prefix of an uninstalled library)"
	}
	out = append(out, sp)

	if st.Cross || sysroot != "" {
		sr := Check{ID: "pkg-config-sysroot", Verdict: OK, Observed: orNone(sysroot)}
		switch {
		case sysroot != "":
			if fi, err := os.Stat(sysroot); err != nil || !fi.IsDir() {
				sr.Verdict = Fail
				sr.Why = "pkg-config prefixes every -I and -L with PKG_CONFIG_SYSROOT_DIR; a missing sysroot gives paths that do not exist"
				sr.Fix = "set PKG_CONFIG_SYSROOT_DIR to the target's root file system"
			}
		case st.Cross && st.Enabled && libdir == "":
			sr.Verdict = Warn
			sr.Why = "cross-compiling with cgo: without PKG_CONFIG_SYSROOT_DIR and PKG_CONFIG_LIBDIR, pkg-config returns the host's .pc files and -I/-L paths, and the cross linker meets host-architecture libraries"
			sr.Fix = "set PKG_CONFIG_LIBDIR=<sysroot>/usr/lib/<triple>/pkgconfig:<sysroot>/usr/share/pkgconfig and PKG_CONFIG_SYSROOT_DIR=<sysroot>"
		}
		out = append(out, sr)
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
