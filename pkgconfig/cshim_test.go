package pkgconfig

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func needHostCC(t testing.TB) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("the C shim is Linux only")
	}
	if _, err := exec.LookPath("cc"); err != nil {
		if _, err := exec.LookPath("gcc"); err != nil {
			t.Skip("no host C compiler (cc or gcc) to build the C shim")
		}
	}
}

// TestCShimBuildOnce: concurrent first uses build the shim, all get the
// same cached program, nothing half-built is left behind, and a later
// use takes the cached program without building it again. The program
// runs a pkg-config call through and records it.
func TestCShimBuildOnce(t *testing.T) {
	needHostCC(t)
	cache := t.TempDir()
	const n = 4
	paths, errs := make([]string, n), make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			paths[i], errs[i] = CShim(CShimOptions{CacheDir: cache})
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || paths[i] != paths[0] {
			t.Fatalf("use %d: %q %v; use 0: %q", i, paths[i], errs[i], paths[0])
		}
	}
	ents, _ := os.ReadDir(cache)
	if len(ents) != 1 || ents[0].Name() != filepath.Base(paths[0]) {
		t.Errorf("cache holds %v, want only %s", ents, filepath.Base(paths[0]))
	}
	fi, err := os.Stat(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	again, err := CShim(CShimOptions{CacheDir: cache})
	fi2, _ := os.Stat(again)
	if err != nil || again != paths[0] || !fi2.ModTime().Equal(fi.ModTime()) || !os.SameFile(fi, fi2) {
		t.Errorf("second use: %q %v, rebuilt: %v", again, err, !os.SameFile(fi, fi2))
	}

	// it works: a fake pkg-config through it, recorded
	dir := t.TempDir()
	fake := filepath.Join(dir, "pkg-config")
	os.WriteFile(fake, []byte("#!/bin/sh\necho \"-I/x $*\"\necho warn >&2\nexit 2\n"), 0o755)
	rec := filepath.Join(dir, "rec.jsonl")
	cmd := exec.Command(paths[0], "--cflags", "--", "zlib")
	cmd.Env = []string{EnvShimReal + "=" + fake, EnvShimRecord + "=" + rec, "PKG_CONFIG_PATH=" + dir, "TOOLEXEC_IMPORTPATH=example.com/z"}
	cmd.Dir = dir
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || out.String() != "-I/x --cflags -- zlib\n" || errb.String() != "warn\n" {
		t.Fatalf("run: %v, stdout %q, stderr %q", err, out.String(), errb.String())
	}
	recs, err := ReadRecords(rec)
	if err != nil || len(recs) != 1 {
		t.Fatal(err, recs)
	}
	r := recs[0]
	if r.ExitCode != 2 || r.Stdout != "-I/x --cflags -- zlib\n" || r.Stderr != "warn\n" || r.Real != fake || r.Dir != dir ||
		r.ImportPath != "example.com/z" || r.Env["PKG_CONFIG_PATH"] != dir || len(r.Argv) != 4 || r.Argv[3] != "zlib" || r.Merged {
		t.Errorf("record %+v", r)
	}
}

