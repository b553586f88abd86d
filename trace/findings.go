package trace

import (
	"github.com/cgotrace/cgotrace/elfinspect"
	"github.com/cgotrace/cgotrace/trace/diag"
)

// findingCodes maps what elfinspect finds in a binary to the report-v1
// code of the diagnosis that reports it.
var findingCodes = map[elfinspect.Kind]diag.Code{
	elfinspect.RuntimeLibraryMissing: diag.RuntimeLibraryMissing,
	elfinspect.StaticGlibcNSS:        diag.StaticGlibcNSS,
	elfinspect.NotStatic:             diag.NotStatic,
	elfinspect.InsecureRpath:         diag.InsecureRpath,
	elfinspect.GlibcTooNew:           diag.GlibcTooNew,
	elfinspect.InterpreterMissing:    diag.InterpreterMissing,
	elfinspect.LibcMismatch:          diag.LibcMismatch,
	elfinspect.NotRunnable:           diag.NotRunnable,
}

var findingSeverities = map[elfinspect.Severity]diag.Severity{
	elfinspect.Error:   diag.Error,
	elfinspect.Warning: diag.Warning,
	elfinspect.Info:    diag.Info,
}

// Diagnosis is the report-v1 diagnosis of an elfinspect finding, for the
// package pkg ("" when no package is known). A kind or severity without
// a mapping (a newer elfinspect) keeps its spelling.
func Diagnosis(f elfinspect.Finding, pkg string) diag.Diagnosis {
	code, ok := findingCodes[f.Kind]
	if !ok {
		code = diag.Code(f.Kind)
	}
	sev, ok := findingSeverities[f.Severity]
	if !ok {
		sev = diag.Severity(f.Severity)
	}
	return diag.Diagnosis{
		Code: code, Severity: sev, Package: pkg,
		Summary: f.Summary, Detail: f.Detail, Fix: f.Fix,
		Subject: f.Subject, Evidence: f.Evidence,
	}
}

// Diagnoses maps findings with Diagnosis.
func Diagnoses(fs []elfinspect.Finding, pkg string) []diag.Diagnosis {
	out := make([]diag.Diagnosis, 0, len(fs))
	for _, f := range fs {
		out = append(out, Diagnosis(f, pkg))
	}
	return out
}
