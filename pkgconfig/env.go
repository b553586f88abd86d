package pkgconfig

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Env is an environment as a value: "KEY=value" entries, later entries
// winning, like os.Environ. pkgconfig never reads the process environment
// itself, so a caller can evaluate a pkg-config call with another
// environment (the one a go build ran with).
type Env []string

// Lookup returns the value of key and whether it is set at all (set but
// empty matters for PKG_CONFIG_LIBDIR).
func (e Env) Lookup(key string) (string, bool) {
	for i := len(e) - 1; i >= 0; i-- {
		k, v, ok := strings.Cut(e[i], "=")
		if ok && k == key {
			return v, true
		}
	}
	return "", false
}

// Get returns the value of key, "" when unset.
func (e Env) Get(key string) string {
	v, _ := e.Lookup(key)
	return v
}

// Defaults are the compiled-in settings of the real pkg-config: its
// default search path (personality) and its system directories.
type Defaults struct {
	Program           string   `json:"program"`
	Version           string   `json:"version"`
	PCPath            []string `json:"pc_path"`
	SystemIncludeDirs []string `json:"system_include_dirs"`
	SystemLibDirs     []string `json:"system_lib_dirs"`
}

// DebianDefaults are pkgconf 1.8.1's settings on Debian 12 amd64, used when
// no real pkg-config can be asked.
var DebianDefaults = Defaults{
	Version: "1.8.1",
	PCPath: strings.Split("/usr/local/lib/x86_64-linux-gnu/pkgconfig:/usr/local/lib/pkgconfig:"+
		"/usr/local/share/pkgconfig:/usr/lib/x86_64-linux-gnu/pkgconfig:/usr/lib/pkgconfig:/usr/share/pkgconfig", ":"),
	SystemIncludeDirs: []string{"/usr/include"},
	SystemLibDirs: strings.Split("/lib:/lib/i386-linux-gnu:/lib/x86_64-linux-gnu:/lib/x86_64-linux-gnux32:"+
		"/lib32:/libx32:/usr/lib:/usr/lib/i386-linux-gnu:/usr/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnux32:"+
		"/usr/lib32:/usr/libx32", ":"),
}

var (
	defaultsMu    sync.Mutex
	defaultsCache = map[string]*Defaults{}
)

// AskDefaults asks the real pkg-config program (a path, or a name looked up
// in PATH) for its default search path and system directories, once per
// program: `pkg-config --variable pc_path pkg-config` and friends. It runs
// the program with an environment holding only PATH, so that
// PKG_CONFIG_* settings do not leak into the answer.
func AskDefaults(program string, env Env) (*Defaults, error) {
	if program == "" {
		program = "pkg-config"
	}
	path := program
	if !strings.Contains(program, "/") {
		p, err := lookPath(program, env.Get("PATH"))
		if err != nil {
			return nil, err
		}
		path = p
	}
	defaultsMu.Lock()
	defer defaultsMu.Unlock()
	if d, ok := defaultsCache[path]; ok {
		return d, nil
	}
	file := defaultsFile(path)
	if d := readDefaultsFile(file); d != nil {
		defaultsCache[path] = d
		return d, nil
	}
	ask := func(args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, path, args...)
		cmd.Env = []string{"PATH=" + env.Get("PATH")}
		var out bytes.Buffer
		cmd.Stdout = &out
		if err := cmd.Run(); err != nil {
			return "", fmt.Errorf("ask %s %s: %w", path, strings.Join(args, " "), err)
		}
		return strings.TrimSpace(out.String()), nil
	}
	// The four questions are asked at once: they are on a failed
	// build's critical path.
	questions := [][]string{
		{"--variable", "pc_path", "pkg-config"},
		{"--variable", "pc_system_includedirs", "pkg-config"},
		{"--variable", "pc_system_libdirs", "pkg-config"},
		{"--version"},
	}
	answers := make([]string, len(questions))
	errs := make([]error, len(questions))
	var wg sync.WaitGroup
	for i, q := range questions {
		wg.Go(func() { answers[i], errs[i] = ask(q...) })
	}
	wg.Wait()
	if errs[0] != nil {
		return nil, errs[0]
	}
	d := &Defaults{Program: path}
	d.PCPath = splitPath(answers[0])
	if v, err := answers[1], errs[1]; err == nil && v != "" {
		d.SystemIncludeDirs = splitPath(v)
	} else {
		d.SystemIncludeDirs = DebianDefaults.SystemIncludeDirs
	}
	if v, err := answers[2], errs[2]; err == nil && v != "" {
		d.SystemLibDirs = splitPath(v)
	} else {
		d.SystemLibDirs = DebianDefaults.SystemLibDirs
	}
	if errs[3] == nil {
		d.Version = answers[3]
	}
	defaultsCache[path] = d
	writeDefaultsFile(file, d)
	return d, nil
}

