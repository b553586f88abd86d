package envcheck

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// baseEnv is the test process's environment without the variables the
// tests set, and with the go env file disabled so a developer's `go env -w`
// settings do not leak in.
func baseEnv(t testing.TB) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "CGO_"), strings.HasPrefix(k, "PKG_CONFIG"),
			k == "CC", k == "CXX", k == "GO111MODULE", k == "GOFLAGS", k == "GOOS", k == "GOARCH",
			k == "GOPROXY", k == "GOCACHEPROG":
			continue
		}
		m[k] = v
	}
	m["GOENV"] = "off"
	return m
}

// runEnv runs every check in dir with the test environment plus set.
func runEnv(t *testing.T, dir string, set map[string]string, targets ...Target) *Report {
	t.Helper()
	return runEnvOpts(t, dir, set, false, targets...)
}

// runEnvFast is runEnv without the compile probes, for tests of other
// checks.
func runEnvFast(t *testing.T, dir string, set map[string]string) *Report {
	t.Helper()
	return runEnvOpts(t, dir, set, true)
}

func runEnvOpts(t *testing.T, dir string, set map[string]string, noCompile bool, targets ...Target) *Report {
	t.Helper()
	return runEnvWith(t, dir, set, Options{NoCompile: noCompile, Targets: targets})
}

// runEnvWith runs Run with o's options in dir, with the test's base
// environment changed by set.
func runEnvWith(t *testing.T, dir string, set map[string]string, o Options) *Report {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not on PATH")
	}
	m := baseEnv(t)
	for k, v := range set {
		if v == "" {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	var env []string
	for k, v := range m {
		env = append(env, k+"="+v)
	}
	o.Env, o.Dir = env, dir
	rep, err := Run(context.Background(), o)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return rep
}

// want asserts the verdict of check id and that its observed value and
// fix contain the given texts.
func want(t *testing.T, rep *Report, id string, v Verdict, observed, fix string) *Check {
	t.Helper()
	c := rep.Check(id)
	if c == nil {
		var ids []string
		for _, c := range rep.Checks {
			ids = append(ids, c.ID)
		}
		t.Fatalf("no check %q; have %v", id, ids)
	}
	if c.Verdict != v {
		t.Errorf("%s: verdict %s, want %s (%+v)", id, c.Verdict, v, *c)
	}
	if !strings.Contains(c.Observed, observed) {
		t.Errorf("%s: observed %q, want it to contain %q", id, c.Observed, observed)
	}
	if !strings.Contains(c.Fix, fix) {
		t.Errorf("%s: fix %q, want it to contain %q", id, c.Fix, fix)
	}
	if v != OK && c.Fix == "" && fix != "" {
		t.Errorf("%s: %s without a fix", id, v)
	}
	return c
}

func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not installed", name)
	}
	return p
}

func TestThisMachinePasses(t *testing.T) {
	needTool(t, "gcc")
	rep := runEnv(t, t.TempDir(), nil)
	for _, c := range rep.Checks {
		if c.Verdict == Fail {
			t.Errorf("check %s failed on the test machine: %+v", c.ID, c)
		}
	}
	want(t, rep, "cc-compile", OK, "compiles and links", "")
	want(t, rep, "gocache", OK, "/", "")
	want(t, rep, "gocache-space", OK, "free", "")
}

func TestGoCache(t *testing.T) {
	tmp := t.TempDir()
	file := filepath.Join(tmp, "cachefile")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, gocache, observed, fix string
	}{
		{"regular file", file, "a regular file, not a directory", "mv " + file + " " + file + ".old"},
		{"under a regular file", filepath.Join(file, "sub", "dir"), file + " is a regular file", "move " + file + " away"},
		{"off", "off", "off (GOCACHE=off)", "unset GOCACHE"},
		{"relative", "rel/cache", `"rel/cache" is a relative path`, "GOCACHE=" + filepath.Join(tmp, "rel/cache")},
		{"dev null", os.DevNull, os.DevNull, "unset GOCACHE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := runEnvFast(t, tmp, map[string]string{"GOCACHE": tt.gocache})
			want(t, rep, "gocache", Fail, tt.observed, tt.fix)
			if !rep.Failed() {
				t.Error("report does not fail")
			}
		})
	}
	// The file the user gave is never touched.
	if b, err := os.ReadFile(file); err != nil || string(b) != "x" {
		t.Errorf("GOCACHE file changed: %q %v", b, err)
	}
}

