package main

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"testing"

	"github.com/cgotrace/cgotrace/pkgconfig"
)

// cShims builds the C shim into a fresh cache with the default host
// compiler (musl-gcc when installed) and with cc (glibc), or skips when
// this machine has no host C compiler.
func cShims(t *testing.T) map[string]string {
	t.Helper()
	shims := map[string]string{"default": cShim(t, nil)}
	if _, err := exec.LookPath("cc"); err == nil {
		shims["cc"] = cShim(t, append(os.Environ(), pkgconfig.EnvHostCC+"=cc"))
	}
	return shims
}

// cShim builds the C shim into a fresh cache, or skips when this machine
// has no host C compiler.
func cShim(t *testing.T, env []string) string {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("the C shim is Linux only")
	}
	if _, err := exec.LookPath("cc"); err != nil {
		if _, err := exec.LookPath("gcc"); err != nil {
			t.Skip("no host C compiler (cc or gcc) to build the C shim")
		}
	}
	p, err := pkgconfig.CShim(pkgconfig.CShimOptions{CacheDir: t.TempDir(), Env: env})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// shimRun is what one shim call did.
type shimRun struct {
	code           int
	stdout, stderr []byte
	record         []byte
}

// runShim runs prog as the shim with argv[0] "pkg-config-shim", args,
// env, in dir; stdout and stderr are one file when merged. wrap, when
// set, is a shell command line that runs the shim ("$@").
func runShim(t *testing.T, prog string, args, env []string, dir string, merged bool, wrap string) shimRun {
	t.Helper()
	tmp := t.TempDir()
	rec := filepath.Join(tmp, "rec.jsonl")
	fo, err := os.Create(filepath.Join(tmp, "out"))
	if err != nil {
		t.Fatal(err)
	}
	fe := fo
	if !merged {
		if fe, err = os.Create(filepath.Join(tmp, "err")); err != nil {
			t.Fatal(err)
		}
	}
	cmd := &exec.Cmd{Path: prog, Args: append([]string{"pkg-config-shim"}, args...)}
	if wrap != "" {
		cmd = exec.Command("/bin/sh", append([]string{"-c", wrap, "sh", prog}, args...)...)
	}
	cmd.Env = append(append([]string(nil), env...), pkgconfig.EnvShimRecord+"="+rec)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = fo, fe
	err = cmd.Run()
	fo.Close()
	fe.Close()
	var r shimRun
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	r.stdout, _ = os.ReadFile(filepath.Join(tmp, "out"))
	if !merged {
		r.stderr, _ = os.ReadFile(filepath.Join(tmp, "err"))
	}
	r.record, _ = os.ReadFile(rec)
	// argv[0] is the program's path when run through wrap
	r.record = bytes.ReplaceAll(r.record, []byte(`["`+prog+`"`), []byte(`["pkg-config-shim"`))
	return r
}

var (
	recordTime     = regexp.MustCompile(`^\{"time":"[^"]*"`)
	recordDuration = regexp.MustCompile(`,"duration_ms":[0-9.]+(,|\})`)
)

