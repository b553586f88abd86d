package elfinspect

import (
	"bufio"
	"bytes"
	"debug/elf"
	"fmt"
	"os"
	"path"
	"runtime"
	"strings"
)

// targetKey identifies the ABI of a main executable: its libraries must
// have the same class, byte order and machine.
type targetKey struct {
	class   elf.Class
	data    elf.Data
	machine elf.Machine
}

// elfTarget is what glibc's ld.so compiled for one ABI would use: its
// default directories, $LIB, $PLATFORM, glibc-hwcaps subdirectories and
// the ld.so.cache flags it accepts.
type elfTarget struct {
	key         targetKey
	id          string // distinguishes targets in the search memo
	musl        bool
	defaultDirs []string
	lib         string
	platform    string
	hwcaps      []string
	cacheFlags  func(int32) bool
	// legacy are the legacy hwcaps subdirectories (glibc ≤ 2.36),
	// searched after glibc-hwcaps/, best first.
	legacy []string
	// plain is the search list of objects with no RPATH, RUNPATH or
	// LD_LIBRARY_PATH of their own (see searchListOf).
	plain *searchList
}

var multiarch = map[targetKey]string{
	{elf.ELFCLASS64, elf.ELFDATA2LSB, elf.EM_X86_64}:    "x86_64-linux-gnu",
	{elf.ELFCLASS32, elf.ELFDATA2LSB, elf.EM_X86_64}:    "x86_64-linux-gnux32",
	{elf.ELFCLASS32, elf.ELFDATA2LSB, elf.EM_386}:       "i386-linux-gnu",
	{elf.ELFCLASS64, elf.ELFDATA2LSB, elf.EM_AARCH64}:   "aarch64-linux-gnu",
	{elf.ELFCLASS32, elf.ELFDATA2LSB, elf.EM_ARM}:       "arm-linux-gnueabihf",
	{elf.ELFCLASS64, elf.ELFDATA2LSB, elf.EM_RISCV}:     "riscv64-linux-gnu",
	{elf.ELFCLASS64, elf.ELFDATA2LSB, elf.EM_PPC64}:     "powerpc64le-linux-gnu",
	{elf.ELFCLASS64, elf.ELFDATA2MSB, elf.EM_S390}:      "s390x-linux-gnu",
	{elf.ELFCLASS64, elf.ELFDATA2LSB, elf.EM_LOONGARCH}: "loongarch64-linux-gnu",
}

// hostMachine is the ELF machine of the CPU cgotrace runs on.
func hostMachine() elf.Machine {
	switch runtime.GOARCH {
	case "amd64":
		return elf.EM_X86_64
	case "386":
		return elf.EM_386
	case "arm64":
		return elf.EM_AARCH64
	case "arm":
		return elf.EM_ARM
	case "riscv64":
		return elf.EM_RISCV
	case "ppc64le", "ppc64":
		return elf.EM_PPC64
	case "s390x":
		return elf.EM_S390
	case "loong64":
		return elf.EM_LOONGARCH
	}
	return elf.EM_NONE
}

