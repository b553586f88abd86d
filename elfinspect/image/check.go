package image

import (
	"debug/elf"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/cgotrace/cgotrace/elfinspect"
)

// binDirs are where Binaries looks for executables after the config's
// Entrypoint and Cmd.
var binDirs = []string{"/usr/local/bin", "/usr/local/sbin", "/usr/bin", "/usr/sbin", "/bin", "/sbin", "/app", "/opt"}

// MaxBinaries bounds what Binaries lists without paths.
const MaxBinaries = 5000

// Binaries lists the ELF files a user of the image would run: the
// Entrypoint's (or else Cmd's) program first, then executable ELF files
// under the usual bin directories (one level below /app and /opt too),
// each file once, at most MaxBinaries.
func (im *Image) Binaries() []string {
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		rp := im.realpath(p)
		if rp == "" || seen[rp] || !im.FS.IsELF(strings.TrimPrefix(rp, "/")) || len(out) >= MaxBinaries {
			return
		}
		seen[rp] = true
		out = append(out, p)
	}
	if prog := im.program(); prog != "" {
		add(prog)
	}
	var walk func(dir string, depth int)
	walk = func(dir string, depth int) {
		ents, err := im.FS.ReadDir(strings.TrimPrefix(dir, "/"))
		if err != nil {
			return
		}
		for _, e := range ents {
			p := path.Join(dir, e.Name())
			switch {
			case e.IsDir():
				if depth > 0 {
					walk(p, depth-1)
				}
			case e.Type().IsRegular():
				if fi, err := e.Info(); err == nil && fi.Mode().Perm()&0o111 != 0 {
					add(p)
				}
			}
		}
	}
	for _, d := range binDirs {
		depth := 0
		if d == "/app" || d == "/opt" {
			depth = 2
		}
		walk(d, depth)
	}
	return out
}

// program is the path of the program the image runs: Entrypoint[0],
// else Cmd[0], looked up in the config's PATH when it has no slash.
func (im *Image) program() string {
	argv := im.Entrypoint
	if len(argv) == 0 {
		argv = im.Cmd
	}
	if len(argv) == 0 || argv[0] == "" {
		return ""
	}
	p := argv[0]
	if strings.Contains(p, "/") {
		if !path.IsAbs(p) {
			p = path.Join("/", im.WorkingDir, p)
		}
		return path.Clean(p)
	}
	pathEnv := "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	for _, e := range im.Env {
		if v, ok := strings.CutPrefix(e, "PATH="); ok {
			pathEnv = v
		}
	}
	for _, d := range strings.Split(pathEnv, ":") {
		c := path.Join("/", d, p)
		if fi, err := im.FS.Stat(strings.TrimPrefix(c, "/")); err == nil && fi.Mode().IsRegular() {
			return c
		}
	}
	return ""
}

// realpath is the absolute symlink-free path of p, or "".
func (im *Image) realpath(p string) string {
	e, err := im.FS.resolve("stat", strings.TrimPrefix(path.Clean("/"+p), "/"), true)
	if err != nil {
		return ""
	}
	return "/" + strings.TrimPrefix(e.name, ".")
}

// LibcFacts is what the image's C library is.
type LibcFacts struct {
	// Libc is "glibc", "musl", "both" or "" (none: scratch, distroless
	// static).
	Libc string
	// GlibcVersion is the highest GLIBC_ version libc.so.6 defines.
	GlibcVersion string
	// GlibcPath is the libc.so.6 it was read from.
	GlibcPath string
	// MuslLoader is musl's /lib/ld-musl-ARCH.so.1.
	MuslLoader string
}

// multiarch is the Debian multiarch directory name of a Go architecture.
var multiarch = map[string]string{
	"amd64": "x86_64-linux-gnu", "arm64": "aarch64-linux-gnu", "386": "i386-linux-gnu",
	"arm": "arm-linux-gnueabihf", "ppc64le": "powerpc64le-linux-gnu", "s390x": "s390x-linux-gnu",
	"riscv64": "riscv64-linux-gnu",
}

// muslArch is musl's name of a Go architecture (ld-musl-ARCH.so.1).
var muslArch = map[string]string{
	"amd64": "x86_64", "arm64": "aarch64", "386": "i386", "arm": "armhf", "ppc64le": "powerpc64le",
	"s390x": "s390x", "riscv64": "riscv64",
}

// elfMachine is elfinspect's machine name of a Go architecture.
var elfMachine = map[string]string{
	"amd64": "x86-64", "arm64": "aarch64", "386": "i386", "arm": "arm", "ppc64le": "ppc64",
	"s390x": "s390", "riscv64": "riscv", "loong64": "loongarch", "mips64le": "mips", "mips64": "mips",
}

func (im *Image) arch() string {
	a := strings.Split(im.Platform, "/")
	if len(a) < 2 {
		return ""
	}
	return a[1]
}

