package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/sirupsen/logrus"
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
	// Skipped are the library files (and -L directories) that could not
	// be read, with why: their symbols are not in the answer.
	Skipped []skippedLibrary `json:"skipped,omitempty"`
}

type skippedLibrary struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
	// UserDir is true for a file in a -L directory (false: a default
	// directory, whose unreadable files are the system's).
	UserDir bool `json:"user_dir"`
}

// maxSkipWarnings is how many skipped files of -L directories get a
// warning line each; the rest are counted.
const maxSkipWarnings = 10

// skippedLibraries lists what the index could not read: -L directories
// that cannot be listed, and the library files of every directory that
// are unreadable or corrupt, those of the -L directories first.
func skippedLibraries(idx *symindex.Index, userDirs []string) []skippedLibrary {
	var out []skippedLibrary
	var prefixes []string
	for _, d := range userDirs {
		if _, err := os.ReadDir(d); err != nil {
			out = append(out, skippedLibrary{Path: d, Reason: "cannot list the directory: " + errReason(err), UserDir: true})
			continue
		}
		prefixes = append(prefixes, filepath.Clean(d)+string(filepath.Separator))
		if r, err := filepath.EvalSymlinks(d); err == nil {
			prefixes = append(prefixes, filepath.Clean(r)+string(filepath.Separator))
		}
	}
	var user, system []skippedLibrary
	for p, why := range idx.Problems() {
		s := skippedLibrary{Path: p, Reason: why}
		for _, pre := range prefixes {
			if strings.HasPrefix(p, pre) {
				s.UserDir = true
			}
		}
		if s.UserDir {
			user = append(user, s)
		} else {
			system = append(system, s)
		}
	}
	byPath := func(a, b skippedLibrary) int { return strings.Compare(a.Path, b.Path) }
	slices.SortFunc(user, byPath)
	slices.SortFunc(system, byPath)
	return append(append(out, user...), system...)
}

// errReason is the reason of a file system error without its path.
func errReason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// warnSkipped says on stderr which files of the -L directories were
// skipped and why (the first few, then a count); the default
// directories' own unreadable files are logged at debug level.
func warnSkipped(g *globals, skipped []skippedLibrary) {
	warned, more, system := 0, 0, 0
	for _, s := range skipped {
		switch {
		case !s.UserDir:
			system++
			g.log.WithFields(logrus.Fields{"path": s.Path, "reason": s.Reason}).Debug("symbol: library in a default directory skipped")
		case warned < maxSkipWarnings:
			warned++
			g.log.WithFields(logrus.Fields{"path": s.Path, "reason": s.Reason}).Warn("symbol: skipped, its symbols are not searched")
		default:
			more++
		}
	}
	if more > 0 {
		g.log.WithField("count", more).Warn("symbol: more libraries of the -L directories skipped (--format json lists them all)")
	}
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
	res := symbolResult{Dirs: idx.Dirs(), Index: idx.Stats(), Skipped: skippedLibraries(idx, o.dirs)}
	warnSkipped(g, res.Skipped)
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
