package elfinspect

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// TextOptions tune WriteText.
type TextOptions struct {
	Color bool
}

const (
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiDim    = "\x1b[2m"
	ansiBold   = "\x1b[1m"
	ansiReset  = "\x1b[0m"
)

// WriteText prints b as a dependency tree: every library with the file it
// resolves to and why, libc and the loader included, missing ones marked
// with the paths that were tried.
func WriteText(w io.Writer, b *Binary, opts TextOptions) error {
	bw := bufio.NewWriter(w)
	paint := func(code, s string) string {
		if !opts.Color {
			return s
		}
		return code + s + ansiReset
	}
	fmt.Fprintln(bw, paint(ansiBold, b.Path))
	kind := []string{b.Format}
	for _, s := range []string{b.Class, b.Machine, b.Type} {
		if s != "" {
			kind = append(kind, s)
		}
	}
	switch {
	case b.Static && b.PIE:
		kind = append(kind, "static-pie")
	case b.Static:
		kind = append(kind, "static")
	case b.PIE:
		kind = append(kind, "pie")
	}
	fmt.Fprintf(bw, "  format:      %s\n", strings.Join(kind, " "))
	if b.Interpreter != "" {
		fmt.Fprintf(bw, "  interpreter: %s\n", b.Interpreter)
	}
	if b.Soname != "" {
		fmt.Fprintf(bw, "  soname:      %s\n", b.Soname)
	}
	if b.MinOS != "" {
		fmt.Fprintf(bw, "  min os:      %s\n", b.MinOS)
	}
	fmt.Fprintf(bw, "  needed:      %s\n", listOrNone(b.Needed))
	if b.Format == "elf" {
		fmt.Fprintf(bw, "  rpath:       %s\n", listOrNone(b.Rpath))
	}
	label := "runpath:    "
	if b.Format == "macho" {
		label = "LC_RPATH:   "
	}
	if b.Format != "pe" {
		fmt.Fprintf(bw, "  %s %s\n", label, listOrNone(b.Runpath))
	}
	if len(b.Flags) > 0 {
		fmt.Fprintf(bw, "  flags:       %s\n", strings.Join(b.Flags, " "))
	}
	if b.GlibcMin != "" {
		mins := "GLIBC_" + b.GlibcMin
		if b.GlibcxxMin != "" {
			mins += ", GLIBCXX_" + b.GlibcxxMin
		}
		if b.CxxabiMin != "" {
			mins += ", CXXABI_" + b.CxxabiMin
		}
		fmt.Fprintf(bw, "  needs:       %s\n", mins)
	}
	if b.Go != nil {
		g := b.Go.GoVersion
		for _, k := range []string{"CGO_ENABLED", "-tags", "-ldflags", "-buildmode", "GOOS", "GOARCH"} {
			if v, ok := b.Go.Settings[k]; ok {
				g += fmt.Sprintf(" %s=%s", k, quoteIfSpace(v))
			}
		}
		fmt.Fprintf(bw, "  go:          %s\n", g)
	}
	for _, s := range b.Slices {
		fmt.Fprintf(bw, "  slice %s: needed %s, missing %s\n", s.Machine, listOrNone(s.Needed), listOrNone(s.Missing))
	}
	if len(b.Libraries) > 0 {
		fmt.Fprintln(bw, "  dependencies:")
		writeTree(bw, b, paint)
	}
	if len(b.Missing) > 0 {
		fmt.Fprintf(bw, "  %s %s\n", paint(ansiRed, "missing:"), strings.Join(b.Missing, ", "))
	}
	for _, d := range b.Diagnoses {
		fmt.Fprintf(bw, "  %s: %s\n", d.Severity, d.Summary)
		if d.Fix != "" {
			fmt.Fprintf(bw, "    fix: %s\n", d.Fix)
		}
	}
	return bw.Flush()
}

const maxIndent = 40

