package trace

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/cgotrace/cgotrace/buildlog"
)

// HeaderProbe is what a verbose re-run of a failed #include says: the
// directories the C compiler searched, in its order, and where a file of
// that name does exist one directory further down (a header that needs
// -I/usr/include/libxml2, say).
type HeaderProbe struct {
	Searched  []string
	Elsewhere []string // full paths of the header under a searched directory's subdirectories
	Evidence  []string // the compiler's own words
	Rerun     string   // the command run and its output
}

// headerProbe re-runs the C preprocessor the way the failed step ran it:
// the failed gcc compile itself with -v -E (output discarded), or, for a
// failure inside cgo (which runs gcc on the preamble), $CC with the flags
// cgo was given and `#include <header>` on stdin.
type headerProbe struct {
	runner Runner
	cc     []string
	env    []string
	work   string // the log's $WORK, still on disk until Build returns
}

// probe looks for header as the failed step of rec's package searched for
// it. rec is the failed cgo or cc-compile record.
func (hp *headerProbe) probe(ctx context.Context, header string, rec *buildlog.Record) *HeaderProbe {
	if rec == nil || len(rec.Argv) == 0 || header == "" {
		return nil
	}
	expand := func(s string) string {
		if hp.work == "" {
			return s
		}
		return strings.ReplaceAll(s, "$WORK", hp.work)
	}
	var name string
	var args []string
	var stdin string
	switch rec.Step {
	case KindCCCompile:
		// The command itself, preprocessing only: the same file, flags
		// and directory reproduce the error and print the search list.
		name = expand(rec.Argv[0])
		for i := 1; i < len(rec.Argv); i++ {
			a := rec.Argv[i]
			switch {
			case a == "-c":
				continue
			case a == "-o" && i+1 < len(rec.Argv):
				i++
				continue
			case strings.HasPrefix(a, "-o") && len(a) > 2, strings.HasPrefix(a, "-M"):
				continue
			}
			args = append(args, expand(a))
		}
		args = append(args, "-v", "-E", "-o", os.DevNull)
	case KindCgo:
		// cgo [cgo flags] -- [C flags] files.go: the C flags are what cgo
		// hands gcc for the preamble.
		i := slices.Index(rec.Argv, "--")
		if i < 0 || len(hp.cc) == 0 {
			return nil
		}
		name = hp.cc[0]
		args = append(args, hp.cc[1:]...)
		for _, a := range rec.Argv[i+1:] {
			if strings.HasSuffix(a, ".go") && !strings.HasPrefix(a, "-") {
				continue
			}
			args = append(args, expand(a))
		}
		args = append(args, "-v", "-E", "-x", "c", "-o", os.DevNull, "-")
		stdin = "#include <" + header + ">\n"
	default:
		return nil
	}
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	cmd := Cmd{Name: name, Args: args, Dir: expand(rec.Dir), Env: hp.env, Stdout: &out, Stderr: &out}
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	if _, err := hp.runner.Run(ctx, cmd); err != nil {
		return nil
	}
	p := &HeaderProbe{Searched: includeSearchList(out.String())}
	p.Rerun = "$ " + strings.Join(append([]string{name}, args...), " ") + "\n" + out.String()
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.Contains(line, header) && (strings.Contains(line, "error") || strings.Contains(line, "No such file")) {
			p.Evidence = append(p.Evidence, "verbose re-run: "+strings.TrimSpace(line))
		}
	}
	p.Elsewhere = headerElsewhere(header, p.Searched)
	return p
}

// includeSearchList reads the directories from gcc's and clang's -v
// output: the lines between `#include "..." search starts here:` (the
// -iquote directories) or `#include <...> search starts here:` and `End
// of search list.`, in order.
func includeSearchList(out string) []string {
	var dirs []string
	in := false
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimRight(line, "\r")
		switch {
		case strings.HasPrefix(line, "#include ") && strings.HasSuffix(line, "search starts here:"):
			in = true
		case line == "End of search list.":
			in = false
		case in && strings.HasPrefix(line, " "):
			d := strings.TrimSpace(line)
			// clang marks framework directories.
			d = filepath.Clean(strings.TrimSuffix(d, " (framework directory)"))
			if !slices.Contains(dirs, d) {
				dirs = append(dirs, d)
			}
		}
	}
	return dirs
}

// headerElsewhere looks for header one directory level below each
// searched directory: /usr/include/libxml2/libxml/parser.h for
// <libxml/parser.h> means -I/usr/include/libxml2 is missing.
func headerElsewhere(header string, searched []string) []string {
	if filepath.IsAbs(header) || strings.Contains(header, "..") {
		return nil
	}
	var out []string
	for _, d := range searched {
		matches, _ := filepath.Glob(filepath.Join(globQuote(d), "*", globQuote(header)))
		for _, m := range matches {
			if fi, err := os.Stat(m); err == nil && !fi.IsDir() && !slices.Contains(out, m) {
				out = append(out, m)
			}
		}
		if len(out) >= 5 {
			break
		}
	}
	return out
}

// globQuote escapes the metacharacters of filepath.Match.
func globQuote(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
