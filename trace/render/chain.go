package render

import (
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/cgotrace/cgotrace/trace"
	"github.com/cgotrace/cgotrace/trace/diag"
)

// This file holds what the text, Markdown, GitHub and JUnit renderers
// share: picking the root cause, reconstructing the chain
// #cgo line → pkg-config → flags → command → error of one package, and
// small formatting helpers. Everything is a pure function of the Report,
// so a report re-read from report.json renders to the same bytes.

// Chain stages, in the order a cgo build goes through them.
const (
	stageDirective = iota
	stagePkgConfig
	stageFlag
	stageCommand
	stageError
)

// Caps on chain nodes per stage, so one odd package cannot flood a
// summary; the text names how many were left out.
const (
	maxChainDirectives = 10
	maxChainPkgConfig  = 6
	maxChainFlags      = 8
	// maxChainPCFiles caps the .pc files named on one pkg-config node
	// (a failed lookup may have read every .pc file of the system).
	maxChainPCFiles = 4
)

// chainNode is one link of the chain.
type chainNode struct {
	ID      string // n0, n1, ... (stable: the order nodes are added)
	Stage   int
	Label   string // the thing itself: a #cgo line, a command, a flag
	Detail  string // where it came from, exit status, .pc files
	Failing bool   // the link where the chain broke
}

// chain is the graph of one package's cgo chain, ending in one diagnosis.
type chain struct {
	Package string
	Nodes   []chainNode
	Edges   [][2]int // indexes into Nodes
	// Omitted counts the nodes left out per stage by the caps.
	Omitted [stageError + 1]int
	// Step is the failing command, if the report has one.
	Step *trace.Step
}

// failing returns the index of the failing node.
func (c *chain) failing() int {
	for i, n := range c.Nodes {
		if n.Failing {
			return i
		}
	}
	return len(c.Nodes) - 1
}

// rootCause returns the index of the diagnosis to fix first: the first
// error (report-v1 orders diagnoses root cause first), or -1.
func rootCause(r *trace.Report) int {
	for i, d := range r.Diagnoses {
		if d.Severity == diag.Error {
			return i
		}
	}
	return -1
}

// findPackage returns the package with the import path, or nil.
func findPackage(r *trace.Report, path string) *trace.Package {
	if path == "" {
		return nil
	}
	for _, p := range r.Packages {
		if p != nil && p.ImportPath == path {
			return p
		}
	}
	return nil
}

// failedStep returns the failed command of p that d is about: for a
// linker finding the failed link (the host link before cmd/go's own
// dynimport test link), otherwise the first failed command in log order.
func failedStep(p *trace.Package, d *diag.Diagnosis) *trace.Step {
	if p == nil {
		return nil
	}
	if linkCodes[d.Code] {
		for _, kind := range []string{trace.KindHostLink, trace.KindLink, trace.KindCCLink} {
			for i := range p.Steps {
				if p.Steps[i].Failed && p.Steps[i].Kind == kind {
					return &p.Steps[i]
				}
			}
		}
	}
	for i := range p.Steps {
		if p.Steps[i].Failed {
			return &p.Steps[i]
		}
	}
	return nil
}

// sharedLink finds the failed link of another package (the main
// package's host link, where go build links every cgo package's flags)
// that carries one of p's own link flags.
func sharedLink(r *trace.Report, p *trace.Package) *trace.Step {
	for _, q := range r.Packages {
		if q == nil || q == p {
			continue
		}
		for i := range q.Steps {
			st := &q.Steps[i]
			if !st.Failed || (st.Kind != trace.KindHostLink && st.Kind != trace.KindLink) {
				continue
			}
			for _, f := range p.Flags {
				if f.Stage == "link" && f.Origin != trace.OriginGo && containsString(st.Argv, f.Flag) {
					return st
				}
			}
		}
	}
	return nil
}

// chainDirectives orders a package's #cgo lines for d's chain, which
// shows the first maxChainDirectives: the line d is at first, then the
// lines of d's stage (LDFLAGS and pkg-config for a linker finding, the
// others for the rest; pkg-config lines serve both), then the others,
// each group in file order. A static link's undefined symbols in
// go-sqlite3 are at its LDFLAGS line, the 13th of 16.
func chainDirectives(ds []trace.Directive, d *diag.Diagnosis) []trace.Directive {
	rank := func(dv trace.Directive) int {
		switch {
		case d.Source != nil && dv.File == d.Source.File && dv.Line == d.Source.Line:
			return 0
		case dv.Verb == "pkg-config", strings.EqualFold(dv.Verb, "LDFLAGS") == linkCodes[d.Code]:
			return 1
		}
		return 2
	}
	out := slices.Clone(ds)
	slices.SortStableFunc(out, func(a, b trace.Directive) int { return rank(a) - rank(b) })
	return out
}

