package render

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cgotrace/cgotrace/trace"
)

// realLogs are go build -x logs captured from real builds of the
// scenarios (buildlog/testdata/logs, see capture.sh there).
const realLogs = "../../buildlog/testdata/logs"

// TestGoldenFromLogs renders what the diagnoser really says: each real
// log goes through trace.Analyze (the rules of `cgotrace analyze`) and
// every renderer, and the output is compared with
// testdata/golden/fromlog/<log>.<ext>. A change of a summary, a fix or
// the chain in the rules shows here; go test -update regenerates the
// files from the diagnoser's output, never by hand.
func TestGoldenFromLogs(t *testing.T) {
	logs, err := filepath.Glob(filepath.Join(realLogs, "*.x.log"))
	if err != nil || len(logs) == 0 {
		t.Fatalf("no real logs in %s: %v", realLogs, err)
	}
	for _, path := range logs {
		name := strings.TrimSuffix(filepath.Base(path), ".x.log")
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		rep, _, err := trace.Analyze(bytes.NewReader(data), "v0.3.0")
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for format, ext := range goldenExt {
			t.Run(name+"/"+format, func(t *testing.T) {
				f, err := Lookup(format)
				if err != nil {
					t.Fatal(err)
				}
				var buf bytes.Buffer
				if err := f(&buf, rep, goldenOptions); err != nil {
					t.Fatal(err)
				}
				checkGolden(t, filepath.Join("fromlog", name+"."+ext), buf.Bytes())
			})
		}
	}
}
