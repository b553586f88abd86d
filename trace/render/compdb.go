package render

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/cgotrace/cgotrace/trace"
)

// The "compdb" format: Clang's JSON compilation database
// (compile_commands.json) for the C, C++, Objective-C and assembly files
// that go build compiled for the traced cgo packages, so that clangd and
// clang-tidy understand a cgo package's C code. It is built from the
// report's steps of kind cc-compile, in package and log order.
//
// Paths: "directory" is the step's directory, made absolute against the
// report's command dir when it is relative; "file" and "output" are made
// absolute against "directory". A path under go build's work directory
// keeps its "$WORK" prefix as the log printed it (go build deletes the
// work directory when it ends, unless run with -work, and the log does
// not say where it was), so entries for cgo's generated files
// (_cgo_export.c, x.cgo2.c) and any entry whose directory is "$WORK/bNNN"
// are valid only while that directory exists, and for a tool only after
// "$WORK" is replaced by the real path. "arguments" is the argv exactly
// as go build ran it. Bytes that are not UTF-8 cannot be written in JSON:
// encoding/json writes U+FFFD for them.

func init() { register("compdb", renderCDB) }

// cdbEntry is one entry of compile_commands.json. Field order is the
// JSON order.
type cdbEntry struct {
	Directory string   `json:"directory"`
	Arguments []string `json:"arguments"`
	File      string   `json:"file"`
	Output    string   `json:"output,omitempty"`
}

func renderCDB(w io.Writer, r *trace.Report, _ Options) error {
	entries := cdbEntries(r)
	data, err := json.MarshalIndent(entries, "", "  ")
	if err != nil {
		return fmt.Errorf("compile_commands.json: %w", err)
	}
	data = append(data, '\n')
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("compile_commands.json: %w", err)
	}
	return nil
}

// cdbEntries returns the entries for r; never nil, so the JSON is [] when
// nothing was compiled.
func cdbEntries(r *trace.Report) []cdbEntry {
	entries := []cdbEntry{}
	for _, p := range r.Packages {
		if p == nil {
			continue
		}
		for _, s := range p.Steps {
			if s.Kind != trace.KindCCCompile || len(s.Argv) == 0 {
				continue
			}
			file := cdbSourceFile(s.Argv)
			if file == "" || file == "-" {
				continue // nothing to compile, or stdin (gcc's flag probes)
			}
			dir := s.Dir
			if dir == "" {
				dir = r.Command.Dir
			}
			dir = cdbAbs(r.Command.Dir, dir)
			e := cdbEntry{
				Directory: dir,
				Arguments: append([]string(nil), s.Argv...),
				File:      cdbAbs(dir, file),
			}
			if out := s.Output; out != "" {
				e.Output = cdbAbs(dir, out)
			} else if out := cdbOptionValue(s.Argv, "-o"); out != "" {
				e.Output = cdbAbs(dir, out)
			}
			entries = append(entries, e)
		}
	}
	return entries
}

// cdbAbs makes p absolute against base. "$WORK" paths and paths that
// cannot be made absolute (an empty or relative base) stay as they are.
func cdbAbs(base, p string) string {
	if p == "" || filepath.IsAbs(p) || cdbIsWork(p) {
		return p
	}
	if base == "" || !(filepath.IsAbs(base) || cdbIsWork(base)) {
		return p
	}
	return filepath.Join(base, p)
}

func cdbIsWork(p string) bool {
	return p == "$WORK" || strings.HasPrefix(p, "$WORK/")
}

// cdbOptionValue returns the value of a separate-argument option (-o FILE).
func cdbOptionValue(argv []string, opt string) string {
	for i := 1; i+1 < len(argv); i++ {
		if argv[i] == opt {
			return argv[i+1]
		}
	}
	return ""
}

// cdbSeparateValue lists the gcc/clang options whose value is the next
// argument.
var cdbSeparateValue = map[string]bool{
	"-o": true, "-I": true, "-D": true, "-U": true, "-include": true,
	"-imacros": true, "-isystem": true, "-iquote": true, "-idirafter": true,
	"-iprefix": true, "-iwithprefix": true, "-iwithprefixbefore": true,
	"-isysroot": true, "-imultilib": true, "-MF": true, "-MT": true, "-MQ": true,
	"-x": true, "-Xlinker": true, "-Xassembler": true, "-Xpreprocessor": true,
	"-Xclang": true, "-L": true, "-l": true, "-aux-info": true, "--param": true,
	"-T": true, "-z": true, "-u": true, "-e": true, "-arch": true,
	"-target": true, "--sysroot": true, "-F": true, "-framework": true,
}

// cdbSourceExts are the extensions go build compiles with the C toolchain.
var cdbSourceExts = map[string]bool{
	".c": true, ".cc": true, ".cpp": true, ".cxx": true, ".C": true,
	".m": true, ".mm": true, ".s": true, ".S": true, ".sx": true,
	".f": true, ".F": true, ".for": true, ".f90": true,
}

// cdbCompileInputs returns the input files of a compiler command: the
// arguments that are neither options nor option values. Files with a
// source extension come last, so the last element is the best guess.
func cdbCompileInputs(argv []string) []string {
	var src, other []string
	for i := 1; i < len(argv); i++ {
		a := argv[i]
		if cdbSeparateValue[a] {
			i++
			continue
		}
		if strings.HasPrefix(a, "-") && a != "-" {
			continue
		}
		if cdbSourceExts[filepath.Ext(a)] {
			src = append(src, a)
		} else {
			other = append(other, a)
		}
	}
	return append(other, src...)
}
