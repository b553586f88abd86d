// Command cgotrace explains cgo build failures and inspects what cgo
// binaries need at run time. See README.md.
package main

import "os"

func main() {
	os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
