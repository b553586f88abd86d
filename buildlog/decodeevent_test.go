package buildlog

import "testing"

func TestDecodeEvent(t *testing.T) {
	for _, tc := range []struct {
		line string
		want Event
		ok   bool
	}{
		{`{"ImportPath":"example.com/x","Action":"build-output","Output":"# example.com/x\n./x.go:3:10: fatal error: \u003cfoo.h\u003e\n"}` + "\n",
			Event{"example.com/x", "build-output", "# example.com/x\n./x.go:3:10: fatal error: <foo.h>\n"}, true},
		{`{"ImportPath":"example.com/x","Action":"build-fail"}`, Event{"example.com/x", "build-fail", ""}, true},
		// Another field order: encoding/json's fallback.
		{`{"Action":"build-output","ImportPath":"p","Output":"x"}`, Event{"p", "build-output", "x"}, true},
		{`{"ImportPath":"p","Action":"start"}`, Event{}, false},
		{`# not json`, Event{}, false},
		{`{"ImportPath":"p","Action":"build-output","Output":"x"`, Event{}, false},
	} {
		got, ok := DecodeEvent([]byte(tc.line))
		if ok != tc.ok || got != tc.want {
			t.Errorf("DecodeEvent(%q) = %+v, %v; want %+v, %v", tc.line, got, ok, tc.want, tc.ok)
		}
	}
}
