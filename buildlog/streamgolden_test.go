package buildlog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// streamGoldenInputs are logs made of every real log of testdata/logs,
// concatenated (several builds one after the other: WORK= and cd state
// carried across them, records held back and released), and the -x logs
// as CI systems decorate them (GitHub's timestamps and CRLF, ANSI colour,
// BuildKit's step prefix), and cut in the middle of a line.
func streamGoldenInputs(t testing.TB) map[string][]byte {
	t.Helper()
	files := realLogs(t)
	sort.Strings(files)
	var all, xs []byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, data...)
		if strings.HasSuffix(f, ".x.log") {
			xs = append(xs, data...)
		}
	}
	var gh, ansi, bk bytes.Buffer
	for i, line := range strings.Split(strings.TrimSuffix(string(xs), "\n"), "\n") {
		fmt.Fprintf(&gh, "2024-09-04T00:32:%02d.%07dZ %s\r\n", i%60, i, line)
		if i%3 == 0 {
			fmt.Fprintf(&ansi, "\x1b[36m%s\x1b[0m\n", line)
		} else {
			fmt.Fprintf(&ansi, "%s\n", line)
		}
		fmt.Fprintf(&bk, "#%d %d.%03d %s\n", 7+i/500, i/1000, i%1000, line)
	}
	return map[string][]byte{
		"all":    all,
		"github": gh.Bytes(),
		"ansi":   ansi.Bytes(),
		"bk":     bk.Bytes(),
		"cut":    xs[:len(xs)*2/3],
	}
}

// streamDump is every item Stream hands on, in its order, one JSON
// object a line, then the summary it returns.
func streamDump(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	sum, err := Stream(bytes.NewReader(data), func(it Item) bool {
		var v any
		switch {
		case it.Record != nil:
			v = map[string]any{"record": it.Record}
		case it.Block != nil:
			v = map[string]any{"block": it.Block}
		case it.HostLink != nil:
			v = map[string]any{"host_link": it.HostLink}
		}
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := enc.Encode(map[string]any{"summary": sum}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestStreamGolden compares what Stream hands on for each input of
// streamGoldenInputs, item by item and in order, with
// testdata/golden/stream/NAME.jsonl (go test -update rewrites them). The
// goldens were written by the parser before its speed work: a change of
// any record, block, host link, of their order or of the summary fails.
func TestStreamGolden(t *testing.T) {
	for name, data := range streamGoldenInputs(t) {
		t.Run(name, func(t *testing.T) {
			got := streamDump(t, data)
			golden := filepath.Join("testdata", "golden", "stream", name+".jsonl")
			if updatingGolden() {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(want, got) {
				t.Errorf("Stream(%s) mismatch (-want +got):\n%s", name, cmp.Diff(string(want), string(got)))
			}
		})
	}
}
