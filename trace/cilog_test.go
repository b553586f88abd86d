package trace

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The CI formats, each printing a real log of testdata/logs the way that
// system does. Where each shape comes from is written in
// buildlog/frontend.go; the samples here follow those public logs:
//
//   - github: compiler-explorer/compiler-explorer#6826 (timestamps with 7
//     fraction digits, `##[group]Run ...`, `##[error]Process completed
//     with exit code 1.`), actions/setup-go#109.
//   - buildkit: moby/moby#45453 (`#5 [2/2] RUN ...`, `#0 0.106 text`,
//     `#5 DONE 0.1s`), v-byte-cpu/juicyrout#48 (the `Dockerfile:N` excerpt
//     and `ERROR: failed to solve: process ... exit code: 2`).
//   - docker: lukaszraczylo/semver-generator#17 (`The command '/bin/sh -c
//     make build' returned a non-zero code: 2`), moby/moby#24912 (`Step
//     36/210 : ...`).
//   - gitlab: docs.gitlab.com/ci/jobs/job_logs (`\e[0Ksection_start:
//     UNIX_TIMESTAMP:SECTION_NAME\r\e[0K` + header, `section_end`).
//   - jenkins: wiki.jenkins-ci.org/display/JENKINS/Timestamper, Pipeline
//     console text with `[2023-02-11T09:18:32.563Z] ` and `[Pipeline]`.
//   - ansi: gcc's colours (GCC_COLORS defaults: `\e[01;31m\e[K` for
//     error, `\e[01m\e[K` for locations, `\e[m\e[K` to reset).
type ciWrap func(lines []string, exit int) string

var ciWraps = map[string]ciWrap{
	"github":          wrapGitHub,
	"buildkit":        wrapBuildKit,
	"github+buildkit": func(l []string, exit int) string { return wrapGitHub(splitLog(wrapBuildKit(l, exit)), exit) },
	"docker":          wrapDocker,
	"gitlab":          wrapGitLab,
	"jenkins":         wrapJenkins,
	"ansi":            wrapANSI,
}

