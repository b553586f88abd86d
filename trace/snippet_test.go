package trace

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cgotrace/cgotrace/trace/diag"
)

// TestAnalyzeSnippets: a few lines as people paste them into an issue:
// with a shell prompt, without the `# pkg` header or the final `exit
// status`, ending with the program's own start-up failure. Each is
// verbatim from the public thread named beside it.
func TestAnalyzeSnippets(t *testing.T) {
	tests := []struct {
		source, log string
		code        diag.Code
		subject     map[string]string
	}{
		{
			"https://github.com/mshafiee/swephgo/issues/2 (go run main.go)",
			"/tmp/go-build1130359442/b001/exe/main: error while loading shared libraries: libswe.so: cannot open shared object file: No such file or directory\nexit status 127\n",
			diag.RuntimeLibraryMissing, map[string]string{"library": "libswe.so"},
		},
		{
			"https://github.com/cztomczak/cef2go/issues/20 (go run app.go, Go with _obj/ paths)",
			"/tmp/go-build526896982/command-line-arguments/_obj/exe/app: error while loading shared libraries: libcef.so: cannot open shared object file: No such file or directory\nexit status 127\n",
			diag.RuntimeLibraryMissing, map[string]string{"library": "libcef.so"},
		},
		{
			"https://github.com/starkware-libs/crypto-cpp/issues/23 (no program name, exit status glued on)",
			"error while loading shared libraries: libcrypto_c_exports.so: cannot open shared object file: No such file or directoryexit status 127\n",
			diag.RuntimeLibraryMissing, map[string]string{"library": "libcrypto_c_exports.so"},
		},
		{
			"https://github.com/remogatto/gospeccy/issues/19 (prompt, message wrapped by the terminal)",
			"$ ./gospeccy\n./gospeccy: error while loading shared libraries: cgo_sdl.so: cannot open \nshared object file: No such file or directory\n",
			diag.RuntimeLibraryMissing, map[string]string{"library": "cgo_sdl.so"},
		},
		{
			"https://github.com/lukaszraczylo/semver-generator/issues/17 (GitHub Actions around classic docker build)",
			"2023-02-02T08:26:31.1971727Z go: downloading gopkg.in/warnings.v0 v0.1.2\n2023-02-02T08:26:35.2824031Z # runtime/cgo\n2023-02-02T08:26:35.2824417Z cgo: C compiler \"gcc\" not found: exec: \"gcc\": executable file not found in $PATH\n2023-02-02T08:26:48.6629601Z make: *** [Makefile:24: build] Error 1\n2023-02-02T08:26:49.0330366Z The command '/bin/sh -c make build' returned a non-zero code: 2\n",
			diag.CCNotFound, map[string]string{"tool": "gcc"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.source, func(t *testing.T) {
			rep, _, err := Analyze(strings.NewReader(tt.log), "test")
			if err != nil {
				t.Fatal(err)
			}
			d := rootError(rep)
			if d == nil || d.Code != tt.code {
				t.Fatalf("root cause %+v, want %s", d, tt.code)
			}
			for k, v := range tt.subject {
				if d.Subject[k] != v {
					t.Errorf("subject %s=%q, want %q", k, d.Subject[k], v)
				}
			}
			if rep.Command.ExitCode == 0 {
				t.Error("exit code 0")
			}
		})
	}
}

func rootError(rep *Report) *diag.Diagnosis {
	for i := range rep.Diagnoses {
		if rep.Diagnoses[i].Severity == diag.Error {
			return &rep.Diagnoses[i]
		}
	}
	return nil
}

// TestAnalyzeSnippetsOfRealLogs: the real logs of testdata/logs pasted as
// people paste them (a prompt line with the command and its environment,
// no `# pkg` header) give the plain log's diagnosis, and the prompt's
// facts are in the report.
func TestAnalyzeSnippetsOfRealLogs(t *testing.T) {
	for _, name := range []string{"library-not-found-basic", "header-not-found-basic", "undefined-symbol-basic", "pkg-config-package-not-found-basic", "multiple-definition-basic", "cgo-unknown-name-basic"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("../testdata/logs", name+".log"))
			if err != nil {
				t.Fatal(err)
			}
			plain, _ := firstError(t, string(data))
			var b strings.Builder
			b.WriteString("me@box:~/src/app$ CGO_ENABLED=1 GOARCH=amd64 CC=gcc go build -tags sqlite -ldflags=-s -o app .\n")
			for _, l := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
				if strings.HasPrefix(l, "# ") && !strings.HasPrefix(l, "# [") {
					continue // the header, left out of the paste
				}
				b.WriteString(l + "\n")
			}
			rep, _, err := Analyze(strings.NewReader(b.String()), "test")
			if err != nil {
				t.Fatal(err)
			}
			got, _ := firstError(t, b.String())
			// Without the header the package is not named.
			if strip := func(s string) string {
				c, rest, _ := strings.Cut(s, " ")
				_, subj, _ := strings.Cut(rest, " ")
				return c + " " + subj
			}; strip(got) != strip(plain) {
				t.Errorf("snippet: %q, plain log: %q", got, plain)
			}
			tc := rep.Toolchain
			if tc == nil || tc.CgoEnabled != "1" || tc.GOARCH != "amd64" || tc.CC != "gcc" {
				t.Errorf("toolchain from the prompt: %+v", tc)
			}
			if strings.Join(rep.Command.LoggedArgv, " ") != "go build -tags sqlite -ldflags=-s -o app ." {
				t.Errorf("logged argv %q", rep.Command.LoggedArgv)
			}
		})
	}
}

// TestAnalyzeSnippetCgoOff: the plain log of cgo-disabled-basic says
// only "build constraints exclude all Go files"; pasted with the prompt
// that set CGO_ENABLED=0, the root cause is cgo-disabled.
func TestAnalyzeSnippetCgoOff(t *testing.T) {
	data, err := os.ReadFile("../testdata/logs/cgo-disabled-basic.log")
	if err != nil {
		t.Fatal(err)
	}
	for _, prompt := range []string{"$ CGO_ENABLED=0 go build -o app .", "PS C:\\src> $env:CGO_ENABLED=\"0\"; go build -o app ."} {
		rep, _, err := Analyze(strings.NewReader(prompt+"\n"+string(data)), "test")
		if err != nil {
			t.Fatal(err)
		}
		d := rootError(rep)
		if d == nil || d.Code != diag.CgoDisabled || d.Subject["reason"] == "" || rep.Toolchain == nil || rep.Toolchain.CgoEnabled != "0" {
			t.Errorf("%s: root cause %+v toolchain %+v", prompt, d, rep.Toolchain)
		}
	}
	// Without the prompt the log alone does not say cgo was off.
	rep, _, _ := Analyze(strings.NewReader(string(data)), "test")
	if d := rootError(rep); d == nil || d.Code != diag.CompileError {
		t.Errorf("plain log: %+v", d)
	}
}
