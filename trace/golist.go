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
}

// listArgs keeps the go build flags that go list understands too (all
// build flags but -o) and the packages.
func listArgs(userArgs []string) []string {
	flags, rest := scanGoArgs(userArgs)
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
	// go test takes flags after the packages too (go test ./pkg -c).
	for _, a := range rest {
		if strings.HasPrefix(a, "-") {
			break
		}
		out = append(out, a)
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
	var out, errb bytes.Buffer
	args := append([]string{"list", "-e", "-json=ImportPath,Dir,Name,Standard,GoFiles,CgoFiles,IgnoredGoFiles,CFiles,CXXFiles,SFiles,CgoCPPFLAGS,CgoCFLAGS,CgoCXXFLAGS,CgoFFLAGS,CgoLDFLAGS,CgoPkgConfig,Error", "-deps"}, listArgs(userArgs)...)
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

// startGoList runs goList for the build's packages in the background.
func startGoList(ctx context.Context, o *BuildOptions) *pendingList {
	ctx, cancel := context.WithCancel(ctx)
	pl := &pendingList{done: make(chan struct{}), cancel: cancel, started: time.Now()}
	go func() {
		defer close(pl.done)
		pl.pkgs, pl.err = goList(ctx, o.Runner, o.Go, o.Dir, o.Env, o.Args)
		pl.took = time.Since(pl.started)
	}()
	return pl
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
