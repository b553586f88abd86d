package pkgconfig

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The environment variables of the recording shim. `cgotrace build` sets
// PKG_CONFIG to the cgotrace executable (cmd/go uses only the first word of
// PKG_CONFIG, so the shim cannot take arguments) and these variables.
const (
	// EnvShimReal is the real pkg-config program the shim runs. Setting it
	// puts cgotrace in shim mode.
	EnvShimReal = "CGOTRACE_SHIM_REAL"
	// EnvShimRecord is the JSON-lines file the shim appends one ShimRecord
	// per call to.
	EnvShimRecord = "CGOTRACE_SHIM_RECORD"
)

// ShimEnv returns the environment entries that make a cgotrace executable
// named by PKG_CONFIG act as a recording shim around realPkgConfig, appending
// to recordFile. The caller adds "PKG_CONFIG=<cgotrace executable>".
func ShimEnv(realPkgConfig, recordFile string) []string {
	return []string{EnvShimReal + "=" + realPkgConfig, EnvShimRecord + "=" + recordFile}
}

// ShimRecord is one pkg-config call seen by the shim.
type ShimRecord struct {
	Time time.Time `json:"time"`
	// Argv is the command as cmd/go ran it, Argv[0] being PKG_CONFIG.
	Argv []string `json:"argv"`
	// Real is the pkg-config program that did the work.
	Real string `json:"real"`
	// ImportPath is TOOLEXEC_IMPORTPATH, the Go package being built.
	ImportPath string `json:"import_path"`
	Dir        string `json:"dir"`
	// Env holds the variables that change pkg-config's answer.
	Env      map[string]string `json:"env,omitempty"`
	ExitCode int               `json:"exit_code"`
	Stdout   string            `json:"stdout"`
	Stderr   string            `json:"stderr"`
	// Merged is set when stdout and stderr were one stream (as under
	// cmd/go); Stdout then holds both, in order.
	Merged     bool    `json:"merged,omitempty"`
	DurationMS float64 `json:"duration_ms"`
	// PCFiles are the .pc files the call involved, as cgotrace resolves
	// it. The shim leaves them out; ReadRecords fills them in.
	PCFiles []string `json:"pc_files,omitempty"`
	// Error is set when the real pkg-config could not be started.
	Error string `json:"error,omitempty"`
}

// relevantEnv lists the variables recorded with each call.
var relevantEnv = []string{
	"PKG_CONFIG_PATH", "PKG_CONFIG_LIBDIR", "PKG_CONFIG_SYSROOT_DIR", "PKG_CONFIG_TOP_BUILD_DIR",
	"PKG_CONFIG_SYSTEM_INCLUDE_PATH", "PKG_CONFIG_SYSTEM_LIBRARY_PATH", "PKG_CONFIG_ALLOW_SYSTEM_CFLAGS",
	"PKG_CONFIG_ALLOW_SYSTEM_LIBS", "PKG_CONFIG_DISABLE_UNINSTALLED", "PKG_CONFIG_FDO_SYSROOT_RULES",
	"PKG_CONFIG_IGNORE_CONFLICTS", "PKG_CONFIG_PURE_DEPGRAPH", "CPATH", "C_INCLUDE_PATH",
	"CPLUS_INCLUDE_PATH", "OBJC_INCLUDE_PATH", "LIBRARY_PATH", "DESTDIR",
}

