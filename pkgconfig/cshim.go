package pkgconfig

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// EnvShimFallback names the program the C shim hands a call over to when
// it cannot start the real pkg-config itself (a relative program name, a
// closed standard descriptor, a failed spawn): the cgotrace executable,
// whose Go shim then says what went wrong. Nothing has been written when
// it does.
const EnvShimFallback = "CGOTRACE_SHIM_FALLBACK"

// EnvHostCC names the host C compiler the C shim is built with, instead
// of cc or gcc on PATH. It must build programs for this machine: $CC is
// not used, as it may be a cross compiler.
const EnvHostCC = "CGOTRACE_HOST_CC"

// cShimSource is the recording shim in C: what cmd/cgotrace's Go shim
// does, without the start of a Go runtime. It writes the same records.
//
//go:embed shim.c.in
var cShimSource []byte

// CShimSource returns the C source of the recording shim.
func CShimSource() []byte { return append([]byte(nil), cShimSource...) }

// CShimOptions says where and with what the C shim is built.
type CShimOptions struct {
	// CacheDir holds the built shims; "" is the user cache directory of
	// Env (os.UserCacheDir's) + cgotrace/pkg-config-shim.
	CacheDir string
	// Env is the environment EnvHostCC, PATH, XDG_CACHE_HOME and HOME
	// are read from, and the compiler runs with; nil is this process's.
	Env Env
	// Timeout bounds a build of the shim; 0 is 20 seconds. A failed
	// build is remembered for an hour: CShim then fails at once.
	Timeout time.Duration
}

// CShim returns the path of the C recording shim, built with the host C
// compiler (EnvHostCC, else the first of musl-gcc, cc and gcc on PATH
// that builds it) into the cache
// directory on first use: statically when the C library allows it, else
// dynamically. The cached program is named by a hash of its source, the
// compiler (its resolved path, size and modification time, which change
// when it is upgraded) and the platform, and is put in place with an
// atomic rename after a test run, so that concurrent cgotrace runs never
// see a half-written or broken program. An error means there is no C
// shim (no host compiler, a failed build): the caller falls back to the
// Go shim. It is Linux only (the shim uses pipe2 and posix_spawn as the
// Go shim's fast path uses Linux calls).
func CShim(opts CShimOptions) (string, error) {
	if runtime.GOOS != "linux" {
		return "", errors.New("c shim: linux only")
	}
	env := opts.Env
	if env == nil {
		env = Env(os.Environ())
	}
	ccs, err := hostCCs(env)
	if err != nil {
		return "", err
	}
	dir := opts.CacheDir
	if dir == "" {
		base, err := userCacheDir(env)
		if err != nil {
			return "", fmt.Errorf("c shim: %w", err)
		}
		dir = filepath.Join(base, "cgotrace", "pkg-config-shim")
	}
	var lastErr error
	for _, cc := range ccs {
		id, err := ccIdentity(cc.path)
		if err != nil {
			lastErr = err
			continue
		}
		h := sha256.New()
		fmt.Fprintf(h, "cgotrace c shim 1\x00%s\x00%s\x00%s\x00%s/%s\x00", id, strings.Join(cc.args, "\x01"), cShimSource, runtime.GOOS, runtime.GOARCH)
		final := filepath.Join(dir, "shim-"+hex.EncodeToString(h.Sum(nil))[:20])
		if fi, err := os.Stat(final); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return final, nil
		}
		// A build that failed lately is not tried again at every
		// cgotrace build (a compiler that hangs would cost its timeout
		// each time).
		failed := final + ".failed"
		if fi, err := os.Stat(failed); err == nil && time.Since(fi.ModTime()) < failedRetry {
			why, _ := os.ReadFile(failed)
			lastErr = fmt.Errorf("c shim: failed to build %s ago, retried after %s: %s", time.Since(fi.ModTime()).Round(time.Second), failedRetry, firstLine(why))
			continue
		}
		path, err := buildCShim(opts, dir, final, cc.path, cc.args, env)
		if err != nil {
			if os.MkdirAll(dir, 0o755) == nil {
				_ = os.WriteFile(failed, []byte(err.Error()+"\n"), 0o644)
			}
			lastErr = err
			continue
		}
		os.Remove(failed)
		return path, nil
	}
	return "", lastErr
}

// userCacheDir is os.UserCacheDir on Linux, read from env.
func userCacheDir(env Env) (string, error) {
	if dir := env.Get("XDG_CACHE_HOME"); dir != "" {
		if !filepath.IsAbs(dir) {
			return "", errors.New("path in $XDG_CACHE_HOME is relative")
		}
		return dir, nil
	}
	if home := env.Get("HOME"); home != "" {
		return filepath.Join(home, ".cache"), nil
	}
	return "", errors.New("neither $XDG_CACHE_HOME nor $HOME are defined")
}

