package pkgconfig

// The environment variables of the recording shim.
const (
	// EnvShimReal is the real pkg-config program the shim runs.
	EnvShimReal = "CGOTRACE_SHIM_REAL"
	// EnvShimRecord is the JSON-lines file the shim appends to.
	EnvShimRecord = "CGOTRACE_SHIM_RECORD"
)