// TestCShimNoFallback: a program the C shim cannot start, and no Go shim
// to hand the call over to: it says so as Go's exec says it, exits 127
// as the Go shim does, and writes no record.
func TestCShimNoFallback(t *testing.T) {
	needHostCC(t)
	shim, err := CShim(CShimOptions{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "no-pkg-config")
	want := exec.Command(missing).Run().Error() + "\n"
	rec := filepath.Join(t.TempDir(), "rec.jsonl")
	cmd := exec.Command(shim, "--cflags", "x")
	cmd.Env = []string{EnvShimReal + "=" + missing, EnvShimRecord + "=" + rec}
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 127 || errb.String() != want || out.Len() != 0 {
		t.Errorf("exit %v, stdout %q, stderr %q; want 127 and %q", err, out.String(), errb.String(), want)
	}
	if _, err := os.Stat(rec); err == nil {
		t.Errorf("a record was written")
	}
}

// TestCShimNoCompiler: without a host C compiler, or with one that fails
// or builds programs that do not run here (a cross compiler), there is
// no C shim, an error says why, and the cache holds nothing.
func TestCShimNoCompiler(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the C shim is Linux only")
	}
	bin := t.TempDir()
	failing := filepath.Join(bin, "failing-cc")
	os.WriteFile(failing, []byte("#!/bin/sh\necho 'failing-cc: error: no such thing' >&2\nexit 1\n"), 0o755)
	// "builds" a program for another machine: the file exists but does
	// not run
	cross := filepath.Join(bin, "cross-cc")
	os.WriteFile(cross, []byte("#!/bin/sh\nwhile [ $# -gt 0 ]; do [ \"$1\" = -o ] && { printf '\\177ELF garbage' >\"$2\"; chmod +x \"$2\"; }; shift; done\n"), 0o755)
	for _, c := range []struct {
		name string
		env  Env
		want string
	}{
		{"none on PATH", Env{"PATH=" + t.TempDir()}, "no host C compiler"},
		{"missing CGOTRACE_HOST_CC", Env{"PATH=" + bin, EnvHostCC + "=no-such-cc"}, "no-such-cc not found"},
		{"failing", Env{"PATH=" + bin, EnvHostCC + "=failing-cc"}, "failing-cc: error: no such thing"},
		{"cross", Env{"PATH=" + bin + ":/usr/bin:/bin", EnvHostCC + "=" + cross}, "test run of"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cache := t.TempDir()
			p, err := CShim(CShimOptions{CacheDir: cache, Env: c.env})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("CShim = %q, %v; want an error with %q", p, err, c.want)
			}
			ents, _ := os.ReadDir(cache)
			for _, e := range ents {
				if !strings.HasSuffix(e.Name(), ".failed") {
					t.Errorf("cache holds %s", e.Name())
				}
			}
		})
	}
}

// TestCShimFailureRemembered: a failed build is not tried again at
// every use for a while; a working compiler (another cache key) is.
func TestCShimFailureRemembered(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the C shim is Linux only")
	}
	bin, cache := t.TempDir(), t.TempDir()
	count := filepath.Join(bin, "count")
	failing := filepath.Join(bin, "failing-cc")
	os.WriteFile(failing, []byte("#!/bin/sh\necho x >>"+count+"\necho 'failing-cc: broken' >&2\nexit 1\n"), 0o755)
	env := Env{"PATH=" + bin, EnvHostCC + "=failing-cc"}
	_, err1 := CShim(CShimOptions{CacheDir: cache, Env: env})
	_, err2 := CShim(CShimOptions{CacheDir: cache, Env: env})
	runs, _ := os.ReadFile(count)
	// static then dynamic: two runs of the compiler, once
	if err1 == nil || err2 == nil || !strings.Contains(err2.Error(), "failing-cc: broken") || strings.Count(string(runs), "x") != 2 {
		t.Errorf("first %v\nsecond %v\ncompiler ran %d times, want 2", err1, err2, strings.Count(string(runs), "x"))
	}
}

// TestCShimNextCompiler: when the first host compiler (musl-gcc) fails
// to build the shim, the next one (cc) builds it, and the failure is
// remembered beside it.
func TestCShimNextCompiler(t *testing.T) {
	needHostCC(t)
	bin, cache := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(bin, "musl-gcc"), []byte("#!/bin/sh\necho 'musl-gcc: broken' >&2\nexit 1\n"), 0o755)
	p, err := CShim(CShimOptions{CacheDir: cache, Env: Env{"PATH=" + bin + ":" + os.Getenv("PATH")}})
	if err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(cache)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if len(names) != 2 || !(names[0] == filepath.Base(p) && strings.HasSuffix(names[1], ".failed") ||
		names[1] == filepath.Base(p) && strings.HasSuffix(names[0], ".failed")) {
		t.Errorf("cache holds %q, want the shim %s and a .failed marker", names, filepath.Base(p))
	}
}

