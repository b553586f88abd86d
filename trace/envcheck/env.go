package envcheck

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// Env is an environment: the variables of a process plus the settings of
// the go env file (`go env -w`), which the go command treats as if they
// were in the environment.
type Env struct {
	mu      sync.Mutex
	vars    map[string]string
	order   []string
	goenvF  map[string]string
	goenvFP string
}

// NewEnv builds an Env from KEY=VALUE strings; a later duplicate wins, as
// in exec.Cmd.
func NewEnv(list []string) *Env {
	e := &Env{vars: map[string]string{}, goenvF: map[string]string{}}
	for _, kv := range list {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			continue
		}
		if _, dup := e.vars[k]; !dup {
			e.order = append(e.order, k)
		}
		e.vars[k] = v
	}
	return e
}

// Get returns the value of k from the environment, else from the go env
// file.
func (e *Env) Get(k string) string {
	v, _ := e.Lookup(k)
	return v
}

// Lookup is Get that also says whether k was set (non-empty) anywhere.
func (e *Env) Lookup(k string) (string, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if v, ok := e.vars[k]; ok && v != "" {
		return v, true
	}
	if v, ok := e.goenvF[k]; ok && v != "" {
		return v, true
	}
	return "", false
}

// Origin says where k is set: "environment", "go env file PATH", or "".
func (e *Env) Origin(k string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if v := e.vars[k]; v != "" {
		return "environment"
	}
	if v := e.goenvF[k]; v != "" {
		return "go env file " + e.goenvFP
	}
	return ""
}

// OSEnv returns k from the process environment only (not the go env file):
// some go decisions read only the environment.
func (e *Env) OSEnv(k string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.vars[k]
}

// List returns the environment as KEY=VALUE strings.
func (e *Env) List() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]string, 0, len(e.order))
	for _, k := range e.order {
		out = append(out, k+"="+e.vars[k])
	}
	return out
}

// With returns the environment with the given KEY=VALUE settings replacing
// or adding to it (an empty value removes the key).
func (e *Env) With(kvs ...string) []string {
	set := map[string]string{}
	var keys []string
	for _, kv := range kvs {
		k, v, _ := strings.Cut(kv, "=")
		set[k] = v
		keys = append(keys, k)
	}
	var out []string
	for _, kv := range e.List() {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := set[k]; !ok {
			out = append(out, kv)
		}
	}
	for _, k := range keys {
		if set[k] != "" {
			out = append(out, k+"="+set[k])
		}
	}
	return out
}

// loadGoEnvFile reads the go env file (KEY=VALUE lines written by
// `go env -w`).
func (e *Env) loadGoEnvFile(path string) {
	if path == "" || path == "off" {
		return
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.goenvFP = path
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok {
			e.goenvF[strings.TrimSpace(k)] = v
		}
	}
}

// LookPath finds an executable the way exec.LookPath does, but on the PATH
// of env instead of the process's.
func LookPath(name, pathEnv string) (string, error) {
	if name == "" {
		return "", errors.New("empty command name")
	}
	if strings.Contains(name, "/") {
		if err := isExecutable(name); err != nil {
			return "", err
		}
		return name, nil
	}
	for dir := range strings.SplitSeq(pathEnv, string(os.PathListSeparator)) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, name)
		if isExecutable(p) == nil {
			if !filepath.IsAbs(p) {
				if abs, err := filepath.Abs(p); err == nil {
					p = abs
				}
			}
			return p, nil
		}
	}
	return "", fmt.Errorf("%q not found in PATH", name)
}

func isExecutable(p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return fmt.Errorf("%s is a directory", p)
	}
	if fi.Mode()&0o111 == 0 {
		return fmt.Errorf("%s: %w", p, fs.ErrPermission)
	}
	return nil
}