// failedRetry is how long a failed build of the C shim is remembered.
const failedRetry = time.Hour

// buildCShim compiles the shim into a temporary directory beside final,
// test-runs it and renames it to final.
func buildCShim(opts CShimOptions, dir, final, cc string, ccArgs []string, env Env) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("c shim: %w", err)
	}
	tmp, err := os.MkdirTemp(dir, ".build-")
	if err != nil {
		return "", fmt.Errorf("c shim: %w", err)
	}
	defer os.RemoveAll(tmp)
	timeout := opts.Timeout
	if timeout == 0 {
		timeout = 20 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	src, bin := filepath.Join(tmp, "shim.c"), filepath.Join(tmp, "shim")
	if err := os.WriteFile(src, cShimSource, 0o644); err != nil {
		return "", fmt.Errorf("c shim: %w", err)
	}
	compile := func(static bool) error {
		args := append(append([]string(nil), ccArgs...), "-O2", "-s", "-o", bin, src)
		if static {
			args = append(args, "-static")
		}
		cmd := exec.CommandContext(ctx, cc, args...)
		cmd.Dir = tmp
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("c shim: %s %s: %w: %s", cc, strings.Join(args, " "), err, firstLine(out))
		}
		return nil
	}
	// static when libc.a is there: no dynamic loader to run at each call
	if err := compile(true); err != nil {
		if err2 := compile(false); err2 != nil {
			return "", err2
		}
	}
	if err := smokeTest(ctx, bin); err != nil {
		return "", err
	}
	if err := os.Rename(bin, final); err != nil {
		return "", fmt.Errorf("c shim: %w", err)
	}
	return final, nil
}

// hostCompiler is a host C compiler: a program and its arguments.
type hostCompiler struct {
	path string
	args []string
}

// hostCCs are the host C compilers to build the shim with, in order:
// EnvHostCC (a program and its arguments) alone when it is set; else
// musl-gcc (musl's static start-up is the cheapest: measured in
// scripts/bench-shim.sh), cc and gcc, those on PATH.
func hostCCs(env Env) ([]hostCompiler, error) {
	path := env.Get("PATH")
	look := func(name string) (string, error) {
		if strings.Contains(name, "/") {
			return exec.LookPath(name)
		}
		for _, d := range filepath.SplitList(path) {
			if d == "" {
				d = "."
			}
			p := filepath.Join(d, name)
			if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
				return p, nil
			}
		}
		return "", fmt.Errorf("%s not found on PATH", name)
	}
	if v := strings.Fields(env.Get(EnvHostCC)); len(v) > 0 {
		p, err := look(v[0])
		if err != nil {
			return nil, fmt.Errorf("c shim: %s: %w", EnvHostCC, err)
		}
		return []hostCompiler{{p, v[1:]}}, nil
	}
	var ccs []hostCompiler
	for _, name := range []string{"musl-gcc", "cc", "gcc"} {
		if p, err := look(name); err == nil {
			ccs = append(ccs, hostCompiler{path: p})
		}
	}
	if len(ccs) == 0 {
		return nil, errors.New("c shim: no host C compiler (musl-gcc, cc or gcc) on PATH")
	}
	return ccs, nil
}

// ccIdentity names the compiler as it is installed: its resolved path,
// size and modification time.
func ccIdentity(cc string) (string, error) {
	p, err := filepath.EvalSymlinks(cc)
	if err != nil {
		return "", fmt.Errorf("c shim: %w", err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		return "", fmt.Errorf("c shim: %w", err)
	}
	return fmt.Sprintf("%s\x00%d\x00%d", p, fi.Size(), fi.ModTime().UnixNano()), nil
}

// smokeTest runs a freshly built shim around /bin/sh: it must pass the
// output and the exit status through. A host compiler that builds for
// another machine fails here, not in the user's build.
func smokeTest(ctx context.Context, bin string) error {
	sh, err := exec.LookPath("/bin/sh")
	if err != nil {
		return fmt.Errorf("c shim: test run: %w", err)
	}
	cmd := exec.CommandContext(ctx, bin, "-c", "printf 'o'; printf 'e' >&2; exit 3")
	cmd.Env = []string{EnvShimReal + "=" + sh}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 || out.String() != "o" || errb.String() != "e" {
		return fmt.Errorf("c shim: test run of %s: %v, stdout %q, stderr %q", bin, err, out.String(), errb.String())
	}
	return nil
}

func firstLine(b []byte) string {
	s := strings.TrimSpace(string(b))
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
