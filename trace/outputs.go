package trace

import (
	"context"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"github.com/sirupsen/logrus"

	"github.com/cgotrace/cgotrace/elfinspect"
	"github.com/cgotrace/cgotrace/elfinspect/symindex"
)

// symbols returns the lookup that fills undefined-symbol's defined_in: an
// index of the symbols defined by the libraries in the failed link's -L
// directories and the default library directories, opened on first use
// (it is cached on disk, see symindex.DefaultCacheDir).
func (a *analysis) symbols(ctx context.Context) func(string) []SymbolDef {
	var (
		once sync.Once
		idx  *symindex.Index
	)
	return func(sym string) []SymbolDef {
		once.Do(func() {
			var dirs []string
			for _, h := range a.log.HostLinks {
				for _, arg := range h.Argv {
					if d, ok := strings.CutPrefix(arg, "-L"); ok && d != "" {
						dirs = append(dirs, d)
					}
				}
			}
			var err error
			idx, err = symindex.OpenOptions(ctx, symindex.Options{Dirs: dirs, Log: a.o.Log})
			if err != nil {
				a.o.Log.WithError(err).Debug("symbol index")
				idx = nil
			}
		})
		if idx == nil {
			return nil
		}
		var out, sanitizers []SymbolDef
		for _, d := range idx.Lookup(sym) {
			if d.Version != "" && !d.DefaultVersion {
				continue // a hidden name@VERSION cannot be linked against
			}
			def := SymbolDef{Library: d.Library, Flag: d.LinkFlag}
			// The sanitizer runtimes interpose malloc, operator new and
			// much of libc: never the library to suggest first.
			switch d.LinkFlag {
			case "-lasan", "-llsan", "-ltsan", "-lubsan", "-lhwasan":
				sanitizers = append(sanitizers, def)
				continue
			}
			out = append(out, def)
		}
		return append(out, sanitizers...)
	}
}

// inspectOutputs inspects the binary a successful build produced and
// reports its run-time libraries that resolve to no file.
func (a *analysis) inspectOutputs(ctx context.Context) {
	out := a.outputPath(ctx)
	if out == "" {
		return
	}
	fi, err := os.Stat(out)
	if err != nil || fi.IsDir() {
		return
	}
	b, ok := a.spec.result(out)
	if ok {
		a.o.Log.WithField("file", out).Debug("output unchanged by go build: inspected while it ran")
	} else {
		in := a.inspector
		if in == nil {
			in = newOutputInspector(a.o)
		}
		if b, err = in.Inspect(out); err != nil {
			a.o.Log.WithError(err).Debug("inspect output")
			return
		}
	}
	a.forTarget(ctx, b)
	a.rep.Binaries = append(a.rep.Binaries, b)
	if tc := a.rep.Toolchain; tc != nil && tc.GoVersion == "" && b.Go != nil {
		// What the build used, as the binary records it.
		tc.GoVersion = b.Go.GoVersion
		for k, dst := range map[string]*string{"GOOS": &tc.GOOS, "GOARCH": &tc.GOARCH, "CGO_ENABLED": &tc.CgoEnabled} {
			if v := b.Go.Settings[k]; v != "" {
				*dst = v
			}
		}
	}
	if len(b.Diagnoses) > 0 {
		a.rep.Diagnoses = append(a.rep.Diagnoses, Diagnoses(b.Diagnoses, a.mainPackage())...)
	}
}

// speculation is the inspection of the output file before go build ran.
// When the file go build leaves is the one inspected — the same Go build
// ID, whose content ID hashes the whole file — that result is the
// output's, and the inspection was off the critical path. (A warm build
// that finds its output up to date leaves it as it was, apart from its
// mtime: cmd/go touches it.) Anything else is inspected again.
type speculation struct {
	path string // "" when the output is not known before the build
	id   string // Go build ID of the file inspected
	bin  *elfinspect.Binary
}

// fileBuildID is the Go build ID of the file at p, or "".
func fileBuildID(p string) string {
	id, _, _ := elfinspect.GoBuildID(p)
	return id
}

