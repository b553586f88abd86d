package envcheck

import (
	"archive/zip"
	"context"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The module tests build real modules in t.TempDir(): a module proxy
// directory served to go with GOPROXY=file://..., a private module cache
// and GOPATH filled from it with the real go command, and the module under
// test. The checks themselves then run with GOPROXY=off.

// proxyMod is one module version of a test proxy.
type proxyMod struct {
	Path, Version string
	// GoMod is the text after the module and go lines of its go.mod.
	GoMod string
	// Files are its other files; "" names get a package clause only.
	Files map[string]string
}

// writeProxy writes mods as a GOPROXY directory (the layout of `go help
// goproxy`: $path/@v/list, .info, .mod, .zip) and returns its file:// URL.
func writeProxy(t testing.TB, mods ...proxyMod) string {
	t.Helper()
	dir := t.TempDir()
	for _, m := range mods {
		v := filepath.Join(dir, filepath.FromSlash(m.Path), "@v")
		if err := os.MkdirAll(v, 0o777); err != nil {
			t.Fatal(err)
		}
		gomod := "module " + m.Path + "\n\ngo 1.21\n" + m.GoMod
		files := map[string]string{"go.mod": gomod}
		name := m.Path[strings.LastIndex(m.Path, "/")+1:]
		files[name+".go"] = "package " + name + "\n"
		for f, s := range m.Files {
			files[f] = s
		}
		writeFile(t, filepath.Join(v, m.Version+".mod"), gomod)
		writeFile(t, filepath.Join(v, m.Version+".info"), `{"Version":"`+m.Version+`","Time":"2024-01-01T00:00:00Z"}`)
		zf, err := os.Create(filepath.Join(v, m.Version+".zip"))
		if err != nil {
			t.Fatal(err)
		}
		zw := zip.NewWriter(zf)
		for _, f := range slices.Sorted(maps.Keys(files)) {
			w, err := zw.Create(m.Path + "@" + m.Version + "/" + f)
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte(files[f]))
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		zf.Close()
		list, _ := os.ReadFile(filepath.Join(v, "list"))
		writeFile(t, filepath.Join(v, "list"), string(list)+m.Version+"\n")
	}
	return "file://" + filepath.ToSlash(dir)
}

func writeFile(t testing.TB, p, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s), 0o666); err != nil {
		t.Fatal(err)
	}
}

// writeTree writes files (slash paths) under dir.
func writeTree(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for f, s := range files {
		writeFile(t, filepath.Join(dir, filepath.FromSlash(f)), s)
	}
}

// modWorld is a private GOPATH and module cache with a test proxy.
type modWorld struct {
	t     testing.TB
	proxy string
	env   map[string]string // what the checks run with
}

func newModWorld(t testing.TB, mods ...proxyMod) *modWorld {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not on PATH")
	}
	w := &modWorld{t: t}
	if len(mods) > 0 {
		w.proxy = writeProxy(t, mods...)
	}
	gopath := t.TempDir()
	// The module cache is read-only: make it writable again before
	// t.TempDir removes it (cleanups run last-registered first).
	t.Cleanup(func() {
		filepath.WalkDir(gopath, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				os.Chmod(p, 0o755)
			}
			return nil
		})
	})
	w.env = map[string]string{
		"GOPATH": gopath, "GOMODCACHE": filepath.Join(gopath, "pkg", "mod"),
		"GOFLAGS": "", "GOWORK": "", "GOTOOLCHAIN": "local",
		"GOPROXY": "off", "GOSUMDB": "off", "GOPRIVATE": "", "GONOPROXY": "", "GONOSUMDB": "",
	}
	return w
}

// goCmd runs the real go command in dir with the world's environment,
// the proxy reachable and go.mod writable (to set modules up).
func (w *modWorld) goCmd(dir string, args ...string) (string, error) {
	w.t.Helper()
	env := baseEnv(w.t)
	for k, v := range w.env {
		if v == "" {
			delete(env, k)
		} else {
			env[k] = v
		}
	}
	env["GOFLAGS"] = "-mod=mod"
	if w.proxy != "" {
		env["GOPROXY"] = w.proxy
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// mustGo is goCmd that must succeed.
func (w *modWorld) mustGo(dir string, args ...string) string {
	w.t.Helper()
	out, err := w.goCmd(dir, args...)
	if err != nil {
		w.t.Fatalf("go %s in %s: %v\n%s", strings.Join(args, " "), dir, err, out)
	}
	return out
}

// module writes a module into a new directory under t.TempDir() and
// returns that directory.
func (w *modWorld) module(files map[string]string) string {
	w.t.Helper()
	dir := t2dir(w.t)
	writeTree(w.t, dir, files)
	return dir
}

func t2dir(t testing.TB) string {
	t.Helper()
	d, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// check runs the module group of checks in dir (with extra variables set)
// the way Run does, and returns them.
func (w *modWorld) check(dir string, set map[string]string) *Report {
	w.t.Helper()
	m := baseEnv(w.t)
	for _, kv := range []map[string]string{w.env, set} {
		for k, v := range kv {
			if v == "" {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
	}
	var env []string
	for k, v := range m {
		env = append(env, k+"="+v)
	}
	rep, err := runModuleChecks(context.Background(), Options{Env: env, Dir: dir})
	if err != nil {
		w.t.Fatal(err)
	}
	return rep
}

// runModuleChecks is Run with only go env and the module group.
func runModuleChecks(ctx context.Context, opts Options) (*Report, error) {
	opts.Timeout = 60e9
	s, err := newState(opts, true)
	if err != nil {
		return nil, err
	}
	c, ok := s.loadEnv(ctx)
	if !ok {
		return &Report{Checks: []Check{c}}, nil
	}
	rep := &Report{Dir: s.dir, Checks: append([]Check{c}, s.checkModules(ctx)...)}
	return rep, nil
}

// modChecks returns the modules/... checks of rep.
func modChecks(rep *Report) []Check {
	var out []Check
	for _, c := range rep.Checks {
		if strings.HasPrefix(c.ID, "modules/") {
			out = append(out, c)
		}
	}
	return out
}

// onlyProblems asserts that the module checks not in want are ok, and
// returns nothing; it is how each test shows that one problem gives one
// finding.
func onlyProblems(t *testing.T, rep *Report, want ...string) {
	t.Helper()
	for _, c := range modChecks(rep) {
		if c.Verdict != OK && !slices.Contains(want, c.ID) {
			t.Errorf("unexpected %s %s: %s\n%s\n%s", c.Verdict, c.ID, c.Observed, strings.Join(c.Details, "\n"), c.Why)
		}
	}
}