// Libc finds the image's C library in the directories its loader
// searches by default.
func (im *Image) Libc() LibcFacts {
	var f LibcFacts
	arch := im.arch()
	dirs := []string{"/lib64", "/usr/lib64", "/lib", "/usr/lib"}
	if m := multiarch[arch]; m != "" {
		dirs = append([]string{"/lib/" + m, "/usr/lib/" + m}, dirs...)
	}
	for _, d := range dirs {
		p := d + "/libc.so.6"
		if im.FS.IsELF(strings.TrimPrefix(p, "/")) {
			f.GlibcPath = p
			f.GlibcVersion = im.glibcVersion(p)
			break
		}
	}
	if m := muslArch[arch]; m != "" {
		p := "/lib/ld-musl-" + m + ".so.1"
		if im.FS.IsELF(strings.TrimPrefix(p, "/")) {
			f.MuslLoader = p
		}
	}
	switch {
	case f.GlibcPath != "" && f.MuslLoader != "":
		f.Libc = "both"
	case f.GlibcPath != "":
		f.Libc = "glibc"
	case f.MuslLoader != "":
		f.Libc = "musl"
	}
	return f
}

// glibcVersion is the highest GLIBC_x.y that the libc.so.6 at p defines.
func (im *Image) glibcVersion(p string) string {
	im.mu.Lock()
	defer im.mu.Unlock()
	if v, ok := im.glibcVersions[p]; ok {
		return v
	}
	v := im.readGlibcVersion(p)
	if im.glibcVersions == nil {
		im.glibcVersions = map[string]string{}
	}
	im.glibcVersions[p] = v
	return v
}

func (im *Image) readGlibcVersion(p string) string {
	r, err := im.FS.Open(strings.TrimPrefix(p, "/"))
	if err != nil {
		return ""
	}
	defer r.Close()
	ra, ok := r.(io.ReaderAt)
	if !ok {
		return ""
	}
	ef, err := elf.NewFile(ra)
	if err != nil {
		return ""
	}
	vs, err := ef.DynamicVersions()
	if err != nil {
		return ""
	}
	best := ""
	for _, v := range vs {
		if n, ok := strings.CutPrefix(v.Name, "GLIBC_"); ok && elfinspect.IsVersion(n) {
			if best == "" || elfinspect.CompareVersions(n, best) > 0 {
				best = n
			}
		}
	}
	return best
}

// binaryLibc is the C library an ELF binary was built for: from its
// interpreter, else its libc dependency; "" for a static binary.
func binaryLibc(b *elfinspect.Binary) string {
	switch {
	case strings.Contains(b.Interpreter, "ld-musl-"):
		return "musl"
	case strings.Contains(b.Interpreter, "ld-linux"), strings.Contains(b.Interpreter, "ld64.so"):
		return "glibc"
	}
	for _, n := range b.Needed {
		switch {
		case n == "libc.so.6":
			return "glibc"
		case strings.HasPrefix(n, "libc.musl-"), n == "libc.so":
			return "musl"
		}
	}
	return ""
}

