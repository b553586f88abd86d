package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// ciRecipe is a marked fenced block of docs/ci.md:
//
//	<!-- recipe: NAME (KIND) -->
//	```lang
//	...
//	```
//
// KIND says how the test runs it: github-workflow, gitlab-ci, jenkinsfile
// or dockerfile. A block that cannot run here says why instead:
// `<!-- not run: REASON -->`.
type ciRecipe struct {
	name, kind, text string
	line             int
}

var (
	recipeMark = regexp.MustCompile(`^<!-- recipe: ([a-z0-9-]+) \(([a-z-]+)\) -->$`)
	notRunMark = regexp.MustCompile(`^<!-- not run: .+ -->$`)
)

// ciRecipes reads the marked blocks of path; a fenced block that is not
// marked either way fails the test, so a new recipe is not left unrun.
func ciRecipes(t testing.TB, path string) []ciRecipe {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	var out []ciRecipe
	for i := 0; i < len(lines); i++ {
		if !strings.HasPrefix(lines[i], "```") || len(lines[i]) == 3 {
			continue
		}
		mark := ""
		if i > 0 {
			mark = lines[i-1]
		}
		end := i + 1
		for end < len(lines) && lines[end] != "```" {
			end++
		}
		if end == len(lines) {
			t.Fatalf("%s:%d: the fence is not closed", path, i+1)
		}
		switch m := recipeMark.FindStringSubmatch(mark); {
		case m != nil:
			out = append(out, ciRecipe{name: m[1], kind: m[2], text: strings.Join(lines[i+1:end], "\n") + "\n", line: i + 1})
		case notRunMark.MatchString(mark):
		default:
			t.Errorf("%s:%d: a %s block marked neither <!-- recipe: NAME (KIND) --> nor <!-- not run: REASON -->", path, i+1, lines[i])
		}
		i = end
	}
	return out
}

