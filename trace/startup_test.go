package trace

import (
	"os"
	"strings"
	"testing"

	"github.com/cgotrace/cgotrace/trace/diag"
	"github.com/google/go-cmp/cmp"
)

// TestStartupDiagnosisOnce: a program that could not start gives one
// diagnosis, from the message grammar's MsgRuntimeLoad (the one owner),
// with the loader's line as evidence and, for go test, the package whose
// test binary it is; a C compiler that cannot start is the toolchain's
// fault, not a program's. Real logs (../testdata/logs/handmade, gocmd).
func TestStartupDiagnosisOnce(t *testing.T) {
	for _, tc := range []struct {
		file    string
		want    diag.Diagnosis // code, package, subject, evidence
		notes   []string
		summary string
	}{
		{"handmade/test-binary-cannot-start.test.log", diag.Diagnosis{Code: diag.RuntimeLibraryMissing, Package: "example.com/startfail",
			Subject:  map[string]string{"library": "libgreet.so.1"},
			Evidence: []string{"/tmp/go-build3324723671/b001/startfail.test: error while loading shared libraries: libgreet.so.1: cannot open shared object file: No such file or directory"}},
			[]string{"the build succeeded; tests failed in example.com/startfail"}, "/tmp/go-build3324723671/b001/startfail.test built"},
		{"handmade/test-binary-cannot-start.testjson.log", diag.Diagnosis{Code: diag.RuntimeLibraryMissing, Package: "example.com/startfail",
			Subject:  map[string]string{"library": "libgreet.so.1"},
			Evidence: []string{"/tmp/go-build1548777326/b001/startfail.test: error while loading shared libraries: libgreet.so.1: cannot open shared object file: No such file or directory"}},
			[]string{"the build succeeded; tests failed in example.com/startfail"}, "/tmp/go-build1548777326/b001/startfail.test built"},
		{"gocmd/runtime-library-missing-basic.run.log", diag.Diagnosis{Code: diag.RuntimeLibraryMissing,
			Subject:  map[string]string{"library": "libgreet.so.1"},
			Evidence: []string{"/tmp/go-build2504811141/b001/exe/runtime-library-missing-basic: error while loading shared libraries: libgreet.so.1: cannot open shared object file: No such file or directory"}},
			nil, "/tmp/go-build2504811141/b001/exe/runtime-library-missing-basic built"},
		{"handmade/go-run-after-warning.run.log", diag.Diagnosis{Code: diag.RuntimeLibraryMissing,
			Subject:  map[string]string{"library": "libgreet.so.1"},
			Evidence: []string{"/tmp/go-build357226972/b001/exe/warnrun: error while loading shared libraries: libgreet.so.1: cannot open shared object file: No such file or directory"}},
			nil, "/tmp/go-build357226972/b001/exe/warnrun built"},
		{"handmade/cc-cannot-start.log", diag.Diagnosis{Code: diag.LinkError, Package: "runtime/cgo",
			Subject:  map[string]string{"object": "/tmp/cap3/tool/gcc"},
			Evidence: []string{"/tmp/cap3/tool/gcc: error while loading shared libraries: libgreet.so.1: cannot open shared object file: No such file or directory"}},
			nil, "the C toolchain is broken: /tmp/cap3/tool/gcc cannot start"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile("../testdata/logs/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			rep, _, err := Analyze(strings.NewReader(string(data)), "test")
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Diagnoses) != 1 {
				t.Fatalf("%d diagnoses, want 1: %+v", len(rep.Diagnoses), rep.Diagnoses)
			}
			d := rep.Diagnoses[0]
			got := diag.Diagnosis{Code: d.Code, Package: d.Package, Subject: d.Subject, Evidence: d.Evidence}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("diagnosis (-want +got):\n%s", diff)
			}
			if !strings.HasPrefix(d.Summary, tc.summary) {
				t.Errorf("summary %q, want it to start %q", d.Summary, tc.summary)
			}
			if rep.Command.ExitCode != 1 {
				t.Errorf("exit code %d, want go's 1", rep.Command.ExitCode)
			}
			if diff := cmp.Diff(tc.notes, rep.Notes); diff != "" {
				t.Errorf("notes (-want +got):\n%s", diff)
			}
		})
	}
}
