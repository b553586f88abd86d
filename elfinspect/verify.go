package elfinspect

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
)

// VerifyOptions are the release checks of `cgotrace verify`.
type VerifyOptions struct {
	// Static fails on PT_INTERP or DT_NEEDED (a static-pie is static); a
	// Mach-O may use system dylibs only, a PE system DLLs only.
	Static bool
	// MaxGlibc fails when the binary needs a newer GLIBC_ version.
	MaxGlibc string
	// NoRpath fails on any RPATH, RUNPATH or LC_RPATH entry.
	NoRpath bool
	// Allow lists libraries (names or glob patterns) that do not fail the
	// static and missing-library checks.
	Allow []string
	// BuildDirs are directories whose appearance in an rpath means a build
	// tree leaked into the binary (the module dir, the go build work dir).
	BuildDirs []string
	// Root, when set, is where world-writable rpath directories are
	// looked up (as in Options.Root).
	Root string
	// FS, when set, replaces Root (as in Options.FS).
	FS fs.FS
}

// Verify checks b against opts and returns one diagnosis per reason it
// fails. Diagnoses that Inspect already made (missing libraries, static
// glibc NSS) are included.
func Verify(b *Binary, opts VerifyOptions) []Finding {
	var out []Finding
	allowed := func(name string) bool {
		for _, a := range opts.Allow {
			if a == name || a == path.Base(name) {
				return true
			}
			if ok, _ := path.Match(a, path.Base(name)); ok {
				return true
			}
		}
		return false
	}
	if opts.Static {
		out = append(out, staticReasons(b, allowed)...)
	}
	if opts.MaxGlibc != "" && b.GlibcMin != "" && compareVersions(b.GlibcMin, opts.MaxGlibc) > 0 {
		out = append(out, Finding{
			Kind: GlibcTooNew, Severity: Error,
			Summary:  fmt.Sprintf("needs GLIBC_%s, newer than --max-glibc %s", b.GlibcMin, opts.MaxGlibc),
			Fix:      "build on (or against a sysroot of) the oldest glibc you support, e.g. in a container of that distribution; or build statically with CGO_ENABLED=0 / musl",
			Subject:  map[string]string{"version": b.GlibcMin},
			Evidence: symbolsAtVersion(b.Path, "GLIBC_"+b.GlibcMin),
		})
	}
	out = append(out, rpathReasons(b, opts)...)
	for _, d := range b.Diagnoses {
		switch d.Kind {
		case RuntimeLibraryMissing:
			if d.Severity == Error && !allowed(d.Subject["library"]) {
				out = append(out, d)
			}
		case StaticGlibcNSS:
			out = append(out, d)
		}
	}
	return out
}

// Mach-O system prefixes live in the dyld shared cache.
var machoSystemPrefixes = []string{"/usr/lib/", "/System/Library/"}

func staticReasons(b *Binary, allowed func(string) bool) []Finding {
	var out []Finding
	add := func(reason string) {
		out = append(out, Finding{
			Kind: NotStatic, Severity: Error, Summary: "not static: " + reason,
			Fix:     "Go: CGO_ENABLED=0, or -ldflags '-linkmode external -extldflags \"-static\"' -tags netgo,osusergo; C: -static or -static-pie",
			Subject: map[string]string{"reason": reason},
		})
	}
	switch b.Format {
	case "elf":
		if b.Interpreter != "" && !allowed(b.Interpreter) {
			add("PT_INTERP " + b.Interpreter)
		}
		for _, n := range b.Needed {
			if !allowed(n) {
				add("DT_NEEDED " + n)
			}
		}
	case "macho":
		for _, n := range b.Needed {
			if !isMachOSystem(n) && !allowed(n) {
				add("links " + n + " (not a system dylib)")
			}
		}
	case "pe":
		for _, n := range b.Needed {
			if !isWindowsSystemDLL(n) && !allowed(n) {
				add("imports " + n + " (not a system DLL)")
			}
		}
	}
	return out
}

func isMachOSystem(n string) bool {
	for _, p := range machoSystemPrefixes {
		if strings.HasPrefix(n, p) {
			return true
		}
	}
	return false
}

// buildTreeMarkers are path fragments of build directories that should
// never reach a shipped binary's rpath.
var buildTreeMarkers = []string{"/go-build", "/home/", "/build/", "/workspace", "/__w/", "/CMakeFiles", "/_build/", "/builddir", "/.cache/"}

func rpathReasons(b *Binary, opts VerifyOptions) []Finding {
	var out []Finding
	add := func(kind, entry, why string, sev Severity) {
		out = append(out, Finding{
			Kind: InsecureRpath, Severity: sev,
			Summary: fmt.Sprintf("%s entry %q %s", kind, entry, why),
			Fix:     "use $ORIGIN-relative entries ($ORIGIN/../lib) or none; with Go: -ldflags '-extldflags \"-Wl,-rpath,$ORIGIN/../lib\"'; fix an existing file with patchelf --set-rpath",
			Subject: map[string]string{"path": entry},
		})
	}
	check := func(kind string, entries []string) {
		for _, e := range entries {
			if opts.NoRpath {
				add(kind, e, "(--no-rpath: no run-time search path allowed)", Error)
				continue
			}
			if why := rpathProblem(e, opts); why != "" {
				add(kind, e, why, Warning)
			}
		}
	}
	switch b.Format {
	case "elf":
		check("RPATH", b.Rpath)
		check("RUNPATH", b.Runpath)
	case "macho":
		check("LC_RPATH", b.Runpath)
	}
	return out
}

// rpathProblem says what is wrong with one search path entry, or "".
func rpathProblem(e string, opts VerifyOptions) string {
	switch {
	case e == "":
		return "is empty: ld.so searches the current directory"
	case strings.HasPrefix(e, "$ORIGIN"), strings.HasPrefix(e, "${ORIGIN}"),
		strings.HasPrefix(e, "@loader_path"), strings.HasPrefix(e, "@executable_path"):
		return ""
	case !strings.HasPrefix(e, "/") && !strings.HasPrefix(e, "$"):
		return "is relative: it is resolved against the current directory, not the binary"
	}
	for _, t := range []string{"/tmp", "/var/tmp", "/dev/shm"} {
		if hasPathPrefix(e, t) {
			return "is under " + t + ", which anyone can write to"
		}
	}
	for _, d := range opts.BuildDirs {
		if d != "" && hasPathPrefix(e, path.Clean(d)) {
			return "points into the build tree (" + d + ")"
		}
	}
	for _, m := range buildTreeMarkers {
		if strings.Contains(e, m) {
			return "looks like a build directory (" + strings.Trim(m, "/") + ")"
		}
	}
	if !strings.Contains(e, "$") {
		var fi fs.FileInfo
		var err error
		if opts.FS != nil {
			fi, err = fs.Stat(opts.FS, fsName(e))
		} else {
			fi, err = os.Stat(opts.Root + e)
		}
		if err == nil && fi.IsDir() && fi.Mode().Perm()&0o002 != 0 {
			return "is a world-writable directory"
		}
	}
	return ""
}
