package envcheck

import (
	"strings"
	"testing"
)

// FuzzParsers feeds the same string to every small parser of the
// environment (flag splitting, CGO_* flags, target triples, proxy
// redaction): none may panic, and redaction never leaks a password.
func FuzzParsers(f *testing.F) {
	for _, s := range []string{
		"-O2 -g", `-I"/a b" -L ./lib -lfoo`, "-isystem", "x86_64-linux-gnu", "aarch64-linux-gnu",
		"arm64-apple-darwin23.0.0", "https://u:p@corp.example/go|https://proxy.golang.org,direct",
		"'unterminated", "-I", "--sysroot=", "i686-w64-mingw32",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		words, err := SplitQuoted(s)
		if err == nil {
			for _, w := range words {
				if w == "" && !strings.ContainsAny(s, `'"`) {
					t.Errorf("empty word from %q", s)
				}
			}
		}
		CheckCgoFlags("CGO_CFLAGS", s, "/w")
		ParseTriple(s)
		r := RedactProxy(s)
		if strings.Contains(s, "://") && strings.Contains(s, ":SECRETPW@") && strings.Contains(r, "SECRETPW") {
			t.Errorf("RedactProxy(%q) = %q leaks the password", s, r)
		}
	})
}

// FuzzModuleParsers feeds the readers of the module checks (go's error
// text, pseudo-versions, C directory flags, #include and #cgo lines): none
// may panic, and what they return is taken from their input.
func FuzzModuleParsers(f *testing.F) {
	for _, s := range []string{
		// go list -m all with a module missing from the cache (real output).
		"go: example.com/d@v1.0.0: module lookup disabled by GOPROXY=off",
		"go: example.com/a@v1.0.0 requires\n\texample.com/b@v1.2.0: module lookup disabled by GOPROXY=off",
		"v0.0.0-20240101000000-aaaaaaaaaaaa", "v1.2.4-0.20191109021931-daa7c04131f5",
		"-I ${SRCDIR}/include -isystem -L", "// #include \"csrc/impl.h\"\n#include \"a/b.h\"",
		"package p\n\n// #cgo CFLAGS: -I${SRCDIR}/inc\n// #cgo  linux LDFLAGS:\t-lm\nimport \"C\"\n",
		"package p\n/*\n#cgo\n*/\nimport \"C\"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if msg, ok := notChecked(s); ok && !strings.HasPrefix(msg, "not checked: ") {
			t.Errorf("notChecked(%q) = %q", s, msg)
		}
		if IsPseudoVersion(s) && !strings.HasPrefix(s, "v") {
			t.Errorf("IsPseudoVersion(%q) without a v", s)
		}
		dirs, words := flagDirs(strings.Fields(s), "/pkg")
		if len(dirs) != len(words) {
			t.Errorf("flagDirs(%q): %d dirs, %d words", s, len(dirs), len(words))
		}
		for _, sm := range includeRE().FindAllStringSubmatch(s, -1) {
			if !strings.Contains(s, `"`+sm[1]+`"`) {
				t.Errorf("include %q not in %q", sm[1], s)
			}
		}
		for _, l := range cgoDirectives([]byte(s)) {
			if !strings.HasPrefix(l, "#cgo") {
				t.Errorf("cgo line %q from %q", l, s)
			}
		}
	})
}
