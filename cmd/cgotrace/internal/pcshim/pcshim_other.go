//go:build !linux

package pcshim

// The variables of pkgconfig's shim (pkgconfig.EnvShimReal,
// pkgconfig.EnvShimRecord).
const (
	EnvReal   = "CGOTRACE_SHIM_REAL"
	EnvRecord = "CGOTRACE_SHIM_RECORD"
)