func (in *Inspector) target(o *elfObject) *elfTarget {
	k := targetKey{o.class, o.data, o.machine}
	if t, ok := in.elfTargets[k]; ok && t.musl == isMuslInterp(o.interp) {
		return t
	}
	t := &elfTarget{key: k, musl: isMuslInterp(o.interp)}
	triplet := multiarch[k]
	debian := triplet != "" && (in.isDir("/lib/"+triplet) || in.isDir("/usr/lib/"+triplet))
	var ldso *ldsoFacts
	if !t.musl {
		ldso = in.ldso(o.interp, k)
	}
	switch {
	case t.musl:
		t.defaultDirs = in.muslPath(o.interp)
		t.lib = "lib"
	case len(ldso.systemDirs) > 0:
		// The target's own ld.so says which directories it searches
		// (what `ld.so --help` lists as "system search path").
		t.defaultDirs = ldso.systemDirs
		// $LIB is the first of them, slibdir: lib64 upstream on
		// x86-64, lib/x86_64-linux-gnu on Debian.
		t.lib = strings.TrimPrefix(ldso.systemDirs[0], "/")
	case debian:
		t.defaultDirs = []string{"/lib/" + triplet, "/usr/lib/" + triplet, "/lib", "/usr/lib"}
		t.lib = "lib/" + triplet
	case o.class == elf.ELFCLASS64:
		t.defaultDirs = []string{"/lib64", "/usr/lib64"}
		t.lib = "lib64"
	default:
		t.defaultDirs = []string{"/lib", "/usr/lib"}
		t.lib = "lib"
	}
	if in.opts.Lib != "" {
		t.lib = in.opts.Lib
	}
	native := o.machine == hostMachine()
	t.platform = in.opts.Platform
	if t.platform == "" {
		t.platform = in.platform(o, native)
	}
	switch {
	case in.opts.HWCaps != nil:
		t.hwcaps = in.opts.HWCaps
	case native && o.machine == elf.EM_X86_64 && o.class == elf.ELFCLASS64 && !t.musl:
		t.hwcaps = in.x86HWCaps()
		// glibc-hwcaps/ came with glibc 2.33; the legacy subdirectories
		// (tls/, haswell/, x86_64/ ...) went with 2.37. The version is
		// the target's own: its ld.so's, read, never run.
		if v := in.glibcVersion(o.interp, k); v != "" {
			if compareVersions(v, "2.33") < 0 {
				t.hwcaps = nil
			}
			if compareVersions(v, "2.37") < 0 {
				t.legacy = in.legacyHWCaps(t.platform)
			}
		}
	}
	t.cacheFlags = cacheFlagsFor(k)
	t.id = fmt.Sprintf("%d/%d/%d/%v", k.class, k.data, k.machine, t.musl)
	in.elfTargets[k] = t
	return t
}

func isMuslInterp(interp string) bool { return strings.Contains(path.Base(interp), "ld-musl-") }

// muslPath is musl's library path: /etc/ld-musl-ARCH.path or its default.
func (in *Inspector) muslPath(interp string) []string {
	arch := strings.TrimSuffix(strings.TrimPrefix(path.Base(interp), "ld-musl-"), ".so.1")
	if b, err := in.readFile("/etc/ld-musl-" + arch + ".path"); err == nil {
		var dirs []string
		for _, f := range strings.FieldsFunc(string(b), func(r rune) bool { return r == ':' || r == '\n' }) {
			if f = strings.TrimSpace(f); f != "" {
				dirs = append(dirs, f)
			}
		}
		return dirs
	}
	return []string{"/lib", "/usr/local/lib", "/usr/lib"}
}

func cacheFlagsFor(k targetKey) func(int32) bool {
	want := int32(-1)
	switch {
	case k.machine == elf.EM_X86_64 && k.class == elf.ELFCLASS64:
		want = ldCacheFlagELFLibc6 | ldCacheFlagX8664Lib64
	case k.machine == elf.EM_X86_64:
		want = ldCacheFlagELFLibc6 | ldCacheFlagX8664LibX32
	case k.machine == elf.EM_AARCH64:
		want = ldCacheFlagELFLibc6 | ldCacheFlagAArch64
	case k.machine == elf.EM_386:
		return func(f int32) bool { return f == ldCacheFlagELF || f == ldCacheFlagELFLibc6 }
	}
	if want >= 0 {
		return func(f int32) bool { return f == want }
	}
	// Unknown ABI: accept libc6 entries; candidates are checked for the
	// right class and machine anyway.
	return func(f int32) bool {
		t := f & ldCacheFlagTypeMask
		return t == ldCacheFlagELFLibc6 || t == ldCacheFlagELF
	}
}

