package render

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/cgotrace/cgotrace/trace"
	"github.com/cgotrace/cgotrace/trace/diag"
)

func init() { register("junit", JUnit) }

// JUnit XML as GitLab, Jenkins and most CI dashboards read it.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failures  []junitFailed `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailed struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// buildCase names the test case of diagnoses that belong to no package.
const buildCase = "(build)"

// JUnit renders one <testsuite> for the build with one <testcase> per
// package: a failed package, or one with error diagnoses, carries a
// <failure> per error diagnosis (message = summary, type = code, text =
// detail, source, evidence and fix); warnings and info go to
// <system-out>. Diagnoses with no package get a "(build)" test case.
func JUnit(w io.Writer, r *trace.Report, o Options) error {
	r, err := canonical(r)
	if err != nil {
		return err
	}
	var names []string
	cases := map[string]*junitCase{}
	get := func(name string) *junitCase {
		if c, ok := cases[name]; ok {
			return c
		}
		c := &junitCase{Name: name, Classname: "cgotrace"}
		cases[name] = c
		names = append(names, name)
		return c
	}
	for _, p := range r.Packages {
		if p != nil {
			get(p.ImportPath)
		}
	}
	for i := range r.Diagnoses {
		d := &r.Diagnoses[i]
		name := d.Package
		if name == "" {
			name = buildCase
		}
		c := get(name)
		if d.Severity == diag.Error {
			c.Failures = append(c.Failures, junitFailed{Message: d.Summary, Type: string(d.Code), Text: junitText(d)})
		} else {
			c.SystemOut += fmt.Sprintf("%s: %s: %s\n%s", d.Severity, d.Code, d.Summary, junitText(d))
		}
	}
	for _, p := range r.Packages {
		if p != nil && p.TestFailed && len(cases[p.ImportPath].Failures) == 0 {
			c := get(p.ImportPath)
			c.Failures = append(c.Failures, junitFailed{Message: "the package built and its tests failed (go test's output says which)", Type: "test-failed"})
			continue
		}
		if p != nil && p.Failed && len(cases[p.ImportPath].Failures) == 0 {
			c := cases[p.ImportPath]
			c.Failures = append(c.Failures, junitFailed{Message: "the package failed to build; cgotrace has no diagnosis for it", Type: "build-failed"})
		}
	}
	if r.Command.ExitCode != 0 && len(names) == 0 {
		c := get(buildCase)
		c.Failures = append(c.Failures, junitFailed{Message: fmt.Sprintf("%s exited with status %d", commandText(r), r.Command.ExitCode), Type: "build-failed"})
	}
	if len(names) == 0 {
		get(buildCase)
	}

	suite := junitSuite{Name: commandText(r)}
	if r.Toolchain != nil {
		for _, kv := range [][2]string{
			{"go_version", r.Toolchain.GoVersion}, {"goos", r.Toolchain.GOOS}, {"goarch", r.Toolchain.GOARCH},
			{"cc", r.Toolchain.CC}, {"cc_target", r.Toolchain.CCTarget},
		} {
			if kv[1] != "" {
				suite.Properties = append(suite.Properties, junitProperty{Name: kv[0], Value: kv[1]})
			}
		}
	}
	for _, n := range names {
		c := cases[n]
		suite.Cases = append(suite.Cases, *c)
		suite.Tests++
		if len(c.Failures) > 0 {
			suite.Failures++
		}
	}
	doc := junitSuites{Name: "cgotrace", Tests: suite.Tests, Failures: suite.Failures, Suites: []junitSuite{suite}}

	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("encode junit: %w", err)
	}
	_, err = io.WriteString(w, "\n")
	return err
}

// junitText is the body of a failure: detail, source, evidence, fix.
func junitText(d *diag.Diagnosis) string {
	var b strings.Builder
	if d.Detail != "" {
		b.WriteString(d.Detail + "\n")
	}
	if d.Source != nil {
		b.WriteString("at " + sourceText(d.Source) + "\n")
	}
	for _, e := range d.Evidence {
		b.WriteString(e + "\n")
	}
	if d.Fix != "" {
		b.WriteString("fix: " + d.Fix + "\n")
	}
	return b.String()
}
