package main

import (
	"io"
	"os"

	"github.com/cgotrace/cgotrace/pkgconfig"
)

// runShimIfActive hands over to the recording pkg-config shim when
// CGOTRACE_SHIM_REAL is set (cgotrace build points PKG_CONFIG at cgotrace
// itself). In shim mode cgotrace prints nothing of its own: the real
// pkg-config's streams and exit code pass through.
func runShimIfActive(args []string, stdin io.Reader, stdout, stderr io.Writer) (int, bool) {
	if os.Getenv(pkgconfig.EnvShimReal) == "" {
		return 0, false
	}
	return pkgconfig.RunShim(os.Args[0], args, pkgconfig.Env(os.Environ()), stdin, stdout, stderr), true
}
