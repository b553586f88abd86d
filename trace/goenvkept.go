package trace

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// keptToolchain is a failed build's go env (goEnvVars) and `$CC
// -dumpmachine`, kept between runs (see kept.go): together they cost a
// failed build two processes (go env alone is 13 ms of wall time and
// 15 ms of CPU) that finish after go build on a failure at its first
// action, a missing .pc or header.
type keptToolchain struct {
	Env      GoEnv  `json:"env"`
	CC       string `json:"cc"`
	CCTarget string `json:"cc_target"`
	// CCMissing: CC is not installed (not on PATH, or no such file), so
	// CCTarget is "". The key holds CC as PATH finds it: once it is
	// installed, the key is another.
	CCMissing bool `json:"cc_missing,omitempty"`
}

// usable reports whether a kept answer holds both go env and the C
// compiler's target, or the fact that the C compiler is not installed.
func (k keptToolchain) usable() bool {
	return k.Env != nil && (k.CCTarget != "" || k.CCMissing)
}

// ccProgram is the program the C compiler command cc (CC with its
// arguments) runs: its first word as the build's PATH finds it, or that
// word itself when it is a path; "" when cc is empty or PATH has no
// such program.
func ccProgram(env []string, cc string) string {
	words := strings.Fields(cc)
	if len(words) == 0 {
		return ""
	}
	if p := words[0]; strings.Contains(p, "/") {
		return p
	}
	return lookPathEnv(env, words[0])
}

// ccMissing reports whether the C compiler command cc (go env's CC,
// with its arguments) is not installed: its program is not on the
// build's PATH, or no such file when it is a path.
func ccMissing(env []string, cc string) bool {
	if strings.TrimSpace(cc) == "" {
		return false
	}
	p := ccProgram(env, cc)
	if p == "" {
		return true
	}
	_, err := os.Stat(p)
	return errors.Is(err, fs.ErrNotExist)
}

// keptToolchainFile is the file of the build's kept go env and CC target,
// "" when none is kept: only for the real go (ExecRunner), and only when
// the environment names a cache directory. Its key is what go env's
// answers for goEnvVars and the C compiler's target depend on:
//   - the variables the go command reads (internal/cfg.KnownEnv: GO*,
//     CGO_*, AR, CC, CXX, FC, GCCGO, PKG_CONFIG), and those its defaults
//     come from (HOME and the XDG directories: the go env file, GOCACHE;
//     PATH: which go and C compiler run, and CGO_ENABLED's default, off
//     when the default C compiler is not found);
//   - the go binary, GOROOT's go.env, the go env file (go env -w);
//   - every go.mod and go.work from the build's directory up (a go or
//     toolchain line switches toolchains under GOTOOLCHAIN=auto) and
//     GOWORK's file;
//   - the C compiler go env names, as PATH finds it.
func keptToolchainFile(o *BuildOptions) string {
	if _, ok := o.Runner.(ExecRunner); !ok {
		return ""
	}
	dir := keptDir(o.Env, "go-env")
	if dir == "" {
		return ""
	}
	k := newKeptKey("go-env")
	k.add(goEnvVars...)
	k.add(o.Go, o.Dir)
	var vars []string
	for _, kv := range o.Env {
		name, _, _ := strings.Cut(kv, "=")
		if goReadsVar(name) {
			vars = append(vars, kv)
		}
	}
	// The last value of a name is the one a process sees.
	k.add(lastValues(vars)...)
	goPath, err := exec.LookPath(o.Go)
	if err != nil {
		return ""
	}
	k.file(goPath)
	goroot, _ := envValue(o.Env, "GOROOT")
	if goroot == "" {
		if real, err := filepath.EvalSymlinks(goPath); err == nil {
			goroot = filepath.Dir(filepath.Dir(real))
		}
	}
	k.file(filepath.Join(goroot, "go.env"))
	k.file(goEnvFilePath(o.Env))
	for d := o.Dir; ; {
		k.file(filepath.Join(d, "go.mod"))
		k.file(filepath.Join(d, "go.work"))
		up := filepath.Dir(d)
		if up == d {
			break
		}
		d = up
	}
	if w, _ := envValue(o.Env, "GOWORK"); w != "" && w != "off" {
		k.file(w)
	}
	if cc := goSetting(o.Env, "CC", "gcc"); len(strings.Fields(cc)) > 0 {
		k.add("cc", strings.Fields(cc)[0])
		k.file(ccProgram(o.Env, cc))
	}
	return filepath.Join(dir, k.name())
}

// goReadsVar reports whether the go command's answers may depend on the
// environment variable name.
func goReadsVar(name string) bool {
	if strings.HasPrefix(name, "GO") || strings.HasPrefix(name, "CGO_") {
		return true
	}
	switch name {
	case "AR", "CC", "CXX", "FC", "GCCGO", "PKG_CONFIG", "HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "PATH":
		return true
	}
	return false
}

// lastValues keeps the last NAME=value of each name, sorted.
func lastValues(kvs []string) []string {
	last := map[string]string{}
	for _, kv := range kvs {
		name, _, _ := strings.Cut(kv, "=")
		last[name] = kv
	}
	out := make([]string, 0, len(last))
	for _, kv := range last {
		out = append(out, kv)
	}
	slices.Sort(out)
	return out
}

// goEnvFilePath is the go env file the go command reads (GOENV, else
// UserConfigDir/go/env), "" for none.
func goEnvFilePath(env []string) string {
	// cmd/go's cfg.EnvFile: an empty GOENV is none.
	if f, _ := envValue(env, "GOENV"); f != "" {
		if f == "off" {
			return ""
		}
		return f
	}
	if v, _ := envValue(env, "XDG_CONFIG_HOME"); v != "" {
		if !filepath.IsAbs(v) {
			return "" // os.UserConfigDir's error: go reads no file
		}
		return filepath.Join(v, "go", "env")
	}
	if h, _ := envValue(env, "HOME"); h != "" {
		return filepath.Join(h, ".config", "go", "env")
	}
	return ""
}
