package trace

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/shlex"

	"github.com/cgotrace/cgotrace/trace/envcheck"
)

// ReadDirectives returns the #cgo lines of a Go file's import "C"
// preamble, with their file:line, build condition and arguments. A file
// without import "C" has none. Errors are returned for unreadable files
// only; a file that does not parse as Go yields what could be read.
func ReadDirectives(path string) ([]Directive, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	f, _ := parser.ParseFile(fset, path, src, parser.ImportsOnly|parser.ParseComments)
	if f == nil {
		return nil, nil
	}
	var out []Directive
	for _, doc := range envcheck.CgoPreambles(f) {
		out = append(out, directivesInComment(fset, doc, filepath.Base(path))...)
	}
	return out, nil
}

// directivesInComment scans a preamble comment group line by line, so that
// every directive keeps the line number it has in the file.
func directivesInComment(fset *token.FileSet, cg *ast.CommentGroup, file string) []Directive {
	var out []Directive
	for _, c := range cg.List {
		line := fset.Position(c.Slash).Line
		text := c.Text
		switch {
		case strings.HasPrefix(text, "//"):
			text = text[2:]
		case strings.HasPrefix(text, "/*"):
			text = strings.TrimSuffix(text[2:], "*/")
		}
		for i, l := range strings.Split(text, "\n") {
			if d, ok := parseDirective(l); ok {
				d.File, d.Line = file, line+i
				out = append(out, d)
			}
		}
	}
	return out
}

// parseDirective reads `#cgo [cond...] VERB: args` as cmd/cgo does.
func parseDirective(l string) (Directive, bool) {
	l = strings.TrimSpace(l)
	if !strings.HasPrefix(l, "#cgo") || len(l) == 4 || (l[4] != ' ' && l[4] != '\t') {
		return Directive{}, false
	}
	l = strings.TrimSpace(l[4:])
	colon := strings.IndexByte(l, ':')
	if colon < 0 {
		return Directive{}, false
	}
	head := strings.Fields(l[:colon])
	if len(head) == 0 {
		return Directive{}, false
	}
	d := Directive{
		Verb:      head[len(head)-1],
		Condition: strings.Join(head[:len(head)-1], " "),
	}
	args, err := shlex.Split(l[colon+1:])
	if err != nil {
		args = strings.Fields(l[colon+1:])
	}
	d.Args = args
	if d.Args == nil {
		d.Args = []string{}
	}
	return d, true
}

// expandDirectiveArg applies what go/build does to a #cgo argument:
// ${SRCDIR} becomes the package directory. (Relative -I/-L paths are made
// absolute by go build as well.)
func expandDirectiveArg(arg, pkgDir string) string {
	arg = strings.ReplaceAll(arg, "${SRCDIR}", pkgDir)
	for _, p := range []string{"-I", "-L"} {
		if strings.HasPrefix(arg, p) && len(arg) > 2 && !filepath.IsAbs(arg[2:]) && pkgDir != "" {
			return p + filepath.Join(pkgDir, arg[2:])
		}
	}
	return arg
}
