package trace

// buildShim is the recording PKG_CONFIG shim of one build.
type buildShim struct {
	env     []string
	cleanup func()
	records func() []PkgConfigCall
}

// newShim sets up the shim; nil when it cannot be used.
func newShim(o BuildOptions, goEnv GoEnv) *buildShim { return nil }
