package trace

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cgotrace/cgotrace/buildlog"
)

// listPackage is the part of `go list -json` output cgotrace reads.
type listPackage struct {
	ImportPath     string
	Dir            string
	Name           string
	Standard       bool
	GoFiles        []string
	CgoFiles       []string
	IgnoredGoFiles []string
	CFiles         []string
	CXXFiles       []string
	SFiles         []string
	CgoCPPFLAGS    []string
	CgoCFLAGS      []string
	CgoCXXFLAGS    []string
	CgoFFLAGS      []string
	CgoLDFLAGS     []string
	CgoPkgConfig   []string
	Error          *struct{ Err string }
	// applied are the #cgo lines that apply, when findInProcess read
	// them (appliedRead; loadPackages reads them otherwise), for the
	// build's tag set.
	applied     []Directive
	appliedRead bool
}

// listArgs keeps the go build flags that go list understands too (all
// build flags but -o) and the packages.
func listArgs(userArgs []string) []string {
	return append(listFlags(userArgs), goPackages(userArgs)...)
}

// goPackages are the packages (or files) a go command line names: the
// words after its flags, up to go test's flags after the packages (go
// test ./pkg -c).
func goPackages(userArgs []string) []string {
	_, rest := scanGoArgs(userArgs)
	for i, a := range rest {
		if strings.HasPrefix(a, "-") {
			return rest[:i]
		}
	}
	return rest
}

// listFlags is listArgs without the packages.
func listFlags(userArgs []string) []string {
	flags, _ := scanGoArgs(userArgs)
	var out []string
	for _, f := range flags {
		switch f.Name {
		case "o", "x", "n", "v", "work", "json", "a", "p":
			continue
		}
		if goTestFlags[f.Name] {
			continue
		}
		if f.ValueIndex >= 0 {
			out = append(out, "-"+f.Name, f.Value)
		} else {
			out = append(out, userArgs[f.Index])
		}
	}
	return out
}

// goList runs `go list -e -json -deps` for the user's packages with the
// user's build flags and returns the non-standard packages.
func goList(ctx context.Context, r Runner, goCmd, dir string, env, userArgs []string) ([]*listPackage, error) {
	all, err := goListAll(ctx, r, goCmd, dir, env, userArgs)
	var out []*listPackage
	for _, p := range all {
		if !p.Standard {
			out = append(out, p)
		}
	}
	return out, err
}

// goListAll is goList with the standard library.
func goListAll(ctx context.Context, r Runner, goCmd, dir string, env, userArgs []string) ([]*listPackage, error) {
	return runGoList(ctx, r, goCmd, dir, env, append([]string{"-deps"}, listArgs(userArgs)...))
}

// listFields are the fields of listPackage: naming them spares go list
// the work the others need (Stale needs the whole action graph).
const listFields = "-json=ImportPath,Dir,Name,Standard,GoFiles,CgoFiles,IgnoredGoFiles,CFiles,CXXFiles,SFiles,CgoCPPFLAGS,CgoCFLAGS,CgoCXXFLAGS,CgoFFLAGS,CgoLDFLAGS,CgoPkgConfig,Error"

// runGoList runs `go list -e -json=listFields ARGS...`.
func runGoList(ctx context.Context, r Runner, goCmd, dir string, env, listArgs []string) ([]*listPackage, error) {
	var out, errb bytes.Buffer
	args := append([]string{"list", "-e", listFields}, listArgs...)
	code, err := r.Run(ctx, Cmd{Name: goCmd, Args: args, Dir: dir, Env: env, Stdout: &out, Stderr: &errb})
	if err != nil {
		return nil, fmt.Errorf("go list: %w", err)
	}
	dec := json.NewDecoder(&out)
	var pkgs []*listPackage
	for {
		p := new(listPackage)
		if err := dec.Decode(p); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return pkgs, fmt.Errorf("go list: %w", err)
		}
		pkgs = append(pkgs, p)
	}
	if code != 0 && len(pkgs) == 0 {
		return nil, fmt.Errorf("go list: exit %d: %s", code, strings.TrimSpace(errb.String()))
	}
	return pkgs, nil
}