func splitLog(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func ghTime(i int) string {
	return fmt.Sprintf("2026-03-01T10:%02d:%02d.%07dZ ", i/3600%60, i/60%60, i*7919%10000000)
}

func wrapGitHub(lines []string, exit int) string {
	var b strings.Builder
	n := 0
	w := func(s string) { b.WriteString(ghTime(n) + s + "\n"); n++ }
	w("Current runner version: '2.321.0'")
	w("##[group]Operating System")
	w("Ubuntu")
	w("24.04.1")
	w("LTS")
	w("##[endgroup]")
	w("##[group]Run actions/setup-go@v5")
	w("with:")
	w("  go-version: 1.26.8")
	w("##[endgroup]")
	w("Setup go version spec 1.26.8")
	w("Found in cache @ /opt/hostedtoolcache/go/1.26.8/x64")
	w("##[group]Run go build .")
	w("\x1b[36;1mgo build .\x1b[0m")
	w("shell: /usr/bin/bash -e {0}")
	w("env:")
	w("  GOTOOLCHAIN: local")
	w("##[endgroup]")
	for _, l := range lines {
		w(l)
	}
	if exit != 0 {
		w(fmt.Sprintf("##[error]Process completed with exit code %d.", exit))
	}
	w("Post job cleanup.")
	w("Cleaning up orphan processes")
	return b.String()
}

func wrapBuildKit(lines []string, exit int) string {
	var b strings.Builder
	b.WriteString(`#0 building with "default" instance using docker driver

#1 [internal] load build definition from Dockerfile
#1 transferring dockerfile: 180B done
#1 DONE 0.0s

#2 [internal] load metadata for docker.io/library/golang:1.26
#2 DONE 0.6s

#3 [1/3] FROM docker.io/library/golang:1.26@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
#3 CACHED

#4 [2/3] COPY . .
#4 DONE 0.1s

#5 [3/3] RUN go build -o /app .
`)
	stamp := func(i int) string { return fmt.Sprintf("%d.%03d", i/50, i*37%1000) }
	for i, l := range lines {
		fmt.Fprintf(&b, "#5 %s %s\n", stamp(i), l)
	}
	if exit == 0 {
		b.WriteString("#5 DONE 4.2s\n\n#6 exporting to image\n#6 exporting layers 0.1s done\n#6 DONE 0.1s\n")
		return b.String()
	}
	fmt.Fprintf(&b, "#5 ERROR: process \"/bin/sh -c go build -o /app .\" did not complete successfully: exit code: %d\n", exit)
	b.WriteString("------\n > [3/3] RUN go build -o /app .:\n")
	for i := max(0, len(lines)-10); i < len(lines); i++ {
		fmt.Fprintf(&b, "%s %s\n", stamp(i), lines[i])
	}
	b.WriteString("------\nDockerfile:3\n--------------------\n   1 |     FROM golang:1.26\n   2 |     COPY . .\n   3 | >>> RUN go build -o /app .\n   4 |     \n--------------------\n")
	fmt.Fprintf(&b, "ERROR: failed to solve: process \"/bin/sh -c go build -o /app .\" did not complete successfully: exit code: %d\n", exit)
	return b.String()
}

func wrapDocker(lines []string, exit int) string {
	var b strings.Builder
	b.WriteString("Sending build context to Docker daemon  12.29kB\r\nStep 1/3 : FROM golang:1.26\n ---> 5a2b3c4d5e6f\nStep 2/3 : COPY . .\n ---> 7b8c9d0e1f2a\nStep 3/3 : RUN go build -o /app .\n ---> Running in 0123456789ab\n")
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	if exit != 0 {
		fmt.Fprintf(&b, "The command '/bin/sh -c go build -o /app .' returned a non-zero code: %d\n", exit)
		return b.String()
	}
	b.WriteString("Removing intermediate container 0123456789ab\n ---> 89abcdef0123\nSuccessfully built 89abcdef0123\nSuccessfully tagged app:latest\n")
	return b.String()
}

func wrapGitLab(lines []string, exit int) string {
	var b strings.Builder
	b.WriteString("\x1b[0KRunning with gitlab-runner 17.5.0 (8ec04662)\x1b[0;m\n")
	b.WriteString("\x1b[0K  on docker-runner abcd1234, system ID: s_0123456789ab\x1b[0;m\n")
	b.WriteString("section_start:1772359200:prepare_executor\r\x1b[0K\x1b[0K\x1b[36;1mPreparing the \"docker\" executor\x1b[0;m\x1b[0;m\n")
	b.WriteString("\x1b[0KUsing Docker executor with image golang:1.26 ...\x1b[0;m\n")
	b.WriteString("\x1b[0KPulling docker image golang:1.26 ...\x1b[0;m\n")
	b.WriteString("section_end:1772359205:prepare_executor\r\x1b[0K\n")
	b.WriteString("section_start:1772359205:get_sources\r\x1b[0K\x1b[0K\x1b[36;1mGetting source from Git repository\x1b[0;m\x1b[0;m\n")
	b.WriteString("\x1b[32;1mFetching changes with git depth set to 20...\x1b[0;m\n")
	b.WriteString("Initialized empty Git repository in /builds/group/app/.git/\n")
	b.WriteString("section_end:1772359207:get_sources\r\x1b[0K\n")
	b.WriteString("section_start:1772359207:step_script\r\x1b[0K\x1b[0K\x1b[36;1mExecuting \"step_script\" stage of the job script\x1b[0;m\x1b[0;m\n")
	b.WriteString("\x1b[32;1m$ go build .\x1b[0;m\n")
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	b.WriteString("section_end:1772359230:step_script\r\x1b[0K\n")
	b.WriteString("section_start:1772359230:cleanup_file_variables\r\x1b[0K\x1b[0K\x1b[36;1mCleaning up project directory and file based variables\x1b[0;m\x1b[0;m\n")
	b.WriteString("section_end:1772359231:cleanup_file_variables\r\x1b[0K\n")
	if exit != 0 {
		fmt.Fprintf(&b, "\x1b[31;1mERROR: Job failed: exit code %d\n\x1b[0;m\n", exit)
	} else {
		b.WriteString("\x1b[32;1mJob succeeded\x1b[0;m\n")
	}
	return b.String()
}

func wrapJenkins(lines []string, exit int) string {
	var b strings.Builder
	b.WriteString("Started by user admin\n[Pipeline] Start of Pipeline\n[Pipeline] node\nRunning on Jenkins in /var/jenkins_home/workspace/app\n[Pipeline] {\n[Pipeline] timestamps\n[Pipeline] {\n[Pipeline] sh\n")
	ts := func(i int) string { return fmt.Sprintf("[2026-03-01T10:%02d:%02d.%03dZ] ", i/60%60, i%60, i*13%1000) }
	b.WriteString(ts(0) + "+ go build .\n")
	for i, l := range lines {
		b.WriteString(ts(i+1) + l + "\n")
	}
	b.WriteString("[Pipeline] }\n[Pipeline] // timestamps\n[Pipeline] }\n[Pipeline] // node\n[Pipeline] End of Pipeline\n")
	if exit != 0 {
		fmt.Fprintf(&b, "ERROR: script returned exit code %d\nFinished: FAILURE\n", exit)
	} else {
		b.WriteString("Finished: SUCCESS\n")
	}
	return b.String()
}

func wrapANSI(lines []string, exit int) string {
	var b strings.Builder
	for _, l := range lines {
		l = strings.Replace(l, "error:", "\x1b[01;31m\x1b[Kerror:\x1b[m\x1b[K", 1)
		l = strings.Replace(l, "warning:", "\x1b[01;35m\x1b[Kwarning:\x1b[m\x1b[K", 1)
		if strings.HasPrefix(l, "# ") {
			l = "\x1b[1m" + l + "\x1b[0m"
		} else if i := strings.Index(l, ": "); i > 0 && !strings.HasPrefix(l, "{") {
			l = "\x1b[01m\x1b[K" + l[:i+1] + "\x1b[m\x1b[K" + l[i+1:]
		}
		b.WriteString(l + "\n")
	}
	return b.String()
}

// reportSig is what must not change when a log is wrapped: the exit
// code, and each diagnosis' code, severity, package and subject.
func reportSig(t *testing.T, data string) string {
	t.Helper()
	rep, l, err := Analyze(strings.NewReader(data), "test")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if l.Lines > 0 {
		fmt.Fprintf(&b, "exit=%d outcome=%s\n", rep.Command.ExitCode, l.Outcome)
	}
	for _, d := range rep.Diagnoses {
		fmt.Fprintf(&b, "%s %s %s %v\n", d.Code, d.Severity, d.Package, sortedSubject(d.Subject))
	}
	return b.String()
}

// TestAnalyzeCIFormats wraps every real log of testdata/logs (plain, -x
// and -json -x) the way each CI system prints it: the diagnoses and the
// exit code must be the plain log's.
func TestAnalyzeCIFormats(t *testing.T) {
	files, _ := filepath.Glob("../testdata/logs/*.log")
	if len(files) == 0 {
		t.Fatal("no logs in testdata/logs")
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range ciWraps {
			if !yield(k) {
				return
			}
		}
	})
	for _, file := range files {
		base := filepath.Base(file)
		if strings.HasSuffix(base, ".gold.log") || strings.HasSuffix(base, ".lld.log") || strings.HasSuffix(base, ".xv.log") {
			continue
		}
		name := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(base, ".log"), ".x"), ".json")
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		exitText, err := os.ReadFile(filepath.Join("../testdata/logs", name+".exit"))
		if err != nil {
			t.Fatal(err)
		}
		exit := 0
		fmt.Sscan(string(exitText), &exit)
		plain := reportSig(t, string(raw))
		for _, w := range names {
			t.Run(base+"/"+w, func(t *testing.T) {
				wrapped := ciWraps[w](splitLog(string(raw)), exit)
				got := reportSig(t, wrapped)
				if len(raw) == 0 && w != "ansi" {
					// go build printed nothing: the CI lines alone say
					// how it ended.
					plain = fmt.Sprintf("exit=%d outcome=success\n", exit)
				}
				if got != plain {
					t.Errorf("wrapped:\n%s\nplain:\n%s", got, plain)
				}
			})
		}
	}
}
