package trace

import (
	"io"
	"path/filepath"
	"sort"
	"strings"

	"github.com/cgotrace/cgotrace/buildlog"
	"github.com/cgotrace/cgotrace/trace/diag"
)

// cgoStepKinds are the steps that make a package's part of the chain.
var cgoStepKinds = map[string]bool{
	KindPkgConfig: true, KindCgo: true, KindCCCompile: true, KindCCLink: true,
	KindCgoDynimport: true, KindHostLink: true,
}

// packagesFromLog groups the log's commands by package. Only packages with
// cgo steps, failed packages and packages already known (from go list) are
// kept: a pure-Go package's compile and pack steps explain nothing.
func packagesFromLog(l *buildlog.Log, known map[string]*Package) []*Package {
	byPath := map[string]*Package{}
	var order []string
	get := func(path string) *Package {
		if p, ok := byPath[path]; ok {
			return p
		}
		p := known[path]
		if p == nil {
			p = &Package{ImportPath: path}
		}
		byPath[path] = p
		order = append(order, path)
		return p
	}
	for _, rec := range l.Records {
		if rec.Kind != buildlog.RecCommand || rec.ImportPath == "" || rec.Suffix == "internal" {
			continue
		}
		if strings.HasPrefix(rec.Suffix, "test for internal linking errors") {
			// The echo of the dynimport link: mark that link's outcome.
			if strings.HasSuffix(rec.Suffix, "(failed)") {
				p := get(rec.ImportPath)
				for i := len(p.Steps) - 1; i >= 0; i-- {
					if p.Steps[i].Kind == KindCCLink {
						p.Steps[i].Failed = true
						break
					}
				}
			}
			continue
		}
		p := get(rec.ImportPath)
		p.Steps = append(p.Steps, stepFromRecord(rec))
	}
	failed := map[string]bool{}
	for _, path := range l.FailedPackages {
		failed[path] = true
	}
	for _, b := range l.Blocks {
		if blockFailed(&b) {
			failed[b.ImportPath] = true
		}
	}
	for i := range l.HostLinks {
		h := &l.HostLinks[i]
		if h.ImportPath == "" {
			continue
		}
		p := get(h.ImportPath)
		p.Steps = append(p.Steps, Step{Kind: KindHostLink, Argv: h.Argv, Failed: h.Failed})
	}
	for path := range failed {
		if path != "" {
			get(path).Failed = true
		}
	}
	for path := range known {
		get(path)
	}
	var out []*Package
	for _, path := range order {
		p := byPath[path]
		if !p.Failed && !hasCgoStep(p) && len(p.Directives) == 0 && !p.importsC {
			continue
		}
		if p.Failed {
			markFailedStep(p, l)
		}
		out = append(out, p)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Failed && !out[j].Failed })
	return out
}

func hasCgoStep(p *Package) bool {
	for _, s := range p.Steps {
		if cgoStepKinds[s.Kind] {
			return true
		}
	}
	return false
}

// markFailedStep marks the step that failed: the host link for a link
// failure, the pkg-config call named in the block header, else the last
// command the package ran.
func markFailedStep(p *Package, l *buildlog.Log) {
	for _, s := range p.Steps {
		if s.Failed && s.Kind != KindCCLink {
			return
		}
	}
	var desc string
	for _, b := range l.Blocks {
		if b.ImportPath == p.ImportPath && b.Desc != "" {
			desc = b.Desc
		}
	}
	want := ""
	switch {
	case strings.HasPrefix(desc, "pkg-config"):
		want = KindPkgConfig
	}
	// A compile error names its file: the C compile of that file is the
	// step that failed, not whichever compile ran last (go compiles a
	// package's C files in parallel).
	if want == "" {
		if i := compileOfMessageFile(p, l); i >= 0 {
			p.Steps[i].Failed = true
			return
		}
	}
	for i := len(p.Steps) - 1; i >= 0; i-- {
		s := &p.Steps[i]
		if want != "" && s.Kind != want {
			continue
		}
		if want == "" && s.Kind == KindCCLink {
			continue
		}
		if s.Kind == KindLink {
			// The Go link fails when its host link does.
			for j := range p.Steps {
				if p.Steps[j].Kind == KindHostLink {
					p.Steps[j].Failed = true
					return
				}
			}
		}
		s.Failed = true
		return
	}
}

func stepFromRecord(rec buildlog.Record) Step {
	s := Step{Action: rec.Action, Kind: rec.Step, Dir: rec.Dir, Argv: rec.Argv, Output: rec.Output}
	if s.Kind == "" {
		s.Kind = KindOther
	}
	if s.Argv == nil {
		s.Argv = []string{}
	}
	if len(rec.Env) > 0 {
		s.Env = map[string]string{}
		for _, kv := range rec.Env {
			k, v, _ := strings.Cut(kv, "=")
			s.Env[k] = v
		}
	}
	return s
}

// Analyze parses a build log (plain, -x, or -json) and returns the report
// that can be made from the log alone, and the parsed log (its Outcome
// says whether the log shows how the build ended).
func Analyze(r io.Reader, version string) (*Report, *buildlog.Log, error) {
	l, err := buildlog.Parse(r)
	if err != nil {
		return nil, nil, err
	}
	return reportFromLog(l, nil, version), l, nil
}

// reportFromLog builds a report from a parsed log and what else is known.
func reportFromLog(l *buildlog.Log, f *Facts, version string) *Report {
	if f == nil {
		f = &Facts{}
	}
	rep := &Report{
		SchemaVersion: SchemaVersion,
		Tool:          Tool{Name: "cgotrace", Version: version},
		Command:       Command{Argv: []string{}},
	}
	rep.Packages = packagesFromLog(l, f.Packages)
	if f.Packages == nil {
		f.Packages = map[string]*Package{}
		for _, p := range rep.Packages {
			f.Packages[p.ImportPath] = p
		}
	}
	rep.Diagnoses = Diagnose(l, f)
	if rep.Diagnoses == nil {
		rep.Diagnoses = []diag.Diagnosis{}
	}
	switch l.Outcome {
	case buildlog.OutcomeFailure:
		rep.Command.ExitCode = 1
	case buildlog.OutcomeSuccess:
		rep.Command.ExitCode = 0
	default:
		// A truncated log: judge by what it shows.
		for _, d := range rep.Diagnoses {
			if d.Severity == diag.Error {
				rep.Command.ExitCode = 1
				break
			}
		}
	}
	return rep
}

// compileOfMessageFile is the index of the package's last C compile step
// whose source file an error message of the package's blocks names, or -1.
func compileOfMessageFile(p *Package, l *buildlog.Log) int {
	files := map[string]bool{}
	for _, b := range l.Blocks {
		if b.ImportPath != p.ImportPath {
			continue
		}
		for _, m := range b.Messages {
			if m.File != "" && m.Severity == "error" {
				files[filepath.Base(m.File)] = true
			}
		}
	}
	if len(files) == 0 {
		return -1
	}
	for i := len(p.Steps) - 1; i >= 0; i-- {
		s := &p.Steps[i]
		if s.Kind != KindCCCompile {
			continue
		}
		for j := len(s.Argv) - 1; j > 0; j-- {
			if s.Argv[j-1] == "-c" && files[filepath.Base(s.Argv[j])] {
				return i
			}
		}
	}
	return -1
}
