package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// This file is a small stand-in for the GitHub Actions runner, enough to
// run the repository's composite action (action.yml) without GitHub: the
// `run:` steps run in order with bash as the runner runs them
// (`bash --noprofile --norc -eo pipefail FILE`), with the files of
// GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH and GITHUB_STEP_SUMMARY, and
// `${{ }}` expressions substituted from a fixed set of contexts. `uses:`
// steps are not run: their `if:` is evaluated and their `with:`
// substituted, for the test to check. Whatever the runner would do that
// this file does not know (an unknown expression, `if:` on a run step) is
// a test failure, not a silent skip, so action.yml cannot drift out of
// what the test checks.

// actionSpec is the part of action.yml's schema the runner uses
// (https://docs.github.com/en/actions/reference/metadata-syntax-for-github-actions).
type actionSpec struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Author      string `yaml:"author"`
	Branding    struct {
		Icon  string `yaml:"icon"`
		Color string `yaml:"color"`
	} `yaml:"branding"`
	Inputs map[string]struct {
		Description string `yaml:"description"`
		Required    bool   `yaml:"required"`
		Default     string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Description string `yaml:"description"`
		Value       string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

type actionStep struct {
	Name             string            `yaml:"name"`
	ID               string            `yaml:"id"`
	If               string            `yaml:"if"`
	Shell            string            `yaml:"shell"`
	Run              string            `yaml:"run"`
	Uses             string            `yaml:"uses"`
	WorkingDirectory string            `yaml:"working-directory"`
	Env              map[string]string `yaml:"env"`
	With             map[string]string `yaml:"with"`
}

func loadAction(t *testing.T, path string) *actionSpec {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var a actionSpec
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&a); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &a
}

// stepResult is what one step did.
type stepResult struct {
	step    actionStep
	ran     bool   // a run step that ran, or a uses step the caller ran
	skipped bool   // its if: was false (or an earlier step failed)
	exit    int    // bash's exit code
	output  string // stdout and stderr, interleaved
	outputs map[string]string
	env     map[string]string // what it wrote to GITHUB_ENV
	path    []string          // what it wrote to GITHUB_PATH
	summary string            // what it wrote to GITHUB_STEP_SUMMARY
	with    map[string]string // a uses step's with:, substituted
	sub     *actionRun        // a composite action the step ran
}

// actionRun is one run of the action (or of a workflow job's steps).
type actionRun struct {
	steps   []*stepResult
	failed  bool
	outputs map[string]string // the action's outputs
}

func (r *actionRun) step(t *testing.T, id string) *stepResult {
	t.Helper()
	for _, s := range r.steps {
		if s.step.ID == id {
			return s
		}
	}
	t.Fatalf("no step %q", id)
	return nil
}

// uses returns the first step that uses an action whose name starts
// with prefix.
func (r *actionRun) uses(t *testing.T, prefix string) *stepResult {
	t.Helper()
	for _, s := range r.steps {
		if strings.HasPrefix(s.step.Uses, prefix) {
			return s
		}
	}
	t.Fatalf("no step uses %s", prefix)
	return nil
}

// runnerContext is what the runner knows about the job.
type runnerContext struct {
	actionPath string // github.action_path: where the action's files are
	actionRef  string // github.action_ref
	workspace  string // GITHUB_WORKSPACE
	temp       string // RUNNER_TEMP
	baseEnv    []string
}

// ghJob is the state a job's steps share: what GITHUB_ENV and
// GITHUB_PATH added, and whether a step failed.
type ghJob struct {
	t      *testing.T
	rc     runnerContext
	env    map[string]string
	path   []string
	failed bool
}

var exprRE = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)

// usesFunc runs (or records) a uses step whose with: is res.with. It
// sets res.ran, res.exit and res.outputs when it ran something.
type usesFunc func(j *ghJob, res *stepResult)

// runAction runs the action's steps with the given inputs (unset inputs
// take their defaults) as a job of its own.
func runAction(t *testing.T, a *actionSpec, rc runnerContext, with map[string]string) *actionRun {
	t.Helper()
	j := &ghJob{t: t, rc: rc, env: map[string]string{}}
	return j.runAction(a, with)
}

