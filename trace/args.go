package trace

import (
	"strings"
)

// goValueFlags are the go build flags that take a separate value
// (`-o app`); every other flag is a boolean or carries `=value`.
var goValueFlags = map[string]bool{
	"C": true, "o": true, "p": true, "asmflags": true, "buildmode": true,
	"compiler": true, "gccgoflags": true, "gcflags": true, "installsuffix": true,
	"ldflags": true, "mod": true, "modfile": true, "overlay": true, "pgo": true,
	"pkgdir": true, "tags": true, "toolexec": true, "covermode": true,
	"coverpkg": true, "exec": true, "debug-actiongraph": true,
	"debug-runtime-trace": true, "debug-trace": true, "reuse": true,
}

// goTestValueFlags are go test's own flags that take a separate value
// (cgotrace build --go-cmd test -c); goTestFlags adds its boolean ones.
// go list takes none of them.
var goTestValueFlags = []string{
	"run", "skip", "bench", "benchtime", "count", "cpu", "parallel", "timeout",
	"list", "shuffle", "fuzz", "fuzztime", "fuzzminimizetime", "outputdir",
	"coverprofile", "cpuprofile", "memprofile", "memprofilerate", "blockprofile",
	"blockprofilerate", "mutexprofile", "mutexprofilefraction", "trace", "vet",
}

var goTestFlags = map[string]bool{
	"c": true, "i": true, "benchmem": true, "failfast": true, "short": true,
	"fullpath": true, "exec": true,
}

func init() {
	for _, f := range goTestValueFlags {
		goValueFlags[f] = true
		goTestFlags[f] = true
	}
}

// goFlag is one flag of a go command line as the go command would read it.
type goFlag struct {
	Name     string // without dashes
	Value    string
	HasValue bool
	// Index of the flag in the argument list, and of its separate value
	// (-1 when the value is attached with =).
	Index, ValueIndex int
}

// scanGoArgs splits go build arguments into flags and the rest (packages
// or files), stopping at the first non-flag or after `--`, as the flag
// package does.
func scanGoArgs(args []string) (flags []goFlag, rest []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return flags, args[i+1:]
		}
		if len(a) < 2 || a[0] != '-' {
			return flags, args[i:]
		}
		name := strings.TrimLeft(a, "-")
		f := goFlag{Index: i, ValueIndex: -1}
		if eq := strings.IndexByte(name, '='); eq >= 0 {
			f.Name, f.Value, f.HasValue = name[:eq], name[eq+1:], true
		} else {
			f.Name = name
			if goValueFlags[name] && i+1 < len(args) {
				i++
				f.Value, f.HasValue, f.ValueIndex = args[i], true, i
			}
		}
		flags = append(flags, f)
	}
	return flags, nil
}

// lastFlag returns the last occurrence of a flag (the one go uses).
func lastFlag(flags []goFlag, name string) (goFlag, bool) {
	for i := len(flags) - 1; i >= 0; i-- {
		if flags[i].Name == name {
			return flags[i], true
		}
	}
	return goFlag{}, false
}

// withLdflagsV returns args with -v added to the linker flags, in every
// form the go command accepts: `-ldflags=X`, `-ldflags X`, the pattern
// form `-ldflags=pattern=X`, and -ldflags from GOFLAGS (a command-line
// -ldflags replaces the one in GOFLAGS, so it is carried over). The
// user's flags are kept; -v is appended, never substituted.
func withLdflagsV(args []string, goflags string) []string {
	flags, _ := scanGoArgs(args)
	out := append([]string(nil), args...)
	if f, ok := lastFlag(flags, "ldflags"); ok {
		v := appendLinkV(f.Value)
		if f.ValueIndex >= 0 {
			out[f.ValueIndex] = v
		} else {
			out[f.Index] = "-ldflags=" + v
		}
		return out
	}
	value := "-v"
	for _, w := range strings.Fields(goflags) {
		if strings.HasPrefix(w, "-ldflags=") || strings.HasPrefix(w, "--ldflags=") {
			value = appendLinkV(w[strings.IndexByte(w, '=')+1:])
		}
	}
	return append([]string{"-ldflags=" + value}, out...)
}

// appendLinkV adds -v to one -ldflags value. In the pattern form
// (`all=-s -w`, `example.com/...=-X a=b`) -v goes into the flags part.
func appendLinkV(v string) string {
	if strings.TrimSpace(v) == "" {
		return "-v"
	}
	return v + " -v"
}

// outputFlag is the -o value of go build arguments, if any.
func outputFlag(args []string) string {
	flags, _ := scanGoArgs(args)
	if f, ok := lastFlag(flags, "o"); ok {
		return f.Value
	}
	return ""
}

// replaceOutput returns args with -o set to path (added when absent).
func replaceOutput(args []string, path string) []string {
	flags, _ := scanGoArgs(args)
	out := append([]string(nil), args...)
	if f, ok := lastFlag(flags, "o"); ok {
		if f.ValueIndex >= 0 {
			out[f.ValueIndex] = path
		} else {
			out[f.Index] = "-o=" + path
		}
		return out
	}
	return append([]string{"-o", path}, out...)
}