// defaultInterp is the program interpreter of glibc for a target, used
// for the glibc version when the object has no PT_INTERP (a library).
var defaultInterp = map[targetKey]string{
	{elf.ELFCLASS64, elf.ELFDATA2LSB, elf.EM_X86_64}:  "/lib64/ld-linux-x86-64.so.2",
	{elf.ELFCLASS64, elf.ELFDATA2LSB, elf.EM_AARCH64}: "/lib/ld-linux-aarch64.so.1",
	{elf.ELFCLASS32, elf.ELFDATA2LSB, elf.EM_386}:     "/lib/ld-linux.so.2",
}

// ldsoFacts is what a glibc ld.so file says about itself, read, never
// run.
type ldsoFacts struct {
	// version is the glibc release ("2.36"), from the "release version
	// X.Y." string (what `ld.so --version` prints).
	version string
	// systemDirs are the compiled-in default directories, in order (what
	// `ld.so --help` lists as "system search path").
	systemDirs []string
}

// glibcVersion is the glibc release of the target's ld.so ("2.36"), or ""
// when the file is not there or says nothing.
func (in *Inspector) glibcVersion(interp string, k targetKey) string {
	return in.ldso(interp, k).version
}

// ldso reads the target's ld.so (the object's PT_INTERP, else glibc's
// usual one for the ABI) once. A file of another ABI says nothing.
func (in *Inspector) ldso(interp string, k targetKey) *ldsoFacts {
	if interp == "" {
		interp = defaultInterp[k]
	}
	if interp == "" {
		return &ldsoFacts{}
	}
	if f, ok := in.ldsos[interp]; ok {
		return f
	}
	f := &ldsoFacts{}
	if b, err := in.readFile(interp); err == nil && elfHeaderIs(b, k) {
		f.version = ldsoVersion(b)
		f.systemDirs = ldsoSystemDirs(b)
	}
	if in.ldsos == nil {
		in.ldsos = map[string]*ldsoFacts{}
	}
	in.ldsos[interp] = f
	return f
}

// elfHeaderIs reports whether b starts with an ELF header of ABI k.
func elfHeaderIs(b []byte, k targetKey) bool {
	if len(b) < 20 || string(b[:4]) != elf.ELFMAG || elf.Class(b[4]) != k.class || elf.Data(b[5]) != k.data {
		return false
	}
	m := uint16(b[18]) | uint16(b[19])<<8
	if k.data == elf.ELFDATA2MSB {
		m = uint16(b[18])<<8 | uint16(b[19])
	}
	return elf.Machine(m) == k.machine
}

func ldsoVersion(b []byte) string {
	const marker = "release version "
	if i := bytes.Index(b, []byte(marker)); i >= 0 {
		rest := b[i+len(marker):]
		j := 0
		for j < len(rest) && j < 16 && (rest[j] == '.' || rest[j] >= '0' && rest[j] <= '9') {
			j++
		}
		if cand := strings.TrimRight(string(rest[:j]), "."); isNumericVersion(cand) {
			return cand
		}
	}
	return ""
}

// ldsoSystemDirs finds glibc's system_dirs in an ld.so (elf/dl-load.c:
// SYSTEM_DIRS, generated from the configured slibdir and libdir, plus a
// distribution's own, such as Debian's multiarch directories): a run of
// NUL-terminated absolute directory names, each ending in a slash, such
// as "/lib/x86_64-linux-gnu/\0/usr/lib/x86_64-linux-gnu/\0/lib/\0/usr/lib/\0".
// The names are returned without the trailing slash.
func ldsoSystemDirs(b []byte) []string {
	sep := []byte("/\x00/")
	for off := 0; ; {
		i := bytes.Index(b[off:], sep)
		if i < 0 {
			return nil
		}
		i += off
		off = i + 1
		// The start of the string that ends at i.
		start := bytes.LastIndexByte(b[:i], 0) + 1
		var dirs []string
		ok := true
		for p := start; p < len(b) && b[p] == '/'; {
			e := bytes.IndexByte(b[p:], 0)
			if e < 0 {
				ok = false
				break
			}
			d := string(b[p : p+e])
			if !isSystemDirName(d) {
				ok = false
				break
			}
			dirs = append(dirs, path.Clean(d))
			p += e + 1
		}
		if ok && len(dirs) >= 2 {
			return dirs
		}
	}
}

