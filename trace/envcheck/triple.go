package envcheck

import (
	"strings"
)

// ParseTriple maps a compiler target triple (gcc/clang -dumpmachine:
// "x86_64-linux-gnu", "aarch64-linux-gnu", "x86_64-w64-mingw32",
// "arm64-apple-darwin23.0.0") to GOOS and GOARCH.
func ParseTriple(triple string) (goos, goarch string, ok bool) {
	parts := strings.Split(strings.ToLower(strings.TrimSpace(triple)), "-")
	if len(parts) < 2 {
		return "", "", false
	}
	a := parts[0]
	switch {
	case a == "x86_64" || a == "amd64" || a == "x86_64h":
		goarch = "amd64"
	case len(a) == 4 && a[0] == 'i' && strings.HasSuffix(a, "86"):
		goarch = "386"
	case a == "aarch64" || a == "arm64" || a == "arm64e":
		goarch = "arm64"
	case a == "aarch64_be":
		goarch = "arm64be"
	case strings.HasPrefix(a, "arm") || strings.HasPrefix(a, "thumb"):
		goarch = "arm"
	case a == "riscv64":
		goarch = "riscv64"
	case a == "powerpc64le" || a == "ppc64le":
		goarch = "ppc64le"
	case a == "powerpc64" || a == "ppc64":
		goarch = "ppc64"
	case a == "s390x":
		goarch = "s390x"
	case a == "mips64el" || a == "mipsisa64r6el":
		goarch = "mips64le"
	case a == "mips64" || a == "mipsisa64r6":
		goarch = "mips64"
	case a == "mipsel" || a == "mipsisa32r6el":
		goarch = "mipsle"
	case a == "mips" || a == "mipsisa32r6":
		goarch = "mips"
	case a == "loongarch64":
		goarch = "loong64"
	case a == "wasm32":
		goarch = "wasm"
	default:
		return "", "", false
	}
	rest := strings.Join(parts[1:], "-")
	switch {
	case strings.Contains(rest, "android"):
		goos = "android"
	case strings.Contains(rest, "linux"):
		goos = "linux"
	case strings.Contains(rest, "darwin") || strings.Contains(rest, "macos"):
		goos = "darwin"
	case strings.Contains(rest, "ios"):
		goos = "ios"
	case strings.Contains(rest, "apple"):
		goos = "darwin"
	case strings.Contains(rest, "mingw") || strings.Contains(rest, "windows") || strings.Contains(rest, "cygwin"):
		goos = "windows"
	case strings.Contains(rest, "freebsd"):
		goos = "freebsd"
	case strings.Contains(rest, "netbsd"):
		goos = "netbsd"
	case strings.Contains(rest, "openbsd"):
		goos = "openbsd"
	case strings.Contains(rest, "dragonfly"):
		goos = "dragonfly"
	case strings.Contains(rest, "solaris"):
		goos = "solaris"
	case strings.Contains(rest, "illumos"):
		goos = "illumos"
	case strings.Contains(rest, "aix"):
		goos = "aix"
	case strings.Contains(rest, "wasi"):
		goos = "wasip1"
	default:
		return "", goarch, false
	}
	return goos, goarch, true
}

// TargetMatches reports whether a compiler for tos/tarch (from its triple)
// builds objects go can link for goos/goarch. A 64-bit x86 compiler also
// builds 386 code with the -m32 go passes (if its multilib is installed,
// which the compile probe finds out); darwin and ios share compilers.
func TargetMatches(tos, tarch, goos, goarch string) bool {
	osOK := tos == goos ||
		(tos == "darwin" && goos == "ios") || (tos == "ios" && goos == "darwin") ||
		(tos == "solaris" && goos == "illumos") || (tos == "illumos" && goos == "solaris") ||
		(tos == "linux" && goos == "android")
	archOK := tarch == goarch || (tarch == "amd64" && goarch == "386")
	return osOK && archOK
}

// CrossCompilerNames lists the usual names of a C cross compiler for
// goos/goarch, most common first (Debian's gcc-*-linux-gnu packages,
// musl-cross, mingw-w64).
func CrossCompilerNames(goos, goarch string) []string {
	switch goos + "/" + goarch {
	case "linux/amd64":
		return []string{"x86_64-linux-gnu-gcc", "x86_64-linux-musl-gcc"}
	case "linux/386":
		return []string{"i686-linux-gnu-gcc", "i686-linux-musl-gcc"}
	case "linux/arm64":
		return []string{"aarch64-linux-gnu-gcc", "aarch64-linux-musl-gcc"}
	case "linux/arm":
		return []string{"arm-linux-gnueabihf-gcc", "arm-linux-gnueabi-gcc", "arm-linux-musleabihf-gcc"}
	case "linux/riscv64":
		return []string{"riscv64-linux-gnu-gcc", "riscv64-linux-musl-gcc"}
	case "linux/ppc64le":
		return []string{"powerpc64le-linux-gnu-gcc"}
	case "linux/ppc64":
		return []string{"powerpc64-linux-gnu-gcc"}
	case "linux/s390x":
		return []string{"s390x-linux-gnu-gcc"}
	case "linux/mips64le":
		return []string{"mips64el-linux-gnuabi64-gcc"}
	case "linux/mips64":
		return []string{"mips64-linux-gnuabi64-gcc"}
	case "linux/mipsle":
		return []string{"mipsel-linux-gnu-gcc"}
	case "linux/mips":
		return []string{"mips-linux-gnu-gcc"}
	case "linux/loong64":
		return []string{"loongarch64-linux-gnu-gcc"}
	case "windows/amd64":
		return []string{"x86_64-w64-mingw32-gcc"}
	case "windows/386":
		return []string{"i686-w64-mingw32-gcc"}
	case "windows/arm64":
		return []string{"aarch64-w64-mingw32-clang"}
	case "darwin/amd64":
		return []string{"o64-clang", "x86_64-apple-darwin-clang"}
	case "darwin/arm64":
		return []string{"oa64-clang", "aarch64-apple-darwin-clang"}
	case "android/arm64":
		return []string{"aarch64-linux-android21-clang"}
	}
	return nil
}

// debianCrossPackage names the Debian package of a cross compiler binary,
// as a hint.
func debianCrossPackage(name string) string {
	switch {
	case strings.HasSuffix(name, "-w64-mingw32-gcc"):
		return "gcc-mingw-w64"
	case debianCrossGCC[strings.TrimSuffix(name, "-gcc")]:
		return "gcc-" + strings.TrimSuffix(name, "-gcc")
	}
	return ""
}

// debianCrossGCC are the targets whose gcc-<triplet> Debian 12's index
// has (checked by TestCrossLibcPackagesExist where apt-cache is):
// bookworm has no gcc-loongarch64-linux-gnu, for one, and the amd64
// index this was checked with has no cross compiler for x86_64 (a Debian
// name has no "_" either: it would not be gcc-x86_64-linux-gnu).
var debianCrossGCC = map[string]bool{
	"i686-linux-gnu": true, "aarch64-linux-gnu": true,
	"arm-linux-gnueabihf": true, "arm-linux-gnueabi": true, "riscv64-linux-gnu": true,
	"powerpc64le-linux-gnu": true, "powerpc64-linux-gnu": true, "s390x-linux-gnu": true,
	"mips64el-linux-gnuabi64": true, "mips64-linux-gnuabi64": true, "mipsel-linux-gnu": true,
	"mips-linux-gnu": true,
}