// linkCodes are the diagnoses that come from the linker.
var linkCodes = map[diag.Code]bool{
	diag.LibraryNotFound: true, diag.LibraryDevMissing: true, diag.LibraryArchMismatch: true,
	diag.StaticLibraryMissing: true, diag.UndefinedSymbol: true, diag.CXXRuntimeMissing: true,
	diag.DSOMissingFromCommandLine: true, diag.MultipleDefinition: true, diag.PICRequired: true,
	diag.StaticGlibcNSS: true, diag.LinkError: true,
}

// buildChain reconstructs the chain of d's package. It never fails: with
// nothing known about the package the chain is the error alone.
func buildChain(r *trace.Report, d *diag.Diagnosis) chain {
	c := chain{Package: d.Package}
	add := func(n chainNode) int {
		n.ID = "n" + strconv.Itoa(len(c.Nodes))
		c.Nodes = append(c.Nodes, n)
		return len(c.Nodes) - 1
	}
	edge := func(from, to int) { c.Edges = append(c.Edges, [2]int{from, to}) }
	p := findPackage(r, d.Package)
	step := failedStep(p, d)
	if step == nil && p != nil && linkCodes[d.Code] {
		step = sharedLink(r, p)
	}
	c.Step = step

	var dirs, calls, flags []int
	var dirOf []trace.Directive
	var callOf []trace.PkgConfigCall
	var flagOf []trace.Flag
	failingSet := false

	if p != nil {
		for i, dv := range chainDirectives(p.Directives, d) {
			if i >= maxChainDirectives {
				c.Omitted[stageDirective] = len(p.Directives) - maxChainDirectives
				break
			}
			dirs = append(dirs, add(chainNode{Stage: stageDirective,
				Label: directiveText(dv), Detail: dv.File + ":" + strconv.Itoa(dv.Line)}))
			dirOf = append(dirOf, dv)
		}
		for i, pc := range p.PkgConfig {
			if i >= maxChainPkgConfig {
				c.Omitted[stagePkgConfig] = len(p.PkgConfig) - maxChainPkgConfig
				break
			}
			detail := "exit status " + strconv.Itoa(pc.ExitCode)
			switch n := len(pc.PCFiles); {
			case n > maxChainPCFiles && pc.ExitCode != 0:
				// A package pkg-config did not find makes it read every
				// .pc file for a Provides: a list of them says nothing.
				detail += ", " + strconv.Itoa(n) + " .pc files scanned (all in the report)"
			case n > maxChainPCFiles:
				detail += ", " + strings.Join(pc.PCFiles[:maxChainPCFiles-1], ", ") +
					", … " + strconv.Itoa(n-maxChainPCFiles+1) + " more .pc files (all in the report)"
			case n > 0:
				detail += ", " + strings.Join(pc.PCFiles, ", ")
			}
			if pc.Reconstructed {
				detail += ", re-evaluated by cgotrace"
			}
			fail := pc.ExitCode != 0 && !failingSet && step == nil
			if fail {
				failingSet = true
			}
			calls = append(calls, add(chainNode{Stage: stagePkgConfig,
				Label: commandLine(pc.Argv), Detail: detail, Failing: fail}))
			callOf = append(callOf, pc)
		}
		picked, omitted := pickFlags(p.Flags, step, d)
		c.Omitted[stageFlag] = omitted
		for _, f := range picked {
			flags = append(flags, add(chainNode{Stage: stageFlag, Label: f.Flag, Detail: flagDetail(f)}))
			flagOf = append(flagOf, f)
		}
	}
	cmd := -1
	if step != nil {
		detail := step.Kind + ", failed"
		if step.Dir != "" {
			detail += ", in " + step.Dir
		}
		cmd = add(chainNode{Stage: stageCommand, Label: foldedCommandLine(step.Argv), Detail: detail, Failing: !failingSet})
		failingSet = true
	}
	errLabel := d.Summary
	if e := keyEvidence(d.Evidence); e != "" {
		errLabel = e
	}
	errDetail := string(d.Code)
	if d.Source != nil {
		errDetail += ", " + sourceText(d.Source)
	}
	errNode := add(chainNode{Stage: stageError, Label: errLabel, Detail: errDetail, Failing: !failingSet})

	// Edges follow what the report says about provenance.
	out := make(map[int]bool)
	link := func(a, b int) { edge(a, b); out[a] = true }
	next := func() int { // the node after the flags
		if cmd >= 0 {
			return cmd
		}
		return errNode
	}
	for i, dv := range dirOf {
		if dv.Verb == "pkg-config" {
			for j, pc := range callOf {
				if callNames(pc.Argv, dv.Args) {
					link(dirs[i], calls[j])
				}
			}
		}
		loc := dv.File + ":" + strconv.Itoa(dv.Line)
		for k, f := range flagOf {
			if f.Origin == trace.OriginDirective && f.Detail == loc {
				link(dirs[i], flags[k])
			}
		}
	}
	pcFlags := false
	for j, pc := range callOf {
		for k, f := range flagOf {
			if f.Origin != trace.OriginPkgConfig {
				continue
			}
			pcFlags = true
			if containsString(pkgArgs(pc.Argv), f.Detail) && callStage(pc.Argv, f.Stage) {
				link(calls[j], flags[k])
			}
		}
	}
	for k, f := range flagOf {
		if step != nil && containsString(step.Argv, f.Flag) {
			link(flags[k], cmd)
		} else if step == nil {
			link(flags[k], errNode)
		}
	}
	// A call whose flags the report does not list leads straight on; one
	// whose flags are listed but not used by the failing command ends.
	for j := range callOf {
		if !out[calls[j]] {
			if c.Nodes[calls[j]].Failing {
				link(calls[j], errNode)
			} else if !pcFlags {
				link(calls[j], next())
			}
		}
	}
	for i, dv := range dirOf {
		if !out[dirs[i]] && dv.Verb != "pkg-config" {
			link(dirs[i], next())
		}
	}
	if cmd >= 0 {
		link(cmd, errNode)
	}
	return c
}