// isSystemDirName is an absolute directory name as SYSTEM_DIRS holds
// them: ending in "/", printable, with a "lib" component.
func isSystemDirName(d string) bool {
	if len(d) < 3 || len(d) > 255 || d[0] != '/' || d[len(d)-1] != '/' || !strings.Contains(d, "lib") {
		return false
	}
	for i := 0; i < len(d); i++ {
		if c := d[i]; c <= ' ' || c >= 0x7f {
			return false
		}
	}
	return true
}

// legacyHWCaps are the subdirectories glibc up to 2.36 searches on x86-64
// after glibc-hwcaps/ and before the directory itself: every combination
// of "tls", the platform (haswell or xeon_phi, when $PLATFORM is one) and
// the hwcap names glibc deems important (avx512_1 on Intel CPUs with
// AVX512F/CD/BW/DQ/VL and without AVX512ER, x86_64 always), longest
// first, in the order LD_DEBUG=libs shows on glibc 2.36:
// tls/haswell/avx512_1/x86_64, tls/haswell/avx512_1, ..., tls, haswell/...,
// x86_64.
func (in *Inspector) legacyHWCaps(platform string) []string {
	in.readCPU()
	f := in.cpuFlags
	caps := []string{"tls"}
	if platform == "haswell" || platform == "xeon_phi" {
		caps = append(caps, platform)
	}
	if in.cpuIntel && f["avx512f"] && f["avx512cd"] && !f["avx512er"] && f["avx512bw"] && f["avx512dq"] && f["avx512vl"] {
		caps = append(caps, "avx512_1")
	}
	caps = append(caps, "x86_64")
	n := len(caps)
	out := make([]string, 0, 1<<n-1)
	for mask := 1<<n - 1; mask > 0; mask-- {
		var parts []string
		for i := range caps {
			if mask&(1<<(n-1-i)) != 0 {
				parts = append(parts, caps[i])
			}
		}
		out = append(out, strings.Join(parts, "/"))
	}
	return out
}

// platform is $PLATFORM: glibc 2.26–2.36 on Intel x86-64 sets it to
// "haswell" (or "xeon_phi") from CPU features, otherwise AT_PLATFORM,
// which is the machine name.
func (in *Inspector) platform(o *elfObject, native bool) string {
	switch o.machine {
	case elf.EM_X86_64:
		if o.class == elf.ELFCLASS64 && native {
			in.readCPU()
			f := in.cpuFlags
			if in.cpuIntel && f["avx512cd"] && f["avx512er"] && f["avx512pf"] {
				return "xeon_phi"
			}
			if in.cpuIntel && f["avx2"] && f["fma"] && f["bmi1"] && f["bmi2"] && f["abm"] && f["movbe"] && f["popcnt"] {
				return "haswell"
			}
		}
		return "x86_64"
	case elf.EM_386:
		return "i686"
	case elf.EM_AARCH64:
		return "aarch64"
	}
	return strings.ToLower(strings.TrimPrefix(o.machine.String(), "EM_"))
}

// x86HWCaps are the x86-64 psABI levels this CPU supports, best first, as
// glibc ≥ 2.33 searches glibc-hwcaps/x86-64-vN.
func (in *Inspector) x86HWCaps() []string {
	in.readCPU()
	f := in.cpuFlags
	has := func(names ...string) bool {
		for _, n := range names {
			if !f[n] {
				return false
			}
		}
		return true
	}
	var caps []string
	v2 := has("cx16", "lahf_lm", "popcnt", "sse4_1", "sse4_2", "ssse3")
	v3 := v2 && has("avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe", "xsave")
	v4 := v3 && has("avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl")
	if v4 {
		caps = append(caps, "x86-64-v4")
	}
	if v3 {
		caps = append(caps, "x86-64-v3")
	}
	if v2 {
		caps = append(caps, "x86-64-v2")
	}
	return caps
}