// RunShim runs the real pkg-config named by EnvShimReal with args (argv
// without the program name), passing stdin, stdout, stderr, the environment
// and the working directory through unchanged and returning its exit code,
// then appends a ShimRecord to EnvShimRecord. It prints nothing of its own
// unless the real program cannot be started. A failure to record never
// changes the result.
//
// Every pkg-config call of a build is a shim process of its own, so the
// shim does nothing the call does not need: no CLI, no logger, no .pc
// resolution (ReadRecords works out the .pc files afterwards, once per
// distinct call, in the process that reads the records).
func RunShim(argv0 string, args []string, env Env, stdin io.Reader, stdout, stderr io.Writer) int {
	real := env.Get(EnvShimReal)
	start := time.Now()
	cmd := exec.Command(real, args...)
	cmd.Env = env
	cmd.Stdin = stdin
	var outBuf, errBuf bytes.Buffer
	merged := sameFile(stdout, stderr)
	if merged {
		w := io.MultiWriter(stdout, &outBuf)
		cmd.Stdout, cmd.Stderr = w, w
	} else {
		cmd.Stdout = io.MultiWriter(stdout, &outBuf)
		cmd.Stderr = io.MultiWriter(stderr, &errBuf)
	}
	runErr := cmd.Run()
	dur := time.Since(start)
	code := 0
	dir, _ := os.Getwd()
	rec := ShimRecord{Time: start.UTC(), Argv: append([]string{argv0}, args...), Real: real,
		ImportPath: env.Get("TOOLEXEC_IMPORTPATH"), Dir: dir, Merged: merged}
	var ee *exec.ExitError
	switch {
	case runErr == nil:
	case errors.As(runErr, &ee):
		code = ee.ExitCode()
		if code < 0 {
			code = 1
		}
	default:
		// The real program could not be started: say so, as cmd/go
		// would have, and fail.
		fmt.Fprintf(stderr, "%v\n", runErr)
		code = 127
		rec.Error = runErr.Error()
	}
	rec.ExitCode = code
	rec.DurationMS = float64(dur.Microseconds()) / 1000
	rec.Stdout, rec.Stderr = outBuf.String(), errBuf.String()
	rec.Env = recordedEnv(env)
	if path := env.Get(EnvShimRecord); path != "" {
		_ = appendRecord(path, &rec)
	}
	return code
}

// recordedEnv is the part of env a record keeps (relevantEnv), or nil.
func recordedEnv(env Env) map[string]string {
	var m map[string]string
	for _, k := range relevantEnv {
		if v, ok := env.Lookup(k); ok {
			if m == nil {
				m = map[string]string{}
			}
			m[k] = v
		}
	}
	return m
}

// callOptions turns a recorded pkg-config call into the packages it asked
// for and the Options to resolve them with.
func callOptions(args []string, env Env, dir string) ([]string, Options) {
	var pkgs []string
	opts := Options{Env: env, Dir: dir, Define: map[string]string{}}
	dashdash := false
	for _, a := range args {
		switch {
		case dashdash:
			pkgs = append(pkgs, a)
		case a == "--":
			dashdash = true
		case a == "--static":
			opts.Static = true
		case a == "--pure":
			opts.Pure = true
		case a == "--shared":
			opts.Shared = true
		case a == "--env-only":
			opts.EnvOnly = true
		case strings.HasPrefix(a, "--define-variable="):
			if k, v, ok := strings.Cut(strings.TrimPrefix(a, "--define-variable="), "="); ok {
				opts.Define[k] = v
			}
		case strings.HasPrefix(a, "--maximum-traverse-depth="):
			if n, err := strconv.Atoi(strings.TrimPrefix(a, "--maximum-traverse-depth=")); err == nil {
				opts.MaxDepth = n
				if n == 0 {
					opts.MaxDepth = -1 // pkgconf: 0 means no limit
				}
			}
		case strings.HasPrefix(a, "-"):
		default:
			pkgs = append(pkgs, a)
		}
	}
	return pkgs, opts
}

// pcFiller sets the PCFiles of records that have none (the shim leaves
// them out), resolving each distinct call once, with the real program's
// defaults asked once per program.
type pcFiller struct {
	asked map[string]*Defaults
	done  map[string][]string
	// ahead holds the calls worked out for Expect that no record has
	// used yet; used counts those a record did use.
	ahead map[string]bool
	used  int
}

func (pf *pcFiller) fill(recs []ShimRecord) { pf.fillAs(recs, false) }

func (pf *pcFiller) fillAs(recs []ShimRecord, ahead bool) {
	if pf.asked == nil {
		pf.asked, pf.done, pf.ahead = map[string]*Defaults{}, map[string][]string{}, map[string]bool{}
	}
	for i := range recs {
		r := &recs[i]
		if r.PCFiles != nil || r.Error != "" || len(r.Argv) == 0 {
			continue
		}
		env := make(Env, 0, len(r.Env))
		for k, v := range r.Env {
			env = append(env, k+"="+v)
		}
		sort.Strings(env)
		key := strings.Join(r.Argv[1:], "\x00") + "\x01" + r.Dir + "\x01" + strings.Join(env, "\x00") + "\x01" + r.Real
		if files, ok := pf.done[key]; ok {
			r.PCFiles = files
			if !ahead && pf.ahead[key] {
				delete(pf.ahead, key)
				pf.used++
			}
			continue
		}
		files := []string{}
		if pkgs, opts := callOptions(r.Argv[1:], env, r.Dir); len(pkgs) > 0 {
			if _, ok := pf.asked[r.Real]; !ok {
				pf.asked[r.Real], _ = AskDefaults(r.Real, nil)
			}
			d := pf.asked[r.Real]
			if d == nil {
				dd := DebianDefaults
				d = &dd
			}
			opts.Defaults = d
			files = PCFiles(pkgs, opts)
		}
		pf.done[key] = files
		if ahead {
			pf.ahead[key] = true
		}
		r.PCFiles = files
	}
}