// TestCShimMatchesGoShim is the differential test of the two shims: the
// C shim and the Go shim (the built cgotrace, whose start-up path
// TestShimFastPath compares with encoding/json) around the same fake
// pkg-config, for tricky arguments and environment (invalid UTF-8,
// quotes, newlines, empty arguments, HTML characters, JSON's line
// separators), output of more than a pipe holds on both streams in turns
// (random bytes), one stream or two, exit codes and a killed program, and
// the cases the C shim hands over to the Go shim (a missing or relative
// program, a closed standard descriptor). Everything must be identical:
// exit code, stdout, stderr, and the record but for its time and
// duration.
func TestCShimMatchesGoShim(t *testing.T) {
	shims := cShims(t)
	bin := buildBinary(t)
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 6 {
		blob := make([]byte, 70000+i*1000)
		for j := range blob {
			blob[j] = byte(rng.UintN(256))
		}
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("blob%d", i)), blob, 0o644)
	}
	fake := filepath.Join(dir, "fake-pkg-config")
	script := `#!/bin/sh
case "$FAKE_MODE" in
big)
  for i in 0 2 4; do cat "$FAKE_DIR/blob$i"; cat "$FAKE_DIR/blob$((i+1))" >&2; done ;;
kill)
  printf 'before\n'; kill -9 $$ ;;
*)
  for a in "$@"; do printf '[%s]\n' "$a"; done
  printf 'err: %s\n' "$PKG_CONFIG_PATH" >&2
  printf 'more out <&> \342\200\250 \377\n' ;;
esac
exit ${FAKE_RC:-0}
`
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	base := []string{"PATH=" + os.Getenv("PATH"), "FAKE_DIR=" + dir}
	tricky := []string{"--cflags", "--", "zlib", "", "a b", `"q" 'x' \ $HOME`, "line1\nline2", "bad \xff\xfe\xe2\x82 utf8",
		"<&>", "\u2028\u2029 é 日本 😀", "\x01\x1f\x7f\t\r", "--define-variable=prefix=/x y"}
	trickyEnv := []string{"PKG_CONFIG_PATH=/a:/b\nc\xff:" + dir, "PKG_CONFIG_LIBDIR=", "TOOLEXEC_IMPORTPATH=example.com/p&q",
		`DESTDIR="/d" \x`, "CPATH=\u2028", "PWD=/not/the/dir"}
	cases := []struct {
		name string
		args []string
		env  []string
		real string
		wrap string
		// handover: the C shim hands the call over to the Go shim; in
		// the other cases its fallback is a program that does not
		// exist, so that a handover shows as a difference
		handover bool
	}{
		{name: "plain", args: []string{"--cflags", "--", "zlib"}},
		{name: "tricky", args: tricky, env: trickyEnv},
		{name: "exit 3", args: []string{"--libs", "x"}, env: []string{"FAKE_RC=3"}},
		{name: "no args", args: nil},
		{name: "big", args: []string{"--cflags", "big"}, env: []string{"FAKE_MODE=big", "FAKE_RC=5"}},
		{name: "killed", args: []string{"--cflags", "k"}, env: []string{"FAKE_MODE=kill"}},
		{name: "missing program", args: []string{"--libs", "x"}, real: "/nonexistent/pkgconf", handover: true},
		{name: "not executable", args: []string{"--libs", "x"}, real: filepath.Join(dir, "blob0"), handover: true},
		{name: "closed stdin", args: []string{"--cflags", "zlib"}, wrap: `exec 0<&-; p=$1; shift; exec "$p" "$@"`, handover: true},
	}
	for cc, c := range shims {
		for _, tc := range cases {
			for _, merged := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/%s/merged=%v", cc, tc.name, merged), func(t *testing.T) {
					real := fake
					if tc.real != "" {
						real = tc.real
					}
					env := append(append(append([]string(nil), base...), tc.env...), pkgconfig.EnvShimReal+"="+real)
					goRun := runShim(t, bin, tc.args, env, dir, merged, tc.wrap)
					fallback := "/nonexistent/cgotrace"
					if tc.handover {
						fallback = bin
					}
					cRun := runShim(t, c, tc.args, append(env, pkgconfig.EnvShimFallback+"="+fallback), dir, merged, tc.wrap)
					if cRun.code != goRun.code {
						t.Errorf("exit %d, Go shim %d", cRun.code, goRun.code)
					}
					if !bytes.Equal(cRun.stdout, goRun.stdout) || !bytes.Equal(cRun.stderr, goRun.stderr) {
						t.Errorf("stdout %d bytes, stderr %d bytes %q; Go shim %d, %d %q", len(cRun.stdout), len(cRun.stderr),
							head(cRun.stderr), len(goRun.stdout), len(goRun.stderr), head(goRun.stderr))
					}
					if len(goRun.record) == 0 || bytes.Count(goRun.record, []byte("\n")) != 1 {
						t.Fatalf("Go shim record %q", head(goRun.record))
					}
					norm := func(b []byte) []byte {
						b = recordTime.ReplaceAll(b, []byte(`{"time":"T"`))
						return recordDuration.ReplaceAll(b, []byte(`,"duration_ms":D$1`))
					}
					if cr, gr := norm(cRun.record), norm(goRun.record); !bytes.Equal(cr, gr) {
						t.Errorf("records differ\n   C %q\n  Go %q", head(cr), head(gr))
					}
					// and the reader takes it (time and duration included)
					p := filepath.Join(t.TempDir(), "r.jsonl")
					os.WriteFile(p, cRun.record, 0o644)
					recs, err := pkgconfig.ReadRecords(p)
					if err != nil || len(recs) != 1 || recs[0].Time.IsZero() || recs[0].ExitCode != cRun.code {
						t.Errorf("ReadRecords: %v %+v", err, recs)
					}
				})
			}
		}
	}
}

func head(b []byte) string {
	if len(b) > 600 {
		return string(b[:300]) + " … " + string(b[len(b)-300:])
	}
	return string(b)
}
