package trace

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var updateAnalyzeSums = flag.Bool("update-analyze-sums", false, "rewrite testdata/analyze-sums.txt")

// TestAnalyzeSums pins the JSON of the report AnalyzeWith makes, streamed
// and with --all-steps, of every log of the repository and of the
// concatenations streamCorpus makes (../shared excluded: it changes on
// its own), by its SHA-256 in testdata/analyze-sums.txt. The sums were
// written before the parser's speed work: any change of a report, even
// one a diagnosis comparison would not see (a step's argv, a count, an
// order), fails it. A mismatch names the log; diff the JSON of the
// report against the one main's code makes to see what changed.
// go test ./trace -run TestAnalyzeSums -update-analyze-sums rewrites it.
func TestAnalyzeSums(t *testing.T) {
	corpus := streamCorpus(t)
	var names []string
	for name := range corpus {
		if !strings.HasPrefix(name, "../../shared/") {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	var got bytes.Buffer
	for _, name := range names {
		for _, all := range []bool{false, true} {
			rep, _, err := AnalyzeWith(bytes.NewReader(corpus[name]), "test", AnalyzeOptions{AllSteps: all})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			js, err := json.Marshal(rep)
			if err != nil {
				t.Fatal(err)
			}
			mode := "streamed"
			if all {
				mode = "all-steps"
			}
			fmt.Fprintf(&got, "%x  %s  %s\n", sha256.Sum256(js), mode, name)
		}
	}
	file := filepath.Join("testdata", "analyze-sums.txt")
	if *updateAnalyzeSums {
		if err := os.WriteFile(file, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run with -update-analyze-sums)", err)
	}
	wl := strings.Split(string(want), "\n")
	gl := strings.Split(got.String(), "\n")
	if len(wl) != len(gl) {
		t.Fatalf("%d reports, want %d", len(gl), len(wl))
	}
	for i := range wl {
		if wl[i] != gl[i] {
			t.Errorf("report changed:\n  got  %s\n  want %s", gl[i], wl[i])
		}
	}
}
