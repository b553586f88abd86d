// Package trace runs an instrumented go build, rebuilds the chain
// #cgo line → pkg-config → gcc → ld per package, and turns what it saw
// into a Report with root-cause diagnoses.
package trace

import (
	"github.com/cgotrace/cgotrace/elfinspect"
	"github.com/cgotrace/cgotrace/trace/diag"
)

// SchemaVersion is the report-v1 schema version.
const SchemaVersion = 1

// Report is the report-v1 document. Field order is the JSON order.
type Report struct {
	SchemaVersion int                  `json:"schema_version"`
	Tool          Tool                 `json:"tool"`
	Command       Command              `json:"command"`
	Toolchain     *Toolchain           `json:"toolchain,omitempty"`
	Packages      []*Package           `json:"packages,omitempty"`
	Diagnoses     []diag.Diagnosis     `json:"diagnoses"`
	Binaries      []*elfinspect.Binary `json:"binaries,omitempty"`
	// Cache is the build-cache report (build --cache-report).
	Cache *CacheReport `json:"cache,omitempty"`
	// Notes say what a report from a log alone could not settle: a log
	// that looks cut off, a build that linked no program, an outcome only
	// a CI system's trailer shows.
	Notes []string `json:"notes,omitempty"`
}

// Tool names the program that wrote the report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Command is what the user asked for (not the instrumented argv).
type Command struct {
	Argv     []string `json:"argv"`
	Dir      string   `json:"dir,omitempty"`
	ExitCode int      `json:"exit_code"`
	// Output is go's own message when go itself failed and no build step
	// did (a usage error, a package that cannot be loaded, an output path
	// taken by a directory): there is no build failure to diagnose.
	Output string `json:"output,omitempty"`
	// Outcome is "interrupted" when a signal (SIGINT, SIGTERM) stopped the
	// build: the report then holds what go build did until then and no
	// diagnosis. Empty otherwise (ExitCode tells success from failure).
	Outcome string `json:"outcome,omitempty"`
	// Signal is the signal that interrupted the build ("SIGINT").
	Signal string `json:"signal,omitempty"`
	// LoggedArgv is the go command an analyzed log shows being run (a
	// shell prompt line, a CI system's echo of the step), env excluded.
	LoggedArgv []string `json:"logged_argv,omitempty"`
}

// OutcomeInterrupted is Command.Outcome of a build stopped by a signal.
const OutcomeInterrupted = "interrupted"

// Toolchain describes the Go and C toolchains the build used.
type Toolchain struct {
	GoVersion  string            `json:"go_version,omitempty"`
	GOOS       string            `json:"goos,omitempty"`
	GOARCH     string            `json:"goarch,omitempty"`
	CgoEnabled string            `json:"cgo_enabled,omitempty"`
	CC         string            `json:"cc,omitempty"`
	CXX        string            `json:"cxx,omitempty"`
	CCTarget   string            `json:"cc_target,omitempty"`
	PkgConfig  string            `json:"pkg_config,omitempty"`
	Env        map[string]string `json:"env,omitempty"`
}

// Package is the cgo chain of one package.
type Package struct {
	ImportPath string `json:"import_path"`
	Dir        string `json:"dir,omitempty"`
	Failed     bool   `json:"failed"`
	// TestFailed is true when the package built and its tests ran and
	// failed (cgotrace test): Failed is true too, and cgotrace makes no
	// diagnosis of it.
	TestFailed bool            `json:"test_failed,omitempty"`
	Directives []Directive     `json:"directives,omitempty"`
	PkgConfig  []PkgConfigCall `json:"pkg_config,omitempty"`
	Steps      []Step          `json:"steps,omitempty"`
	// StepCounts replaces Steps for a package without cgo steps,
	// pkg-config calls or failure (a pure-Go package that built): the
	// number of its steps by kind. Nil with --all-steps.
	StepCounts map[string]int `json:"step_counts,omitempty"`
	Flags      []Flag         `json:"flags,omitempty"`
	// RepeatedSteps is the number of the package's commands left out of
	// Steps as identical to one kept (a log of several builds of the
	// package, concatenated). Zero with --all-steps.
	RepeatedSteps int `json:"repeated_steps,omitempty"`

	// importsC is true when a Go file of the package imports "C", even
	// one excluded because cgo is off.
	importsC bool
}

// Directive is one #cgo line of a package's Go files.
type Directive struct {
	File      string   `json:"file"`
	Line      int      `json:"line"`
	Verb      string   `json:"verb"` // CFLAGS, CPPFLAGS, CXXFLAGS, FFLAGS, LDFLAGS, pkg-config
	Condition string   `json:"condition,omitempty"`
	Args      []string `json:"args"`
}

// PkgConfigCall is one pkg-config invocation made by go build for a package.
type PkgConfigCall struct {
	Argv     []string `json:"argv"`
	ExitCode int      `json:"exit_code"`
	Stdout   string   `json:"stdout,omitempty"`
	Stderr   string   `json:"stderr,omitempty"`
	PCFiles  []string `json:"pc_files,omitempty"`
	// Reconstructed is true when the call was not observed but evaluated
	// by cgotrace afterwards (the package came from the build cache).
	Reconstructed bool `json:"reconstructed,omitempty"`
}

// Step kinds of report-v1.
const (
	KindPkgConfig    = "pkg-config"
	KindCgo          = "cgo"
	KindCCCompile    = "cc-compile"
	KindCCLink       = "cc-link"
	KindCgoDynimport = "cgo-dynimport"
	KindCompile      = "compile"
	KindAsm          = "asm"
	KindPack         = "pack"
	KindLink         = "link"
	KindHostLink     = "host-link"
	KindOther        = "other"
)

// Step is one command of a package, in log order.
type Step struct {
	Action        string            `json:"action,omitempty"`
	Kind          string            `json:"kind"`
	Dir           string            `json:"dir,omitempty"`
	Argv          []string          `json:"argv"`
	Env           map[string]string `json:"env,omitempty"`
	Output        string            `json:"output,omitempty"`
	Failed        bool              `json:"failed"`
	Reconstructed bool              `json:"reconstructed,omitempty"`
	// Rerun holds the output of cgotrace's verbose re-run of a failed step.
	Rerun string `json:"rerun,omitempty"`
}

// Flag origins of report-v1.
const (
	OriginDirective = "directive"
	OriginPkgConfig = "pkg-config"
	OriginEnv       = "env"
	OriginGo        = "go"
	OriginUnknown   = "unknown"
)

// Flag records where one C flag of a command came from.
type Flag struct {
	Flag   string `json:"flag"`
	Stage  string `json:"stage"` // compile | link
	Origin string `json:"origin"`
	Detail string `json:"detail,omitempty"`
}