// readCPU reads /proc/cpuinfo's flags once (never the target's root: the
// CPU is this machine's).
func (in *Inspector) readCPU() {
	in.cpuOnce.Do(func() {
		in.cpuFlags = map[string]bool{}
		f, err := os.Open("/proc/cpuinfo")
		if err != nil {
			return
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			k, v, ok := strings.Cut(line, ":")
			if !ok {
				continue
			}
			switch strings.TrimSpace(k) {
			case "vendor_id":
				in.cpuIntel = strings.TrimSpace(v) == "GenuineIntel"
			case "flags":
				for _, fl := range strings.Fields(v) {
					in.cpuFlags[fl] = true
				}
				return
			}
		}
	})
}

func (in *Inspector) isDir(p string) bool {
	if v, ok := in.dirExists[p]; ok {
		return v
	}
	fi, err := in.fs.stat(p)
	v := err == nil && fi.IsDir()
	in.dirExists[p] = v
	return v
}

// maxConfigFile bounds what readFile reads: ld.so.cache, ld.so.conf,
// ld.so.preload, an ld.so for its version string. A root (an unpacked
// image) may hold anything at those paths: a FIFO, a device, a huge file.
const maxConfigFile = 64 << 20

func (in *Inspector) readFile(p string) ([]byte, error) {
	return in.fs.readFileLimited(p, maxConfigFile)
}

// ldCache returns the parsed /etc/ld.so.cache of the root, read once.
func (in *Inspector) ldCache() *ldCache {
	in.cacheOnce.Do(func() {
		b, err := in.readFile("/etc/ld.so.cache")
		if err != nil {
			in.ldcErr = err
			in.log.WithError(err).Debug("no ld.so.cache")
			return
		}
		in.ldc, in.ldcErr = parseLDCache(b)
		if in.ldcErr != nil {
			in.log.WithError(in.ldcErr).Warn("cannot parse ld.so.cache")
		}
	})
	return in.ldc
}

// confDir is a directory listed in ld.so.conf (or a file it includes).
type confDir struct{ dir, file string }

// ldSoConf reads /etc/ld.so.conf and its includes. ld.so never reads it
// (only ldconfig does); it is used to explain a library that sits in a
// configured directory the cache does not list.
func (in *Inspector) ldSoConf() []confDir {
	in.confOnce.Do(func() {
		seen := map[string]bool{}
		var walk func(file string, depth int)
		walk = func(file string, depth int) {
			if depth > 16 || seen[file] {
				return
			}
			seen[file] = true
			b, err := in.readFile(file)
			if err != nil {
				return
			}
			for _, line := range strings.Split(string(b), "\n") {
				if i := strings.IndexByte(line, '#'); i >= 0 {
					line = line[:i]
				}
				line = strings.TrimSpace(line)
				switch {
				case line == "":
				case strings.HasPrefix(line, "include") && len(line) > 7 && (line[7] == ' ' || line[7] == '\t'):
					for _, pat := range strings.Fields(line[8:]) {
						if !path.IsAbs(pat) {
							pat = path.Join(path.Dir(file), pat)
						}
						for _, m := range in.fs.glob(pat) {
							walk(m, depth+1)
						}
					}
				case strings.HasPrefix(line, "hwcap"):
				default:
					for _, d := range strings.FieldsFunc(line, func(r rune) bool { return r == ':' || r == ',' || r == ' ' || r == '\t' }) {
						if i := strings.IndexByte(d, '='); i >= 0 { // old "dir=TYPE" syntax
							d = d[:i]
						}
						in.confDirs = append(in.confDirs, confDir{dir: path.Clean(d), file: file})
					}
				}
			}
		}
		walk("/etc/ld.so.conf", 0)
	})
	return in.confDirs
}

// bytesHasAny reports whether b contains any of subs.
func bytesHasAny(b []byte, subs ...string) bool {
	for _, s := range subs {
		if bytes.Contains(b, []byte(s)) {
			return true
		}
	}
	return false
}
