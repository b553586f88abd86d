package envcheck

import (
	"context"

	"github.com/cgotrace/cgotrace/trace/diag"
)

// Preflight is what `cgotrace build` can decide before go build runs:
// whether cgo is on and why, and whether CC exists and builds for
// GOOS/GOARCH. It is the cgo-enabled, cc and cc-target checks of Run
// without the rest.
type Preflight struct {
	GoEnv GoEnv
	Cgo   CgoState
	CC    Compiler
	// Checks are the env checks behind the diagnoses ("cgo-enabled", "cc",
	// "cc-target").
	Checks []Check
}

// RunPreflight runs `go env -json` once and probes CC (path, --version,
// -dumpmachine; no compile) with the environment of o (Env, Dir, Go,
// Runner, Log; Targets are ignored). The error is non-nil when go env
// itself cannot run.
func RunPreflight(ctx context.Context, o Options) (*Preflight, error) {
	s, err := goEnvState(ctx, o, false)
	if err != nil {
		return nil, err
	}
	ge := s.goenv
	p := &Preflight{GoEnv: ge, Cgo: DecideCgo(s.env, ge)}
	_, explicit := s.env.Lookup("CC")
	p.CC = ProbeCompiler(ctx, "CC", ge["CC"], explicit, ProbeOptions{
		Runner: s.runner, Env: s.env.List(), GOOS: ge["GOOS"], GOARCH: ge["GOARCH"], Lang: "c",
	})
	p.Checks = append([]Check{CheckCgoEnabled(p.Cgo)}, CheckCompiler(p.CC, p.Cgo, ge["GOOS"], ge["GOARCH"])...)
	return p, nil
}

// Diagnoses turns the preflight into report-v1 diagnoses: cgo-disabled
// (when cgo is off, explicitly or implied — the caller keeps it only if a
// package of the build needs cgo), cc-not-found (cgo on, CC missing) and
// cross-cc-mismatch (cgo on, CC builds for another GOOS/GOARCH).
func (p *Preflight) Diagnoses() []diag.Diagnosis {
	var out []diag.Diagnosis
	cgo := p.Checks[0]
	if !p.Cgo.Enabled {
		reason := "CGO_ENABLED=0 is set in the " + p.Cgo.Origin
		if !p.Cgo.Explicit {
			reason = p.Cgo.ImpliedOff
		}
		out = append(out, diag.Diagnosis{
			Code: diag.CgoDisabled, Severity: diag.Error,
			Summary: "cgo is disabled: " + reason,
			Detail:  cgo.Why, Fix: cgo.Fix,
			Subject: map[string]string{"reason": reason},
		})
		return out
	}
	for _, c := range p.Checks[1:] {
		if c.Verdict != Fail {
			continue
		}
		switch c.ID {
		case "cc":
			out = append(out, diag.Diagnosis{
				Code: diag.CCNotFound, Severity: diag.Error,
				Summary: "C compiler not found: " + c.Observed,
				Detail:  c.Why, Fix: c.Fix, Evidence: c.Details,
				Subject: map[string]string{"tool": p.CC.Value},
			})
		case "cc-target":
			out = append(out, diag.Diagnosis{
				Code: diag.CrossCCMismatch, Severity: diag.Error,
				Summary: "CC builds for another target: " + c.Observed,
				Detail:  c.Why, Fix: c.Fix,
				Subject: map[string]string{"target": p.GoEnv["GOOS"] + "/" + p.GoEnv["GOARCH"], "tool": p.CC.Value},
			})
		}
	}
	return out
}
