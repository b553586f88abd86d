package envcheck

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// lowSpace is the free space under which the GOCACHE file system warns.
const lowSpace = 1 << 30

const gocacheWhy = "go build stores every compiled package and cgo step in GOCACHE; " +
	"without a usable cache no package can be built (required since Go 1.12)"

// checkGoCache checks GOCACHE as go sees it: usable, writable, its free
// space and size, and the settings that change caching.
func (s *state) checkGoCache(ctx context.Context) []Check {
	raw, rawSet := s.env.Lookup("GOCACHE")
	eff := s.goenv["GOCACHE"]
	if s.goenv == nil {
		if !rawSet {
			return nil // no go command: nothing to say about its default
		}
		eff = raw
	}
	c, dir := CheckGoCacheDir(raw, rawSet, eff, s.env.Get("HOME"), s.dir)
	out := []Check{c}
	if dir != "" {
		out = append(out, checkCacheSpace(dir))
		if c.Verdict != Fail {
			budget := s.opts.CacheWalkBudget
			if budget == 0 {
				budget = 300 * time.Millisecond
			}
			out = append(out, checkCacheSize(dir, budget))
		}
	}
	if s.goenv != nil {
		out = append(out, s.checkCacheSettings())
	}
	return out
}

// CheckGoCacheDir decides whether the build cache directory is usable.
// raw is GOCACHE as the user set it (rawSet: set at all), eff what
// `go env GOCACHE` printed, home $HOME ("" when unset), wd the working directory (to
// suggest an absolute path). It returns the check and, when the file
// system can be looked at, the directory (or its nearest existing
// ancestor) whose free space matters.
func CheckGoCacheDir(raw string, rawSet bool, eff, home, wd string) (Check, string) {
	c := Check{ID: "gocache", Observed: eff, Why: gocacheWhy}
	defaultFix := "unset GOCACHE to use the default (go env -u GOCACHE if it was set with go env -w), " +
		"or set it to an absolute, writable directory, e.g. GOCACHE=$HOME/.cache/go-build"
	switch {
	case rawSet && raw == "off":
		c.Verdict, c.Observed = Fail, "off (GOCACHE=off)"
		c.Why = "go build refuses to run with GOCACHE=off: \"build cache is disabled by GOCACHE=off, but required as of Go 1.12\""
		c.Fix = defaultFix
		return c, ""
	case rawSet && !filepath.IsAbs(raw):
		c.Verdict, c.Observed = Fail, fmt.Sprintf("%q is a relative path (go env GOCACHE says %q)", raw, eff)
		c.Why = "go ignores a relative GOCACHE and builds fail with \"build cache is required, but could not be located: GOCACHE is not an absolute path\""
		abs := filepath.Join(wd, raw)
		c.Fix = fmt.Sprintf("use an absolute path: GOCACHE=%s", abs)
		return c, ""
	case eff == "off" || eff == "":
		c.Verdict, c.Observed = Fail, "off (no default location)"
		if home == "" {
			c.Observed = "off (no default location: HOME is not set)"
		}
		c.Why = "go could not find a default cache directory: it needs $XDG_CACHE_HOME or $HOME; builds fail with \"build cache is required, but could not be located\""
		c.Fix = "set HOME (or XDG_CACHE_HOME), or set GOCACHE to an absolute, writable directory"
		return c, ""
	case eff == os.DevNull:
		c.Verdict = Fail
		c.Why = "GOCACHE=/dev/null is not a directory; go cannot store anything there"
		c.Fix = defaultFix
		return c, ""
	case !filepath.IsAbs(eff):
		c.Verdict = Fail
		c.Why = "go requires an absolute GOCACHE"
		c.Fix = defaultFix
		return c, ""
	}

	fi, err := os.Stat(eff)
	switch {
	case err == nil && !fi.IsDir():
		c.Verdict, c.Observed = Fail, eff+" (a regular file, not a directory)"
		if fi.Mode()&fs.ModeType != 0 {
			c.Observed = fmt.Sprintf("%s (%v, not a directory)", eff, fi.Mode().Type())
		}
		c.Why = "go cannot create its cache inside a file: builds fail with \"failed to initialize build cache at " + eff + ": mkdir " + eff + ": not a directory\""
		c.Fix = fmt.Sprintf("move the file away (mv %s %s.old) or point GOCACHE at a directory", eff, eff)
		return c, filepath.Dir(eff)
	case err != nil && (errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)):
		anc, blocker := existingAncestor(eff)
		if blocker != "" {
			c.Verdict, c.Observed = Fail, fmt.Sprintf("%s (cannot be created: %s is a regular file)", eff, blocker)
			c.Why = "go cannot create the cache directory because a parent is a file: builds fail with \"failed to initialize build cache at " + eff + ": mkdir ...: not a directory\""
			c.Fix = fmt.Sprintf("move %s away, or point GOCACHE at a directory that can be created", blocker)
			return c, filepath.Dir(blocker)
		}
		if err := probeWrite(anc); err != nil {
			c.Verdict, c.Observed = Fail, fmt.Sprintf("%s (does not exist and cannot be created in %s)", eff, anc)
			c.Details = []string{err.Error()}
			c.Fix = fmt.Sprintf("create it writable for this user (mkdir -p %s) or set GOCACHE to a writable directory", eff)
			return c, anc
		}
		c.Verdict, c.Observed = OK, eff+" (does not exist yet; go will create it)"
		return c, anc
	case err != nil:
		c.Verdict, c.Observed = Fail, eff+" (cannot be read)"
		c.Details = []string{err.Error()}
		c.Fix = defaultFix
		return c, ""
	}
	if err := probeWrite(eff); err != nil {
		c.Verdict, c.Observed = Fail, eff+" (not writable by this user)"
		c.Why = "go writes every build result into GOCACHE; a read-only cache fails every build"
		c.Details = []string{err.Error()}
		c.Fix = fmt.Sprintf("make it writable (chown -R $(id -u) %s), or set GOCACHE to a writable directory", eff)
		return c, eff
	}
	c.Verdict = OK
	c.Why = ""
	return c, eff
}

