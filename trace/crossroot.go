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
	// checked is what root was found by: the sysroot directory, or
	// the C library file (see keptCrossRoot).
	checked string
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
	file := keptCrossRootFile(o, goos, goarch, cc)
	var k keptCrossRoot
	t, ok := (*outputTarget)(nil), false
	if readKept(file, &k) {
		t, ok = k.target()
	}
	if ok {
		o.Log.WithField("file", file).Debug("the cross target's root: kept answer")
	} else {
		t = decideOutputTarget(ctx, o, goos, goarch, strings.Fields(cc))
		if t.cross && !t.unresolved && t.how != "--root" && ctx.Err() == nil {
			writeKept(file, keptCrossRoot{Root: t.root, How: t.how, Checked: t.checked})
		}
	}
	outputTargets.Store(key, t)
	return t
}

// keptCrossRoot is a cross build's root as the C compiler told it
// (`-print-sysroot`, `-print-file-name=libc.so.6`), kept between runs
// (kept.go): two runs of the compiler driver, 3-4 ms of CPU each, that
// go build's own start competes with. Only a root that was found is
// kept, and it is used only while the file it was found by is still
// there; a target without one asks again, as installing its C library
// changes nothing the key holds.
type keptCrossRoot struct {
	Root string `json:"root"`
	How  string `json:"how"`
	// Checked is the directory (-print-sysroot) or libc file
	// (-print-file-name) the root was found by.
	Checked string `json:"checked"`
}

func (k keptCrossRoot) target() (*outputTarget, bool) {
	if k.How == "" || k.Checked == "" || !fileExists(k.Checked) && !isDir(k.Checked) {
		return nil, false
	}
	return &outputTarget{cross: true, root: k.Root, how: k.How, checked: k.Checked}, true
}

// keptCrossRootFile is the file of the build's kept cross root, "" when
// none is kept (not the real compiler, no cache directory, or the
// compiler not found). The key is what the compiler's answers depend
// on: the target, CC with its arguments and the program PATH finds for
// it, the build's directory, and the variables gcc reads for its search
// paths.
func keptCrossRootFile(o *BuildOptions, goos, goarch, cc string) string {
	if _, ok := o.Runner.(ExecRunner); !ok || o.Root != "" {
		return ""
	}
	dir, prog := keptDir(o.Env, "cross-root"), ccProgram(o.Env, cc)
	if dir == "" || prog == "" {
		return ""
	}
	k := newKeptKey("cross-root")
	k.add(goos, goarch, cc, o.Dir)
	k.file(prog)
	for _, v := range []string{"PATH", "GCC_EXEC_PREFIX", "COMPILER_PATH", "LIBRARY_PATH", "GOARM", "GOAMD64", "GO386"} {
		val, set := envValue(o.Env, v)
		k.add(v, fmt.Sprint(set), val)
	}
	return filepath.Join(dir, k.name())
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
		t.root, t.how, t.checked = sysroot, fmt.Sprintf("`%s -print-sysroot`", strings.Join(cc, " ")), sysroot
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
		t.root, t.how, t.checked = root, fmt.Sprintf("%s, where `%s -print-file-name=%s` is", filepath.Dir(p), strings.Join(cc, " "), libc), p
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
