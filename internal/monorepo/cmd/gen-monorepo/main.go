// Command gen-monorepo writes the synthetic monorepo of
// scripts/bench-monorepo.sh (see package monorepo) and prints, as shell
// assignments, where it is and what was broken:
//
//	go run ./internal/monorepo/cmd/gen-monorepo -o DIR [-n 2000] [-cgo 40] [-break pc|header|lib]
//
// then `cd "$dir" && PKG_CONFIG_PATH=$pkg_config_path go build ./...`.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/cgotrace/cgotrace/internal/monorepo"
)

func main() {
	var o monorepo.Options
	out := flag.String("o", "", "directory to write (new or empty)")
	flag.IntVar(&o.Packages, "n", 2000, "Go packages, not counting the commands")
	flag.IntVar(&o.Cgo, "cgo", 40, "how many of them use cgo")
	flag.IntVar(&o.Libs, "libs", 4, "static libraries (gcc and ar) the cgo packages share")
	flag.IntVar(&o.Commands, "cmds", 4, "main packages")
	flag.StringVar(&o.Break, "break", "", "break one cgo package deep in the graph: pc, header or lib (empty: healthy)")
	flag.Int64Var(&o.Seed, "seed", 1, "seed of the import graph")
	flag.Parse()
	if *out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: gen-monorepo -o DIR [-n N] [-cgo N] [-libs N] [-cmds N] [-break pc|header|lib] [-seed N]")
		os.Exit(2)
	}
	m, err := monorepo.Generate(*out, o)
	if err != nil {
		fmt.Fprintf(os.Stderr, "gen-monorepo: %v\n", err)
		os.Exit(1)
	}
	q := func(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
	fmt.Printf("dir=%s\npkg_config_path=%s\npackages=%d\ncgo_packages=%d\nlevels=%d\nbroken_package=%s\nbroken_code=%s\nbroken_file=%s\n",
		q(m.Dir), q(m.PkgConfigPath), m.Packages, len(m.CgoPackages), m.Levels, q(m.BrokenPackage), q(m.BrokenCode), q(m.BrokenFile))
}