func writeTree(w io.Writer, b *Binary, paint func(string, string) string) {
	byName := map[string]int{}
	for i, l := range b.Libraries {
		if _, ok := byName[l.Name]; !ok {
			byName[l.Name] = i
		}
	}
	for i, l := range b.Libraries {
		if _, ok := byName[l.Soname]; !ok && l.Soname != "" {
			byName[l.Soname] = i
		}
	}
	shown := make([]bool, len(b.Libraries))
	// LD_PRELOAD and /etc/ld.so.preload objects load before any
	// DT_NEEDED: they come first, at the top level.
	var roots []string
	for _, l := range b.Libraries {
		if isPreload(l) {
			roots = append(roots, l.Name)
		}
	}
	roots = append(roots, b.Needed...)
	if b.Interpreter != "" {
		// A missing interpreter is an entry of its own.
		if i, ok := byName[b.Interpreter]; ok && !b.Libraries[i].Found {
			roots = append([]string{b.Interpreter}, roots...)
		}
	}
	type frame struct {
		names  []string
		prefix string
		parent string
	}
	// Iterative depth-first walk (a 10,000-deep chain must not recurse).
	// Each library is expanded once, under the object that loaded it.
	stack := []frame{{roots, "  ", b.Path}}
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if len(top.names) == 0 {
			stack = stack[:len(stack)-1]
			continue
		}
		name := top.names[0]
		top.names = top.names[1:]
		last := len(top.names) == 0
		branch, cont := "├── ", "│   "
		if last {
			branch, cont = "└── ", "    "
		}
		prefix := top.prefix
		i, ok := byName[name]
		if !ok {
			fmt.Fprintf(w, "%s%s%s\n", prefix, branch, name)
			continue
		}
		l := b.Libraries[i]
		switch {
		case !l.Found && isPreload(l):
			fmt.Fprintf(w, "%s%s%s %s\n", prefix, branch, name, paint(ansiYellow, "=> not found ["+l.Via+", ignored by ld.so]"))
			for _, t := range l.Tried {
				fmt.Fprintf(w, "%s%s    %s\n", prefix, cont, paint(ansiDim, "tried "+t))
			}
		case !l.Found:
			fmt.Fprintf(w, "%s%s%s %s\n", prefix, branch, name, paint(ansiRed, "=> not found"))
			for _, t := range l.Tried {
				if strings.Contains(t, " exists ") {
					fmt.Fprintf(w, "%s%s    %s\n", prefix, cont, "hint: "+t)
					continue
				}
				fmt.Fprintf(w, "%s%s    %s\n", prefix, cont, paint(ansiDim, "tried "+t))
			}
		case l.Path == "" || l.Path == l.Name:
			fmt.Fprintf(w, "%s%s%s [%s]\n", prefix, branch, name, l.Via)
		case l.Via == "interpreter":
			fmt.Fprintf(w, "%s%s%s => %s [%s]\n", prefix, branch, name, l.Path, l.Via)
		case shown[i] || l.NeededBy != top.parent && !(isPreload(l) && len(stack) == 1):
			fmt.Fprintf(w, "%s%s%s %s\n", prefix, branch, name, paint(ansiDim, "(loaded by "+l.NeededBy+")"))
		default:
			shown[i] = true
			suffix := ""
			if l.Weak {
				suffix = " (weak)"
			}
			fmt.Fprintf(w, "%s%s%s => %s [%s]%s\n", prefix, branch, name, l.Path, l.Via, suffix)
			if len(l.Needed) > 0 && l.Via != "already loaded" && l.Via != "interpreter" {
				// Past maxIndent levels the tree stops indenting: a deep
				// chain would otherwise print quadratic output.
				next := prefix + cont
				if len(stack) >= maxIndent {
					next = prefix
				}
				stack = append(stack, frame{append([]string(nil), l.Needed...), next, l.Path})
			}
		}
	}
}

// isPreload reports whether l was loaded from LD_PRELOAD or
// /etc/ld.so.preload rather than as somebody's DT_NEEDED.
func isPreload(l Library) bool {
	return l.NeededBy == "LD_PRELOAD" || l.NeededBy == "/etc/ld.so.preload"
}

func listOrNone(l []string) string {
	if len(l) == 0 {
		return "(none)"
	}
	return strings.Join(l, " ")
}

func quoteIfSpace(s string) string {
	if strings.ContainsAny(s, " \t") {
		return fmt.Sprintf("%q", s)
	}
	return s
}
