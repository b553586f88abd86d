package trace

import (
	"bytes"
	"os"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cgotrace/cgotrace/buildlog"
)

// TestMemo: a key is computed once, whether started in the background or
// asked for; a later ask waits for the started call; a panic leaves the
// zero value.
func TestMemo(t *testing.T) {
	var m memo[int]
	var calls atomic.Int32
	release := make(chan struct{})
	m.start("a", func() int { calls.Add(1); <-release; return 7 })
	m.start("a", func() int { calls.Add(1); return 8 })
	got := make(chan int)
	go func() { got <- m.get("a", func() int { calls.Add(1); return 9 }) }()
	close(release)
	if v := <-got; v != 7 {
		t.Errorf("get after start = %d, want the started call's 7", v)
	}
	if v := m.get("a", func() int { return 10 }); v != 7 || calls.Load() != 1 {
		t.Errorf("get = %d after %d calls, want 7 after 1", v, calls.Load())
	}
	if v := m.get("p", func() int { panic("probe bug") }); v != 0 {
		t.Errorf("a panicking computation gave %d, want 0", v)
	}
	m.start("q", func() int { panic("probe bug") })
	m.wait()
	if v := m.get("q", func() int { return 1 }); v != 0 {
		t.Errorf("a panicking background computation gave %d, want 0", v)
	}
}

// TestPrewarmStartsTheProbes: on real failed-build logs (go1.26.8, the
// scenarios of testdata/logs), the first pass starts exactly the probes
// the rules' pass then asks for (the linker search for -lfrobnicate, the
// verbose re-run of frobnicate.h, the symbol index for an undefined
// reference), each runs once, and the diagnoses are those of a pass
// without prewarm.
func TestPrewarmStartsTheProbes(t *testing.T) {
	for _, tc := range []struct {
		log                 string
		lib, header, symbol int // probes the rules ask for
	}{
		{"library-not-found-basic.json.log", 1, 0, 0},
		{"library-dev-missing-basic.json.log", 1, 0, 0},
		{"header-not-found-basic.json.log", 0, 1, 0},
		{"undefined-symbol-basic.json.log", 0, 0, 1},
		{"pkg-config-package-not-found-basic.json.log", 0, 0, 0},
	} {
		t.Run(tc.log, func(t *testing.T) {
			data, err := os.ReadFile("../testdata/logs/" + tc.log)
			if err != nil {
				t.Fatal(err)
			}
			l, err := buildlog.Parse(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			count := map[string]int{}
			add := func(k string) {
				mu.Lock()
				count[k]++
				mu.Unlock()
			}
			pf := &probeFuncs{
				lib: func(lib string, link *buildlog.HostLink) libProbeResult {
					add("lib")
					return libProbeResult{p: &LibProbe{Searched: []string{"/probed"}}, rerun: "$ probe " + lib}
				},
				header: func(header string, rec *buildlog.Record, work string) *HeaderProbe {
					add("header")
					return &HeaderProbe{Searched: []string{"/probed"}, Rerun: "$ probe " + header}
				},
				sym:    func(sym string) []SymbolDef { add("sym"); return nil },
				modver: func(pkg string) string { add("modver"); return "" },
				major:  func() string { add("major"); return "" },
			}
			f := &Facts{GoEnv: GoEnv{"CGO_ENABLED": "1", "GOOS": "linux", "GOARCH": "amd64", "CC": "gcc"}, Packages: map[string]*Package{}}
			fp := &failureProbes{}
			prewarm(l, fp.startingFacts(f, pf))
			fp.wait()
			started := map[string]int{}
			mu.Lock()
			for k, v := range count {
				started[k] = v
			}
			mu.Unlock()
			var libReruns, headerReruns int
			fp.waitingFacts(f, pf, func(string) { libReruns++ }, func(*buildlog.Record, *HeaderProbe) { headerReruns++ })
			ds := Diagnose(l, f)

			for k, want := range map[string]int{"lib": tc.lib, "header": tc.header, "sym": tc.symbol} {
				if started[k] != want {
					t.Errorf("prewarm started %d %s probes, want %d", started[k], k, want)
				}
				if count[k] != want {
					t.Errorf("%s probes ran %d times in all, want %d (once each)", k, count[k], want)
				}
			}
			if libReruns != tc.lib || headerReruns != tc.header {
				t.Errorf("the rules' pass kept %d link and %d header re-runs, want %d and %d", libReruns, headerReruns, tc.lib, tc.header)
			}
			// The same pass with probes that run when asked.
			g := &Facts{GoEnv: f.GoEnv, Packages: map[string]*Package{}}
			(&failureProbes{}).waitingFacts(g, pf, func(string) {}, func(*buildlog.Record, *HeaderProbe) {})
			want := Diagnose(l, g)
			if len(ds) != len(want) {
				t.Fatalf("%d diagnoses with prewarm, %d without", len(ds), len(want))
			}
			for i := range ds {
				if ds[i].Code != want[i].Code || ds[i].Summary != want[i].Summary || ds[i].Detail != want[i].Detail {
					t.Errorf("diagnosis %d with prewarm: %s %q %q; without: %s %q %q", i, ds[i].Code, ds[i].Summary, ds[i].Detail, want[i].Code, want[i].Summary, want[i].Detail)
				}
			}
			if tc.lib+tc.header > 0 && len(ds) > 0 && ds[0].Detail != "searched: /probed" {
				t.Errorf("the first diagnosis does not use the prewarmed probe: detail %q", ds[0].Detail)
			}
		})
	}
}
