package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/cgotrace/cgotrace/trace"
	"github.com/cgotrace/cgotrace/trace/diag"
)

func init() { register("sarif", SARIF) }

// SARIF 2.1.0 (OASIS), the format GitHub code scanning reads through
// github/codeql-action/upload-sarif.
const (
	sarifVersion = "2.1.0"
	sarifSchema  = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations"`
	// Results is [] when there is nothing to say: upload-sarif wants the
	// property even then (github/codeql-action#420).
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string        `json:"id"`
	Name             string        `json:"name"`
	ShortDescription sarifMessage  `json:"shortDescription"`
	Help             sarifMessage  `json:"help"`
	Default          sarifRuleConf `json:"defaultConfiguration"`
}

type sarifRuleConf struct {
	Level string `json:"level"`
}

type sarifInvocation struct {
	CommandLine         string `json:"commandLine,omitempty"`
	ExecutionSuccessful bool   `json:"executionSuccessful"`
	ExitCode            *int   `json:"exitCode,omitempty"`
	WorkingDirectory    *struct {
		URI string `json:"uri"`
	} `json:"workingDirectory,omitempty"`
}

type sarifMessage struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifResult struct {
	RuleID           string            `json:"ruleId"`
	RuleIndex        int               `json:"ruleIndex"`
	Level            string            `json:"level"`
	Message          sarifMessage      `json:"message"`
	Locations        []sarifLocation   `json:"locations,omitempty"`
	RelatedLocations []sarifLocation   `json:"relatedLocations,omitempty"`
	Properties       map[string]string `json:"properties,omitempty"`
}

