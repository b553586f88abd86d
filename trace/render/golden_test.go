package render

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenExt is the file extension of each renderer's golden files.
var goldenExt = map[string]string{
	"text":     "txt",
	"json":     "json",
	"markdown": "md",
	"github":   "github.txt",
	"junit":    "junit.xml",
}

// goldenOptions are the options the golden files are rendered with: the
// defaults of a CI run (no colour, width 100, 1 MiB).
var goldenOptions = Options{}

// checkGolden compares got with testdata/golden/name, or rewrites it
// with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it); got:\n%s", path, got)
	}
}

func TestGolden(t *testing.T) {
	for _, fx := range fixtures {
		for format, ext := range goldenExt {
			t.Run(fx.name+"/"+format, func(t *testing.T) {
				f, err := Lookup(format)
				if err != nil {
					t.Fatal(err)
				}
				var buf bytes.Buffer
				if err := f(&buf, fx.make(), goldenOptions); err != nil {
					t.Fatal(err)
				}
				checkGolden(t, fx.name+"."+ext, buf.Bytes())
			})
		}
	}
}

// The budget golden: the huge report cut to 24 KiB.
func TestGoldenMarkdownBudget(t *testing.T) {
	var buf bytes.Buffer
	if err := Markdown(&buf, huge(), Options{MaxBytes: 24 << 10}); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "huge-24KiB.md", buf.Bytes())
}
