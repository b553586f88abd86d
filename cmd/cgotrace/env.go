package main

import (
	"bytes"
	"context"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/cgotrace/cgotrace/trace"
	"github.com/cgotrace/cgotrace/trace/envcheck"
)

type envOptions struct {
	format    string
	output    string
	targets   []string
	dir       string
	noCompile bool
}

func newEnvCmd(g *globals) *cobra.Command {
	o := &envOptions{}
	cmd := &cobra.Command{
		Use:   "env [flags]",
		Short: "Toolchain and module doctor: GOCACHE, GO111MODULE, CGO_ENABLED, CC/CXX, CGO_* flags, pkg-config, cross targets, modules",
		Long: `env checks what a cgo build depends on, as the go command sees it (go env),
and gives each check a verdict (ok, warn, fail), the observed value, why it
matters and a fix. The C and C++ compilers really compile and link a
one-line program; the build cache is really written to.

Inside a module or workspace, the modules/... checks read the go command's
own answers (go mod edit -json, go list -m -json all, go mod graph, go work
edit -json, go list -mod=vendor): the module list against the graph,
replace, exclude, retract and pseudo-versions, vendor/ (including C
directories that go mod vendor left out of vendored cgo packages), go.work,
and the go line against the installed Go. They never use the network:
GOPROXY=off, GOTOOLCHAIN=local, -mod=readonly (or vendor); what needs a
module missing from the module cache says "not checked".

Exit status: 0 when no check fails (warnings allowed), 1 otherwise.`,
		Example: `  cgotrace env
  cgotrace env --target linux/arm64 --target windows/amd64
  cgotrace env --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runEnv(cmd.Context(), g, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.format, "format", "text", "output format: text or json")
	f.StringVarP(&o.output, "output", "o", "", "write the result to FILE instead of stdout")
	f.StringArrayVar(&o.targets, "target", nil, "also check cross-compiling for GOOS/GOARCH (repeatable)")
	f.StringVarP(&o.dir, "dir", "C", "", "check as if go build ran in DIR (default: the current directory)")
	f.BoolVar(&o.noCompile, "no-compile", false, "do not compile and link the C and C++ test programs")
	return cmd
}

func runEnv(ctx context.Context, g *globals, o *envOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if o.format != "text" && o.format != "json" {
		return usageErrorf("--format must be text or json, not %q", o.format)
	}
	opts := envcheck.Options{Dir: o.dir, Log: g.log, NoCompile: o.noCompile, ProgramPackage: trace.ProgramPackage}
	for _, t := range o.targets {
		tg, err := envcheck.ParseTarget(t)
		if err != nil {
			return usageErrorf("--target: %v", err)
		}
		opts.Targets = append(opts.Targets, tg)
	}
	if o.dir != "" {
		fi, err := os.Stat(o.dir)
		if err != nil || !fi.IsDir() {
			return usageErrorf("--dir %s: not a directory", o.dir)
		}
	}
	rep, err := envcheck.Run(ctx, opts)
	if err != nil {
		return &exitError{code: exitBroken, err: err}
	}
	write := func(w io.Writer, color bool) error {
		if o.format == "json" {
			return envcheck.WriteJSON(w, rep)
		}
		return envcheck.WriteText(w, rep, color)
	}
	if o.output == "" || o.output == "-" {
		if err := write(g.stdout, g.color); err != nil {
			return &exitError{code: exitBroken, err: err}
		}
	} else {
		var buf bytes.Buffer
		if err := write(&buf, false); err != nil {
			return &exitError{code: exitBroken, err: err}
		}
		if err := writeFileAtomic(o.output, buf.Bytes()); err != nil {
			return inputError(err) // an --output path that cannot be written
		}
	}
	if rep.Failed() {
		return exitCode(exitFailed)
	}
	return nil
}