// TestCShimHostCCArgs: CGOTRACE_HOST_CC may carry arguments, and a
// different compiler or set of arguments is a different cached program.
func TestCShimHostCCArgs(t *testing.T) {
	needHostCC(t)
	cache := t.TempDir()
	env := Env(os.Environ())
	a, err := CShim(CShimOptions{CacheDir: cache, Env: append(env[:len(env):len(env)], EnvHostCC+"=cc -O1")})
	if err != nil {
		t.Fatal(err)
	}
	b, err := CShim(CShimOptions{CacheDir: cache, Env: append(env[:len(env):len(env)], EnvHostCC+"=cc")})
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Errorf("same program for different compiler arguments: %s", a)
	}
}

// FuzzCShimRecord: the C shim encodes any argument, environment value
// and output as encoding/json does (the reader, ReadRecords, is
// encoding/json): its record's argv, env and stdout are byte for byte
// json.Marshal's, and the output passes through unchanged.
func FuzzCShimRecord(f *testing.F) {
	needHostCC(f)
	shim, err := CShim(CShimOptions{CacheDir: f.TempDir()})
	if err != nil {
		f.Fatal(err)
	}
	sh, err := exec.LookPath("/bin/sh")
	if err != nil {
		f.Skip("no /bin/sh")
	}
	for _, s := range []string{"", "--cflags", "a b", `"q" \ 'x'`, "line1\nline2\r\n", "bad \xff\xfe\xe2\x82 end", "<&>",
		"\u2028\u2029 é 日本 😀", "\x01\x1f\x7f\t", "\xed\xa0\x80 surrogate", "\xf4\x90\x80\x80 too big", "\xc0\xaf overlong"} {
		f.Add(s, s, []byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, arg, envVal string, out []byte) {
		if strings.ContainsRune(arg, 0) || strings.ContainsRune(envVal, 0) {
			t.Skip("exec arguments and environment cannot hold NUL")
		}
		rec := filepath.Join(t.TempDir(), "rec.jsonl")
		outFile := filepath.Join(t.TempDir(), "out")
		os.WriteFile(outFile, out, 0o644)
		cmd := exec.Command(shim, "-c", `cat "$1"`, arg, outFile)
		cmd.Env = []string{EnvShimReal + "=" + sh, EnvShimRecord + "=" + rec, "PKG_CONFIG_PATH=" + envVal}
		cmd.Dir = dir
		got, err := cmd.Output()
		if err != nil || !bytes.Equal(got, out) {
			t.Fatalf("run: %v, stdout %q, want %q", err, got, out)
		}
		line, err := os.ReadFile(rec)
		if err != nil || len(line) == 0 || line[len(line)-1] != '\n' || bytes.Count(line, []byte("\n")) != 1 {
			t.Fatalf("record %q: %v", line, err)
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(line, &fields); err != nil {
			t.Fatalf("record %q: %v", line, err)
		}
		want := map[string]any{"argv": []string{shim, "-c", `cat "$1"`, arg, outFile},
			"env": map[string]string{"PKG_CONFIG_PATH": envVal}, "stdout": string(out), "stderr": "", "exit_code": 0, "real": sh}
		for k, v := range want {
			w, _ := json.Marshal(v)
			if !bytes.Equal(fields[k], w) {
				t.Errorf("%s: %s, encoding/json %s", k, fields[k], w)
			}
		}
	})
}

// BenchmarkCShimCached is what every cgotrace build pays to find the
// cached C shim: the compiler on PATH, its identity, the hash, a stat.
func BenchmarkCShimCached(b *testing.B) {
	needHostCC(b)
	cache := b.TempDir()
	if _, err := CShim(CShimOptions{CacheDir: cache}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := CShim(CShimOptions{CacheDir: cache}); err != nil {
			b.Fatal(err)
		}
	}
}
