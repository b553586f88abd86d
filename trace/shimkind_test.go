package trace

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/cgotrace/cgotrace/pkgconfig"
)

// TestNewShimKind: cgotrace build's PKG_CONFIG is the C shim, built into
// the user cache, with the Go shim (Self) as its fallback; CGOTRACE_SHIM=go,
// no host C compiler, or a cache path that go would split into words
// give the Go shim.
func TestNewShimKind(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the C shim is Linux only")
	}
	if _, err := exec.LookPath("pkg-config"); err != nil {
		t.Skip("pkg-config not installed: no shim without it")
	}
	hasCC := false
	for _, cc := range []string{"cc", "gcc"} {
		if _, err := exec.LookPath(cc); err == nil {
			hasCC = true
		}
	}
	if !hasCC {
		t.Skip("no host C compiler (cc or gcc) to build the C shim")
	}
	self := "/opt/cgotrace/bin/cgotrace"
	get := func(env []string, k string) string {
		v := ""
		for _, e := range env {
			if strings.HasPrefix(e, k+"=") {
				v = strings.TrimPrefix(e, k+"=")
			}
		}
		return v
	}
	cache := t.TempDir()
	base := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	for _, c := range []struct {
		name  string
		env   []string
		wantC bool
	}{
		{"default", []string{"XDG_CACHE_HOME=" + cache}, true},
		{"CGOTRACE_SHIM=go", []string{"XDG_CACHE_HOME=" + cache, EnvShimKind + "=go"}, false},
		{"no host compiler", []string{"XDG_CACHE_HOME=" + cache, pkgconfig.EnvHostCC + "=/nonexistent/cc"}, false},
		{"blank in cache path", []string{"XDG_CACHE_HOME=" + filepath.Join(t.TempDir(), "a b")}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newShim(BuildOptions{Self: self, Env: append(append([]string(nil), base...), c.env...)})
			if s == nil {
				t.Fatal("no shim")
			}
			defer s.cleanup()
			pc, fb := get(s.env, "PKG_CONFIG"), get(s.env, pkgconfig.EnvShimFallback)
			if c.wantC {
				if !strings.HasPrefix(pc, filepath.Join(cache, "cgotrace", "pkg-config-shim")+"/") || fb != self || s.self != pc {
					t.Errorf("PKG_CONFIG=%s fallback %q self %s; want the C shim in %s, fallback %s", pc, fb, s.self, cache, self)
				}
			} else if pc != self || fb != "" || s.self != self {
				t.Errorf("PKG_CONFIG=%s fallback %q self %s; want the Go shim %s", pc, fb, s.self, self)
			}
			if get(s.env, pkgconfig.EnvShimReal) == "" || get(s.env, pkgconfig.EnvShimRecord) != s.record {
				t.Errorf("env %q", s.env)
			}
		})
	}
}