func (s *speculation) run(in *elfinspect.Inspector) {
	if s.path == "" {
		return
	}
	id := fileBuildID(s.path)
	if id == "" {
		return
	}
	b, err := in.Inspect(s.path)
	if err != nil {
		return
	}
	// go build may have been writing the file meanwhile.
	if fileBuildID(s.path) == id {
		s.id, s.bin = id, b
	}
}

// result is the speculative inspection of out, if it still holds.
func (s *speculation) result(out string) (*elfinspect.Binary, bool) {
	if s == nil || s.bin == nil || out != s.path {
		return nil, false
	}
	return s.bin, fileBuildID(out) == s.id
}

// explicitOutputFile is the file a `go build -o FILE` names, when it is
// known before the build: -o naming a directory (or none) needs the main
// package's name, which the log gives.
func explicitOutputFile(o *BuildOptions) string {
	out := outputFlag(o.Args)
	if out == "" || strings.HasSuffix(out, "/") {
		return ""
	}
	if !filepath.IsAbs(out) {
		out = filepath.Join(o.Dir, out)
	}
	if isDir(out) {
		return ""
	}
	return out
}

// newOutputInspector is the Inspector for a build's output: the loader
// as the program would run from the build's directory and environment.
// A cross build's output is resolved in the target's sysroot, without
// this machine's LD_LIBRARY_PATH and LD_PRELOAD.
func newOutputInspector(o *BuildOptions) *elfinspect.Inspector {
	t := outputTargetOf(context.Background(), o)
	opts := elfinspect.Options{Root: t.root, Cwd: o.Dir}
	if !t.cross {
		opts.LDLibraryPath, _ = envValue(o.Env, "LD_LIBRARY_PATH")
		opts.Preload, _ = envValue(o.Env, "LD_PRELOAD")
	}
	return elfinspect.NewInspector(opts)
}

// forTarget keeps what resolving b means for the build's target: for a
// cross binary without a sysroot, nothing (this machine's libraries are
// another ABI's), which the log says.
func (a *analysis) forTarget(ctx context.Context, b *elfinspect.Binary) {
	t := outputTargetOf(ctx, a.o)
	if t.root != "" {
		a.o.Log.WithFields(logrus.Fields{"root": t.root, "from": t.how}).Debug("output resolved in the target's root")
	}
	if !t.unresolved || b.Format != "elf" {
		return
	}
	b.Libraries, b.Missing = nil, nil
	kept := b.Diagnoses[:0]
	for _, d := range b.Diagnoses {
		if d.Kind != elfinspect.RuntimeLibraryMissing {
			kept = append(kept, d)
		}
	}
	b.Diagnoses = kept
	a.o.Log.Info(t.how)
}

// outputPath is the file go build wrote: -o FILE, -o DIR/ + the package
// name, or the main package's default name in the current directory.
func (a *analysis) outputPath(ctx context.Context) string {
	if a.o.GoCmd != "build" && a.o.GoCmd != "test" || a.o.runsTests() {
		// go test that ran the tests leaves no binary (-o aside).
		return ""
	}
	out := outputFlag(a.o.Args)
	if out == "" {
		// Without -o, go build writes a binary only for a single main
		// package named on the command line (not for ./... or several).
		_, pkgs := scanGoArgs(a.o.Args)
		if len(pkgs) > 1 || (len(pkgs) == 1 && strings.Contains(pkgs[0], "...")) {
			return ""
		}
	}
	name := ""
	if main := a.mainPackage(); main != "" {
		name = path.Base(main)
	}
	switch {
	case out == "" && name == "":
		return ""
	case out == "":
		out = name
	case strings.HasSuffix(out, "/") || isDir(filepath.Join(a.o.Dir, out)):
		if name == "" {
			return ""
		}
		out = filepath.Join(out, name)
	}
	if !filepath.IsAbs(out) {
		out = filepath.Join(a.o.Dir, out)
	}
	return out
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// mainPackage is the import path of the package whose link ran.
func (a *analysis) mainPackage() string {
	if a.extra != nil && len(a.extra.linked) > 0 {
		return a.extra.linked[0]
	}
	for _, r := range a.log.Records {
		if r.Step == KindLink && r.ImportPath != "" {
			return r.ImportPath
		}
	}
	return ""
}