type sarifLocation struct {
	ID               *int                   `json:"id,omitempty"`
	PhysicalLocation *sarifPhysicalLocation `json:"physicalLocation,omitempty"`
	Message          *sarifMessage          `json:"message,omitempty"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

// SARIF renders one SARIF 2.1.0 log with one run: one result per
// diagnosis (ruleId = the diagnosis code, level error/warning/note), one
// rule per code. The location is the diagnosis's source (the #cgo line or
// the C file:line), else the package's first #cgo line, else the
// package's directory. Paths inside Options.RepoRoot (or the command's
// directory) are relative URIs, as code scanning wants them (it does not
// read originalUriBaseIds, github/codeql-action#2456); others are file:
// URIs. Related locations are the chain's files: the package's #cgo lines
// and the .pc files pkg-config read. The fix, the failing command and the
// evidence are in message.markdown; SARIF's fixes property is not used,
// because it requires byte-exact artifact replacements and a diagnosis's
// fix is advice ("install libfoo-dev"), not an edit.
func SARIF(w io.Writer, r *trace.Report, o Options) error {
	r, err := canonical(r)
	if err != nil {
		return err
	}
	root := o.RepoRoot
	if root == "" {
		root = r.Command.Dir
	}
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name:           "cgotrace",
			Version:        r.Tool.Version,
			InformationURI: "https://github.com/cgotrace/cgotrace",
			Rules:          []sarifRule{},
		}},
		Results: []sarifResult{},
	}
	inv := sarifInvocation{ExecutionSuccessful: true}
	if len(r.Command.Argv) > 0 {
		inv.CommandLine = commandLine(r.Command.Argv)
		ec := r.Command.ExitCode
		inv.ExitCode = &ec
	}
	if r.Command.Dir != "" && filepath.IsAbs(r.Command.Dir) {
		inv.WorkingDirectory = &struct {
			URI string `json:"uri"`
		}{fileURI(r.Command.Dir) + "/"}
	}
	run.Invocations = []sarifInvocation{inv}

	ruleIndex := map[diag.Code]int{}
	for i := range r.Diagnoses {
		d := &r.Diagnoses[i]
		level := sarifLevel(d.Severity)
		idx, ok := ruleIndex[d.Code]
		if !ok {
			idx = len(run.Tool.Driver.Rules)
			ruleIndex[d.Code] = idx
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{
				ID:               string(d.Code),
				Name:             string(d.Code),
				ShortDescription: sarifMessage{Text: "cgotrace diagnosis " + string(d.Code)},
				Help: sarifMessage{
					Text:     "Run `cgotrace explain " + string(d.Code) + "` for what it means and how to fix it.",
					Markdown: "Run `cgotrace explain " + string(d.Code) + "` for what it means and how to fix it (docs/diagnoses.md).",
				},
				Default: sarifRuleConf{Level: level},
			})
		}
		res := sarifResult{
			RuleID:    string(d.Code),
			RuleIndex: idx,
			Level:     level,
			Message:   sarifMessage{Text: sarifText(d), Markdown: sarifMarkdown(r, d)},
		}
		if d.Package != "" {
			res.Properties = map[string]string{"package": d.Package}
		}
		if loc := sarifPrimary(r, d, root); loc != nil {
			res.Locations = []sarifLocation{*loc}
		}
		res.RelatedLocations = sarifRelated(r, d, root)
		run.Results = append(run.Results, res)
	}

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}}); err != nil {
		return fmt.Errorf("encode sarif: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

func sarifLevel(s diag.Severity) string {
	switch s {
	case diag.Error:
		return "error"
	case diag.Warning:
		return "warning"
	}
	return "note"
}

// sarifText is the plain message: the summary and the fix.
func sarifText(d *diag.Diagnosis) string {
	t := d.Summary
	if d.Fix != "" {
		t += "\nfix: " + d.Fix
	}
	return t + "\n" + ExplainPointer(d)
}

// sarifMarkdown is the summary, the fix, the failing command and the
// evidence, as GitHub shows an alert's message.
func sarifMarkdown(r *trace.Report, d *diag.Diagnosis) string {
	var b strings.Builder
	b.WriteString("**" + mdInline(d.Summary) + "**")
	if d.Fix != "" {
		b.WriteString("\n\n**Fix:** " + mdInline(d.Fix))
	}
	if d.Detail != "" {
		b.WriteString("\n\n" + mdInline(d.Detail))
	}
	if step := failedStep(findPackage(r, d.Package), d); step != nil && len(step.Argv) > 0 {
		b.WriteString("\n\nFailing command (" + mdInline(step.Kind) + "):\n\n" + fenced(commandLine(step.Argv)))
	}
	if len(d.Evidence) > 0 {
		b.WriteString("\n\nEvidence:\n\n" + fenced(strings.Join(d.Evidence, "\n")))
	}
	b.WriteString("\n\n" + mdInline(ExplainPointer(d)))
	return b.String()
}

// mdInline escapes the characters that would start Markdown markup in
// one line of prose.
func mdInline(s string) string {
	return strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "<", `\<`, "[", `\[`).Replace(s)
}

// fenced puts s in a code block whose fence is longer than any backtick
// run inside it.
func fenced(s string) string {
	fence := "```"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	return fence + "\n" + s + "\n" + fence
}

// sarifPrimary is d's location: its source, else its package's first #cgo
// line, else its package's (or the command's) directory.
func sarifPrimary(r *trace.Report, d *diag.Diagnosis, root string) *sarifLocation {
	p := findPackage(r, d.Package)
	if d.Source != nil && d.Source.File != "" {
		return sarifFileLocation(r, d.Package, root, d.Source.File, d.Source.Line, d.Source.Column, "")
	}
	if p != nil && len(p.Directives) > 0 {
		dv := p.Directives[0]
		return sarifFileLocation(r, d.Package, root, dv.File, dv.Line, 0, "#cgo line of "+d.Package)
	}
	dir := ""
	if p != nil {
		dir = p.Dir
	}
	if dir == "" {
		dir = r.Command.Dir
	}
	if dir == "" {
		return nil
	}
	loc := sarifFileLocation(r, d.Package, root, dir, 0, 0, "directory of "+orDefault(d.Package, "the build"))
	if !strings.HasSuffix(loc.PhysicalLocation.ArtifactLocation.URI, "/") {
		loc.PhysicalLocation.ArtifactLocation.URI += "/"
	}
	return loc
}

// sarifRelated lists the files of d's chain: its package's #cgo lines
// and the .pc files its pkg-config calls read.
func sarifRelated(r *trace.Report, d *diag.Diagnosis, root string) []sarifLocation {
	p := findPackage(r, d.Package)
	if p == nil {
		return nil
	}
	var out []sarifLocation
	seen := map[string]bool{}
	add := func(loc *sarifLocation) {
		key := loc.PhysicalLocation.ArtifactLocation.URI
		if loc.PhysicalLocation.Region != nil {
			key += ":" + strconv.Itoa(loc.PhysicalLocation.Region.StartLine)
		}
		if seen[key] {
			return
		}
		seen[key] = true
		id := len(out)
		loc.ID = &id
		out = append(out, *loc)
	}
	for i, dv := range p.Directives {
		if i >= maxChainDirectives {
			break
		}
		add(sarifFileLocation(r, d.Package, root, dv.File, dv.Line, 0, directiveText(dv)))
	}
	for i, pc := range p.PkgConfig {
		if i >= maxChainPkgConfig {
			break
		}
		for j, f := range pc.PCFiles {
			if j >= maxChainPCFiles {
				break
			}
			add(sarifFileLocation(r, d.Package, root, f, 0, 0, ".pc file read by "+commandLine(pc.Argv)))
		}
	}
	return out
}

// sarifFileLocation makes a location for file (relative to pkg's
// directory, or to the command's) at line:col.
func sarifFileLocation(r *trace.Report, pkg, root, file string, line, col int, msg string) *sarifLocation {
	path := annotationPath(r, &diag.Diagnosis{Package: pkg, Source: &diag.Source{File: file}}, root)
	uri := (&url.URL{Path: path}).String()
	if filepath.IsAbs(filepath.FromSlash(path)) {
		uri = fileURI(path)
	}
	loc := &sarifLocation{PhysicalLocation: &sarifPhysicalLocation{ArtifactLocation: sarifArtifact{URI: uri}}}
	if line > 0 {
		loc.PhysicalLocation.Region = &sarifRegion{StartLine: line}
		if col > 0 {
			loc.PhysicalLocation.Region.StartColumn = col
		}
	}
	if msg != "" {
		loc.Message = &sarifMessage{Text: msg}
	}
	return loc
}

// fileURI is the file: URI of an absolute path.
func fileURI(path string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
