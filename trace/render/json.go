package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/cgotrace/cgotrace/elfinspect"
	"github.com/cgotrace/cgotrace/trace"
	"github.com/cgotrace/cgotrace/trace/diag"
)

func init() { register("json", JSON) }

// JSON renders the report-v1 document: encoding/json of trace.Report
// (whose field order is the schema's, schema_version first; map keys
// sorted), indented by two spaces, with a trailing newline. HTML
// characters are not escaped (`<foo.h>` stays readable). Lists the
// schema requires are written as [] when empty, never null.
func JSON(w io.Writer, r *trace.Report, o Options) error {
	c, err := canonical(r)
	if err != nil {
		return err
	}
	fillRequired(c)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(c); err != nil {
		return fmt.Errorf("encode report: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// fillRequired replaces the nil lists of fields that have no omitempty
// (so encoding/json would write null) with empty ones. c must be a copy
// the caller owns (canonical's).
func fillRequired(c *trace.Report) {
	if c.Command.Argv == nil {
		c.Command.Argv = []string{}
	}
	if c.Diagnoses == nil {
		c.Diagnoses = []diag.Diagnosis{}
	}
	// A nil entry would be written as null; it carries nothing.
	pkgs := c.Packages[:0]
	for _, p := range c.Packages {
		if p != nil {
			pkgs = append(pkgs, p)
		}
	}
	c.Packages = pkgs
	bins := c.Binaries[:0]
	for _, b := range c.Binaries {
		if b != nil {
			bins = append(bins, b)
		}
	}
	c.Binaries = bins
	for _, p := range c.Packages {
		for i := range p.Directives {
			if p.Directives[i].Args == nil {
				p.Directives[i].Args = []string{}
			}
		}
		for i := range p.PkgConfig {
			if p.PkgConfig[i].Argv == nil {
				p.PkgConfig[i].Argv = []string{}
			}
		}
		for i := range p.Steps {
			if p.Steps[i].Argv == nil {
				p.Steps[i].Argv = []string{}
			}
		}
	}
	for _, b := range c.Binaries {
		fillBinary(b)
	}
}

func fillBinary(b *elfinspect.Binary) {
	for _, l := range []*[]string{&b.Needed, &b.Rpath, &b.Runpath, &b.Missing} {
		if *l == nil {
			*l = []string{}
		}
	}
	if b.Libraries == nil {
		b.Libraries = []elfinspect.Library{}
	}
	if b.Diagnoses == nil {
		b.Diagnoses = []elfinspect.Finding{}
	}
}