// existingAncestor walks up from p to the nearest existing path. If that
// path is not a directory it is returned as blocker.
func existingAncestor(p string) (anc, blocker string) {
	for d := p; ; {
		parent := filepath.Dir(d)
		fi, err := os.Stat(parent)
		if err == nil {
			if !fi.IsDir() {
				return "", parent
			}
			return parent, ""
		}
		if parent == d {
			return parent, ""
		}
		d = parent
	}
}

// probeWrite really creates and removes a file in dir: permission bits
// lie for root and on read-only mounts.
func probeWrite(dir string) error {
	f, err := os.CreateTemp(dir, ".cgotrace-env-probe-*")
	if err != nil {
		return err
	}
	name := f.Name()
	_, werr := f.Write([]byte("probe\n"))
	cerr := f.Close()
	rerr := os.Remove(name)
	return errors.Join(werr, cerr, rerr)
}

func checkCacheSpace(dir string) Check {
	c := Check{ID: "gocache-space", Why: "a full disk makes go build fail half-way with \"no space left on device\""}
	free, err := freeSpace(dir)
	if err != nil {
		c.Verdict, c.Observed = Warn, "unknown"
		c.Details = []string{err.Error()}
		return c
	}
	c.Observed = fmt.Sprintf("%s free on the file system of %s", humanBytes(free), dir)
	if free < lowSpace {
		c.Verdict = Warn
		c.Fix = "free space (go clean -cache removes the build cache) or point GOCACHE at a larger file system"
		return c
	}
	c.Verdict, c.Why = OK, ""
	return c
}

// checkCacheSize sums the cache's files, stopping after budget.
func checkCacheSize(dir string, budget time.Duration) Check {
	c := Check{ID: "gocache-size", Verdict: OK}
	deadline := time.Now().Add(budget)
	var size, files int64
	partial := false
	errStop := errors.New("stop")
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				size += fi.Size()
				files++
			}
			if files%256 == 0 && time.Now().After(deadline) {
				partial = true
				return errStop
			}
		}
		return nil
	})
	if err != nil && err != errStop {
		c.Details = []string{err.Error()}
	}
	c.Observed = fmt.Sprintf("%s in %d files", humanBytes(size), files)
	if partial {
		c.Observed = "more than " + c.Observed + " (stopped counting)"
	}
	return c
}

// checkCacheSettings reports GOFLAGS and GOCACHEPROG settings that change
// what the cache does.
func (s *state) checkCacheSettings() Check {
	c := Check{ID: "gocache-settings", Verdict: OK}
	var notes []string
	if prog := s.goenv["GOCACHEPROG"]; prog != "" {
		words, _ := SplitQuoted(prog)
		notes = append(notes, "GOCACHEPROG="+prog)
		if len(words) > 0 {
			if _, err := LookPath(words[0], s.env.OSEnv("PATH")); err != nil {
				c.Verdict = Fail
				c.Why = "GOCACHEPROG hands caching to a program; go build fails when it cannot start"
				c.Fix = "install " + words[0] + " or unset GOCACHEPROG"
				c.Details = []string{err.Error()}
			}
		}
		if c.Verdict == OK {
			c.Verdict = Warn
			c.Why = "caching is delegated to the GOCACHEPROG program: GOCACHE is used only for its scratch files, and a cache miss may come from that program"
		}
	}
	flags, _ := SplitQuoted(s.goenv["GOFLAGS"])
	for _, f := range flags {
		name, _, _ := strings.Cut(strings.TrimLeft(f, "-"), "=")
		switch name {
		case "a":
			notes = append(notes, "GOFLAGS has -a")
			if c.Verdict == OK {
				c.Verdict = Warn
				c.Why = "-a in GOFLAGS rebuilds every package on every build: the cache is never used for results"
				c.Fix = "remove -a from GOFLAGS (go env -w GOFLAGS=... or the environment)"
			}
		case "trimpath", "race", "msan", "asan", "cover", "toolexec":
			notes = append(notes, "GOFLAGS has "+f+" (part of every cache key)")
		}
	}
	if len(notes) == 0 {
		c.Observed = "GOFLAGS and GOCACHEPROG do not change caching"
	} else {
		c.Observed = strings.Join(notes, "; ")
	}
	return c
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
