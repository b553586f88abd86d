package render

import (
	"bufio"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/cgotrace/cgotrace/trace"
	"github.com/cgotrace/cgotrace/trace/diag"
)

func init() { register("github", GitHub) }

// GitHub shows at most this many annotations of each kind per step and
// drops the rest.
const maxAnnotations = 10

// GitHub renders GitHub Actions workflow commands: one
// `::error file=F,line=L,title=T::message` per error diagnosis (file
// relative to Options.RepoRoot, or to the report's command directory),
// `::warning` for warnings and `::notice` for info. Diagnoses without a
// source get an annotation without file=, which GitHub shows on the run.
// At most 10 of each kind are written, because GitHub drops the rest;
// then one `::notice::` says how many more the report holds.
func GitHub(w io.Writer, r *trace.Report, o Options) error {
	r, err := canonical(r)
	if err != nil {
		return err
	}
	root := o.RepoRoot
	if root == "" {
		root = r.Command.Dir
	}
	bw := bufio.NewWriter(w)
	shown := map[diag.Severity]int{}
	left := map[diag.Severity]int{}
	for i := range r.Diagnoses {
		d := &r.Diagnoses[i]
		cmd := "notice"
		switch d.Severity {
		case diag.Error:
			cmd = "error"
		case diag.Warning:
			cmd = "warning"
		}
		limit := maxAnnotations
		if cmd == "notice" {
			limit-- // keep one notice for the count of what was left out
		}
		if shown[d.Severity] >= limit {
			left[d.Severity]++
			continue
		}
		shown[d.Severity]++

		var props []string
		if d.Source != nil && d.Source.File != "" {
			props = append(props, "file="+escapeProperty(annotationPath(r, d, root)))
			if d.Source.Line > 0 {
				props = append(props, "line="+strconv.Itoa(d.Source.Line))
				if d.Source.Column > 0 {
					props = append(props, "col="+strconv.Itoa(d.Source.Column))
				}
			}
		}
		title := "cgotrace: " + string(d.Code)
		if d.Package != "" {
			title += " in " + d.Package
		}
		props = append(props, "title="+escapeProperty(title))
		fmt.Fprintf(bw, "::%s %s::%s\n", cmd, strings.Join(props, ","), escapeData(annotationMessage(d)))
	}
	if n := left[diag.Error] + left[diag.Warning] + left[diag.Info]; n > 0 {
		var parts []string
		for _, s := range []diag.Severity{diag.Error, diag.Warning, diag.Info} {
			if left[s] > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", left[s], s))
			}
		}
		msg := fmt.Sprintf("cgotrace: %s more not annotated (%s); GitHub shows at most %d errors and %d warnings per step. All of them are in the report (report.json, report.md).",
			plural(n, "diagnosis", "diagnoses"), strings.Join(parts, ", "), maxAnnotations, maxAnnotations)
		fmt.Fprintf(bw, "::notice::%s\n", escapeData(msg))
	}
	return bw.Flush()
}

// annotationMessage is the summary, the fix and the evidence.
func annotationMessage(d *diag.Diagnosis) string {
	msg := d.Summary
	if d.Fix != "" {
		msg += "\nfix: " + d.Fix
	}
	for _, e := range d.Evidence {
		msg += "\n" + e
	}
	return msg + "\n" + ExplainPointer(d)
}

// annotationPath makes a diagnosis's source path relative to root: a
// relative source is taken relative to its package's directory (the #cgo
// line's file), then to the command's directory. A file outside root
// keeps its absolute path.
func annotationPath(r *trace.Report, d *diag.Diagnosis, root string) string {
	f := d.Source.File
	if !filepath.IsAbs(f) {
		base := r.Command.Dir
		if p := findPackage(r, d.Package); p != nil && p.Dir != "" {
			base = p.Dir
		}
		if base == "" {
			return filepath.ToSlash(filepath.Clean(f))
		}
		f = filepath.Join(base, f)
	}
	if root != "" {
		if rel, err := filepath.Rel(root, f); err == nil && rel != ".." && !strings.HasPrefix(rel, "../") {
			return filepath.ToSlash(rel)
		}
	}
	return filepath.ToSlash(f)
}

// escapeData escapes a workflow command's message the way GitHub's
// toolkit does (@actions/core escapeData): % CR LF. The runner undoes it
// (actions/runner ActionCommand.cs, UnescapeData).
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a property value (@actions/core escapeProperty):
// % CR LF, and : and , which separate properties.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
