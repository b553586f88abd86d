package trace

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cgotrace/cgotrace/trace/diag"
)

// TestAnalyzeRealLogs runs `analyze` over every real log captured from the
// scenarios (testdata/logs: plain, -x, -json -x and -x -ldflags=-v forms)
// and checks the root cause each names from the log alone.
func TestAnalyzeRealLogs(t *testing.T) {
	// What the log alone can tell. Where it differs from the scenario's
	// root cause under `cgotrace build`, the reason is given: build knows
	// the environment and looks at the file system, a log does not.
	want := map[string]diag.Code{
		"cc-not-found-basic": diag.CCNotFound,
		// "build constraints exclude all Go files" does not say that cgo
		// was off; build reads CGO_ENABLED and names cgo-disabled.
		"cgo-disabled-basic":                  diag.CompileError,
		"cgo-unknown-name-basic":              diag.CgoUnknownName,
		"compile-error-basic":                 diag.CompileError,
		"cross-cc-mismatch-basic":             diag.CrossCCMismatch,
		"cxx-runtime-missing-basic":           diag.CXXRuntimeMissing,
		"dso-missing-from-command-line-basic": diag.DSOMissingFromCommandLine,
		"header-not-found-basic":              diag.HeaderNotFound,
		"invalid-cgo-flag-basic":              diag.InvalidCgoFlag,
		"library-arch-mismatch-basic":         diag.LibraryArchMismatch,
		// Only the file system shows libgizmo.so.1 without libgizmo.so.
		"library-dev-missing-basic":          diag.LibraryNotFound,
		"library-not-found-basic":            diag.LibraryNotFound,
		"link-error-basic":                   diag.LinkError,
		"multiple-definition-basic":          diag.MultipleDefinition,
		"pic-required-basic":                 diag.PICRequired,
		"pkg-config-not-found-basic":         diag.PkgConfigNotFound,
		"pkg-config-package-not-found-basic": diag.PkgConfigPackageNotFound,
		"pkg-config-version-mismatch-basic":  diag.PkgConfigVersionMismatch,
		"static-library-missing-basic":       diag.StaticLibraryMissing,
		"undefined-symbol-basic":             diag.UndefinedSymbol,
		"undefined-symbol-defined-in-libz":   diag.UndefinedSymbol,
		"static-glibc-nss-basic":             diag.StaticGlibcNSS, // a warning; the build succeeds
		"healthy-origin-rpath":               "",
		"healthy-pkg-config-sqlite3":         "",
		"runtime-library-missing-basic":      "", // found by inspecting the binary, not in the log
	}
	// gold and lld do not say "DSO missing from command line": to them the
	// symbol is just undefined (build's symbol index names the library).
	wantForm := map[string]diag.Code{
		"dso-missing-from-command-line-basic.gold.log": diag.UndefinedSymbol,
		"dso-missing-from-command-line-basic.lld.log":  diag.UndefinedSymbol,
	}
	files, _ := filepath.Glob("../testdata/logs/*.log")
	if len(files) == 0 {
		t.Fatal("no logs in testdata/logs")
	}
	seen := map[string]bool{}
	for _, file := range files {
		base := filepath.Base(file)
		name := strings.TrimSuffix(base, ".log")
		for _, suf := range []string{".json", ".xv", ".x", ".gold", ".lld"} {
			name = strings.TrimSuffix(name, suf)
		}
		code, ok := want[name]
		if !ok {
			t.Errorf("%s: no expectation for scenario %q", base, name)
			continue
		}
		seen[name] = true
		if c, ok := wantForm[base]; ok {
			code = c
		}
		t.Run(base, func(t *testing.T) {
			f, err := os.Open(file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rep, _, err := Analyze(f, "test")
			if err != nil {
				t.Fatal(err)
			}
			var first *diag.Diagnosis
			for i := range rep.Diagnoses {
				d := &rep.Diagnoses[i]
				if d.Severity == diag.Error || (code == diag.StaticGlibcNSS && d.Severity == diag.Warning) {
					first = d
					break
				}
			}
			switch {
			case code == "" && first != nil:
				t.Errorf("healthy build: got %s (%s)", first.Code, first.Summary)
			case code != "" && first == nil:
				t.Errorf("got no diagnosis, want %s", code)
			case code != "" && first.Code != code:
				t.Errorf("root cause %s (%s), want %s", first.Code, first.Summary, code)
			}
			exit, err := os.ReadFile(strings.TrimSuffix(filepath.Join("../testdata/logs", name), "") + ".exit")
			if err == nil {
				failed := strings.TrimSpace(string(exit)) != "0"
				if failed != (rep.Command.ExitCode != 0) {
					t.Errorf("exit code %d, but go build exited %s", rep.Command.ExitCode, strings.TrimSpace(string(exit)))
				}
			}
		})
	}
	for name := range want {
		if !seen[name] {
			t.Errorf("no log of scenario %s in testdata/logs", name)
		}
	}
}
