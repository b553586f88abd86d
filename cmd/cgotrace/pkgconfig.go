package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cgotrace/cgotrace/pkgconfig"
)

// pkgConfigExplainOptions are the settings of `cgotrace pkg-config explain`.
type pkgConfigExplainOptions struct {
	format   string
	static   bool
	packages []string
	env      pkgconfig.Env
	dir      string
	out      io.Writer
	g        *globals
}

func newPkgConfigCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "pkg-config",
		Short: "Explain what pkg-config finds for a package and why",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErrorf("unknown pkg-config subcommand %q (see 'cgotrace pkg-config --help')", args[0])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	opts := &pkgConfigExplainOptions{g: g}
	explain := &cobra.Command{
		Use:   "explain [--format text|json] [--static] PKG...",
		Short: "Which .pc file, version, Requires tree and flags a package gives, or why it is not found",
		Long: `explain resolves each package as pkgconf 1.8.1 would, with this environment
(PKG_CONFIG_PATH, PKG_CONFIG_LIBDIR, PKG_CONFIG_SYSROOT_DIR, ...), and shows the
.pc file, its version, the Requires tree with the file of each node, the final
cflags and libs with the package each flag came from, and flags go build would
reject. For a package that is not found it lists the directories searched,
similar names that exist, .pc files of that name off the search path (in the
module's tree, lib64 twins, $HOME/.local, $CONDA_PREFIX, Nix, vcpkg, Homebrew,
the sysroot, /opt) with the PKG_CONFIG_PATH that would find them, other .pc
files whose Provides name it, and the Requires chain to a missing dependency.
The Requires tree is a flat list (JSON: id and parent) that stops where
pkgconf stops, at depth 2000. Exit 0 when every package resolves, 1 otherwise.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErrorf("pkg-config explain needs at least one package name")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.packages = args
			opts.env = pkgconfig.Env(os.Environ())
			opts.dir, _ = os.Getwd()
			opts.out = g.stdout
			return runPkgConfigExplain(opts)
		},
	}
	explain.Flags().StringVar(&opts.format, "format", "text", "output format: text or json")
	explain.Flags().BoolVar(&opts.static, "static", false, "resolve as `pkg-config --static` (Libs.private, Requires.private)")
	cmd.AddCommand(explain)
	return cmd
}

func runPkgConfigExplain(o *pkgConfigExplainOptions) error {
	if o.format != "text" && o.format != "json" {
		return usageErrorf("--format must be text or json, not %q", o.format)
	}
	var exs []*pkgconfig.Explanation
	ok := true
	for _, p := range o.packages {
		ex, err := pkgconfig.Explain(p, pkgconfig.Options{Env: o.env, Dir: o.dir, Static: o.static,
			PkgConfig: pkgConfigProgram(o.env), Log: o.g.log}, nil)
		if err != nil {
			return &exitError{code: exitBroken, err: fmt.Errorf("explain %s: %w", p, err)}
		}
		ok = ok && ex.OK
		exs = append(exs, ex)
	}
	if o.format == "json" {
		enc := json.NewEncoder(o.out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(exs); err != nil {
			return &exitError{code: exitBroken, err: fmt.Errorf("write json: %w", err)}
		}
	} else {
		for i, ex := range exs {
			if i > 0 {
				fmt.Fprintln(o.out)
			}
			writeExplainText(o.out, ex)
		}
	}
	if !ok {
		return exitCode(exitFailed)
	}
	return nil
}

// pkgConfigProgram is the real pkg-config: the first word of PKG_CONFIG, as
// cmd/go uses it, unless that is cgotrace's own shim.
func pkgConfigProgram(env pkgconfig.Env) string {
	if real := env.Get(pkgconfig.EnvShimReal); real != "" {
		return real
	}
	if f := strings.Fields(env.Get("PKG_CONFIG")); len(f) > 0 {
		return f[0]
	}
	return "pkg-config"
}

func writeExplainText(w io.Writer, ex *pkgconfig.Explanation) {
	mode := ""
	if ex.Static {
		mode = " (--static)"
	}
	if ex.Found {
		fmt.Fprintf(w, "%s%s: %s, version %s\n", ex.Package, mode, ex.PCFile, ex.Version)
	} else {
		fmt.Fprintf(w, "%s%s: not resolved\n", ex.Package, mode)
	}
	if len(ex.Requires) > 0 {
		fmt.Fprintln(w, "  requires:")
		for _, n := range ex.Requires {
			writeExplainNode(w, n)
		}
	}
	if ex.OK {
		fmt.Fprintf(w, "  cflags: %s\n", strings.Join(ex.Cflags, " "))
		fmt.Fprintf(w, "  libs:   %s\n", strings.Join(ex.Libs, " "))
		from := map[string][]string{}
		var order []string
		for _, f := range append(append([]pkgconfig.FlagOrigin{}, ex.CflagsFrom...), ex.LibsFrom...) {
			if _, ok := from[f.Package]; !ok {
				order = append(order, f.Package)
			}
			from[f.Package] = append(from[f.Package], f.Flag)
		}
		if len(order) > 1 {
			fmt.Fprintln(w, "  flags by package:")
			for _, p := range order {
				fmt.Fprintf(w, "    %s: %s\n", p, strings.Join(from[p], " "))
			}
		}
	}
	if !ex.Found || !ex.OK {
		fmt.Fprintln(w, "  searched, in order:")
		for _, d := range ex.SearchOrder {
			if d.Missing {
				fmt.Fprintf(w, "    %s (does not exist, skipped)\n", d.Dir)
			} else {
				fmt.Fprintf(w, "    %s\n", d.Dir)
			}
		}
		if len(ex.SearchOrder) == 0 {
			fmt.Fprintln(w, "    (no directory: PKG_CONFIG_LIBDIR is set but empty and PKG_CONFIG_PATH is unset)")
		}
	}
	for _, p := range ex.Problems {
		sev := "warning"
		if p.Fatal {
			sev = "error"
		}
		msg := p.Message
		if len(p.Chain) > 1 {
			msg += " (chain: " + strings.Join(p.Chain, " → ") + ")"
		}
		fmt.Fprintf(w, "  %s: %s\n", sev, msg)
	}
	for _, s := range ex.Suggestions {
		fmt.Fprintf(w, "  hint: %s\n", s.Message)
	}
}

// maxIndent is the depth below which the Requires tree is no longer
// indented: a chain thousands of packages deep stays one short line per
// package, labelled with its depth.
const maxIndent = 8

func writeExplainNode(w io.Writer, n pkgconfig.Node) {
	level := n.Depth - 2 // the package explained is depth 1
	s := n.Name
	if n.Constraint != "" {
		s += " " + n.Constraint
	}
	var tags []string
	if n.Private {
		tags = append(tags, "private")
	}
	if n.Internal {
		tags = append(tags, "internal")
	}
	if n.Found {
		s += " → " + n.PCFile + " (" + n.Version + ")"
	}
	if n.Problem != "" {
		tags = append(tags, n.Problem)
	}
	if n.Cycle {
		tags = append(tags, "cycle")
	}
	if n.SameAs != 0 {
		tags = append(tags, "its requirements are listed above")
	}
	if n.DepthLimit {
		tags = append(tags, fmt.Sprintf("depth %d: pkgconf stops here and uses neither its flags nor its Requires", n.Depth))
	}
	if len(tags) > 0 {
		s += " [" + strings.Join(tags, ", ") + "]"
	}
	if level > maxIndent {
		s = fmt.Sprintf("(depth %d) %s", n.Depth, s)
		level = maxIndent
	}
	fmt.Fprintf(w, "    %s%s\n", strings.Repeat("  ", max(level, 0)), s)
}
