package trace

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/cgotrace/cgotrace/buildlog"
	"github.com/cgotrace/cgotrace/pkgconfig"
	"github.com/sirupsen/logrus"
)

// buildShim is the recording PKG_CONFIG shim of one build.
type buildShim struct {
	env    []string
	record string
	real   string // the pkg-config program it runs, resolved on PATH
	// self is the shim's path (PKG_CONFIG during the build); user is
	// what go build would have run and printed instead: the first word
	// of the user's PKG_CONFIG, or "pkg-config".
	self, user string
	// file reads the record file, with the .pc files of the calls
	// worked out while go build runs (see expect).
	file *pkgconfig.RecordFile
	log  logrus.FieldLogger
	// recs are the recorded calls, read once (see records).
	recsOnce sync.Once
	recs     map[string][]PkgConfigCall
}

// newShim points PKG_CONFIG at the cgotrace executable in shim mode, around
// the pkg-config go build would have run. It returns nil — no shim, the
// build runs as it would without cgotrace — when that program cannot be
// found: go build must then fail exactly as it would have ("exec:
// "pkg-config": executable file not found in $PATH"), not on the shim.
func newShim(o BuildOptions) *buildShim {
	if o.Self == "" {
		return nil
	}
	pc := pkgConfigSetting(o.Env)
	// cmd/go runs only the first word of PKG_CONFIG.
	first := strings.Fields(pc + " ")
	if len(first) == 0 {
		return nil
	}
	real, err := exec.LookPath(first[0])
	if err != nil {
		return nil
	}
	// The real pkg-config's defaults (four runs to ask) are kept in the
	// user cache directory, beside the C shim, for the next run.
	pkgconfig.KeepDefaultsIn(pkgconfig.DefaultsDir(pkgconfig.Env(o.Env)))
	f, err := os.CreateTemp("", "cgotrace-pkgconfig-*.jsonl")
	if err != nil {
		return nil
	}
	f.Close()
	// Only the two variables: the shim asks the real pkg-config for its
	// defaults on its first call, so a warm build that runs no pkg-config
	// pays nothing (pkgconfig.ShimEnv would ask up front).
	self := o.Self
	env := []string{pkgconfig.EnvShimReal + "=" + real, pkgconfig.EnvShimRecord + "=" + f.Name()}
	// The C shim, when the host C compiler can build it (once, cached),
	// costs less per call than the Go shim, which starts a Go runtime
	// (scripts/bench-shim.sh); it hands what it cannot do over to the Go
	// shim (CGOTRACE_SHIM_FALLBACK). cmd/go splits PKG_CONFIG into words,
	// so a cache path with blanks or quotes is not used.
	if v, _ := envValue(o.Env, EnvShimKind); v != "go" {
		c, err := pkgconfig.CShim(pkgconfig.CShimOptions{Env: pkgconfig.Env(o.Env)})
		if err == nil && strings.ContainsAny(c, " \t\n\r'\"\\") {
			err = fmt.Errorf("c shim path %q would be split by go", c)
		}
		if err == nil {
			self = c
			env = append(env, pkgconfig.EnvShimFallback+"="+o.Self)
		} else if o.Log != nil {
			o.Log.WithError(err).Debug("pkg-config shim: using the Go shim")
		}
	}
	env = append(env, "PKG_CONFIG="+self)
	return &buildShim{env: env, record: f.Name(), file: pkgconfig.NewRecordFile(f.Name()), log: o.Log, real: real, self: self, user: first[0]}
}

// EnvShimKind chooses the recording pkg-config shim of cgotrace build:
// "go" for the cgotrace executable itself; anything else (the default)
// for the C shim when the host C compiler builds it, else the Go one.
const EnvShimKind = "CGOTRACE_SHIM"

// pkgConfigSetting is the PKG_CONFIG go build will use: the environment's,
// else the go env file's (go env -w PKG_CONFIG=...), else "pkg-config".
// Reading the file directly keeps `go env` off the build's critical path.
func pkgConfigSetting(env []string) string { return goSetting(env, "PKG_CONFIG", "pkg-config") }