// pendingList is a go list run started before its result is needed.
type pendingList struct {
	done    chan struct{}
	cancel  context.CancelFunc
	started time.Time
	pkgs    []*listPackage
	err     error
	// took is how long go list ran.
	took time.Duration
}

// listFailed is what a failed build's diagnosis needs go list for when no
// link failed: the failed packages and those that ran a cgo or
// pkg-config step, by import path (a test variant's as its package's).
// It is nil when a link failed (the flags of the link come from every
// cgo package the program imports, so -deps is needed), or when a failed
// package cannot be named to go list (files on the command line, or no
// package named at all).
func listFailed(l *buildlog.Log) []string {
	if len(l.FailedPackages) == 0 {
		return nil
	}
	failed := map[string]bool{}
	for _, p := range l.FailedPackages {
		failed[p] = true
	}
	for _, h := range l.HostLinks {
		if h.Failed {
			return nil
		}
	}
	seen := map[string]bool{}
	var out []string
	add := func(p string) bool {
		p, ok := listablePath(p)
		if ok && p != "" && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
		return ok
	}
	for _, r := range l.Records {
		if r.Kind != buildlog.RecCommand {
			continue
		}
		switch {
		case failed[r.ImportPath] && r.Step == "link":
			return nil
		case r.Step == "cgo", r.Step == "pkg-config", r.Step == "cc-compile", r.Step == "cc-link", r.Step == "cgo-dynimport", failed[r.ImportPath]:
			if !add(r.ImportPath) {
				return nil
			}
		}
	}
	for _, p := range l.FailedPackages {
		if !add(p) {
			return nil
		}
	}
	return out
}

// listablePath is the import path go list knows a log's package by: a
// test variant's ("p [p.test]", "p_test [p.test]") is its package's, go
// test's generated main ("p.test") is none (""); files named on the
// command line ("command-line-arguments") cannot be named (false).
func listablePath(p string) (string, bool) {
	if i := strings.Index(p, " ["); i >= 0 {
		p = p[:i]
	}
	switch {
	case p == "command-line-arguments" || p == "":
		return "", false
	case strings.HasSuffix(p, ".test"), strings.HasSuffix(p, ".test.exe"):
		return "", true
	}
	return strings.TrimSuffix(p, "_test"), true
}

// doneList is a pending list that is already answered.
func doneList(pkgs []*listPackage) *pendingList {
	pl := &pendingList{done: make(chan struct{}), cancel: func() {}, started: time.Now(), pkgs: pkgs}
	close(pl.done)
	return pl
}

// startGoListFind runs `go list -find` of the packages in the
// background, with the build's flags: their files and #cgo lines as go
// build saw them, without their dependencies (29 ms against 71 ms for
// -deps of a one-package module).
func startGoListFind(ctx context.Context, o *BuildOptions, pkgs []string) *pendingList {
	return startListOf(ctx, o, "-find", pkgs)
}

// startGoListPkgs runs go list -deps of pkgs, with the build's flags, in
// the background.
func startGoListPkgs(ctx context.Context, o *BuildOptions, pkgs []string) *pendingList {
	return startListOf(ctx, o, "-deps", pkgs)
}

func startListOf(ctx context.Context, o *BuildOptions, mode string, pkgs []string) *pendingList {
	ctx, cancel := context.WithCancel(ctx)
	pl := &pendingList{done: make(chan struct{}), cancel: cancel, started: time.Now()}
	go func() {
		defer close(pl.done)
		all, err := runGoList(ctx, o.Runner, o.Go, o.Dir, o.Env, append(append(append([]string{mode}, listFlags(o.Args)...), "--"), pkgs...))
		for _, p := range all {
			if !p.Standard {
				pl.pkgs = append(pl.pkgs, p)
			}
		}
		pl.err = err
		pl.took = time.Since(pl.started)
	}()
	return pl
}

// startGoList runs goList for the build's packages in the background.
func startGoList(ctx context.Context, o *BuildOptions) *pendingList {
	return startListOf(ctx, o, "-deps", goPackages(o.Args))
}

// wait returns the result of the go list run.
func (pl *pendingList) wait() ([]*listPackage, error) {
	<-pl.done
	return pl.pkgs, pl.err
}

// stop kills the run when its result is not needed (the build succeeded).
func (pl *pendingList) stop() {
	pl.cancel()
	<-pl.done
}