// pickFlags chooses the flags worth showing: not the ones go adds on its
// own, those of the failing command when there is one, and first of all
// the flag that names the diagnosis's library.
func pickFlags(all []trace.Flag, step *trace.Step, d *diag.Diagnosis) (picked []trace.Flag, omitted int) {
	want := ""
	if lib := d.Subject["library"]; lib != "" {
		want = "-l" + lib
	}
	seen := make(map[[2]string]bool)
	var first, rest []trace.Flag
	for _, f := range all {
		if f.Origin == trace.OriginGo {
			continue
		}
		if step != nil && !containsString(step.Argv, f.Flag) && f.Flag != want {
			continue
		}
		k := [2]string{f.Flag, f.Stage}
		if seen[k] {
			continue
		}
		seen[k] = true
		if f.Flag == want {
			first = append(first, f)
		} else {
			rest = append(rest, f)
		}
	}
	picked = append(first, rest...)
	if len(picked) > maxChainFlags {
		omitted = len(picked) - maxChainFlags
		picked = picked[:maxChainFlags]
	}
	return picked, omitted
}

// callStage reports whether a pkg-config call can have produced a flag of
// the stage: --cflags gives compile flags, --libs link flags.
func callStage(argv []string, stage string) bool {
	switch {
	case containsString(argv, "--cflags") && !containsString(argv, "--libs"):
		return stage != "link"
	case containsString(argv, "--libs") && !containsString(argv, "--cflags"):
		return stage != "compile"
	}
	return true
}

// callNames reports whether a pkg-config argv asks for one of the
// packages named in a #cgo pkg-config line.
func callNames(argv, dirArgs []string) bool {
	names := pkgArgs(argv)
	for _, a := range dirArgs {
		if !strings.HasPrefix(a, "-") && containsString(names, a) {
			return true
		}
	}
	return false
}