// TestCIRecipesMarked (also under -short) checks that every fenced block
// of docs/ci.md is marked as a recipe or as not run, that there is a
// recipe of each kind, and that the marker check catches an unmarked
// block.
func TestCIRecipesMarked(t *testing.T) {
	recipes := ciRecipes(t, filepath.Join("..", "..", "docs", "ci.md"))
	kinds := map[string]int{}
	for _, r := range recipes {
		kinds[r.kind]++
	}
	for _, k := range []string{"github-workflow", "gitlab-ci", "jenkinsfile", "dockerfile"} {
		if kinds[k] == 0 {
			t.Errorf("docs/ci.md has no %s recipe", k)
		}
	}
	bad := filepath.Join(t.TempDir(), "ci.md")
	text := "<!-- recipe: a (gitlab-ci) -->\n```yaml\nx: 1\n```\n\ntext\n```sh\necho unmarked\n```\n"
	if err := os.WriteFile(bad, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	ft := &recordingTB{}
	got := ciRecipes(ft, bad)
	errs := ft.errs
	if len(got) != 1 || got[0].name != "a" || got[0].text != "x: 1\n" {
		t.Errorf("recipes of the sample: %+v", got)
	}
	if len(errs) != 1 {
		t.Errorf("the unmarked block gave %d errors, want 1", len(errs))
	}
}

// recordingTB records Errorf and fails the test on Fatalf; the rest of
// testing.TB is not used.
type recordingTB struct {
	testing.TB
	errs []string
}

func (r *recordingTB) Helper() {}
func (r *recordingTB) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
func (r *recordingTB) Fatalf(format string, args ...any) {
	panic(fmt.Sprintf(format, args...))
}

// TestCIRecipes runs the recipes of docs/ci.md, what of them can run
// without the CI system, against a broken and a healthy cgo module:
// GitHub workflows through the runner of ghrunner_test.go (the Action
// itself from this checkout), GitLab's before_script/script and
// after_script, Jenkins' sh steps, and the Dockerfile's RUN lines in a
// temporary root. Fetching cgotrace (git clone, Jenkins' git step, the
// checkout action) clones this checkout; setup-go, upload-artifact and
// upload-sarif are checked (their if: and the paths they would upload),
// not run.
func TestCIRecipes(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds cgotrace and runs go build per recipe")
	}
	for _, tool := range []string{"go", "gcc", "bash", "sh", "git", "xargs"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	checkout, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if err := exec.Command("git", "-C", checkout, "rev-parse", "HEAD").Run(); err != nil {
		t.Skipf("the checkout is not a git repository (the recipes clone it): %v", err)
	}
	recipes := ciRecipes(t, filepath.Join(checkout, "docs", "ci.md"))
	kinds := map[string]bool{}
	for _, r := range recipes {
		kinds[r.kind] = true
	}
	for _, k := range []string{"github-workflow", "gitlab-ci", "jenkinsfile", "dockerfile"} {
		if !kinds[k] {
			t.Errorf("docs/ci.md has no %s recipe", k)
		}
	}
	hasTest := hasCommand(t, buildBinary(t), "test")

	for _, r := range recipes {
		t.Run(r.name, func(t *testing.T) {
			for _, broken := range []bool{true, false} {
				name := map[bool]string{true: "broken", false: "healthy"}[broken]
				t.Run(name, func(t *testing.T) {
					b, h := ciModules(t, t.TempDir())
					ws := h
					if broken {
						ws = b
					}
					switch r.kind {
					case "github-workflow":
						runWorkflowRecipe(t, r, checkout, ws, broken, hasTest)
					case "gitlab-ci":
						runGitLabRecipe(t, r, checkout, ws, broken)
					case "jenkinsfile":
						runJenkinsRecipe(t, r, checkout, ws, broken)
					case "dockerfile":
						runDockerfileRecipe(t, r, checkout, ws, broken)
					default:
						t.Fatalf("docs/ci.md:%d: unknown recipe kind %q", r.line, r.kind)
					}
				})
			}
		})
	}
}

// cloneCgotrace does what a recipe's git clone or checkout of cgotrace
// does, from this checkout: the committed HEAD, into dst.
func cloneCgotrace(t *testing.T, checkout, dst string) {
	t.Helper()
	out, err := exec.Command("git", "clone", "-q", "--no-hardlinks", checkout, dst).CombinedOutput()
	if err != nil {
		t.Fatalf("git clone %s %s: %v\n%s", checkout, dst, err, out)
	}
}

// headerAnnotation is the annotation of the broken module's missing
// header, at main.go:4 relative to the workspace.
var headerAnnotation = regexp.MustCompile(`(?m)^::error file=main\.go,line=4,col=10,title=cgotrace%3A header-not-found in example\.com/broken::`)

// headerRootCause is the text report's root cause for the broken module.
const headerRootCause = "root cause: header-not-found in example.com/broken"

type ghWorkflow struct {
	Name string `yaml:"name"`
	On   any    `yaml:"on"`
	Jobs map[string]struct {
		RunsOn      string            `yaml:"runs-on"`
		Permissions map[string]string `yaml:"permissions"`
		Steps       []actionStep      `yaml:"steps"`
	} `yaml:"jobs"`
}

func runWorkflowRecipe(t *testing.T, r ciRecipe, checkout, ws string, broken, hasTest bool) {
	var wf ghWorkflow
	dec := yaml.NewDecoder(strings.NewReader(r.text))
	dec.KnownFields(true)
	if err := dec.Decode(&wf); err != nil {
		t.Fatalf("docs/ci.md:%d: %v", r.line, err)
	}
	if len(wf.Jobs) == 0 {
		t.Fatal("the workflow has no jobs")
	}
	action := loadAction(t, filepath.Join(checkout, "action.yml"))
	names := make([]string, 0, len(wf.Jobs))
	for n := range wf.Jobs {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, jobName := range names {
		job := wf.Jobs[jobName]
		t.Run(jobName, func(t *testing.T) {
			isTest := false
			for _, st := range job.Steps {
				if strings.HasPrefix(st.Uses, "cgotrace/cgotrace@") && st.With["command"] == "test" {
					isTest = true
				}
			}
			if isTest && !hasTest {
				t.Skip("the job runs cgotrace test, which is not a command yet (issue 18 item 1, another branch)")
			}
			rc := runnerContext{actionPath: checkout, workspace: ws, temp: t.TempDir(), baseEnv: ciEnv()}
			j := &ghJob{t: t, rc: rc, env: map[string]string{}}
			uses := func(j *ghJob, res *stepResult) {
				name, ref, _ := strings.Cut(res.step.Uses, "@")
				switch name {
				case "actions/checkout":
					if res.with["repository"] == "cgotrace/cgotrace" {
						if res.with["path"] == "" {
							t.Fatal("a checkout of cgotrace without path: would replace the workspace")
						}
						cloneCgotrace(t, checkout, filepath.Join(ws, res.with["path"]))
					} else if res.with["repository"] != "" {
						t.Fatalf("checkout of %s: unknown to the test", res.with["repository"])
					}
					res.ran = true
				case "actions/setup-go":
					if res.with["go-version"] == "" {
						t.Error("setup-go without go-version")
					}
					res.ran = true // the test uses the Go on PATH
				case "cgotrace/cgotrace":
					j.rc.actionRef = ref
					res.sub = j.runAction(action, res.with)
					res.ran = true
					res.outputs = res.sub.outputs
					if res.sub.failed {
						res.exit = 1
					}
				case "actions/upload-artifact", "github/codeql-action/upload-sarif":
					// checked below, not run
				default:
					t.Fatalf("step uses %s: unknown to the test", res.step.Uses)
				}
			}
			run, _ := j.runSteps(job.Steps, nil, uses)
			var all strings.Builder
			var visit func(*actionRun)
			visit = func(r *actionRun) {
				for _, s := range r.steps {
					all.WriteString(s.output)
					if s.sub != nil {
						visit(s.sub)
					}
				}
			}
			visit(run)
			output := all.String()
			if broken != run.failed {
				t.Fatalf("job failed: %v, want %v\n%s", run.failed, broken, output)
			}
			if broken && !headerAnnotation.MatchString(output) {
				t.Errorf("no ::error annotation at main.go:4 for the missing header:\n%s", output)
			}
			if !broken && strings.Contains(output, "::error") {
				t.Errorf("annotations on a healthy build:\n%s", output)
			}
			if !broken && !isTest {
				if _, err := os.Stat(filepath.Join(ws, "app")); err != nil {
					t.Errorf("the healthy build made no app: %v", err)
				}
			}
			uploaded := false
			for _, s := range run.steps {
				if s.sub != nil {
					for _, ss := range s.sub.steps {
						if strings.HasPrefix(ss.step.Uses, "actions/upload-artifact@") && !ss.skipped {
							checkUploadPath(t, ws, ss.with["path"])
							uploaded = true
						}
					}
				}
				if s.skipped {
					continue
				}
				switch {
				case strings.HasPrefix(s.step.Uses, "actions/upload-artifact@"):
					checkUploadPath(t, ws, s.with["path"])
					uploaded = true
				case strings.HasPrefix(s.step.Uses, "github/codeql-action/upload-sarif@"):
					if !broken {
						t.Error("upload-sarif ran after a healthy build")
					}
					checkSARIF(t, filepath.Join(ws, s.with["sarif_file"]))
				}
			}
			if uploaded != broken {
				t.Errorf("report uploaded: %v, want %v (only when the build fails)", uploaded, broken)
			}
		})
	}
}

// checkUploadPath checks that the report directory an upload step names
// holds a report.
func checkUploadPath(t *testing.T, ws, p string) {
	t.Helper()
	if p == "" {
		t.Error("upload step without path")
		return
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(ws, p)
	}
	if _, err := os.Stat(filepath.Join(p, "report.json")); err != nil {
		t.Errorf("the uploaded directory has no report: %v", err)
	}
}

// checkSARIF checks that path is a SARIF 2.1.0 log with the broken
// module's header-not-found result (trace/render TestSARIFSchema
// validates the format itself against the schema).
func checkSARIF(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("sarif: %v", err)
		return
	}
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []struct {
				RuleID string `json:"ruleId"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(data, &log); err != nil {
		t.Errorf("sarif: %v", err)
		return
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 || len(log.Runs[0].Results) == 0 || log.Runs[0].Results[0].RuleID != "header-not-found" {
		t.Errorf("sarif: version %q, runs %+v: want 2.1.0 with a header-not-found result", log.Version, log.Runs)
	}
}

// scriptFile writes a script to a temporary file and returns its path.
func scriptFile(t *testing.T, text string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "script.sh")
	if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// runCmd runs argv in dir and returns its exit code and output.
func runCmd(t *testing.T, argv []string, dir string, env []string) (int, string) {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), string(out)
	} else if err != nil {
		t.Fatal(err)
	}
	return 0, string(out)
}

type gitlabJob struct {
	Image        string            `yaml:"image"`
	Variables    map[string]string `yaml:"variables"`
	BeforeScript []string          `yaml:"before_script"`
	Script       []string          `yaml:"script"`
	AfterScript  []string          `yaml:"after_script"`
	Artifacts    struct {
		When    string   `yaml:"when"`
		Paths   []string `yaml:"paths"`
		Reports struct {
			JUnit string `yaml:"junit"`
		} `yaml:"reports"`
	} `yaml:"artifacts"`
}

func runGitLabRecipe(t *testing.T, r ciRecipe, checkout, ws string, broken bool) {
	var jobs map[string]gitlabJob
	dec := yaml.NewDecoder(strings.NewReader(r.text))
	dec.KnownFields(true)
	if err := dec.Decode(&jobs); err != nil {
		t.Fatalf("docs/ci.md:%d: %v", r.line, err)
	}
	if len(jobs) == 0 {
		t.Fatal("no jobs")
	}
	for name, job := range jobs {
		t.Run(name, func(t *testing.T) {
			vars := map[string]string{"CI": "true", "GITLAB_CI": "true", "CI_PROJECT_DIR": ws, "CGOTRACE_REPO": checkout}
			env := append(ciEnv(), "PATH="+os.Getenv("PATH"))
			for k, v := range vars {
				env = append(env, k+"="+v)
			}
			// Job variables may use earlier ones ($CI_PROJECT_DIR).
			for k, v := range job.Variables {
				env = append(env, k+"="+os.Expand(v, func(name string) string { return vars[name] }))
			}
			// The runner runs before_script and script in one shell,
			// stopping at the first failing command; after_script in
			// another, whatever happened, its status ignored.
			main := "set -eo pipefail\n" + strings.Join(append(append([]string{}, job.BeforeScript...), job.Script...), "\n") + "\n"
			code, out := runCmd(t, []string{"bash", scriptFile(t, main)}, ws, env)
			if broken != (code != 0) {
				t.Fatalf("script: exit %d, broken %v\n%s", code, broken, out)
			}
			if broken && (code != 1 || !strings.Contains(out, headerRootCause)) {
				t.Errorf("script: exit %d, want 1 with %q:\n%s", code, headerRootCause, out)
			}
			_, aout := runCmd(t, []string{"bash", scriptFile(t, "set -eo pipefail\n"+strings.Join(job.AfterScript, "\n")+"\n")}, ws, env)
			if job.Artifacts.When != "always" {
				t.Errorf("artifacts: when %q: the report of a failed job would not be kept", job.Artifacts.When)
			}
			for _, p := range job.Artifacts.Paths {
				if _, err := os.Stat(filepath.Join(ws, p)); err != nil {
					t.Errorf("artifact path: %v", err)
				}
			}
			checkJUnit(t, filepath.Join(ws, job.Artifacts.Reports.JUnit), broken, aout)
			if !broken {
				if _, err := os.Stat(filepath.Join(ws, "app")); err != nil {
					t.Errorf("the healthy build made no app: %v", err)
				}
			}
		})
	}
}

// checkJUnit checks the JUnit file of a build: a failure for the broken
// module's package, none for the healthy one.
func checkJUnit(t *testing.T, path string, broken bool, out string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("junit: %v\n%s", err, out)
		return
	}
	s := string(data)
	if !strings.Contains(s, "<testsuite") {
		t.Errorf("junit: no test suite:\n%s", s)
	}
	if broken != strings.Contains(s, "<failure") {
		t.Errorf("junit: failure reported %v, want %v:\n%s", !broken, broken, s)
	}
	if broken && !strings.Contains(s, "header-not-found") {
		t.Errorf("junit: the failure does not name header-not-found:\n%s", s)
	}
}

var (
	jenkinsSh      = regexp.MustCompile(`^sh '((?:[^'\\]|\\.)*)'$`)
	jenkinsDirGit  = regexp.MustCompile(`^dir\('([^']+)'\) \{ git url: env\.CGOTRACE_REPO \}`)
	jenkinsJUnit   = regexp.MustCompile(`^junit .*testResults: '([^']+)'`)
	jenkinsArchive = regexp.MustCompile(`^archiveArtifacts artifacts: '([^']+)'`)
	jenkinsSkip    = regexp.MustCompile(`^(pipeline \{|agent .*|stages \{|stage\('[^']+'\) \{|steps \{|post \{|always \{|\})$`)
)

