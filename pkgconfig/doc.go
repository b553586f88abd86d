// Package pkgconfig reads .pc files and resolves pkg-config requests the way
// pkgconf 1.8.1 (Debian 12's pkg-config) does — search path, variables,
// Requires tree, --static, system directory filtering, fragment merging and
// de-duplication — so that cgotrace can explain what a pkg-config call in a
// go build returned and why. It also holds the recording shim that
// `cgotrace build` puts in PKG_CONFIG, and cmd/go's checks of pkg-config
// output (shell characters, flag allow-lists).
//
// Everything takes its environment as a value (Options.Env): nothing here
// reads the process environment, so a call can be evaluated with the
// environment a build ran with.
package pkgconfig