// defaultsFile is where AskDefaults keeps the answers of an installed
// pkg-config binary between runs: four pkg-config runs on a failed
// build's critical path, for compiled-in values that change only when
// the binary does. The name holds the program's path, size, mtime,
// ctime and inode, so an upgrade asks again. Only a binary called
// pkg-config or pkgconf is kept: a wrapper script's answers depend on
// what it runs, and a pkgconf called by a target triplet reads a
// personality file. "" means not kept.
func defaultsFile(path string) string {
	if b := filepath.Base(path); b != "pkg-config" && b != "pkgconf" {
		return ""
	}
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	var magic [4]byte
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return ""
	}
	if _, err := io.ReadFull(f, magic[:]); err != nil || string(magic[:]) != "\x7fELF" {
		return ""
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return ""
	}
	defaultsMuDir.Lock()
	base := defaultsDir
	defaultsMuDir.Unlock()
	if base == "" {
		return ""
	}
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%d\x00%d\x00%d.%d\x00%d\x00%d", path, fi.Size(), fi.ModTime().UnixNano(),
		st.Ctim.Sec, st.Ctim.Nsec, st.Ino, st.Dev))
	return filepath.Join(base, hex.EncodeToString(sum[:12])+".json")
}

var (
	defaultsMuDir sync.Mutex
	defaultsDir   string
)

// KeepDefaultsIn makes AskDefaults keep its answers in dir between runs
// (see defaultsFile); "" keeps none, the default. DefaultsDir names the
// directory under the user cache directory of env.
func KeepDefaultsIn(dir string) {
	defaultsMuDir.Lock()
	defaultsDir = dir
	defaultsMuDir.Unlock()
}

// DefaultsDir is the directory for KeepDefaultsIn under the user cache
// directory of env (os.UserCacheDir's), "" when env names none.
func DefaultsDir(env Env) string {
	base, err := userCacheDir(env)
	if err != nil {
		return ""
	}
	return filepath.Join(base, "cgotrace", "pkg-config-defaults")
}

func readDefaultsFile(file string) *Defaults {
	if file == "" {
		return nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	var d Defaults
	if json.Unmarshal(data, &d) != nil || d.Program == "" || len(d.PCPath) == 0 {
		return nil
	}
	return &d
}

// writeDefaultsFile writes by rename, so that a concurrent run reads the
// old file or the new one, never half of one. A failure only means the
// next run asks again.
func writeDefaultsFile(file string, d *Defaults) {
	if file == "" || len(d.PCPath) == 0 {
		return
	}
	data, err := json.Marshal(d)
	if err != nil || os.MkdirAll(filepath.Dir(file), 0o755) != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), ".defaults-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(data)
	if cerr := tmp.Close(); werr != nil || cerr != nil || os.Rename(tmp.Name(), file) != nil {
		os.Remove(tmp.Name())
	}
}

// splitPath splits a ':'-separated list like strtok: empty items vanish.
func splitPath(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ":") {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

func lookPath(name, pathEnv string) (string, error) {
	for _, dir := range filepath.SplitList(pathEnv) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: executable file not found in $PATH", name)
}