func runJenkinsRecipe(t *testing.T, r ciRecipe, checkout, ws string, broken bool) {
	env := append(ciEnv(), "PATH="+os.Getenv("PATH"), "WORKSPACE="+ws, "JENKINS_URL=http://jenkins.invalid/")
	inPost, failed := false, false
	var junit, archive string
	code, failedOut := 0, ""
	sc := bufio.NewScanner(strings.NewReader(r.text))
	for n := 0; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if i := strings.Index(line, "   //"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		switch {
		case line == "":
		case line == "post {":
			inPost = true
		case jenkinsSkip.MatchString(line):
		case jenkinsDirGit.MatchString(line):
			if failed {
				continue
			}
			cloneCgotrace(t, checkout, filepath.Join(ws, jenkinsDirGit.FindStringSubmatch(line)[1]))
		case jenkinsSh.MatchString(line):
			if failed && !inPost {
				continue // a failed stage skips the rest; post always runs
			}
			// Groovy's single quotes keep the text as written, but \' and \\.
			script := jenkinsSh.FindStringSubmatch(line)[1]
			script = strings.NewReplacer(`\'`, `'`, `\\`, `\`).Replace(script)
			// Jenkins runs sh steps as sh -xe, in the workspace.
			c, out := runCmd(t, []string{"sh", "-xe", scriptFile(t, script)}, ws, env)
			if c != 0 && !inPost {
				failed, code, failedOut = true, c, out
			} else if c != 0 {
				t.Errorf("post sh %q: exit %d\n%s", script, c, out)
			}
		case jenkinsJUnit.MatchString(line):
			junit = jenkinsJUnit.FindStringSubmatch(line)[1]
		case jenkinsArchive.MatchString(line):
			archive = jenkinsArchive.FindStringSubmatch(line)[1]
		default:
			t.Fatalf("docs/ci.md:%d: Jenkinsfile line the test does not know: %s", r.line+1+n, line)
		}
	}
	if broken != failed {
		t.Fatalf("pipeline failed: %v, want %v\n%s", failed, broken, failedOut)
	}
	if broken && (code != 1 || !strings.Contains(failedOut, headerRootCause)) {
		t.Errorf("build stage: exit %d, want 1 with %q:\n%s", code, headerRootCause, failedOut)
	}
	if junit == "" || archive == "" {
		t.Fatalf("post: junit %q, archiveArtifacts %q: want both", junit, archive)
	}
	checkJUnit(t, filepath.Join(ws, junit), broken, "")
	if dir := strings.TrimSuffix(archive, "/**"); dir != archive {
		if _, err := os.Stat(filepath.Join(ws, dir, "report.json")); err != nil {
			t.Errorf("archiveArtifacts %s: %v", archive, err)
		}
	} else {
		t.Errorf("archiveArtifacts %q: want DIR/**", archive)
	}
}

// absPath is an absolute path in a Dockerfile's RUN line, after white
// space, = or the start.
var absPath = regexp.MustCompile(`(^|[\s=])(/[A-Za-z0-9._/-]*)`)

// runDockerfileRecipe builds the Dockerfile without Docker: each stage
// gets a root directory under a temporary directory, absolute paths in
// WORKDIR, COPY and RUN are taken inside it, and RUN lines run with
// sh -c there, with the stage's /usr/local/bin first on PATH. The base
// images are not there: the toolchain is this machine's.
func runDockerfileRecipe(t *testing.T, r ciRecipe, checkout, ws string, broken bool) {
	context := ws
	cloneCgotrace(t, checkout, filepath.Join(context, ".cgotrace"))
	tmp := t.TempDir()
	roots := map[string]string{}
	var root, workdir string
	stageEnv := []string{}
	stage := 0
	failed, failedOut, lastRun := false, "", ""
	ranVerify := false
	inRoot := func(p string) string {
		if filepath.IsAbs(p) {
			return filepath.Join(root, p)
		}
		return filepath.Join(workdir, p)
	}
	sc := bufio.NewScanner(strings.NewReader(r.text))
	for n := 0; sc.Scan() && !failed; n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		instr, rest, _ := strings.Cut(line, " ")
		switch strings.ToUpper(instr) {
		case "FROM":
			stage++
			root = filepath.Join(tmp, "stage"+string(rune('0'+stage)))
			workdir = root
			stageEnv = nil
			if err := os.MkdirAll(root, 0o755); err != nil {
				t.Fatal(err)
			}
			if _, name, ok := strings.Cut(rest, " AS "); ok {
				roots[strings.TrimSpace(name)] = root
			}
		case "WORKDIR":
			workdir = inRoot(rest)
			if err := os.MkdirAll(workdir, 0o755); err != nil {
				t.Fatal(err)
			}
		case "ENV":
			stageEnv = append(stageEnv, rest)
		case "COPY":
			from := context
			args := strings.Fields(rest)
			if strings.HasPrefix(args[0], "--from=") {
				src, ok := roots[strings.TrimPrefix(args[0], "--from=")]
				if !ok {
					t.Fatalf("COPY %s: no such stage", args[0])
				}
				from, args = src, args[1:]
			}
			if len(args) != 2 {
				t.Fatalf("COPY %s: the test copies one source", rest)
			}
			src := filepath.Join(from, args[0])
			dst := inRoot(args[1])
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				t.Fatal(err)
			}
			if fi, err := os.Stat(src); err == nil && fi.IsDir() {
				if err := os.MkdirAll(dst, 0o755); err != nil {
					t.Fatal(err)
				}
				src += "/."
			}
			if out, err := exec.Command("cp", "-R", src, dst).CombinedOutput(); err != nil {
				// docker build stops at a COPY whose source is missing.
				failed, failedOut = true, string(out)
			}
		case "RUN":
			script := absPath.ReplaceAllStringFunc(rest, func(m string) string {
				sub := absPath.FindStringSubmatch(m)
				return sub[1] + filepath.Join(root, sub[2])
			})
			env := append(ciEnv(), "PATH="+filepath.Join(root, "usr/local/bin")+string(os.PathListSeparator)+os.Getenv("PATH"))
			env = append(env, stageEnv...)
			lastRun = rest
			code, out := runCmd(t, []string{"sh", "-c", script}, workdir, env)
			if strings.HasPrefix(rest, "cgotrace verify") {
				ranVerify = code == 0
			}
			if code != 0 {
				failed, failedOut = true, out
				if broken && (code != 1 || !strings.Contains(out, headerRootCause)) {
					t.Errorf("RUN %s: exit %d, want 1 with %q:\n%s", rest, code, headerRootCause, out)
				}
			}
		default:
			t.Fatalf("docs/ci.md:%d: Dockerfile instruction the test does not know: %s", r.line+1+n, instr)
		}
	}
	if broken != failed {
		t.Fatalf("docker build failed: %v (at RUN %s), want %v\n%s", failed, lastRun, broken, failedOut)
	}
	if broken {
		if !strings.HasPrefix(lastRun, "cgotrace build") {
			t.Errorf("the broken module stopped at RUN %s, want at cgotrace build", lastRun)
		}
		return
	}
	if !ranVerify {
		t.Error("no RUN cgotrace verify passed in the healthy build")
	}
	if _, err := os.Stat(filepath.Join(root, "usr/local/bin/app")); err != nil {
		t.Errorf("the final stage has no app: %v", err)
	}
}
