package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cgotrace/cgotrace/elfinspect/symindex"
)

type symbolOptions struct {
	format    string
	output    string
	dirs      []string
	cacheDir  string
	noCache   bool
	noDefault bool
}

func newSymbolCmd(g *globals) *cobra.Command {
	o := &symbolOptions{}
	cmd := &cobra.Command{
		Use:   "symbol [flags] SYMBOL...",
		Short: "Which library on the link search path defines a symbol, and the -l flag to add",
		Long: `symbol looks SYMBOL up in an index of the symbols defined by the shared
libraries (dynamic symbol table, with versions) and static archives (archive
symbol table) in the -L directories and the system's default library
directories (gcc -print-search-dirs, /usr/lib/x86_64-linux-gnu,
/lib/x86_64-linux-gnu, /usr/local/lib).

C++ names may be given mangled (_ZN3foo3barEi) or demangled, with or
without the parameter list ('foo::bar(int)', 'foo::bar').

The index is cached in $XDG_CACHE_HOME/cgotrace/symindex (~/.cache/...);
a library file is read again only when its size, mtime or inode changes.

Exit status: 0 when every symbol is defined somewhere, 1 otherwise.`,
		Example: `  cgotrace symbol deflate sqlite3_open
  cgotrace symbol -L ./lib 'std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >::size() const'
  cgotrace symbol --format json _ZdlPv`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSymbol(cmd.Context(), g, o, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.format, "format", "text", "output format: text or json")
	f.StringVarP(&o.output, "output", "o", "", "write the result to FILE instead of stdout")
	f.StringArrayVarP(&o.dirs, "library-dir", "L", nil, "also search DIR, before the default directories (repeatable)")
	f.StringVar(&o.cacheDir, "cache-dir", "", "keep the index cache in DIR (default: the user cache directory)")
	f.BoolVar(&o.noCache, "no-cache", false, "build the index in memory, without reading or writing the cache")
	f.BoolVar(&o.noDefault, "no-default-dirs", false, "search only the -L directories")
	return cmd
}

// symbolResult is the JSON output of cgotrace symbol.
type symbolResult struct {
	Symbols []symbolAnswer `json:"symbols"`
	Dirs    []string       `json:"dirs"`
	Index   symindex.Stats `json:"index"`
}

type symbolAnswer struct {
	Query       string                `json:"query"`
	Found       bool                  `json:"found"`
	Definitions []symindex.Definition `json:"definitions"`
}

func runSymbol(ctx context.Context, g *globals, o *symbolOptions, syms []string) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if o.format != "text" && o.format != "json" {
		return usageErrorf("--format must be text or json, not %q", o.format)
	}
	if o.noDefault && len(o.dirs) == 0 {
		return usageErrorf("--no-default-dirs needs at least one -L DIR")
	}
	for _, s := range syms {
		if strings.TrimSpace(s) == "" {
			return usageErrorf("empty symbol name")
		}
	}
	cacheDir := o.cacheDir
	if o.noCache {
		cacheDir = "off"
	}
	idx, err := symindex.OpenOptions(ctx, symindex.Options{
		Dirs: o.dirs, NoDefaultDirs: o.noDefault, CacheDir: cacheDir, Log: g.log,
	})
	if err != nil {
		return &exitError{code: exitBroken, err: err}
	}
	defer idx.Close()
	res := symbolResult{Dirs: idx.Dirs(), Index: idx.Stats()}
	missing := 0
	for _, s := range syms {
		defs := idx.Lookup(s)
		if defs == nil {
			defs = []symindex.Definition{}
			missing++
		}
		res.Symbols = append(res.Symbols, symbolAnswer{Query: s, Found: len(defs) > 0, Definitions: defs})
	}
	var buf bytes.Buffer
	if o.format == "json" {
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return &exitError{code: exitBroken, err: err}
		}
	} else {
		writeSymbolText(&buf, &res, g.color && (o.output == "" || o.output == "-"))
	}
	if o.output == "" || o.output == "-" {
		if _, err := g.stdout.Write(buf.Bytes()); err != nil {
			return &exitError{code: exitBroken, err: err}
		}
	} else if err := writeFileAtomic(o.output, buf.Bytes()); err != nil {
		return inputError(err) // an --output path that cannot be written
	}
	if missing > 0 {
		return exitCode(exitFailed)
	}
	return nil
}

func writeSymbolText(w io.Writer, r *symbolResult, color bool) {
	bold := func(s string) string {
		if color {
			return "\x1b[1m" + s + "\x1b[0m"
		}
		return s
	}
	for _, a := range r.Symbols {
		if !a.Found {
			fmt.Fprintf(w, "%s: not defined by any library in %d directories (%s)\n",
				bold(a.Query), len(r.Dirs), strings.Join(r.Dirs, ":"))
			continue
		}
		// The other spelling of the name, once: the mangled name for a
		// demangled query, the demangled one for a mangled query.
		head := bold(a.Query)
		d0 := a.Definitions[0]
		switch {
		case d0.Symbol != a.Query:
			head += " = " + d0.Symbol
		case d0.Demangled != "":
			head += " = " + d0.Demangled
		}
		fmt.Fprintln(w, head)
		width := 0
		for _, d := range a.Definitions {
			width = max(width, len(d.LinkFlag))
		}
		for _, d := range a.Definitions {
			where := d.Library
			if d.Library != d.File {
				where += " -> " + d.File
			}
			notes := []string{string(d.Kind)}
			if d.Symbol != d0.Symbol {
				notes = append(notes, d.Symbol)
			}
			if d.Version != "" {
				sep := "@@"
				if !d.DefaultVersion {
					sep = "@"
				}
				notes = append(notes, sep+d.Version)
			}
			if d.Member != "" {
				notes = append(notes, "member "+d.Member)
			}
			if d.Weak {
				notes = append(notes, "weak")
			}
			if !d.PlainLink {
				notes = append(notes, "no lib<name>.so or .a to link with -l<name>: install the development package, or use "+d.LinkFlag)
			}
			fmt.Fprintf(w, "  %-*s  %s (%s)\n", width, d.LinkFlag, where, strings.Join(notes, ", "))
		}
	}
}
