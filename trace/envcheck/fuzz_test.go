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
