// Command genfedora writes trace/distpkg's Fedora table from a directory
// of Fedora spec files (scripts/gen-distpkg-fedora.sh runs it):
//
//	go run ./internal/genfedora SPECDIR DEBIAN.TSV SOURCE > fedora.tsv
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/cgotrace/cgotrace/trace/distpkg/fedoragen"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: genfedora SPECDIR DEBIAN.TSV SOURCE")
		os.Exit(2)
	}
	files, err := filepath.Glob(filepath.Join(os.Args[1], "*.spec"))
	if err != nil || len(files) == 0 {
		fmt.Fprintf(os.Stderr, "genfedora: no .spec files in %s\n", os.Args[1])
		os.Exit(1)
	}
	specs := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintln(os.Stderr, "genfedora:", err)
			os.Exit(1)
		}
		specs[strings.TrimSuffix(filepath.Base(f), ".spec")] = b
	}
	deb, err := os.ReadFile(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "genfedora:", err)
		os.Exit(1)
	}
	out, st := fedoragen.Generate(specs, deb, os.Args[3])
	if _, err := os.Stdout.Write(out); err != nil {
		fmt.Fprintln(os.Stderr, "genfedora:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "genfedora: %d specs, %d %%files paths (%d with a macro not known), %d globs (%d resolved alone, %d through Debian), %d rows\n",
		st.Specs, st.Files, st.Unexpanded, st.Globs, st.Resolved, st.Linked, st.Rows)
}
