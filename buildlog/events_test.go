package buildlog

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The hand-written decoder must agree with encoding/json.
func TestFastEvent(t *testing.T) {
	tests := []string{
		`{"ImportPath":"","Action":"build-output","Output":"WORK=/tmp/go-build3832110928\n"}`,
		`{"ImportPath":"example.com/x","Action":"build-output","Output":"echo -n \u003e $WORK/b001/dynimportfail # internal\n"}`,
		`{"ImportPath":"example.com/x","Action":"build-fail"}`,
		`{"ImportPath":"a\"b\\c","Action":"build-output","Output":"\t\r\b\f\/ \u00e9 \ud83d\ude00 ‘x’"}`,
		`{"ImportPath":"x","Action":"build-output","Output":"x"}  `,
	}
	for _, line := range tests {
		got, ok := fastEvent([]byte(line))
		if !ok {
			t.Errorf("fastEvent(%s) not ok", line)
			continue
		}
		var want buildEvent
		if err := json.Unmarshal([]byte(line), &want); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("fastEvent(%s) mismatch (-json +fast):\n%s", line, diff)
		}
	}
	// Shapes it leaves to encoding/json.
	for _, line := range []string{
		`{"Action":"build-output","ImportPath":"x","Output":"y"}`,
		`{"ImportPath":"x","Action":"build-output","Output":"\ud800"}`,
		`{"ImportPath":"x","Action":"build-output","Output":"y","Extra":1}`,
		`{"ImportPath":"x","Action":"start"}`,
		`{"ImportPath":"x","Action":"build-output","Output":"y`,
	} {
		if _, ok := fastEvent([]byte(line)); ok {
			t.Errorf("fastEvent(%s) ok, want fallback", line)
		}
	}
	// The fallback still reads reordered fields.
	ev, ok := decodeEvent([]byte(`{"Action":"build-output","ImportPath":"x","Output":"y"}`))
	if !ok || ev.ImportPath != "x" || ev.Output == nil || *ev.Output != "y" {
		t.Errorf("decodeEvent fallback = %+v, %v", ev, ok)
	}
}

// FuzzEvent checks the fast JSON path against encoding/json.
func FuzzEvent(f *testing.F) {
	f.Add(`{"ImportPath":"x","Action":"build-output","Output":"a\u003eb\n"}`)
	f.Add(`{"ImportPath":"","Action":"build-fail"}`)
	f.Add("{\"ImportPath\":\"x\xff\",\"Action\":\"build-output\",\"Output\":\"\xfe\\n\"}")
	f.Fuzz(func(t *testing.T, line string) {
		got, ok := fastEvent([]byte(line))
		if !ok {
			return
		}
		var want buildEvent
		if err := json.Unmarshal([]byte(line), &want); err != nil {
			t.Fatalf("fast path accepted invalid JSON %q: %v", line, err)
		}
		// encoding/json turns each invalid UTF-8 byte into U+FFFD; the
		// fast path keeps the bytes, as plain-text logs do.
		if diff := cmp.Diff(normUTF8(want), normUTF8(got)); diff != "" {
			t.Fatalf("mismatch on %q:\n%s", line, diff)
		}
	})
}

func normUTF8(ev buildEvent) buildEvent {
	n := func(s string) string { return string([]rune(s)) }
	ev.ImportPath, ev.Action = n(ev.ImportPath), n(ev.Action)
	if ev.Output != nil {
		o := n(*ev.Output)
		ev.Output = &o
	}
	return ev
}