// SplitQuoted splits a command line or flag list the way the go command
// splits CC, CGO_CFLAGS and GOFLAGS (cmd/internal/quoted): on spaces, with
// single or double quotes grouping words.
func SplitQuoted(s string) ([]string, error) {
	var out []string
	var cur strings.Builder
	in := false
	var quote rune
	inQuote := false
	for _, r := range s {
		switch {
		case inQuote && r == quote:
			inQuote = false
		case inQuote:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			inQuote, quote, in = true, r, true
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			if in {
				out = append(out, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if inQuote {
		return nil, fmt.Errorf("unterminated %c quote in %q", quote, s)
	}
	if in {
		out = append(out, cur.String())
	}
	return out, nil
}

// ExecRunner runs programs with os/exec.
type ExecRunner struct{}

// Run implements Runner.
func (ExecRunner) Run(ctx context.Context, c Command) ([]byte, []byte, error) {
	cmd := exec.CommandContext(ctx, c.Path, c.Args...)
	cmd.Dir = c.Dir
	cmd.Env = c.Env
	var out, errb bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &errb
	err := cmd.Run()
	return out.Bytes(), errb.Bytes(), err
}

// GoEnv is the output of `go env -json`.
type GoEnv map[string]string

// goEnvRetryVars are settings that make `go env` itself fail; when it does,
// it is run again without them so the other checks still see go's view.
var goEnvRetryVars = []string{"GO111MODULE", "GOFLAGS", "GOTOOLCHAIN", "GOCACHE"}

// loadGoEnv runs `go env -json` once for every variable.
func (s *state) loadGoEnv(ctx context.Context) (Check, GoEnv, bool) {
	c := Check{ID: "go", Why: "every other check reads the go command's own view of the environment (go env)"}
	goCmd := s.opts.Go
	if goCmd == "" {
		goCmd = "go"
	}
	p, err := LookPath(goCmd, s.env.OSEnv("PATH"))
	if err != nil {
		c.Verdict, c.Observed = Fail, "go command not found"
		c.Fix = "install Go (https://go.dev/dl) and put its bin directory on PATH"
		c.Details = []string{err.Error()}
		return c, nil, false
	}
	s.goPath = p
	// GOTOOLCHAIN=local: a go.mod that asks for a newer Go would make
	// go env itself download that toolchain. The modules/toolchain check
	// reports the user's GOTOOLCHAIN and what it does.
	var env []string
	if s.localToolchain {
		env = s.env.With("GOTOOLCHAIN=local")
	}
	out, errb, err := s.run(ctx, env, "", p, "env", "-json")
	if err != nil {
		// Retry without the settings that break go env itself: the check
		// that owns the setting reports it.
		first := errText(errb, err)
		retry := withEmpty(goEnvRetryVars)
		if s.localToolchain {
			retry = append(retry, "GOTOOLCHAIN=local")
		}
		out, _, err = s.run(ctx, s.env.With(retry...), "", p, "env", "-json")
		cheap := false
		if err != nil {
			// The C flags, PKG_CONFIG and GOGCCFLAGS need a working build
			// cache (no HOME, say): ask only for the others.
			out, _, err = s.run(ctx, env, "", p, append([]string{"env", "-json"}, cheapGoEnvVars...)...)
			cheap = true
		}
		if err != nil {
			c.Verdict, c.Observed = Fail, p+": go env failed"
			c.Details = []string{first}
			c.Fix = "fix the setting go names above (go env -u NAME removes one set with go env -w)"
			return c, nil, false
		}
		c.Details = []string{first}
		if cheap {
			c.Details = append(c.Details, "CGO_*FLAGS and PKG_CONFIG below are the environment's or go's defaults: go env could not compute them")
			var ge GoEnv
			if json.Unmarshal([]byte(out), &ge) == nil {
				s.fillCostlyDefaults(ge)
				b, _ := json.Marshal(ge)
				out = string(b)
			}
		}
	}
	var ge GoEnv
	if err := json.Unmarshal([]byte(out), &ge); err != nil {
		c.Verdict, c.Observed = Fail, p+": unreadable go env -json output"
		c.Details = []string{err.Error()}
		c.Fix = "check that " + p + " is a working go command (" + p + " version)"
		return c, nil, false
	}
	if len(c.Details) > 0 {
		// The retry ran without the user's values: put them back so the
		// check that owns each one judges what the user set.
		for _, k := range goEnvRetryVars {
			if v, ok := s.env.Lookup(k); ok {
				ge[k] = v
			}
		}
	}
	c.Verdict = OK
	c.Observed = fmt.Sprintf("%s %s/%s (%s)", ge["GOVERSION"], ge["GOOS"], ge["GOARCH"], p)
	if len(c.Details) > 0 {
		c.Observed += "; go env fails with these settings, the values below were read without " + strings.Join(goEnvRetryVars, ", ")
		c.Verdict = Fail
		c.Fix = "fix the setting go names above (go env -u NAME removes one set with go env -w)"
	}
	return c, ge, true
}

// cheapGoEnvVars are the go env variables that do not need the build
// cache to be computed.
var cheapGoEnvVars = []string{"GOCACHE", "GOOS", "GOARCH", "GOHOSTOS", "GOHOSTARCH", "GOVERSION",
	"GOENV", "GOMOD", "GOPATH", "GOFLAGS", "GOPROXY", "GOPRIVATE", "GONOPROXY", "GONOSUMDB",
	"GOINSECURE", "GOSUMDB", "CGO_ENABLED", "CC", "CXX", "GOCACHEPROG", "GO111MODULE", "GOROOT",
	"GOWORK", "GOTOOLCHAIN"}

// fillCostlyDefaults sets the go env variables go could not compute as go
// would: the environment's value, else go's default.
func (s *state) fillCostlyDefaults(ge GoEnv) {
	for k, def := range map[string]string{"CGO_CPPFLAGS": "", "CGO_CFLAGS": "-O2 -g", "CGO_CXXFLAGS": "-O2 -g",
		"CGO_FFLAGS": "-O2 -g", "CGO_LDFLAGS": "-O2 -g", "PKG_CONFIG": "pkg-config"} {
		if v, ok := s.env.Lookup(k); ok {
			ge[k] = v
		} else {
			ge[k] = def
		}
	}
}

func withEmpty(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k + "="
	}
	return out
}