func TestGoCacheNotYetCreated(t *testing.T) {
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "new", "cache")
	// go env itself creates GOCACHE (it runs before the check looks), so
	// call the check directly to see the not-yet-created case.
	c, spaceDir := CheckGoCacheDir(dir, true, dir, "", tmp)
	if c.Verdict != OK || !strings.Contains(c.Observed, "does not exist yet; go will create it") || spaceDir != tmp {
		t.Errorf("%+v, space dir %q", c, spaceDir)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Error("the check created GOCACHE")
	}
	rep := runEnvFast(t, tmp, map[string]string{"GOCACHE": dir})
	want(t, rep, "gocache", OK, dir, "")
}

func TestGoCacheReadOnly(t *testing.T) {
	dir := t.TempDir()
	if os.Geteuid() == 0 {
		// Root writes through permission bits; sysfs refuses new files
		// even to root, like a read-only mount.
		dir = "/sys/kernel"
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			t.Skip("running as root and no /sys/kernel: no directory root cannot write to")
		}
	} else {
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o755) })
	}
	rep := runEnvFast(t, t.TempDir(), map[string]string{"GOCACHE": dir})
	c := want(t, rep, "gocache", Fail, "not writable", "make it writable")
	if len(c.Details) == 0 {
		t.Error("no error from the write probe")
	}
}

func TestProbeWriteLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	if err := probeWrite(dir); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 0 {
		t.Errorf("probe left %v", ents)
	}
}

