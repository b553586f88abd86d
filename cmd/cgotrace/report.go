package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/cgotrace/cgotrace/trace"
	"github.com/cgotrace/cgotrace/trace/diag"
	"github.com/cgotrace/cgotrace/trace/render"
)

// reportOptions are the settings of `cgotrace report`.
type reportOptions struct {
	path   string // REPORT.json, or - for stdin
	format string
	output string
}

func newReportCmd(g *globals) *cobra.Command {
	o := &reportOptions{}
	cmd := &cobra.Command{
		Use:   "report [flags] REPORT.json",
		Short: "Render a saved report again, in any format",
		Long: `report reads a report that cgotrace build or analyze saved (report.json of a
--report-dir, or --format json output; - reads stdin) and renders it exactly
as the original run would have: cgotrace report report.json --format markdown
gives report.md byte for byte. Use it to turn one CI artifact into JUnit for a
dashboard, annotations for GitHub, or text for a person.

Exit status: 0 when the report records a successful build with no error
diagnosis, 1 when it records a failure, 2 when the file cannot be read, is
not a cgotrace report, or has an unknown schema_version. The same for every
--format.`,
		Example: `  cgotrace report out/report.json
  cgotrace report out/report.json --format markdown > summary.md
  cgotrace report out/report.json --format junit --output junit.xml`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.path = args[0]
			return runReport(g, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.format, "format", "text", fmt.Sprintf("output format: one of %v", render.Formats()))
	f.StringVarP(&o.output, "output", "o", "", "write to FILE instead of stdout (written to a temporary name and renamed)")
	return cmd
}

// runReport reads, checks and renders the saved report.
func runReport(g *globals, o *reportOptions) error {
	if _, err := render.Lookup(o.format); err != nil {
		return usageErrorf("--format: %v", err)
	}
	r, err := readReportFile(o.path, g.stdin)
	if err != nil {
		return inputError(err)
	}
	g.log.WithFields(map[string]any{"report": o.path, "format": o.format,
		"diagnoses": len(r.Diagnoses)}).Debug("rendering saved report")
	if err := g.writeReport(r, o.format, o.output); err != nil {
		return err
	}
	if reportFailed(r) {
		return exitCode(exitFailed)
	}
	return nil
}

// readReportFile decodes the report at path (- = stdin).
func readReportFile(path string, stdin io.Reader) (*trace.Report, error) {
	var rd io.Reader = stdin
	name := "stdin"
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("read report: %w", err)
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil && fi.IsDir() {
			return nil, fmt.Errorf("read report %s: is a directory (the report is %s/report.json)", path, path)
		}
		rd, name = f, path
	}
	r, err := render.Decode(rd)
	if err != nil {
		return nil, fmt.Errorf("read report %s: %w", name, err)
	}
	return r, nil
}

// reportFailed is the verdict a report records: go build failed, a
// package failed, or a diagnosis is an error.
func reportFailed(r *trace.Report) bool {
	if r.Command.ExitCode != 0 {
		return true
	}
	for _, p := range r.Packages {
		if p != nil && p.Failed {
			return true
		}
	}
	for _, d := range r.Diagnoses {
		if d.Severity == diag.Error {
			return true
		}
	}
	return false
}