// runAction runs a composite action as a step of job j.
func (j *ghJob) runAction(a *actionSpec, with map[string]string) *actionRun {
	t := j.t
	t.Helper()
	if a.Runs.Using != "composite" {
		t.Fatalf("runs.using %q, want composite", a.Runs.Using)
	}
	inputs := map[string]string{}
	for name, in := range a.Inputs {
		inputs[name] = in.Default
	}
	for name, v := range with {
		if _, ok := a.Inputs[name]; !ok {
			t.Fatalf("the action has no input %q", name)
		}
		inputs[name] = v
	}
	run, subst := j.runSteps(a.Runs.Steps, inputs, nil)
	for name, o := range a.Outputs {
		run.outputs[name] = subst(o.Value)
	}
	return run
}

// runSteps runs steps in order, in a steps context of their own; inputs
// is the inputs context (nil in a workflow). It returns the run and the
// expression substitution of that context.
func (j *ghJob) runSteps(steps []actionStep, inputs map[string]string, uses usesFunc) (*actionRun, func(string) string) {
	t, rc := j.t, j.rc
	t.Helper()
	run := &actionRun{outputs: map[string]string{}}
	stepOutputs := map[string]map[string]string{}
	lookup := func(expr string) (string, bool) {
		switch {
		case strings.HasPrefix(expr, "inputs.") && inputs != nil:
			v, ok := inputs[strings.TrimPrefix(expr, "inputs.")]
			return v, ok
		case expr == "github.action_path" && inputs != nil:
			return rc.actionPath, true
		case expr == "github.action_ref" && inputs != nil:
			return rc.actionRef, true
		case expr == "github.workspace":
			return rc.workspace, true
		case expr == "runner.temp":
			return rc.temp, true
		case strings.HasPrefix(expr, "steps."):
			parts := strings.SplitN(expr, ".", 4)
			if len(parts) == 4 && parts[2] == "outputs" {
				// An output a step did not set (or a step that did not
				// run) is the empty string, as on GitHub.
				return stepOutputs[parts[1]][parts[3]], true
			}
		}
		return "", false
	}
	subst := func(s string) string {
		return exprRE.ReplaceAllStringFunc(s, func(m string) string {
			expr := exprRE.FindStringSubmatch(m)[1]
			v, ok := lookup(expr)
			if !ok {
				t.Fatalf("expression the test runner does not know: %s", m)
			}
			return v
		})
	}

	for i, st := range steps {
		res := &stepResult{step: st}
		run.steps = append(run.steps, res)
		if st.If != "" {
			res.skipped = !evalIf(t, st.If, j.failed, lookup)
		} else if j.failed {
			res.skipped = true // success() is the default condition
		}
		if res.skipped {
			continue
		}
		if st.Uses != "" {
			res.with = map[string]string{}
			for k, v := range st.With {
				res.with[k] = subst(v)
			}
			if uses != nil {
				uses(j, res)
				if res.exit != 0 {
					j.failed = true
				}
				if st.ID != "" {
					stepOutputs[st.ID] = res.outputs
				}
			}
			continue
		}
		if st.Shell != "bash" && !(inputs == nil && st.Shell == "") {
			// A workflow's run step defaults to bash on Linux; a
			// composite action's must name its shell.
			t.Fatalf("step %d (%s): shell %q: the test runs bash", i, st.Name, st.Shell)
		}
		dir := t.TempDir()
		files := map[string]string{}
		for _, name := range []string{"GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY"} {
			files[name] = filepath.Join(dir, strings.ToLower(name))
			if err := os.WriteFile(files[name], nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		script := filepath.Join(dir, "step.sh")
		if err := os.WriteFile(script, []byte(subst(st.Run)), 0o644); err != nil {
			t.Fatal(err)
		}
		env := append([]string{}, rc.baseEnv...)
		pathVar := os.Getenv("PATH")
		for _, p := range j.path {
			pathVar = p + string(os.PathListSeparator) + pathVar
		}
		env = append(env,
			"PATH="+pathVar,
			"GITHUB_ACTIONS=true",
			"CI=true",
			"GITHUB_WORKSPACE="+rc.workspace,
			"RUNNER_TEMP="+rc.temp,
		)
		if inputs != nil {
			env = append(env, "GITHUB_ACTION_PATH="+rc.actionPath, "GITHUB_ACTION_REF="+rc.actionRef)
		}
		for name, f := range files {
			env = append(env, name+"="+f)
		}
		for k, v := range j.env {
			env = append(env, k+"="+v)
		}
		for k, v := range st.Env {
			env = append(env, k+"="+subst(v))
		}
		wd := rc.workspace
		if st.WorkingDirectory != "" {
			wd = subst(st.WorkingDirectory)
			if !filepath.IsAbs(wd) {
				wd = filepath.Join(rc.workspace, wd)
			}
		}
		cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", script)
		cmd.Dir = wd
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		res.ran = true
		res.output = string(out)
		if ee, ok := err.(*exec.ExitError); ok {
			res.exit = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("step %d (%s): %v", i, st.Name, err)
		}
		if res.exit != 0 {
			j.failed = true
		}
		res.outputs = readKeyValues(t, files["GITHUB_OUTPUT"])
		res.env = readKeyValues(t, files["GITHUB_ENV"])
		for k, v := range res.env {
			j.env[k] = v
		}
		pathText, _ := os.ReadFile(files["GITHUB_PATH"])
		for _, l := range strings.Split(string(pathText), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				res.path = append(res.path, l)
				j.path = append(j.path, l)
			}
		}
		summary, _ := os.ReadFile(files["GITHUB_STEP_SUMMARY"])
		res.summary = string(summary)
		if st.ID != "" {
			stepOutputs[st.ID] = res.outputs
		}
	}
	run.failed = j.failed
	return run, subst
}

// readKeyValues reads a GITHUB_OUTPUT or GITHUB_ENV file: `name=value`
// lines and `name<<DELIMITER` ... `DELIMITER` blocks.
func readKeyValues(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	kv := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		if name, delim, ok := strings.Cut(line, "<<"); ok && !strings.Contains(name, "=") {
			var val []string
			closed := false
			for sc.Scan() {
				if sc.Text() == delim {
					closed = true
					break
				}
				val = append(val, sc.Text())
			}
			if !closed {
				t.Fatalf("%s: %s<<%s is not closed", path, name, delim)
			}
			kv[name] = strings.Join(val, "\n")
			continue
		}
		name, val, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("%s: line %q is neither name=value nor name<<DELIMITER", path, line)
		}
		kv[name] = val
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return kv
}

