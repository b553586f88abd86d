package trace

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
)

// outputTarget is where the output of a build runs: this machine, or
// another target whose libraries are found in its sysroot.
type outputTarget struct {
	// cross is true when the output is for a target this machine does not
	// run (GOARCH or GOOS not the host's).
	cross bool
	// root is the directory resolved as the target's "/": "" for this
	// machine's own root.
	root string
	// how says where root came from, or, when cross and root is "" and
	// unresolved is set, why nothing is resolved.
	how string
	// unresolved: a cross target without a known sysroot. Its libraries
	// are not resolved at all (this machine's are another ABI's).
	unresolved bool
}

// outputTargets memoizes outputTargetOf: the inspector is made before the
// build and the output inspected after it.
var outputTargets sync.Map

// outputTargetOf decides where the build's output is resolved: with
// --root, there; for a cross build, in the C cross compiler's sysroot
// (`$CC -print-sysroot`, else the directory its libc.so.6 sits in, such as
// Debian's /usr/aarch64-linux-gnu); otherwise this machine.
func outputTargetOf(ctx context.Context, o *BuildOptions) *outputTarget {
	goos := goSetting(o.Env, "GOOS", runtime.GOOS)
	goarch := goSetting(o.Env, "GOARCH", runtime.GOARCH)
	cc := goSetting(o.Env, "CC", "gcc")
	path, _ := envValue(o.Env, "PATH")
	key := strings.Join([]string{o.Root, goos, goarch, cc, path, o.Dir}, "\x00")
	if t, ok := outputTargets.Load(key); ok {
		return t.(*outputTarget)
	}
	t := decideOutputTarget(ctx, o, goos, goarch, strings.Fields(cc))
	outputTargets.Store(key, t)
	return t
}

func decideOutputTarget(ctx context.Context, o *BuildOptions, goos, goarch string, cc []string) *outputTarget {
	t := &outputTarget{}
	switch {
	case goos != "linux" && goos != "android":
		// Mach-O and PE resolution do not read a root.
	case goos == runtime.GOOS && (goarch == runtime.GOARCH || runtime.GOARCH == "amd64" && goarch == "386"):
		// This machine runs it (an x86-64 kernel runs i386 programs,
		// with the host's own i386 libraries).
	default:
		t.cross = true
	}
	if o.Root != "" {
		t.root, t.how = o.Root, "--root"
		return t
	}
	if !t.cross {
		return t
	}
	if len(cc) == 0 {
		cc = []string{"gcc"}
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	ask := func(arg string) string {
		var out bytes.Buffer
		args := append(append(cc[1:len(cc):len(cc)], archFlags(goarch)...), arg)
		code, err := o.Runner.Run(ctx, Cmd{Name: cc[0], Args: args, Dir: o.Dir, Env: o.Env, Stdout: &out})
		if err != nil || code != 0 {
			return ""
		}
		return strings.TrimSpace(out.String())
	}
	sysroot := ask("-print-sysroot")
	if sysroot != "" && sysroot != "/" && isDir(sysroot) {
		t.root, t.how = sysroot, fmt.Sprintf("`%s -print-sysroot`", strings.Join(cc, " "))
		return t
	}
	for _, libc := range []string{"libc.so.6", "libc.so"} {
		p := ask("-print-file-name=" + libc)
		if !filepath.IsAbs(p) {
			continue // gcc prints the bare name when it has no such file
		}
		p = filepath.Clean(p)
		if !fileExists(p) {
			continue
		}
		root := rootOfLibDir(filepath.Dir(p))
		if root == "/" {
			root = "" // this machine's multiarch directories (Debian libc6:arm64)
		}
		t.root, t.how = root, fmt.Sprintf("%s, where `%s -print-file-name=%s` is", filepath.Dir(p), strings.Join(cc, " "), libc)
		return t
	}
	t.unresolved = true
	t.how = fmt.Sprintf("the binary is for %s/%s and no sysroot for it is known (`%s -print-sysroot` printed %q, and it knows no libc.so.6): its libraries were not resolved; run cgotrace inspect --root <the target's root> on it",
		goos, goarch, strings.Join(cc, " "), sysroot)
	return t
}

// archFlags are the flags go build gives the C compiler for goarch that
// change which libraries it links (cmd/go's gccArchArgs, the ones that
// select a multilib).
func archFlags(goarch string) []string {
	switch goarch {
	case "386":
		return []string{"-m32"}
	case "amd64":
		return []string{"-m64"}
	case "arm":
		return []string{"-marm"}
	case "s390x":
		return []string{"-m64"}
	}
	return nil
}

// rootOfLibDir is the root a library directory belongs to:
// ROOT/lib, ROOT/lib64, ROOT/usr/lib, ROOT/lib/<multiarch> ... → ROOT.
func rootOfLibDir(d string) string {
	if strings.Contains(filepath.Base(d), "-linux-") {
		d = filepath.Dir(d) // lib/aarch64-linux-gnu
	}
	switch filepath.Base(d) {
	case "lib", "lib64", "lib32", "libx32":
		d = filepath.Dir(d)
	}
	if filepath.Base(d) == "usr" {
		d = filepath.Dir(d)
	}
	return d
}
