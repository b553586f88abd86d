package buildlog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"testing/iotest"
	"time"

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

// dumpItems is the JSON of items and of a summary and error, to compare.
func dumpItems(t testing.TB, stream func(func(Item)) (Log, error)) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	sum, err := stream(func(it Item) {
		if err := enc.Encode([]any{it.Record, it.Block, it.HostLink}); err != nil {
			t.Fatal(err)
		}
	})
	if err := enc.Encode(sum); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "error: %v\n", err)
	return b.String()
}

// TestStreamAllSame: StreamAll (the parser on a goroutine of its own
// when there are two cores, and inline with one) hands on the items of
// Stream, in its order, with its summary, on the golden inputs, every
// real log, a log of more batches than its channel holds, and a reader
// that fails midway.
func TestStreamAllSame(t *testing.T) {
	inputs := streamGoldenInputs(t)
	for _, f := range realLogs(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs[f] = data
	}
	inputs["all, 20 times"] = bytes.Repeat(inputs["all"], 20)
	for _, procs := range []int{1, 2} {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		for name, data := range inputs {
			want := dumpItems(t, func(fn func(Item)) (Log, error) {
				return Stream(bytes.NewReader(data), func(it Item) bool { fn(it); return true })
			})
			got := dumpItems(t, func(fn func(Item)) (Log, error) { return StreamAll(bytes.NewReader(data), StreamOptions{}, fn) })
			if got != want {
				t.Errorf("GOMAXPROCS=%d %s: StreamAll differs from Stream:\n%s", procs, name, cmp.Diff(want, got))
			}
			checkNoBodies(t, data)
		}
		// A reader that fails after part of the log.
		data := inputs["all, 20 times"]
		fail := func() io.Reader {
			return io.MultiReader(bytes.NewReader(data[:len(data)/2]), iotest.ErrReader(errors.New("disk on fire")))
		}
		want := dumpItems(t, func(fn func(Item)) (Log, error) {
			return Stream(fail(), func(it Item) bool { fn(it); return true })
		})
		got := dumpItems(t, func(fn func(Item)) (Log, error) { return StreamAll(fail(), StreamOptions{}, fn) })
		if got != want || !strings.Contains(got, "disk on fire") {
			t.Errorf("GOMAXPROCS=%d failing reader: StreamAll differs from Stream:\n%s", procs, cmp.Diff(want, got))
		}
	}
}

// checkNoBodies: StreamAll with NoHeredocBodies hands on Stream's items
// with Record.Body empty, and nothing else changed (the importcfg files
// name the same packages).
func checkNoBodies(t testing.TB, data []byte) {
	t.Helper()
	want := dumpItems(t, func(fn func(Item)) (Log, error) {
		return Stream(bytes.NewReader(data), func(it Item) bool {
			if it.Record != nil && it.Record.Body != "" {
				r := *it.Record
				r.Body = ""
				it.Record = &r
			}
			fn(it)
			return true
		})
	})
	got := dumpItems(t, func(fn func(Item)) (Log, error) {
		return StreamAll(bytes.NewReader(data), StreamOptions{NoHeredocBodies: true}, fn)
	})
	if got != want {
		t.Fatalf("StreamAll without heredoc bodies differs from Stream (-want +got):\n%s", cmp.Diff(want, got))
	}
}

// TestStreamAllLive: on a live build (a pipe), StreamAll hands each
// command on once its line is read, before the next is written: cgotrace
// build starts work for a failed build at these records (go list -deps
// at a link, the .pc files of a pkg-config call), while go still runs.
// The lines are go1.26.8's `go build -x -json -work` of a module whose
// pkg-config package is missing. (Without -json, the same pkg-config
// line has no import path yet and is held until cgo names its
// directory: see Stream.)
func TestStreamAllLive(t *testing.T) {
	jsonLines := []string{
		`{"ImportPath":"","Action":"build-output","Output":"WORK=/tmp/go-build1223136472\n"}`,
		`{"ImportPath":"example.com/pkg-config-package-not-found-basic","Action":"build-output","Output":"mkdir -p $WORK/b001/\n"}`,
		`{"ImportPath":"example.com/pkg-config-package-not-found-basic","Action":"build-output","Output":"cd /tmp/bb/pc\n"}`,
		`{"ImportPath":"example.com/pkg-config-package-not-found-basic","Action":"build-output","Output":"pkg-config --cflags -- libfrobnicate\n"}`,
	}
	for _, procs := range []int{1, 2} {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		for name, lines := range map[string][]string{"json": jsonLines} {
			pr, pw := io.Pipe()
			got := make(chan *Record, 16)
			done := make(chan error, 1)
			go func() {
				_, err := StreamAll(pr, StreamOptions{}, func(it Item) {
					if it.Record != nil && it.Record.Kind == RecCommand {
						got <- it.Record
					}
				})
				done <- err
			}()
			for _, l := range lines {
				if _, err := io.WriteString(pw, l+"\n"); err != nil {
					t.Fatal(err)
				}
			}
			select {
			case r := <-got:
				for r.Step != "pkg-config" {
					r = <-got
				}
				if strings.Join(r.Argv[1:], " ") != "--cflags -- libfrobnicate" || r.Dir != "/tmp/bb/pc" {
					t.Errorf("GOMAXPROCS=%d %s: record %+v", procs, name, r)
				}
			case <-time.After(5 * time.Second):
				t.Errorf("GOMAXPROCS=%d %s: no pkg-config record 5 s after its line, with the writer waiting", procs, name)
			}
			pw.Close()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		}
	}
}