// PCFiles returns the .pc files a pkg-config call for pkgs loads, in load
// order: the packages and everything they require, including
// Requires.private (which `--cflags` always follows). It is the cheap part
// of Resolve: no flags, no tree, no checks.
func PCFiles(pkgs []string, opts Options) []string {
	c := newClient(&opts)
	w := c.world(pkgs)
	c.newProc(true, opts.Static).traverse(w, nil, 0)
	return append([]string{}, c.loaded...)
}

func sameFile(a, b io.Writer) bool {
	fa, ok1 := a.(*os.File)
	fb, ok2 := b.(*os.File)
	if !ok1 || !ok2 {
		return false
	}
	sa, err1 := fa.Stat()
	sb, err2 := fb.Stat()
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

// appendRecord writes one JSON line with a single write on an O_APPEND file
// under an exclusive flock, so that concurrent calls (go build -p N) never
// interleave.
func appendRecord(path string, rec *ShimRecord) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err == nil {
		defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	}
	_, err = f.Write(b)
	return err
}

// ReadRecords reads the shim's record file and works out the .pc files
// of each call (see pcFiller). A missing file means no call was recorded
// and is an error; a malformed line is an error naming it.
func ReadRecords(path string) ([]ShimRecord, error) {
	return NewRecordFile(path).Records()
}

// RecordFile is a shim's record file, whose calls' .pc files can be
// worked out while the build that writes it still runs (see Expect).
// Its methods may be called from several goroutines.
type RecordFile struct {
	path string
	mu   sync.Mutex
	pf   pcFiller
}

// NewRecordFile returns the record file at path. It reads nothing yet.
func NewRecordFile(path string) *RecordFile { return &RecordFile{path: path} }

// Expect works out the .pc files of a call the shim is about to record:
// args (argv without the program name), run in dir with env by the shim
// around real. A record read later with the same call, directory,
// variables (those a record keeps) and program gets them without
// resolving again. cgotrace build calls it when go's -x trace shows a
// pkg-config call starting, so that this work (a failed lookup reads
// every .pc file on the search path) overlaps the build. A record that
// differs (say, a directory go printed through a symbolic link) is
// resolved as usual: Expect only ever saves work.
func (f *RecordFile) Expect(args []string, dir string, env Env, real string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pf.fillAs([]ShimRecord{{Argv: append([]string{""}, args...), Dir: dir, Env: recordedEnv(env), Real: real}}, true)
}

// ExpectedUsed returns how many calls worked out by Expect a record read
// by Records has used.
func (f *RecordFile) ExpectedUsed() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.pf.used
}

// Records reads the file and works out the .pc files of each call (see
// pcFiller). A missing file means no call was recorded and is an error;
// a malformed line is an error naming it, returned with the records
// before it.
func (f *RecordFile) Records() ([]ShimRecord, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	file, err := os.Open(f.path)
	if err != nil {
		return nil, fmt.Errorf("read shim records: %w", err)
	}
	defer file.Close()
	var recs []ShimRecord
	sc := bufio.NewScanner(file)
	sc.Buffer(make([]byte, 64*1024), 64*1024*1024)
	n := 0
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var r ShimRecord
		if err := json.Unmarshal(line, &r); err != nil {
			return recs, fmt.Errorf("read shim records: %s:%d: %w", f.path, n, err)
		}
		recs = append(recs, r)
	}
	if err := sc.Err(); err != nil {
		return recs, fmt.Errorf("read shim records: %s: %w", f.path, err)
	}
	f.pf.fill(recs)
	return recs, nil
}