// evalIf evaluates the `if:` expressions the action uses: terms joined by
// &&, each failure(), success(), always(), or `context == 'literal'` /
// `context != 'literal'`. Anything else fails the test.
func evalIf(t *testing.T, cond string, failed bool, lookup func(string) (string, bool)) bool {
	t.Helper()
	cond = strings.TrimSpace(cond)
	if m := exprRE.FindStringSubmatch(cond); m != nil && m[0] == cond {
		cond = m[1]
	}
	// Without a status function, success() is implied.
	hasStatus := false
	result := true
	for _, term := range strings.Split(cond, "&&") {
		term = strings.TrimSpace(term)
		switch term {
		case "failure()":
			hasStatus = true
			result = result && failed
			continue
		case "success()":
			hasStatus = true
			result = result && !failed
			continue
		case "always()":
			hasStatus = true
			continue
		}
		var lhs, rhs string
		neg := false
		if l, r, ok := strings.Cut(term, "!="); ok {
			lhs, rhs, neg = l, r, true
		} else if l, r, ok := strings.Cut(term, "=="); ok {
			lhs, rhs = l, r
		} else {
			t.Fatalf("if: %q: term %q is not understood by the test runner", cond, term)
		}
		lhs, rhs = strings.TrimSpace(lhs), strings.TrimSpace(rhs)
		if len(rhs) < 2 || rhs[0] != '\'' || rhs[len(rhs)-1] != '\'' {
			t.Fatalf("if: %q: %q is not a quoted literal", cond, rhs)
		}
		v, ok := lookup(lhs)
		if !ok {
			t.Fatalf("if: %q: unknown context %q", cond, lhs)
		}
		// GitHub compares strings case-insensitively.
		eq := strings.EqualFold(v, strings.ReplaceAll(rhs[1:len(rhs)-1], "''", "'"))
		result = result && (eq != neg)
	}
	if !hasStatus {
		result = result && !failed
	}
	return result
}

// String shows a step for failure messages.
func (s *stepResult) String() string {
	return fmt.Sprintf("step %q (exit %d):\n%s", s.step.Name, s.exit, s.output)
}
