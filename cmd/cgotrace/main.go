// Command cgotrace explains cgo build failures and inspects what cgo
// binaries need at run time. See README.md.
package main

import (
	"os"

	// First among cgotrace's packages to be initialised: in shim mode
	// (CGOTRACE_SHIM_REAL set) its init runs the pkg-config call and
	// exits before the CLI, logging and the rest are initialised.
	_ "github.com/cgotrace/cgotrace/cmd/cgotrace/internal/pcshim"
)

func main() {
	os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
