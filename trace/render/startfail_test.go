package render

import (
	"bytes"
	"strings"
	"testing"
)

// TestStartFailedHeader: when every package built and a program go built
// could not start (a test binary, go run's program), the verdict says so,
// not "build failed"; a C compiler that cannot start is still a failed
// build. Real logs (../../testdata/logs/handmade, gocmd).
func TestStartFailedHeader(t *testing.T) {
	const started = "build succeeded, but a program it built could not start"
	for _, tc := range []struct {
		file, text, md string
	}{
		{"handmade/test-binary-cannot-start.test.log", started + ": ", "## cgotrace: " + started + "\n"},
		{"handmade/test-binary-cannot-start.testjson.log", started + ": ", "## cgotrace: " + started + "\n"},
		{"gocmd/runtime-library-missing-basic.run.log", started + ": ", "## cgotrace: " + started + "\n"},
		{"handmade/cc-cannot-start.log", "build failed: ", "## cgotrace: build failed\n"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			rep := analyzedLog(t, tc.file)
			var text, md bytes.Buffer
			if err := Text(&text, rep, Options{Width: 200}); err != nil {
				t.Fatal(err)
			}
			if err := Markdown(&md, rep, Options{}); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(text.String(), tc.text) {
				t.Errorf("text begins %q, want %q", firstLine(text.String()), tc.text)
			}
			if !strings.HasPrefix(md.String(), tc.md) {
				t.Errorf("markdown begins %q, want %q", firstLine(md.String()), tc.md)
			}
		})
	}
}