// pkgArgs returns the package names of a pkg-config argv (after "--", or
// every non-option argument).
func pkgArgs(argv []string) []string {
	for i, a := range argv {
		if a == "--" {
			return argv[i+1:]
		}
	}
	var names []string
	for i, a := range argv {
		if i > 0 && !strings.HasPrefix(a, "-") {
			names = append(names, a)
		}
	}
	return names
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// directiveText spells a directive the way it is written in the source.
func directiveText(d trace.Directive) string {
	var b strings.Builder
	b.WriteString("#cgo ")
	if d.Condition != "" {
		b.WriteString(d.Condition)
		b.WriteByte(' ')
	}
	b.WriteString(d.Verb)
	b.WriteByte(':')
	for _, a := range d.Args {
		b.WriteByte(' ')
		b.WriteString(a)
	}
	return b.String()
}

// flagDetail says where a flag came from.
func flagDetail(f trace.Flag) string {
	from := f.Origin
	switch f.Origin {
	case trace.OriginDirective:
		from = "#cgo line " + f.Detail
	case trace.OriginPkgConfig:
		from = "pkg-config " + f.Detail
	case trace.OriginEnv:
		from = "$" + f.Detail
	default:
		if f.Detail != "" {
			from += " " + f.Detail
		}
	}
	if f.Stage == "" {
		return "from " + from
	}
	return f.Stage + ", from " + from
}

// foldedCommandLine is commandLine for a chain's command, with each run
// of more than maxFileRun arguments that are source files with the same
// extension (a cgo command lists every .go file of its package: 52 for
// grocksdb) shortened to its first two and "… N more .go files". The
// report keeps the whole command.
func foldedCommandLine(argv []string) string {
	var parts []string
	for i := 0; i < len(argv); {
		ext := sourceExt(argv[i])
		j := i + 1
		for ext != "" && j < len(argv) && sourceExt(argv[j]) == ext {
			j++
		}
		if n := j - i; n > maxFileRun {
			parts = append(parts, commandLine(argv[i:i+2]), fmt.Sprintf("… %d more %s files", n-2, ext))
		} else {
			parts = append(parts, commandLine(argv[i:j]))
		}
		i = j
	}
	return strings.Join(parts, " ")
}

// maxFileRun is the most source files in a row a chain's command shows.
const maxFileRun = 6

// sourceExt is the extension of a source file argument (".go", ".c"),
// "" for anything else.
func sourceExt(a string) string {
	if strings.HasPrefix(a, "-") {
		return ""
	}
	switch ext := filepath.Ext(a); ext {
	case ".go", ".c", ".cc", ".cpp", ".cxx", ".m", ".s", ".S", ".f", ".f90", ".o":
		return ext
	}
	return ""
}

// commandLine joins argv the way go build -x prints it: an argument is
// Go-quoted when it is empty, has a space or one of ( ) > ; or needs
// escapes; otherwise it is written as is.
func commandLine(argv []string) string {
	var b strings.Builder
	for i, a := range argv {
		if i > 0 {
			b.WriteByte(' ')
		}
		if a == "" || strings.ContainsAny(a, " ()>;") || strconv.Quote(a) != `"`+a+`"` {
			b.WriteString(strconv.Quote(a))
		} else {
			b.WriteString(a)
		}
	}
	return b.String()
}

// sourceText is file:line[:col].
func sourceText(s *diag.Source) string {
	if s == nil {
		return ""
	}
	t := s.File
	if s.Line > 0 {
		t += ":" + strconv.Itoa(s.Line)
		if s.Column > 0 {
			t += ":" + strconv.Itoa(s.Column)
		}
	}
	return t
}

// keyEvidence picks the evidence line that says what went wrong: the
// first with an error word in it, not collect2's summary line; otherwise
// the first line.
func keyEvidence(ev []string) string {
	for _, e := range ev {
		l := firstLine(e)
		if strings.HasPrefix(l, "collect2:") {
			continue
		}
		for _, k := range []string{"error", "undefined reference", "cannot find", "multiple definition",
			"not found", "can not be used", "warning:", "could not determine", "No such file"} {
			if strings.Contains(l, k) {
				return l
			}
		}
	}
	if len(ev) > 0 {
		return firstLine(ev[0])
	}
	return ""
}

// firstLine returns s up to its first newline.
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// commandText describes the command of the report: "go build ./...".
func commandText(r *trace.Report) string {
	if len(r.Command.Argv) == 0 {
		return "the build"
	}
	return commandLine(r.Command.Argv)
}

// failed reports whether the report records a failure: go build's exit
// status, a failed package, or an error diagnosis.
func failed(r *trace.Report) bool {
	return buildFailed(r) || rootCause(r) >= 0
}

// interruptedBy is the signal that stopped the build ("SIGINT"), or ""
// when it ran to its end.
func interruptedBy(r *trace.Report) string {
	if r.Command.Outcome != trace.OutcomeInterrupted {
		return ""
	}
	if r.Command.Signal == "" {
		return "a signal"
	}
	return r.Command.Signal
}

// buildFailed reports whether the build itself failed (as opposed to a
// build that succeeded and made a binary with a problem).
func buildFailed(r *trace.Report) bool {
	if r.Command.ExitCode != 0 {
		return true
	}
	for _, p := range r.Packages {
		if p != nil && p.Failed {
			return true
		}
	}
	return false
}

// startFailed reports whether the command failed because a program it
// built could not start (a go test binary, go run's program): the root
// cause is the loader's, and no package failed to build.
func startFailed(r *trace.Report) bool {
	rc := rootCause(r)
	if r.Command.ExitCode == 0 || rc < 0 || r.Diagnoses[rc].Code != diag.RuntimeLibraryMissing {
		return false
	}
	for _, p := range r.Packages {
		if p != nil && p.Failed && !p.TestFailed {
			return false
		}
	}
	return true
}

// onlyTestsFailed reports whether a go test that ran the tests failed
// with every package built: some packages' tests failed, no other
// package failed and no error was diagnosed.
func onlyTestsFailed(r *trace.Report) bool {
	if r.Command.ExitCode == 0 || rootCause(r) >= 0 {
		return false
	}
	some := false
	for _, p := range r.Packages {
		if p == nil || !p.Failed {
			continue
		}
		if !p.TestFailed {
			return false
		}
		some = true
	}
	return some
}

// testsFailed lists the packages whose tests failed.
func testsFailed(r *trace.Report) []string {
	var out []string
	for _, p := range r.Packages {
		if p != nil && p.TestFailed {
			out = append(out, p.ImportPath)
		}
	}
	return out
}

// failingPackages lists, in order, the packages to explain: those of
// error diagnoses first (root cause first), then failed packages that no
// diagnosis names. Each comes with the first error diagnosis about it
// (nil when none).
func failingPackages(r *trace.Report) (paths []string, first map[string]*diag.Diagnosis) {
	first = make(map[string]*diag.Diagnosis)
	for i := range r.Diagnoses {
		d := &r.Diagnoses[i]
		if d.Severity != diag.Error || d.Package == "" {
			continue
		}
		if _, ok := first[d.Package]; !ok {
			first[d.Package] = d
			paths = append(paths, d.Package)
		}
	}
	for _, p := range r.Packages {
		if p != nil && p.Failed {
			if _, ok := first[p.ImportPath]; !ok {
				first[p.ImportPath] = nil
				paths = append(paths, p.ImportPath)
			}
		}
	}
	return paths, first
}

// subjectText is "library=gizmo, symbol=x" in key order.
func subjectText(m map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, k+"="+m[k])
	}
	return strings.Join(parts, ", ")
}

