package trace

import (
	"fmt"
	"sync"

	"github.com/cgotrace/cgotrace/buildlog"
)

// memo runs each keyed computation once: a later caller of the same key
// waits for the first one's result. A computation can also be started
// without waiting (start), so that it runs while something else does.
type memo[T any] struct {
	mu sync.Mutex
	m  map[string]*memoCall[T]
	wg sync.WaitGroup
}

type memoCall[T any] struct {
	done chan struct{}
	v    T
}

// get returns key's value, computing it unless a call is under way or
// done.
func (m *memo[T]) get(key string, compute func() T) T {
	c, first := m.entry(key)
	if first {
		m.run(c, compute)
	}
	<-c.done
	return c.v
}

// start computes key's value in the background unless a call is under
// way or done.
func (m *memo[T]) start(key string, compute func() T) {
	c, first := m.entry(key)
	if first {
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			m.run(c, compute)
		}()
	}
}

func (m *memo[T]) entry(key string) (*memoCall[T], bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = map[string]*memoCall[T]{}
	}
	if c, ok := m.m[key]; ok {
		return c, false
	}
	c := &memoCall[T]{done: make(chan struct{})}
	m.m[key] = c
	return c, true
}

// run computes c's value; a panic leaves the zero value (the rules then
// go without that probe, as when it cannot run).
func (m *memo[T]) run(c *memoCall[T], compute func() T) {
	defer close(c.done)
	defer func() { recover() }()
	c.v = compute()
}

// wait waits for the background computations.
func (m *memo[T]) wait() { m.wg.Wait() }

// libProbeResult is a link probe and the command it ran, with its output.
type libProbeResult struct {
	p     *LibProbe
	rerun string
}

// failureProbes are the probes of a failed build's diagnosis, each run
// once whoever asks first: the rules' pass, or a first pass over the log
// that starts them all early (see prewarm).
type failureProbes struct {
	lib    memo[libProbeResult]
	header memo[*HeaderProbe]
	sym    memo[[]SymbolDef]
	modver memo[string]
	major  memo[string]
	ask    memo[pkgAnswer]
}

// wait waits for the probes started in the background.
func (fp *failureProbes) wait() {
	fp.lib.wait()
	fp.header.wait()
	fp.sym.wait()
	fp.modver.wait()
	fp.major.wait()
	fp.ask.wait()
}

func ptrKey(p any) string { return fmt.Sprintf("%p", p) }

// prewarm runs the rules once over the log before go list has answered,
// with no packages and with probes that only start: the rules name the
// probes their real pass will ask for (the linker search for a missing
// -l library, the verbose re-run of a failed #include, the symbol index,
// pkg-config --modversion, $CC's version, the package manager), and these
// run alongside go list and one another instead of one after the other
// after it. The pass's diagnoses are thrown away; a probe the real pass
// does not ask for only costs its time in the background.
func prewarm(l *buildlog.Log, dry *Facts) {
	defer func() { recover() }()
	Diagnose(l, dry)
}

// startingFacts is a copy of f with no packages, whose probes start
// their memoized computation and return nothing (prewarm's pass).
func (fp *failureProbes) startingFacts(f *Facts, p *probeFuncs) *Facts {
	g := *f
	g.Packages = map[string]*Package{}
	g.VendorGap = nil
	g.Mangled = nil
	if p.lib != nil {
		g.Probe = func(lib string, link *buildlog.HostLink) *LibProbe {
			fp.lib.start(lib+"\x00"+ptrKey(link), func() libProbeResult { return p.lib(lib, link) })
			return nil
		}
	}
	if p.header != nil {
		g.HeaderProbe = func(header string, rec *buildlog.Record, work string) *HeaderProbe {
			fp.header.start(header+"\x00"+ptrKey(rec)+"\x00"+work, func() *HeaderProbe { return p.header(header, rec, work) })
			return nil
		}
	}
	if p.sym != nil {
		g.Symbols = func(sym string) []SymbolDef {
			fp.sym.start(sym, func() []SymbolDef { return p.sym(sym) })
			return nil
		}
	}
	if p.modver != nil {
		g.PkgConfigVersion = func(pkg string) string {
			fp.modver.start(pkg, func() string { return p.modver(pkg) })
			return ""
		}
	}
	if p.major != nil {
		g.CCMajor = func() string {
			fp.major.start("", p.major)
			return ""
		}
	}
	if p.ask != nil {
		g.AskPackages = func(q pkgQuery) pkgAnswer {
			fp.ask.start(fmt.Sprint(q), func() pkgAnswer { return p.ask(q) })
			return pkgAnswer{}
		}
	}
	return &g
}

// probeFuncs are the computations behind a failed build's probes: pure
// (no report is touched), safe to run concurrently.
type probeFuncs struct {
	lib    func(lib string, link *buildlog.HostLink) libProbeResult
	header func(header string, rec *buildlog.Record, work string) *HeaderProbe
	sym    func(sym string) []SymbolDef
	modver func(pkg string) string
	major  func() string
	ask    PackageAsk
}

// waitingFacts sets f's probes to the memoized computations, waiting for
// a result that prewarm started; onLib and onHeader keep each probe's
// re-run output on the report, once per call as the rules make it.
func (fp *failureProbes) waitingFacts(f *Facts, p *probeFuncs, onLib func(rerun string), onHeader func(rec *buildlog.Record, hp *HeaderProbe)) {
	if p.lib != nil {
		f.Probe = func(lib string, link *buildlog.HostLink) *LibProbe {
			r := fp.lib.get(lib+"\x00"+ptrKey(link), func() libProbeResult { return p.lib(lib, link) })
			onLib(r.rerun)
			return r.p
		}
	}
	if p.header != nil {
		f.HeaderProbe = func(header string, rec *buildlog.Record, work string) *HeaderProbe {
			hp := fp.header.get(header+"\x00"+ptrKey(rec)+"\x00"+work, func() *HeaderProbe { return p.header(header, rec, work) })
			onHeader(rec, hp)
			return hp
		}
	}
	if p.sym != nil {
		f.Symbols = func(sym string) []SymbolDef {
			return fp.sym.get(sym, func() []SymbolDef { return p.sym(sym) })
		}
	}
	if p.modver != nil {
		f.PkgConfigVersion = func(pkg string) string {
			return fp.modver.get(pkg, func() string { return p.modver(pkg) })
		}
	}
	if p.major != nil {
		f.CCMajor = func() string { return fp.major.get("", p.major) }
	}
	if p.ask != nil {
		f.AskPackages = func(q pkgQuery) pkgAnswer {
			return fp.ask.get(fmt.Sprint(q), func() pkgAnswer { return p.ask(q) })
		}
	}
}
