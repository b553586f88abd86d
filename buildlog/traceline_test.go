package buildlog

import (
	"path"
	"regexp"
	"strings"
	"testing"
)

// Trace lines are from real `go build -x` runs (Go 1.26.8, gcc 12.2.0);
// output lines from the same runs, gcc -v, and the logs in testdata.
func TestIsTraceLine(t *testing.T) {
	trace := []string{
		"WORK=/tmp/go-build3693867346",
		"mkdir -p $WORK/b001/",
		"cd /tmp/x",
		"TERM='dumb' gcc -I . -c x.c",
		`CGO_LDFLAGS="it's" /usr/local/go/pkg/tool/linux_amd64/cgo -objdir $WORK/b001/`,
		"/usr/local/go/pkg/tool/linux_amd64/compile -o $WORK/b001/_pkg_.a -p main",
		`/usr/local/go/pkg/tool/linux_amd64/asm -p runtime -trimpath "$WORK/b013=>" -I $WORK/b013/ -gensymabis -o $WORK/b013/symabis ./asm.s`,
		"pkg-config --cflags -- zlib",
		"/tmp/lay/fakebin/cgotrace --cflags -- zlib", // PKG_CONFIG=/tmp/lay/fakebin/cgotrace
		"/usr/local/bin/cgotrace --libs -- zlib",
		"gcc -fno-caret-diagnostics -c -x c - -o /dev/null || true",
		"aarch64-linux-gnu-gcc -I . -fPIC -c x.c",
		"gcc -I /tmp/exp/ldm -fPIC -o $WORK/b001/_cgo_.o -lgizmo # test for internal linking errors (failed)",
		"echo -n > $WORK/b001/dynimportfail # internal",
		"cat >/tmp/go-build3693867346/b001/importcfg.link << 'EOF' # internal",
		"cp $WORK/b071/_pkg_.a /root/.cache/go-build/d6/d6f88cfd5d5e47306608b274aa5f69398dfc0a3699e9c085c50cf50e0051cfdc-d # internal",
		"mv $WORK/b001/exe/a.out app",
		"rm -rf $WORK/b001/",
		"ln -s $WORK/b001/exe/a.out $WORK/b001/exe/x",
	}
	output := []string{
		"",
		"# example.com/x",
		"# [pkg-config --cflags  -- zlib]", // go's header above a failed pkg-config
		"# [/tmp/lay/fakebin/cgotrace --cflags  -- zlib]", // the same through the shim
		"./main.go:4:10: fatal error: foo.h: No such file or directory",
		"/usr/bin/ld: cannot find -lfoo: No such file or directory",
		"gcc: error: unrecognized command-line option '-marm'",
		"collect2: error: ld returned 1 exit status",
		"    4 | #include <foo.h>",
		"compilation terminated.",
		"Package libfoo was not found in the pkg-config search path.",
		"example.com/x: invalid flag in #cgo LDFLAGS: -Wl,--foo (see https://go.dev/s/invalidflag)",
		"gcc_arm64.S: Assembler messages:",
		"gcc version 12.2.0 (Debian 12.2.0-14+deb12u1) ", // gcc -v
		"/usr/local/go/pkg/tool/linux_amd64/link: running gcc failed: exit status 1",
	}
	for _, l := range trace {
		if !IsTraceLine(l) {
			t.Errorf("IsTraceLine(%q) = false, want true", l)
		}
	}
	for _, l := range output {
		if IsTraceLine(l) {
			t.Errorf("IsTraceLine(%q) = true, want false", l)
		}
	}
}

// FuzzIsTraceLine checks the hand-written matchers (IsTraceLine runs on
// every line of a build) against regexps that say the same.
func FuzzIsTraceLine(f *testing.F) {
	for _, s := range []string{
		`CGO_LDFLAGS='"-g" "-O2"' /usr/lib/go/pkg/tool/linux_amd64/cgo`, `_X1="a"`, `1A='x'`, `A=b`, `=''`,
		"gcc -c x.c", "gcc version 12", "x-gcc-13 -c", "/x/pkgconf --libs -- z", "w --cflags -- z", "a: b",
		"cp a b", "x || true", "ld -o x # internal", "/usr/local/go/pkg/tool/linux_amd64/link -o a.out",
	} {
		f.Add(s)
	}
	envPrefix := regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=('|")`)
	prefix := regexp.MustCompile(`^(WORK=|cd |mkdir -p |cat >|echo |mv |cp |rm -r|ln -s |go tool |touch )`)
	suffix := regexp.MustCompile(`( # internal| # test for internal linking errors \((succeeded|failed)\)| \|\| true)$`)
	firstWord := regexp.MustCompile(`^([^ :\t]*) `)
	goTool := regexp.MustCompile(`^(compile|link|cgo|asm|pack|vet|buildid|cover)$`)
	cc := regexp.MustCompile(`^(.*-)?(gcc|cc|clang|g\+\+|c\+\+|clang\+\+|gfortran)$|^(gcc|clang|g\+\+)-|pkg-config|pkgconf`)
	shim := regexp.MustCompile(` -- .*$`)
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := EnvName(s) != "", envPrefix.MatchString(s); got != want {
			t.Fatalf("EnvName(%q) = %q, regexp says %v", s, EnvName(s), want)
		}
		want := false
		if strings.HasPrefix(s, "#") {
			// go's "# pkg" and "# [pkg-config ...]" headers: never a command
		} else if s != "" && (prefix.MatchString(s) || suffix.MatchString(s) || envPrefix.MatchString(s)) {
			want = true
		} else if m := firstWord.FindStringSubmatch(s); m != nil {
			base := path.Base(m[1])
			flags := strings.Contains(s, " -")
			want = goTool.MatchString(base) || strings.Contains(m[1], "/pkg/tool/") ||
				flags && cc.MatchString(base) ||
				flags && shim.MatchString(s) && (strings.Contains(s, " --cflags") || strings.Contains(s, " --libs"))
		}
		if got := IsTraceLine(s); got != want {
			t.Fatalf("IsTraceLine(%q) = %v, regexps say %v", s, got, want)
		}
	})
}