// plural is "1 diagnosis", "2 diagnoses".
func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// canonical returns the report as report.json holds it: r encoded with
// encoding/json and decoded again into a fresh Report. Every renderer
// renders the canonical form, so a report re-read from report.json
// (`cgotrace report`) renders to exactly the bytes the original run
// printed: invalid UTF-8 in a tool's message becomes U+FFFD either way,
// and an empty list is the same as a missing one. The copy also keeps
// renderers from ever changing the caller's report.
//
// The copy is made by canonicalCopy, which gives the round trip's result
// without encoding: the round trip's first use in a process builds
// encoding/json's encoders and decoders for the whole Report type, 0.4 ms
// that every `cgotrace build` paid to print one line.
func canonical(r *trace.Report) (*trace.Report, error) {
	if r == nil {
		return nil, fmt.Errorf("no report")
	}
	var c trace.Report
	if canonicalCopy(reflect.ValueOf(&c).Elem(), reflect.ValueOf(r).Elem(), false) {
		return &c, nil
	}
	return canonicalJSON(r)
}

// canonicalJSON is canonical by the JSON round trip itself.
func canonicalJSON(r *trace.Report) (*trace.Report, error) {
	data, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode report: %w", err)
	}
	var c trace.Report
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("decode report: %w", err)
	}
	return &c, nil
}

// countedPackages is what a report says of the packages it counts rather
// than explains (pure-Go packages that built): "37 packages without cgo
// built (74 steps: 37 compile, 37 pack)", or "" when there are none.
func countedPackages(r *trace.Report) string {
	n, total := 0, 0
	kinds := map[string]int{}
	for _, p := range r.Packages {
		if p == nil || !p.PureGo() {
			continue
		}
		steps := p.CountSteps()
		if len(steps) == 0 {
			// Nothing of it ran in this build (go stopped before it, or
			// took it from the cache without a step): not "built".
			continue
		}
		n++
		for k, c := range steps {
			kinds[k] += c
			total += c
		}
	}
	if n == 0 {
		return ""
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(kinds)) {
		parts = append(parts, fmt.Sprintf("%d %s", kinds[k], k))
	}
	what := "packages without cgo built"
	if n == 1 {
		what = "package without cgo built"
	}
	s := fmt.Sprintf("%d %s", n, what)
	if total > 0 {
		s += fmt.Sprintf(" (%d steps: %s)", total, strings.Join(parts, ", "))
	}
	return s
}
