package trace

import (
	"bytes"
	"context"
	"os"
	"os/exec"
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
	// keepIn is the directory of kept re-runs (see keptProbe), "" for
	// none.
	keepIn string
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
	dir := expand(rec.Dir)
	command := "$ " + strings.Join(append([]string{name}, args...), " ") + "\n"
	keep := hp.keptFile(name, args, stdin, dir, header)
	var output string
	if k, ok := hp.kept(keep, header); ok {
		output = k.Output
		command += "(kept: cgotrace ran this command at " + k.Time.UTC().Format(time.RFC3339) +
			"; the compiler, its arguments, directory and environment, and the directories it searched are unchanged)\n"
	} else {
		var out bytes.Buffer
		ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		cmd := Cmd{Name: name, Args: args, Dir: dir, Env: hp.env, Stdout: &out, Stderr: &out}
		if stdin != "" {
			cmd.Stdin = strings.NewReader(stdin)
		}
		if _, err := hp.runner.Run(ctx, cmd); err != nil {
			return nil
		}
		output = out.String()
		hp.keep(keep, output)
	}
	p := &HeaderProbe{Searched: includeSearchList(output)}
	p.Rerun = command + output
	for _, line := range strings.Split(output, "\n") {
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
// <libxml/parser.h> means -I/usr/include/libxml2 is missing. Each
// directory is read once and the header looked up under each entry (a
// stat each): filepath.Glob of DIR/*/HEADER would read every
// subdirectory of /usr/include whole, level by level (87 directories
// for X11/Xcursor/Xcursor.h here).
func headerElsewhere(header string, searched []string) []string {
	if filepath.IsAbs(header) || strings.Contains(header, "..") {
		return nil
	}
	var out []string
	for _, d := range searched {
		entries, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if e.Type().IsRegular() {
				continue // a file has no header below it
			}
			m := filepath.Join(d, e.Name(), header)
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

// keptProbe is a header probe's output kept between builds (kept.go): a
// failed #include costs its re-run 26 ms (cc1's start, for one line), on
// the critical path after go build. The key is the compiler (as PATH
// finds it), the arguments and standard input with the build's $WORK
// written as $WORK, the directory, the header, the environment (but
// cgotrace's own per-build variables, OLDPWD and _) and every argument
// that names a file. A kept output is used only when cc1 (named in it)
// is the same file, every directory it searched is still a directory
// without the header, and every directory it ignored as nonexistent
// still is.
type keptProbe struct {
	Time   time.Time `json:"time"`
	Output string    `json:"output"` // $WORK for the build's work directory
	CC1    string    `json:"cc1"`    // path
	CC1ID  string    `json:"cc1_id"` // fileIdentity
}

func (hp *headerProbe) keptFile(name string, args []string, stdin, dir, header string) string {
	if hp.keepIn == "" {
		return ""
	}
	prog, err := exec.LookPath(name)
	if err != nil {
		return ""
	}
	k := newKeptKey("header-probe")
	k.file(prog)
	k.add(name, dir, header, hp.unexpand(stdin))
	for _, a := range args {
		k.add(hp.unexpand(a))
		p := a
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			k.file(p)
		}
	}
	var env []string
	for _, kv := range hp.env {
		// Not cgotrace's per-build variables, nor what a shell sets per
		// command (the previous directory, the command's path), which no
		// compiler reads: a user who runs cgotrace again from another
		// shell or directory has the same failure.
		if !strings.HasPrefix(kv, "CGOTRACE_") && !strings.HasPrefix(kv, "OLDPWD=") && !strings.HasPrefix(kv, "_=") {
			env = append(env, kv)
		}
	}
	k.add(lastValues(env)...)
	return filepath.Join(hp.keepIn, k.name())
}

// unexpand writes the build's work directory as $WORK.
func (hp *headerProbe) unexpand(s string) string {
	if hp.work == "" {
		return s
	}
	return strings.ReplaceAll(s, hp.work, "$WORK")
}

func (hp *headerProbe) kept(file, header string) (keptProbe, bool) {
	var k keptProbe
	if !readKept(file, &k) || k.CC1 == "" {
		return k, false
	}
	if fi, err := os.Stat(k.CC1); err != nil || fileIdentity(fi) != k.CC1ID {
		return k, false
	}
	if hp.work != "" {
		k.Output = strings.ReplaceAll(k.Output, "$WORK", hp.work)
	} else if strings.Contains(k.Output, "$WORK") {
		return k, false
	}
	for _, d := range includeSearchList(k.Output) {
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			return k, false
		}
		if _, err := os.Stat(filepath.Join(d, header)); err == nil {
			return k, false
		}
	}
	for _, d := range ignoredNonexistent(k.Output) {
		if _, err := os.Stat(d); err == nil {
			return k, false
		}
	}
	return k, true
}

// keep keeps a re-run's output, when it names its cc1 (gcc's -v does;
// clang's cc1 is the driver itself, in the key already, but its -v names
// no separate program: not kept).
func (hp *headerProbe) keep(file, output string) {
	if file == "" {
		return
	}
	cc1 := cc1Program(output)
	if cc1 == "" {
		return
	}
	fi, err := os.Stat(cc1)
	if err != nil {
		return
	}
	writeKept(file, keptProbe{Time: time.Now(), Output: hp.unexpand(output), CC1: cc1, CC1ID: fileIdentity(fi)})
}

// cc1Program is the preprocessor gcc -v says it ran: the first word of
// its ` /usr/lib/gcc/x86_64-linux-gnu/12/cc1 -E -quiet -v ...` line.
func cc1Program(out string) string {
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, " /") {
			continue
		}
		prog, _, _ := strings.Cut(line[1:], " ")
		if b := filepath.Base(prog); b == "cc1" || b == "cc1plus" || b == "cc1obj" {
			return prog
		}
	}
	return ""
}

// ignoredNonexistent are the directories of gcc's `ignoring nonexistent
// directory "DIR"` lines.
func ignoredNonexistent(out string) []string {
	var dirs []string
	for _, line := range strings.Split(out, "\n") {
		if d, ok := strings.CutPrefix(strings.TrimRight(line, "\r"), `ignoring nonexistent directory "`); ok {
			dirs = append(dirs, strings.TrimSuffix(d, `"`))
		}
	}
	return dirs
}
