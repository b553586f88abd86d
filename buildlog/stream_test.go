package buildlog

import (
	"bytes"
	"io"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// wholeLog is how Parse attributed records before Stream: every record
// first, then backfill over each build's records, as the reference Stream
// must agree with.
func wholeLog(t testing.TB, data []byte) []Record {
	p := NewParser(bytes.NewReader(data))
	var recs []Record
	for {
		it, err := p.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if it.Record != nil {
			recs = append(recs, *it.Record)
		}
	}
	refBackfill(recs)
	return recs
}

// refBackfill is the backfill Parse ran on a whole log before Stream
// (a cgo directory keeps the first package that names it, as Stream
// cannot know the last one before the build ends).
func refBackfill(recs []Record) {
	start := 0
	for i := 0; i <= len(recs); i++ {
		if i < len(recs) && (recs[i].Kind != RecWork || i == start) {
			continue
		}
		seg := recs[start:i]
		start = i
		actions := map[string]string{}
		dirs := map[string]string{}
		for _, r := range seg {
			if r.ImportPath == "" {
				continue
			}
			if r.Action != "" && (actions[r.Action] == "" || actions[r.Action] == "main") {
				actions[r.Action] = r.ImportPath
			}
			if r.Step == "cgo" && r.Dir != "" && dirs[r.Dir] == "" {
				dirs[r.Dir] = r.ImportPath
			}
		}
		for j := range seg {
			r := &seg[j]
			if r.ImportPath != "" && r.ImportPath != "main" {
				continue
			}
			if v := actions[r.Action]; r.Action != "" && v != "" {
				r.ImportPath = v
			} else if v := dirs[r.Dir]; r.ImportPath == "" && r.Step == "pkg-config" && v != "" {
				r.ImportPath = v
			}
		}
	}
}

func checkStream(t testing.TB, data []byte) {
	want := wholeLog(t, data)
	l, err := Parse(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, l.Records); diff != "" {
		t.Fatalf("Parse (over Stream) attributes records unlike the whole-log backfill (-want +got):\n%s", diff)
	}
	// StreamAll (the parser on its own goroutine with two cores) hands
	// on what Stream does, in its order, with its summary.
	wantItems := dumpItems(t, func(fn func(Item)) (Log, error) {
		return Stream(bytes.NewReader(data), func(it Item) bool { fn(it); return true })
	})
	gotItems := dumpItems(t, func(fn func(Item)) (Log, error) { return StreamAll(bytes.NewReader(data), StreamOptions{}, fn) })
	if gotItems != wantItems {
		t.Fatalf("StreamAll differs from Stream (-want +got):\n%s", cmp.Diff(wantItems, gotItems))
	}
	checkNoBodies(t, data)
	// Stopping early hands on nothing more.
	n := 0
	Stream(bytes.NewReader(data), func(Item) bool { n++; return n < 3 })
	if total := len(l.Records) + len(l.Blocks) + len(l.HostLinks); total >= 3 && n != 3 {
		t.Fatalf("yield returned false at item 3, got %d items", n)
	}
}

// TestStreamAttribution: on every real log, records handed on by Stream
// get the import path the whole-log backfill gives them, and the held
// records come back in input order once sorted.
func TestStreamAttribution(t *testing.T) {
	files := realLogs(t)
	if len(files) == 0 {
		t.Fatal("no real logs")
	}
	late := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		checkStream(t, data)
		// Count the records Stream held back: the test must see some.
		last := 0
		Stream(bytes.NewReader(data), func(it Item) bool {
			if it.Record != nil {
				if it.Record.Line < last {
					late++
				}
				last = it.Record.Line
			}
			return true
		})
	}
	if late == 0 {
		t.Fatal("no record of the real logs was named late: the test proves nothing")
	}
}

// TestStreamBoundsHeld: a build whose actions are never named holds at
// most maxPending records, then hands the oldest on unnamed.
func TestStreamBoundsHeld(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("WORK=/tmp/go-build1\n")
	n := maxPending + 100
	for i := range n {
		b.WriteString("mkdir -p $WORK/b" + itoa(i+2) + "/\n")
	}
	got, first := 0, 0
	Stream(&b, func(it Item) bool {
		if it.Record != nil && it.Record.Kind == RecCommand {
			got++
			if got == 1 {
				first = it.Record.Line
			}
		}
		return true
	})
	if got != n {
		t.Fatalf("%d records handed on, want %d", got, n)
	}
	if first != 2 {
		t.Fatalf("the first record handed on is line %d, want 2 (the oldest held)", first)
	}
}

func itoa(i int) string {
	s := ""
	for {
		s = string(rune('0'+i%10)) + s
		i /= 10
		if i == 0 {
			return s
		}
	}
}

// FuzzStream: Stream never panics and attributes as the whole-log
// backfill does.
func FuzzStream(f *testing.F) {
	for _, file := range append(realLogs(f), handmadeLogs(f)...) {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("WORK=/tmp/w\nmkdir -p $WORK/b002/\npkg-config --cflags -- x\nWORK=/tmp/v\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkStream(t, data)
	})
}