// Check adds to b.Diagnoses what the image's loader (or the kernel)
// would refuse beyond missing libraries, and returns those findings: no
// execute permission, another architecture, an interpreter the image
// does not have (libc-mismatch when the image has the other C library),
// a glibc older than the binary needs. A missing interpreter's
// runtime-library-missing finding is replaced by the more precise one.
func (im *Image) Check(b *elfinspect.Binary, libc LibcFacts) []elfinspect.Finding {
	if b.Format != "elf" {
		return nil
	}
	var out []elfinspect.Finding
	name := path.Base(b.Path)
	exe := b.Type == "exec" || (b.PIE && b.Interpreter != "") || b.Static
	if fi, err := im.FS.Stat(strings.TrimPrefix(path.Clean("/"+b.Path), "/")); err == nil && exe && fi.Mode().Perm()&0o111 == 0 {
		out = append(out, elfinspect.Finding{
			Kind: elfinspect.NotRunnable, Severity: elfinspect.Error,
			Summary: fmt.Sprintf("%s is not executable in the image (mode %04o): exec fails with permission denied", b.Path, fi.Mode().Perm()),
			Fix:     "make it executable in the stage that copies it: COPY --chmod=0755, or RUN chmod +x " + b.Path,
			Subject: map[string]string{"reason": "mode", "path": b.Path},
		})
	}
	if want := elfMachine[im.arch()]; want != "" && b.Machine != "" && b.Machine != want {
		out = append(out, elfinspect.Finding{
			Kind: elfinspect.NotRunnable, Severity: elfinspect.Error,
			Summary: fmt.Sprintf("%s is built for %s, the image is %s: exec fails with exec format error", name, b.Machine, im.Platform),
			Fix:     fmt.Sprintf("build for %s (GOARCH=%s, and a C cross compiler as CC with cgo), or choose the image of the binary's platform with --platform", im.Platform, im.arch()),
			Subject: map[string]string{"reason": "architecture", "machine": b.Machine, "platform": im.Platform},
		})
	}
	for i, d := range b.Diagnoses {
		if d.Kind == elfinspect.RuntimeLibraryMissing && d.Severity == elfinspect.Error {
			b.Diagnoses[i].Fix = FixMissing(d.Subject["library"])
		}
	}
	bl := binaryLibc(b)
	if b.Interpreter != "" && slices.Contains(b.Missing, b.Interpreter) {
		// Drop the interpreter's runtime-library-missing: what follows
		// says it better.
		kept := b.Diagnoses[:0]
		for _, d := range b.Diagnoses {
			if d.Kind == elfinspect.RuntimeLibraryMissing && d.Subject["library"] == b.Interpreter {
				continue
			}
			kept = append(kept, d)
		}
		// The loader never runs: what it would not find is moot until
		// the interpreter is there. Keep it, as information.
		for i, d := range kept {
			if d.Kind == elfinspect.RuntimeLibraryMissing && d.Severity == elfinspect.Error {
				kept[i].Severity = elfinspect.Info
				kept[i].Summary += " (moot while the interpreter is missing: nothing is loaded)"
			}
		}
		b.Diagnoses = kept
		if bl != "" && (libc.Libc == "glibc" || libc.Libc == "musl") && libc.Libc != bl {
			fix := "build static (CGO_ENABLED=0, or -ldflags '-linkmode external -extldflags \"-static\"'), or build in the runtime image's C library: "
			if libc.Libc == "musl" {
				fix += "build on golang:alpine (musl) for an Alpine image, or change the base image to one with glibc (debian:bookworm-slim, distroless/base)"
			} else {
				fix += "build with glibc (golang:bookworm) for a glibc image, or change the base image to alpine (musl)"
			}
			out = append(out, elfinspect.Finding{
				Kind: elfinspect.LibcMismatch, Severity: elfinspect.Error,
				Summary: fmt.Sprintf("%s is built for %s (interpreter %s), the image has %s only: exec fails with no such file or directory", name, bl, b.Interpreter, libc.Libc),
				Fix:     fix,
				Subject: map[string]string{"binary_libc": bl, "image_libc": libc.Libc, "interpreter": b.Interpreter},
			})
		} else {
			has := "no C library at all (scratch or distroless/static)"
			if libc.Libc != "" {
				has = libc.Libc
				if libc.GlibcPath != "" {
					has += " (" + libc.GlibcPath + ")"
				}
			}
			fix := "build static (CGO_ENABLED=0, or -ldflags '-linkmode external -extldflags \"-static\"' -tags netgo,osusergo), or change the base image to one with "
			if bl == "musl" {
				fix += "musl (alpine)"
			} else {
				fix += "glibc (debian:bookworm-slim, gcr.io/distroless/base, ubuntu)"
			}
			out = append(out, elfinspect.Finding{
				Kind: elfinspect.InterpreterMissing, Severity: elfinspect.Error,
				Summary: fmt.Sprintf("%s: its interpreter %s is not in the image, which has %s: exec fails with no such file or directory", name, b.Interpreter, has),
				Fix:     fix,
				Subject: map[string]string{"interpreter": b.Interpreter},
			})
		}
	}
	if bl == "glibc" && b.GlibcMin != "" {
		glibcPath, ver := libc.GlibcPath, libc.GlibcVersion
		for _, l := range b.Libraries {
			if l.Name == "libc.so.6" && l.Found {
				glibcPath, ver = l.Path, im.glibcVersion(l.Path)
				break
			}
		}
		if ver != "" && elfinspect.CompareVersions(b.GlibcMin, ver) > 0 {
			var ev []string
			if r, err := im.FS.Open(strings.TrimPrefix(path.Clean("/"+b.Path), "/")); err == nil {
				if ra, ok := r.(io.ReaderAt); ok {
					ev = elfinspect.SymbolsAtVersion(ra, "GLIBC_"+b.GlibcMin)
				}
				r.Close()
			}
			out = append(out, elfinspect.Finding{
				Kind: elfinspect.GlibcTooNew, Severity: elfinspect.Error,
				Summary: fmt.Sprintf("needs GLIBC_%s, the image's glibc is %s (%s): the loader stops with version `GLIBC_%s' not found", b.GlibcMin, ver, glibcPath, b.GlibcMin),
				Fix: fmt.Sprintf("change the base image to one with glibc >= %s, or build on the runtime image's distribution (a builder stage FROM the same release), or build static (CGO_ENABLED=0 or musl)",
					b.GlibcMin),
				Subject:  map[string]string{"version": b.GlibcMin, "image_glibc": ver},
				Evidence: ev,
			})
		}
	}
	b.Diagnoses = append(b.Diagnoses, out...)
	return out
}

// FixMissing is the image-specific fix for a library missing in the
// image; it replaces the generic one in runtime-library-missing findings.
func FixMissing(lib string) string {
	return "install the package that provides " + lib + " in the final stage (apt-get install / apk add), or copy it from the build stage (COPY --from=build /usr/lib/.../" + lib + " /usr/lib/), or build static"
}

// FS is what elfinspect.Options.FS wants.
var (
	_ fs.ReadLinkFS = (*FS)(nil)
	_ fs.ReadDirFS  = (*FS)(nil)
	_ fs.StatFS     = (*FS)(nil)
)
