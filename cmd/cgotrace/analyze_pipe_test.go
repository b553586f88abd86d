package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestAnalyzePipeSameAsFile: `cgotrace analyze -` reading a pipe that is
// written while it reads (as `go build -x ./... 2>&1 | cgotrace analyze -`
// does) gives the report analyze gives for the file (JSON, and Markdown,
// where the input's name is replaced; the text view wraps its lines by
// the length of that name), and --report-dir's build.log is the
// input, byte for byte.
func TestAnalyzePipeSameAsFile(t *testing.T) {
	logs := []string{
		"../../testdata/logs/library-dev-missing-basic.x.log",
		"../../testdata/logs/pkg-config-package-not-found-basic.json.log",
		"../../testdata/logs/header-not-found-basic.log",
		"../../buildlog/testdata/logs/multi-ok.x.log",
	}
	for _, file := range logs {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, format := range []string{"json", "markdown"} {
			var fout, ferr bytes.Buffer
			fcode := Main([]string{"analyze", "--format", format, file}, strings.NewReader(""), &fout, &ferr)

			dir := filepath.Join(t.TempDir(), "report")
			pr, pw, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			go func() {
				// A build writes as it goes: small pieces, with pauses.
				for rest := data; len(rest) > 0; {
					n := min(len(rest), 1000)
					if _, err := pw.Write(rest[:n]); err != nil {
						break
					}
					rest = rest[n:]
					time.Sleep(time.Millisecond)
				}
				pw.Close()
			}()
			var pout, perr bytes.Buffer
			pcode := Main([]string{"analyze", "--format", format, "--report-dir", dir, "-"}, pr, &pout, &perr)
			pr.Close()
			if pcode != fcode {
				t.Errorf("%s %s: exit %d from the pipe, %d from the file (%s)", file, format, pcode, fcode, perr.String())
			}
			// The report names its input: the file's name, or "-".
			want := strings.ReplaceAll(fout.String(), `"`+file+`"`, `"-"`)
			want = strings.ReplaceAll(want, file, "-")
			if got := pout.String(); got != want {
				t.Errorf("%s %s: the report from the pipe differs:\n--- pipe\n%s\n--- file\n%s", file, format, got, want)
			}
			raw, err := os.ReadFile(filepath.Join(dir, "build.log"))
			if err != nil || !bytes.Equal(raw, data) {
				t.Errorf("%s: build.log of the report directory is not the input (%d of %d bytes, %v)", file, len(raw), len(data), err)
			}
		}
	}
}
