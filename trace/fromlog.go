package trace

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
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

// packagesFromLog groups the log's commands by package. A package with
// cgo steps, a failed package and a package already known (from go list)
// comes in chain with every step; a pure-Go package that built comes in
// counted, after them: its compile and pack steps explain nothing, so it
// carries only StepCounts unless allSteps keeps its steps too. x, when not
// nil, is what a streamed log counted instead of keeping (streamLog): its
// packages come in the order of their first command, with the counts.
func packagesFromLog(l *buildlog.Log, x *logExtra, known map[string]*Package, allSteps bool) (chain, counted []*Package) {
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
	// The failed packages in log order: a package that only failed (no
	// command of it ran) comes in at the same place every time.
	failed := slices.Clone(l.FailedPackages)
	for _, b := range l.Blocks {
		if blockFailed(&b) {
			failed = append(failed, b.ImportPath)
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
	for _, path := range failed {
		if path != "" {
			get(path).Failed = true
		}
	}
	for path := range known {
		get(path)
	}
	if x != nil {
		for path, t := range x.pkgs {
			if t.folded != nil {
				get(path)
			}
			if t.repeated > 0 {
				get(path).RepeatedSteps = t.repeated
			}
		}
		// Commands named late come after their neighbours: order by the
		// first command's line, the packages without one after.
		line := func(path string) int {
			if t := x.pkgs[path]; t != nil && t.firstLine > 0 {
				return t.firstLine
			}
			return int(^uint(0) >> 1)
		}
		sort.SliceStable(order, func(i, j int) bool { return line(order[i]) < line(order[j]) })
	}
	for _, path := range order {
		p := byPath[path]
		var folded map[string]int
		if x != nil {
			folded = x.foldedCounts(path)
		}
		if folded != nil && (!p.PureGo() || allSteps) {
			// Its first steps were counted and dropped (held past the
			// budget) before it showed a failure: the counts stay.
			p.StepCounts = addCounts(countSteps(p.Steps), folded)
		}
		if p.PureGo() {
			if !allSteps {
				p.StepCounts = addCounts(countSteps(p.Steps), folded)
				p.Steps = nil
			}
			counted = append(counted, p)
			continue
		}
		if p.Failed {
			markFailedStep(p, l)
		}
		chain = append(chain, p)
	}
	sort.SliceStable(chain, func(i, j int) bool { return chain[i].Failed && !chain[j].Failed })
	return chain, counted
}

func addCounts(n, m map[string]int) map[string]int {
	for k, v := range m {
		n[k] += v
	}
	return n
}

// countSteps is the number of steps by kind.
func countSteps(steps []Step) map[string]int {
	n := make(map[string]int)
	for _, s := range steps {
		n[s.Kind]++
	}
	return n
}

// PureGo reports whether the package is one a report counts rather than
// explains: it built, and has no cgo step, #cgo line or pkg-config call.
func (p *Package) PureGo() bool {
	return !p.Failed && !hasCgoStep(p) && len(p.Directives) == 0 && len(p.PkgConfig) == 0 && !p.importsC
}

// CountSteps is the number of the package's steps by kind: StepCounts,
// or the count of Steps when it keeps them.
func (p *Package) CountSteps() map[string]int {
	if p.StepCounts != nil {
		return p.StepCounts
	}
	return countSteps(p.Steps)
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
	return AnalyzeWith(r, version, AnalyzeOptions{})
}

// AnalyzeOptions changes what Analyze keeps.
type AnalyzeOptions struct {
	// AllSteps keeps every step of every package; without it a pure-Go
	// package that built carries only its step counts.
	AllSteps bool
}

// AnalyzeWith is Analyze with options.
func AnalyzeWith(r io.Reader, version string, o AnalyzeOptions) (*Report, *buildlog.Log, error) {
	l, x, err := streamLog(r, o.AllSteps)
	if err != nil {
		return nil, nil, err
	}
	return reportFromLogWith(l, x, loggedEnvFacts(l), version, o.AllSteps), l, nil
}

// loggedEnvFacts gives the rules what the go command line a log shows
// sets (a shell prompt's `CGO_ENABLED=0 GOOS=windows go build`), as the
// go env of a build would: the same rules then name cgo-disabled from
// `undefined:` or "build constraints exclude all Go files". Nil when the
// log shows no such variable.
func loggedEnvFacts(l *buildlog.Log) *Facts {
	ge := loggedGoEnv(l)
	if ge == nil {
		return nil
	}
	_, explicit := ge["CGO_ENABLED"]
	return &Facts{GoEnv: ge, CgoExplicit: explicit}
}

// loggedGoEnv is what the env of the log's last go command line sets of
// CGO_ENABLED, GOOS, GOARCH, CC and CXX, or nil.
func loggedGoEnv(l *buildlog.Log) GoEnv {
	if len(l.Commands) == 0 {
		return nil
	}
	var ge GoEnv
	for _, kv := range l.Commands[len(l.Commands)-1].Env {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "CGO_ENABLED", "GOOS", "GOARCH", "CC", "CXX":
			if ge == nil {
				ge = GoEnv{}
			}
			ge[k] = v
		}
	}
	return ge
}

// reportFromLog builds a report from a parsed log and what else is known.
func reportFromLog(l *buildlog.Log, f *Facts, version string) *Report {
	return reportFromLogWith(l, nil, f, version, false)
}

func reportFromLogWith(l *buildlog.Log, x *logExtra, f *Facts, version string, allSteps bool) *Report {
	if f == nil {
		f = &Facts{}
	}
	rep := &Report{
		SchemaVersion: SchemaVersion,
		Tool:          Tool{Name: "cgotrace", Version: version},
		Command:       Command{Argv: []string{}},
	}
	chain, counted := packagesFromLog(l, x, f.Packages, allSteps)
	rep.Packages = append(chain, counted...)
	if f.Packages == nil {
		// The rules see the packages of the chain only, with or without
		// --all-steps: the diagnoses do not depend on it.
		f.Packages = map[string]*Package{}
		for _, p := range chain {
			f.Packages[p.ImportPath] = p
		}
	}
	rep.Diagnoses = Diagnose(l, f)
	if rep.Diagnoses == nil {
		rep.Diagnoses = []diag.Diagnosis{}
	}
	hasError := false
	for _, d := range rep.Diagnoses {
		hasError = hasError || d.Severity == diag.Error
	}
	switch l.Outcome {
	case buildlog.OutcomeFailure:
		rep.Command.ExitCode = 1
	case buildlog.OutcomeSuccess:
		rep.Command.ExitCode = 0
	default:
		// A truncated log: judge by what it shows.
		if hasError {
			rep.Command.ExitCode = 1
		}
	}
	loggedFacts(rep, l)
	switch {
	case l.Outcome == buildlog.OutcomeSuccess && l.NoFinalLink:
		rep.Notes = append(rep.Notes, "no final link was seen: the log shows library packages built (and stored in the build cache), no program linked")
	case l.Outcome == buildlog.OutcomeFailure && !hasError && l.CIExitCode != nil && *l.CIExitCode != 0 && len(l.FailedPackages) == 0:
		rep.Notes = append(rep.Notes, fmt.Sprintf("go's own lines do not show the failure; the CI system reported exit code %d", *l.CIExitCode))
	}
	if l.Outcome != buildlog.OutcomeFailure && startFailed(l) {
		rep.Command.ExitCode = 1 // go run's, go test's
	}
	if len(l.TestsFailed) > 0 && l.Outcome == buildlog.OutcomeSuccess {
		rep.Command.ExitCode = 1 // go test's
		rep.Notes = append(rep.Notes, "the build succeeded; tests failed in "+strings.Join(l.TestsFailed, ", "))
	}
	if l.Truncated != "" {
		rep.Notes = append(rep.Notes, "the log looks truncated: "+l.Truncated)
	}
	if l.LongLines > 0 {
		rep.Notes = append(rep.Notes, fmt.Sprintf("%d line(s) longer than %d MB were read as their head and tail only", l.LongLines, buildlog.MaxLineBytes>>20))
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

// loggedFacts takes what the log's own command line says (a shell prompt
// of a pasted snippet, a CI echo of the step) into the report: the go
// command, and CGO_ENABLED, GOOS, GOARCH, CC, CXX and the other variables
// a report may keep, from the environment set on that line.
func loggedFacts(rep *Report, l *buildlog.Log) {
	if len(l.Commands) == 0 {
		return
	}
	c := l.Commands[len(l.Commands)-1]
	rep.Command.LoggedArgv = c.Argv
	if len(c.Env) == 0 {
		return
	}
	tc := rep.Toolchain
	if tc == nil {
		tc = &Toolchain{}
	}
	ge := loggedGoEnv(l)
	for k, field := range map[string]*string{"CGO_ENABLED": &tc.CgoEnabled, "GOOS": &tc.GOOS,
		"GOARCH": &tc.GOARCH, "CC": &tc.CC, "CXX": &tc.CXX} {
		if v, ok := ge[k]; ok {
			*field = v
		}
	}
	tc.Env = reportEnv(c.Env)
	rep.Toolchain = tc
}

// startFailed reports whether a program that go run or go test built
// could not start (a MsgRuntimeLoad message): the build did not fail,
// the command did.
func startFailed(l *buildlog.Log) bool {
	for _, b := range l.Blocks {
		for _, m := range b.Messages {
			if m.Kind == buildlog.MsgRuntimeLoad {
				return true
			}
		}
	}
	return false
}