// goSetting is a go env variable as the go command will see it without
// running it: the environment's value, else the go env file's (go env -w),
// else def.
func goSetting(env []string, name, def string) string {
	if v, ok := envValue(env, name); ok && v != "" {
		return v
	}
	if file := goEnvFilePath(env); file != "" {
		if v := goEnvFileValue(file, name); v != "" {
			return v
		}
	}
	return def
}

// goEnvFiles caches parsed go env files: a build asks for several
// settings. An entry is used while the file's size and mtime are those
// it was read with.
var goEnvFiles struct {
	sync.Mutex
	m map[string]goEnvFile
}

type goEnvFile struct {
	size  int64
	mtime time.Time
	vals  map[string]string
}

// goEnvFileValue is NAME's value in the go env file (the first NAME=
// line with a value, as the file is read), or "".
func goEnvFileValue(file, name string) string {
	fi, err := os.Stat(file)
	if err != nil {
		return ""
	}
	goEnvFiles.Lock()
	defer goEnvFiles.Unlock()
	e, ok := goEnvFiles.m[file]
	if !ok || e.size != fi.Size() || !e.mtime.Equal(fi.ModTime()) {
		data, err := os.ReadFile(file)
		if err != nil {
			return ""
		}
		e = goEnvFile{size: fi.Size(), mtime: fi.ModTime(), vals: map[string]string{}}
		for _, line := range strings.Split(string(data), "\n") {
			k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
			if _, seen := e.vals[k]; ok && v != "" && !seen {
				e.vals[k] = v
			}
		}
		if goEnvFiles.m == nil {
			goEnvFiles.m = map[string]goEnvFile{}
		}
		goEnvFiles.m[file] = e
	}
	return e.vals[name]
}

func (s *buildShim) cleanup() {
	os.Remove(s.record)
	os.Remove(s.record + ".defaults") // pkgconfig's shared defaults
}

// records reads what the shim saw, as report-v1 pkg-config calls by
// import path.
func (s *buildShim) records() map[string][]PkgConfigCall {
	s.recsOnce.Do(func() { s.recs = s.readRecords() })
	return s.recs
}

// expect starts working out the .pc files of the pkg-config call that
// r, a -x line of go build, shows starting (see pkgconfig.RecordFile's
// Expect), with the environment go build runs with.
func (s *buildShim) expect(r *buildlog.Record, env []string) {
	if s == nil || r.Kind != buildlog.RecCommand || r.Step != "pkg-config" || len(r.Argv) < 2 || r.Dir == "" {
		return
	}
	args := append([]string(nil), r.Argv[1:]...)
	go s.file.Expect(args, r.Dir, pkgconfig.Env(env), s.real)
}

func (s *buildShim) readRecords() map[string][]PkgConfigCall {
	recs, err := s.file.Records()
	if s.log != nil {
		s.log.WithField("calls", s.file.ExpectedUsed()).Debug("pkg-config calls whose .pc files were worked out while go build ran")
	}
	if err != nil && len(recs) == 0 {
		return nil
	}
	out := map[string][]PkgConfigCall{}
	for _, r := range recs {
		argv := append([]string(nil), r.Argv...)
		if len(argv) > 0 {
			argv[0] = s.user
		}
		out[r.ImportPath] = append(out[r.ImportPath], PkgConfigCall{
			Argv: argv, ExitCode: r.ExitCode, Stdout: r.Stdout, Stderr: r.Stderr, PCFiles: r.PCFiles,
		})
	}
	return out
}

