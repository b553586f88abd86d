package render

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/cgotrace/cgotrace/trace"
)

// ActionsEnv is what GitHub Actions tells a step through its environment.
// The CLI fills it (ActionsEnvFrom(os.Getenv)); the render package never
// reads the environment itself.
type ActionsEnv struct {
	// GitHubActions is $GITHUB_ACTIONS: "true" inside a workflow run.
	GitHubActions string
	// StepSummary is $GITHUB_STEP_SUMMARY: the file whose Markdown
	// GitHub shows on the run's summary page.
	StepSummary string
	// Workspace is $GITHUB_WORKSPACE, the checkout: annotation paths are
	// made relative to it.
	Workspace string
}

// ActionsEnvFrom reads the three variables through getenv.
func ActionsEnvFrom(getenv func(string) string) ActionsEnv {
	return ActionsEnv{
		GitHubActions: getenv("GITHUB_ACTIONS"),
		StepSummary:   getenv("GITHUB_STEP_SUMMARY"),
		Workspace:     getenv("GITHUB_WORKSPACE"),
	}
}

// Active reports whether cgotrace runs inside GitHub Actions.
func (e ActionsEnv) Active() bool { return e.GitHubActions == "true" }

// WriteGitHubActions does cgotrace's part in a GitHub Actions step: it
// writes the annotations (the github format) to stdout, where the runner
// reads workflow commands, and appends the Markdown report to the step
// summary file. Outside GitHub Actions it does nothing. The Markdown gets
// what is left of GitHub's 1 MiB step summary limit after what earlier
// commands of the step wrote (at least 16 KiB). Options.RepoRoot
// defaults to the workspace.
func WriteGitHubActions(stdout io.Writer, r *trace.Report, env ActionsEnv, o Options) error {
	if !env.Active() {
		return nil
	}
	o.Color = false
	if o.RepoRoot == "" {
		o.RepoRoot = env.Workspace
	}
	var errs []error
	if err := GitHub(stdout, r, o); err != nil {
		errs = append(errs, fmt.Errorf("github annotations: %w", err))
	}
	if env.StepSummary != "" {
		if err := appendStepSummary(env.StepSummary, r, o); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// minSummaryBytes is the least budget the step summary gets.
const minSummaryBytes = 16 << 10

func appendStepSummary(path string, r *trace.Report, o Options) error {
	budget := o.MaxBytes
	if budget <= 0 {
		budget = DefaultMaxBytes
	}
	if fi, err := os.Stat(path); err == nil {
		budget = max(budget-int(fi.Size()), minSummaryBytes)
	}
	o.MaxBytes = budget
	var buf bytes.Buffer
	if err := Markdown(&buf, r, o); err != nil {
		return fmt.Errorf("step summary: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("step summary: %w", err)
	}
	// One write, so a concurrent step's append cannot land in the middle.
	_, werr := f.Write(buf.Bytes())
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return fmt.Errorf("step summary %s: %w", path, werr)
	}
	return nil
}
