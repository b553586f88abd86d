package trace

import (
	"bytes"
	"context"
	"debug/elf"
	"strings"
	"sync"

	"github.com/cgotrace/cgotrace/buildlog"
)

// mangler maps a C++ name as GNU ld prints it in "undefined reference to
// `foo::bar(foo::Baz const&)'" back to the name the linker looked for
// (_ZN3foo3barERKNS_3BazE). ld demangles by default, so the mangled name
// is not in the log; it is in the objects the build compiled: each
// undefined C++ symbol of the package objects in $WORK (kept until the
// report is made) is demangled with the same demangler the messages get,
// and the printed name is looked up among them. No object, or no match
// (an object from the build cache), gives "".
func mangler(l *buildlog.Log) func(string) string {
	var (
		once  sync.Once
		names map[string]string
	)
	return func(demangled string) string {
		once.Do(func() {
			names = map[string]string{}
			for _, r := range l.Records {
				if r.Step != KindCCCompile || !strings.HasSuffix(r.Output, ".o") {
					continue
				}
				path := r.Output
				if l.Work != "" {
					path = strings.Replace(path, "$WORK", l.Work, 1)
				}
				undefinedCXX(path, names)
			}
		})
		return names[demangled]
	}
}

// undefinedCXX adds the undefined Itanium-mangled symbols of an ELF
// object to names, by their demangled form.
func undefinedCXX(path string, names map[string]string) {
	f, err := elf.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		return
	}
	for _, s := range syms {
		if s.Section != elf.SHN_UNDEF || !strings.HasPrefix(s.Name, "_Z") {
			continue
		}
		if _, d := buildlog.Demangle(s.Name); d != "" {
			if _, dup := names[d]; !dup {
				names[d] = s.Name
			}
		}
	}
}

// modversion asks the build's pkg-config for a package's version, with
// the build's environment; "" when it cannot say.
func (a *analysis) modversion(ctx context.Context) func(string) string {
	var mu sync.Mutex
	cache := map[string]string{}
	return func(pkg string) string {
		mu.Lock()
		v, ok := cache[pkg]
		mu.Unlock()
		if ok {
			return v
		}
		pc := ""
		if a.rep.Toolchain != nil {
			pc = a.rep.Toolchain.PkgConfig
		}
		v = ""
		if pc != "" && pkg != "" && !strings.HasPrefix(pkg, "-") {
			var out bytes.Buffer
			if code, err := a.o.Runner.Run(ctx, Cmd{Name: pc, Args: []string{"--modversion", "--", pkg}, Dir: a.o.Dir, Env: a.o.Env, Stdout: &out}); err == nil && code == 0 {
				v = strings.TrimSpace(out.String())
			}
		}
		mu.Lock()
		cache[pkg] = v
		mu.Unlock()
		return v
	}
}