// reconstructPkgConfig evaluates, with the pkgconfig package, the
// pkg-config calls of packages whose #cgo pkg-config lines go build did
// not run in this build (the package came from the build cache), so that
// the chain is complete. The calls are marked reconstructed.
func (a *analysis) reconstructPkgConfig() {
	for _, p := range a.rep.Packages {
		if len(p.PkgConfig) > 0 {
			continue
		}
		flags, names := pkgConfigDirectiveArgs(p)
		if len(names) == 0 {
			continue
		}
		static := false
		for _, f := range flags {
			static = static || f == "--static"
		}
		res, err := pkgconfig.Resolve(names, pkgconfig.Options{Env: pkgconfig.Env(a.o.Env), Dir: p.Dir, Static: static, PkgConfig: a.rep.Toolchain.PkgConfig})
		if err != nil {
			continue
		}
		mk := func(what, out string, ok bool) PkgConfigCall {
			c := PkgConfigCall{Argv: append(append(append([]string{"pkg-config", what}, flags...), "--"), names...),
				Stdout: out, PCFiles: res.PCFiles, Reconstructed: true}
			if !ok {
				c.ExitCode, c.Stderr = 1, res.Stderr
			}
			return c
		}
		p.PkgConfig = append(p.PkgConfig, mk("--cflags", res.CflagsText, res.CflagsOK))
		if res.CflagsOK {
			p.PkgConfig = append(p.PkgConfig, mk("--libs", res.LibsText, res.LibsOK))
		}
	}
}

// hide returns a writer that passes go build's output on to dst, line by
// line, with the shim's path put back to the pkg-config command go build
// would have run: in the -x line of each call ("SHIM --cflags -- x") and
// in the header of a failed call ("# [SHIM --cflags  -- x]"), in plain
// text and in the JSON of -json events. What the terminal, the raw log
// and the report show is then what plain go build would have printed.
func (s *buildShim) hide(dst io.Writer) io.Writer {
	if s == nil {
		return dst
	}
	self, _ := json.Marshal(s.self)
	user, _ := json.Marshal(s.user)
	return &shimHider{dst: dst,
		from: []string{s.self + " ", string(self[1:len(self)-1]) + " "},
		to:   []string{s.user + " ", string(user[1:len(user)-1]) + " "}}
}

type shimHider struct {
	dst      io.Writer
	from, to []string
	buf      []byte
}

func (h *shimHider) Write(p []byte) (int, error) {
	h.buf = append(h.buf, p...)
	i := bytes.LastIndexByte(h.buf, '\n')
	if i < 0 {
		return len(p), nil
	}
	_, err := io.WriteString(h.dst, h.rewrite(string(h.buf[:i+1])))
	h.buf = append(h.buf[:0], h.buf[i+1:]...)
	return len(p), err
}

// Close writes what is left of an unterminated last line.
func (h *shimHider) Close() error {
	if len(h.buf) == 0 {
		return nil
	}
	_, err := io.WriteString(h.dst, h.rewrite(string(h.buf)))
	h.buf = h.buf[:0]
	return err
}

// rewrite replaces the shim's path where go build prints the pkg-config
// command: at the start of a line (of text, or of a JSON Output string,
// or after an escaped newline in it) and after "# [".
func (h *shimHider) rewrite(s string) string {
	for k, from := range h.from {
		if !strings.Contains(s, from) {
			continue
		}
		var b strings.Builder
		for {
			i := strings.Index(s, from)
			if i < 0 {
				break
			}
			pre := s[:i]
			at := i == 0 || strings.HasSuffix(pre, "\n") || strings.HasSuffix(pre, `"Output":"`) ||
				strings.HasSuffix(pre, `\n`) || strings.HasSuffix(pre, "# [")
			b.WriteString(pre)
			if at {
				b.WriteString(h.to[k])
			} else {
				b.WriteString(from)
			}
			s = s[i+len(from):]
		}
		b.WriteString(s)
		s = b.String()
	}
	return s
}

// pkgConfigDirectiveArgs splits the arguments of a package's #cgo
// pkg-config lines into flags (--static) and package names, as cmd/go
// does before it runs pkg-config.
func pkgConfigDirectiveArgs(p *Package) (flags, names []string) {
	for _, d := range p.Directives {
		if d.Verb != "pkg-config" {
			continue
		}
		for _, arg := range d.Args {
			if strings.HasPrefix(arg, "-") {
				flags = append(flags, arg)
			} else {
				names = append(names, arg)
			}
		}
	}
	return flags, names
}