func TestGO111MODULEOffInsideModule(t *testing.T) {
	mod := t.TempDir()
	if err := os.WriteFile(filepath.Join(mod, "go.mod"), []byte("module example.com/m\n\ngo 1.22\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(mod, "pkg")
	os.Mkdir(sub, 0o755)
	rep := runEnvFast(t, sub, map[string]string{"GO111MODULE": "off"})
	c := want(t, rep, "go111module", Fail, "GOPATH mode inside a module", "unset GO111MODULE")
	if !strings.Contains(c.Observed, filepath.Join(mod, "go.mod")) {
		t.Errorf("observed %q does not name the go.mod", c.Observed)
	}

	rep = runEnvFast(t, sub, nil)
	want(t, rep, "go111module", OK, "module mode", "")
	want(t, rep, "gomod", OK, filepath.Join(mod, "go.mod"), "")

	rep = runEnvFast(t, sub, map[string]string{"GO111MODULE": "bogus"})
	want(t, rep, "go111module", Fail, "not a valid value", "on, off or auto")
	want(t, rep, "go", Fail, "go env fails", "go env -u")
}

func TestOutsideModule(t *testing.T) {
	rep := runEnvFast(t, t.TempDir(), nil)
	want(t, rep, "gomod", Warn, os.DevNull, "go mod init")
}

func TestCgoEnabled(t *testing.T) {
	needTool(t, "gcc")
	rep := runEnvFast(t, t.TempDir(), map[string]string{"CGO_ENABLED": "0"})
	want(t, rep, "cgo-enabled", Warn, "0 (set explicitly", "unset CGO_ENABLED")
	if rep.Failed() {
		t.Errorf("CGO_ENABLED=0 alone must not fail: %+v", rep.Summary)
	}

	rep = runEnvFast(t, t.TempDir(), map[string]string{"CGO_ENABLED": "2"})
	want(t, rep, "cgo-enabled", Warn, `CGO_ENABLED="2"`, "set CGO_ENABLED=1 or CGO_ENABLED=0")

	rep = runEnvFast(t, t.TempDir(), map[string]string{"CGO_ENABLED": "1"})
	want(t, rep, "cgo-enabled", OK, "1 (set explicitly", "")
}

// pathWithout builds a PATH directory holding only the named tools (as
// symlinks), so a test can take gcc or pkg-config away.
func pathWith(t *testing.T, tools ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range tools {
		p, err := exec.LookPath(name)
		if err != nil {
			t.Skipf("%s not installed", name)
		}
		if err := os.Symlink(p, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestCgoImpliedOff(t *testing.T) {
	// No C compiler on PATH and CC unset: go turns cgo off by itself.
	rep := runEnvFast(t, t.TempDir(), map[string]string{"PATH": pathWith(t, "go")})
	want(t, rep, "cgo-enabled", Warn, `no C compiler: CC is unset and the default "gcc" is not on PATH`, "install a C compiler")
	want(t, rep, "cc", Warn, "not found", "apt-get install gcc")

	// Cross-compiling: off even though gcc is there.
	needTool(t, "gcc")
	rep = runEnvFast(t, t.TempDir(), map[string]string{"GOARCH": "arm64"})
	want(t, rep, "cgo-enabled", Warn, "cross-compiling (linux/arm64 on a linux/amd64 host)", "CGO_ENABLED=1")
	want(t, rep, "cc-target", Warn, "but GOOS/GOARCH is linux/arm64", "CC=aarch64-linux-gnu-gcc")
}

func TestCCPointsAtNothing(t *testing.T) {
	rep := runEnvFast(t, t.TempDir(), map[string]string{"CC": filepath.Join(t.TempDir(), "no-such-cc")})
	want(t, rep, "cgo-enabled", OK, "1", "")
	want(t, rep, "cc", Fail, "not found", "point CC at an installed compiler")
	if !rep.Failed() {
		t.Error("report does not fail")
	}
}

// TestCCNotInstalledPackage: for a CC that is not installed, the fix
// names the package the caller's data says ships that program (cgotrace
// env gives trace's tables), not another compiler.
func TestCCNotInstalledPackage(t *testing.T) {
	var asked []string
	o := Options{NoCompile: true, ProgramPackage: func(p string) string {
		asked = append(asked, p)
		if p == "arm-linux-gnueabihf-gcc" {
			return "Debian: gcc-arm-linux-gnueabihf"
		}
		return ""
	}}
	rep := runEnvWith(t, t.TempDir(), map[string]string{"CC": "arm-linux-gnueabihf-gcc", "PATH": pathWith(t, "go"), "CGO_ENABLED": "1"}, o)
	want(t, rep, "cc", Fail, "not found", "install the package that ships arm-linux-gnueabihf-gcc (Debian: gcc-arm-linux-gnueabihf), or point CC at an installed compiler")
	if !slices.Contains(asked, "arm-linux-gnueabihf-gcc") {
		t.Errorf("asked %q", asked)
	}
	// Unknown to the data: the advice of before.
	rep = runEnvWith(t, t.TempDir(), map[string]string{"CC": filepath.Join(t.TempDir(), "no-such-cc"), "CGO_ENABLED": "1"}, o)
	want(t, rep, "cc", Fail, "not found", "point CC at an installed compiler (e.g. CC=")
}

func TestCCWrapperWithOtherTarget(t *testing.T) {
	needTool(t, "gcc")
	dir := t.TempDir()
	wrapper := filepath.Join(dir, "cc-wrapper")
	script := "#!/bin/sh\nif [ \"$1\" = -dumpmachine ]; then echo aarch64-linux-gnu; exit 0; fi\nexec gcc \"$@\"\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	rep := runEnv(t, t.TempDir(), map[string]string{"CC": wrapper})
	want(t, rep, "cc", OK, wrapper, "")
	want(t, rep, "cc-target", Fail, "aarch64-linux-gnu (linux/arm64), but GOOS/GOARCH is linux/amd64", "set CC to a compiler for linux/amd64, e.g. CC=x86_64-linux-gnu-gcc")
	// The wrapper really compiles: the compile probe passes.
	want(t, rep, "cc-compile", OK, "compiles and links", "")
}

func TestCCCompileFails(t *testing.T) {
	needTool(t, "gcc")
	rep := runEnv(t, t.TempDir(), map[string]string{"CGO_LDFLAGS": "-lcgotrace_no_such_library"})
	c := want(t, rep, "cc-compile", Fail, "does not compile and link", "CGO_LDFLAGS")
	if !strings.Contains(strings.Join(c.Details, "\n"), "cannot find -lcgotrace_no_such_library") {
		t.Errorf("details do not carry ld's error: %q", c.Details)
	}
}

func TestPkgConfigMissing(t *testing.T) {
	rep := runEnvFast(t, t.TempDir(), map[string]string{"PKG_CONFIG": filepath.Join(t.TempDir(), "pkg-config")})
	want(t, rep, "pkg-config", Fail, "not found", "point PKG_CONFIG at an installed pkg-config")

	// Not set and not installed: a warning (only #cgo pkg-config lines need it).
	rep = runEnvFast(t, t.TempDir(), map[string]string{"PATH": pathWith(t, "go", "gcc", "g++")})
	want(t, rep, "pkg-config", Warn, `PKG_CONFIG="pkg-config": not found`, "apt-get install pkgconf")
}

func TestPkgConfigPathMissingEntry(t *testing.T) {
	needTool(t, "pkg-config")
	good := t.TempDir()
	bad := filepath.Join(good, "nope")
	rep := runEnvFast(t, t.TempDir(), map[string]string{"PKG_CONFIG_PATH": good + ":" + bad})
	c := want(t, rep, "pkg-config-path", Warn, good, "PKG_CONFIG_PATH")
	if !strings.Contains(strings.Join(c.Details, " "), bad) || strings.Contains(strings.Join(c.Details, " "), good+",") {
		t.Errorf("details %q should name only %s", c.Details, bad)
	}
}

func TestRelativeIncludeInCGO_CFLAGS(t *testing.T) {
	dir := t.TempDir()
	rep := runEnvFast(t, dir, map[string]string{"CGO_CFLAGS": "-O2 -Iinclude -I ../other -I/usr/include"})
	c := want(t, rep, "cgo-cflags", Fail, "-Iinclude", `CGO_CFLAGS="-O2 -I`+filepath.Join(dir, "include")+" -I "+filepath.Join(filepath.Dir(dir), "other")+` -I/usr/include"`)
	if strings.Contains(strings.ToLower(c.Why+c.Fix+c.Observed), "reject") || strings.Contains(strings.ToLower(c.Why), "allow") {
		t.Errorf("CGO_CFLAGS must never be reported as rejected by the allow-list: %+v", c)
	}

	rep = runEnvFast(t, dir, map[string]string{"CGO_LDFLAGS": "-L/cgotrace/no/such/dir -lm"})
	c = want(t, rep, "cgo-ldflags", Warn, "-L/cgotrace/no/such/dir", "remove them from CGO_LDFLAGS")
	if !strings.Contains(strings.Join(c.Details, " "), "does not exist: -L /cgotrace/no/such/dir") {
		t.Errorf("details %q", c.Details)
	}
}

func TestGOFLAGSModVendorWithoutVendor(t *testing.T) {
	mod := t.TempDir()
	os.WriteFile(filepath.Join(mod, "go.mod"), []byte("module example.com/m\n\ngo 1.22\n"), 0o644)
	rep := runEnvFast(t, mod, map[string]string{"GOFLAGS": "-mod=vendor"})
	want(t, rep, "goflags", Fail, "-mod=vendor", "go mod vendor")
}

func TestGOFLAGSMinusA(t *testing.T) {
	rep := runEnvFast(t, t.TempDir(), map[string]string{"GOFLAGS": "-a"})
	want(t, rep, "gocache-settings", Warn, "GOFLAGS has -a", "remove -a")
}

func TestGOPROXYCredentialsNeverPrinted(t *testing.T) {
	rep := runEnvFast(t, t.TempDir(), map[string]string{"GOPROXY": "https://alice:s3cr3t@proxy.example.com/go,direct"})
	want(t, rep, "goproxy", OK, "https://***@proxy.example.com/go,direct", "")
	var buf bytes.Buffer
	WriteJSON(&buf, rep)
	WriteText(&buf, rep, false)
	if strings.Contains(buf.String(), "s3cr3t") || strings.Contains(buf.String(), "alice") {
		t.Error("the GOPROXY password is printed")
	}
}

func TestTargets(t *testing.T) {
	rep := runEnv(t, t.TempDir(), nil, Target{"plan9", "sparc"})
	want(t, rep, "target/plan9/sparc", Fail, "not a GOOS/GOARCH pair", "go tool dist list")

	rep = runEnv(t, t.TempDir(), nil, Target{"windows", "amd64"})
	c := want(t, rep, "target/windows/amd64", OK, "CGO_ENABLED=0", "")
	if len(c.Details) == 0 {
		t.Error("no CGO_ENABLED=0 effects listed")
	}
	if _, err := exec.LookPath("x86_64-w64-mingw32-gcc"); err != nil {
		want(t, rep, "target/windows/amd64/cgo", Warn, "no C compiler", "gcc-mingw-w64")
	}

	needTool(t, "aarch64-linux-gnu-gcc")
	rep = runEnv(t, t.TempDir(), nil, Target{"linux", "arm64"})
	c = want(t, rep, "target/linux/arm64/cgo", OK, "aarch64-linux-gnu-gcc (aarch64-linux-gnu) compiles and links", "")
	if !strings.Contains(strings.Join(c.Details, "\n"), "GOOS=linux GOARCH=arm64 CGO_ENABLED=1 CC=aarch64-linux-gnu-gcc go build") {
		t.Errorf("details %q", c.Details)
	}
	c = want(t, rep, "target/linux/arm64", OK, "pure Go", "")
	joined := strings.Join(c.Details, "\n")
	for _, s := range []string{"pure-Go DNS resolver", "/etc/passwd", "crypto/x509", "plugin: unavailable"} {
		if !strings.Contains(joined, s) {
			t.Errorf("CGO_ENABLED=0 effects miss %q", s)
		}
	}
}

func TestNoGoCommand(t *testing.T) {
	rep := runEnvFast(t, t.TempDir(), map[string]string{"PATH": t.TempDir()})
	want(t, rep, "go", Fail, "go command not found", "install Go")
}

func TestJSONOutput(t *testing.T) {
	rep := runEnvFast(t, t.TempDir(), map[string]string{"CGO_ENABLED": "0"})
	var buf bytes.Buffer
	if err := WriteJSON(&buf, rep); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Schema != "cgotrace-env/v1" || len(back.Checks) != len(rep.Checks) || back.Check("cgo-enabled").Verdict != Warn {
		t.Errorf("round trip: %+v", back)
	}
}

func TestTextOutput(t *testing.T) {
	r := &Report{Checks: []Check{
		{ID: "gocache", Verdict: OK, Observed: "/c", Why: "hidden", Fix: "hidden"},
		{ID: "cc", Verdict: Fail, Observed: "gcc: not found", Why: "because", Fix: "install it", Details: []string{"line1\nline2"}},
	}, Summary: Summary{OK: 1, Fail: 1}}
	var buf bytes.Buffer
	WriteText(&buf, r, false)
	want := "ok    gocache  /c\n" +
		"fail  cc       gcc: not found\n" +
		"      line1\n      line2\n      why: because\n      fix: install it\n" +
		"\n1 ok, 0 warn, 1 fail (0 ms)\n"
	if buf.String() != want {
		t.Errorf("text:\n%s\nwant:\n%s", buf.String(), want)
	}
	buf.Reset()
	WriteText(&buf, r, true)
	if !strings.Contains(buf.String(), "\x1b[31mfail\x1b[0m") {
		t.Errorf("no colour: %q", buf.String())
	}
}

func TestPreflight(t *testing.T) {
	needTool(t, "gcc")
	dir := t.TempDir()
	wrapper := filepath.Join(dir, "cc-wrapper")
	os.WriteFile(wrapper, []byte("#!/bin/sh\nif [ \"$1\" = -dumpmachine ]; then echo aarch64-linux-gnu; exit 0; fi\nexec gcc \"$@\"\n"), 0o755)
	env := func(set map[string]string) []string {
		m := baseEnv(t)
		for k, v := range set {
			m[k] = v
		}
		var out []string
		for k, v := range m {
			out = append(out, k+"="+v)
		}
		return out
	}
	tests := []struct {
		name string
		set  map[string]string
		code string
		subj map[string]string
	}{
		{"ok", nil, "", nil},
		{"explicit off", map[string]string{"CGO_ENABLED": "0"}, "cgo-disabled", map[string]string{"reason": "CGO_ENABLED=0 is set in the environment"}},
		{"cross implied", map[string]string{"GOARCH": "arm64"}, "cgo-disabled", nil},
		{"cc missing", map[string]string{"CC": filepath.Join(dir, "nocc")}, "cc-not-found", map[string]string{"tool": filepath.Join(dir, "nocc")}},
		{"cc other target", map[string]string{"CC": wrapper}, "cross-cc-mismatch", map[string]string{"target": "linux/amd64", "tool": wrapper}},
	}
	for _, tt := range tests {
		p, err := RunPreflight(context.Background(), Options{Env: env(tt.set), Dir: dir})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		ds := p.Diagnoses()
		if tt.code == "" {
			if len(ds) != 0 {
				t.Errorf("%s: %+v", tt.name, ds)
			}
			continue
		}
		if len(ds) != 1 || string(ds[0].Code) != tt.code || ds[0].Fix == "" {
			t.Errorf("%s: %+v, want one %s with a fix", tt.name, ds, tt.code)
			continue
		}
		for k, v := range tt.subj {
			if ds[0].Subject[k] != v {
				t.Errorf("%s: subject %q = %q, want %q", tt.name, k, ds[0].Subject[k], v)
			}
		}
	}
}

func TestGoCacheNoHome(t *testing.T) {
	rep := runEnvFast(t, t.TempDir(), map[string]string{"HOME": "", "XDG_CACHE_HOME": "", "GOCACHE": ""})
	want(t, rep, "gocache", Fail, "HOME is not set", "set HOME")
}
