package trace

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/cgotrace/cgotrace/trace/envcheck"
)

// CacheReport says which packages go build rebuilt and which it took from
// the build cache, and why a rebuilt cgo package was rebuilt.
type CacheReport struct {
	GOCACHE string `json:"gocache"`
	// Usable is false when GOCACHE is off, not a directory, or not
	// writable; Problem and Fix say why and what to do.
	Usable  bool   `json:"usable"`
	Problem string `json:"problem,omitempty"`
	Fix     string `json:"fix,omitempty"`
	// Rebuilt are the packages whose compile ran in this build.
	Rebuilt []CachePackage `json:"rebuilt"`
	// Cached are the packages of the build (go list -deps) that came
	// from the cache.
	Cached []string `json:"cached"`
	// StateFile keeps the inputs of cgo packages between builds, to tell
	// why one was rebuilt.
	StateFile string `json:"state_file,omitempty"`
}

// CachePackage is one rebuilt package.
type CachePackage struct {
	ImportPath string `json:"import_path"`
	Cgo        bool   `json:"cgo,omitempty"`
	// Reasons a cgo package was rebuilt, as far as cgotrace can tell by
	// comparing its inputs with the previous build it saw.
	Reasons []string `json:"reasons,omitempty"`
}

// cgoInputs are the fingerprints of what a cgo package's cache key
// depends on (and pkg-config output, which it does not, golang/go#24355).
type cgoInputs struct {
	Env       string `json:"env"`
	CFiles    string `json:"c_files"`
	GoFiles   string `json:"go_files"`
	PkgConfig string `json:"pkg_config"`
}

func (a *analysis) cacheReport(ctx context.Context) *CacheReport {
	cr := &CacheReport{GOCACHE: a.goEnv["GOCACHE"], Rebuilt: []CachePackage{}, Cached: []string{}}
	raw, rawSet := envValue(a.o.Env, "GOCACHE")
	home, _ := os.UserHomeDir()
	check, _ := envcheck.CheckGoCacheDir(raw, rawSet, cr.GOCACHE, home, a.o.Dir)
	cr.Usable = check.Verdict != envcheck.Fail
	if check.Verdict != envcheck.OK {
		cr.Problem, cr.Fix = check.Why, check.Fix
	}

	rebuilt := map[string]bool{}
	for _, r := range a.log.Records {
		if r.Step == KindCompile && r.ImportPath != "" {
			rebuilt[r.ImportPath] = true
		}
	}
	if a.extra != nil {
		for path, t := range a.extra.pkgs {
			if t.compiled {
				rebuilt[path] = true // compiles of pure-Go packages were counted
			}
		}
	}
	pkgs, err := goListAll(ctx, a.o.Runner, a.o.Go, a.o.Dir, a.o.Env, a.o.Args)
	if err != nil {
		a.o.Log.WithError(err).Debug("cache report: go list")
	}
	state, statePath := loadBuildState()
	cr.StateFile = statePath
	for _, lp := range pkgs {
		if !rebuilt[lp.ImportPath] {
			cr.Cached = append(cr.Cached, lp.ImportPath)
			continue
		}
		cp := CachePackage{ImportPath: lp.ImportPath, Cgo: len(lp.CgoFiles) > 0}
		if cp.Cgo && !lp.Standard {
			in := a.fingerprint(lp)
			key := lp.ImportPath + " " + lp.Dir
			if old, ok := state[key]; !ok {
				cp.Reasons = []string{"first build of this package that cgotrace has seen"}
			} else {
				if old.Env != in.Env {
					cp.Reasons = append(cp.Reasons, "CGO_* flags, CC or CXX changed")
				}
				if old.CFiles != in.CFiles {
					cp.Reasons = append(cp.Reasons, "C/C++ files of the package changed")
				}
				if old.GoFiles != in.GoFiles {
					cp.Reasons = append(cp.Reasons, "Go files (and their #cgo lines) changed")
				}
				if old.PkgConfig != in.PkgConfig {
					cp.Reasons = append(cp.Reasons, "pkg-config output changed")
				}
				if len(cp.Reasons) == 0 {
					cp.Reasons = []string{"none of its inputs changed: the cache entry was trimmed or evicted, or the toolchain, GOFLAGS or a dependency changed"}
				}
			}
			state[key] = in
		}
		cr.Rebuilt = append(cr.Rebuilt, cp)
	}
	sort.Strings(cr.Cached)
	saveBuildState(statePath, state)
	return cr
}

func (a *analysis) fingerprint(lp *listPackage) cgoInputs {
	h := func(parts ...string) string {
		sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
		return hex.EncodeToString(sum[:8])
	}
	var env []string
	for _, k := range []string{"CC", "CXX", "CGO_CPPFLAGS", "CGO_CFLAGS", "CGO_CXXFLAGS", "CGO_FFLAGS", "CGO_LDFLAGS"} {
		v := a.goEnv[k]
		if strings.HasPrefix(k, "CGO_") {
			v = a.cgoVar(k)
		}
		env = append(env, k+"="+v)
	}
	files := func(names []string) string {
		var parts []string
		for _, n := range names {
			data, _ := os.ReadFile(filepath.Join(lp.Dir, n))
			parts = append(parts, n, string(data))
		}
		return h(parts...)
	}
	var cfiles []string
	if ents, err := os.ReadDir(lp.Dir); err == nil {
		for _, e := range ents {
			switch filepath.Ext(e.Name()) {
			case ".c", ".h", ".cc", ".cpp", ".cxx", ".hh", ".hpp", ".S", ".s", ".m", ".f", ".F", ".f90":
				cfiles = append(cfiles, e.Name())
			}
		}
	}
	var pc []string
	for _, p := range a.rep.Packages {
		if p.ImportPath == lp.ImportPath {
			for _, c := range p.PkgConfig {
				pc = append(pc, strings.Join(c.Argv, " "), c.Stdout)
			}
		}
	}
	return cgoInputs{Env: h(env...), CFiles: files(cfiles), GoFiles: files(append(append([]string{}, lp.GoFiles...), lp.CgoFiles...)), PkgConfig: h(pc...)}
}

func loadBuildState() (map[string]cgoInputs, string) {
	state := map[string]cgoInputs{}
	dir, err := os.UserCacheDir()
	if err != nil {
		return state, ""
	}
	path := filepath.Join(dir, "cgotrace", "buildstate.json")
	if data, err := os.ReadFile(path); err == nil {
		json.Unmarshal(data, &state)
	}
	return state, path
}

func saveBuildState(path string, state map[string]cgoInputs) {
	if path == "" {
		return
	}
	data, err := json.Marshal(state)
	if err != nil {
		return
	}
	os.MkdirAll(filepath.Dir(path), 0o755)
	tmp := path + ".tmp"
	if os.WriteFile(tmp, data, 0o644) == nil {
		os.Rename(tmp, path)
	}
}
