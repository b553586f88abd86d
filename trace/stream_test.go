package trace

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cgotrace/cgotrace/buildlog"
)

// streamCorpus is every real log of the repository (and of
// ../shared/scenarios when it holds any), plus the -x logs of
// buildlog/testdata concatenated three times: a log of several builds
// of the same packages, whose repeated commands the stream keeps once.
func streamCorpus(t *testing.T) map[string][]byte {
	t.Helper()
	logs := map[string][]byte{}
	var files []string
	for _, pat := range []string{"../testdata/logs/*.log", "../testdata/logs/gocmd/*.log",
		"../buildlog/testdata/logs/*.log", "../../shared/scenarios/*/*.log"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 140 {
		t.Fatalf("%d logs: the corpus is missing", len(files))
	}
	var seed []byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		logs[f] = data
		if strings.HasPrefix(f, "../buildlog/") && strings.HasSuffix(f, ".x.log") {
			seed = append(seed, data...)
		}
	}
	logs["buildlog x logs, three times"] = bytes.Repeat(seed, 3)
	logs["monorepo log"] = monorepoLog(t, 1<<20)
	return logs
}

// wholeReport is the report made as before streaming: the whole log
// parsed, every command kept (--all-steps).
func wholeReport(t *testing.T, data []byte) *Report {
	t.Helper()
	l, err := buildlog.Parse(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return reportFromLogWith(l, nil, loggedEnvFacts(l), "test", true)
}

// TestStreamSameDiagnoses: on every log of the corpus, the streamed
// report (analyze) gives the diagnoses, notes, exit code and packages
// (same order, same outcome) of the report of the whole log with every
// step kept, with the held budget as shipped and with a budget of one
// byte (every pure-Go package folded at once), and its counts add up:
// a counted package's step_counts are the steps the whole log has, a
// chain package's steps plus repeated_steps are its steps there.
func TestStreamSameDiagnoses(t *testing.T) {
	logs := streamCorpus(t)
	defer func(b int) { heldBudget = b }(heldBudget)
	repeated, folded := 0, 0
	for _, budget := range []int{heldBudget, 1} {
		heldBudget = budget
		for name, data := range logs {
			whole := wholeReport(t, data)
			for _, all := range []bool{false, true} {
				got, _, err := AnalyzeWith(bytes.NewReader(data), "test", AnalyzeOptions{AllSteps: all})
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				where := fmt.Sprintf("%s (budget %d, all-steps %v)", name, budget, all)
				if a, b := jsonOf(t, got.Diagnoses), jsonOf(t, whole.Diagnoses); a != b {
					t.Errorf("%s: diagnoses differ:\nstreamed: %s\nwhole:    %s", where, a, b)
				}
				if jsonOf(t, got.Notes) != jsonOf(t, whole.Notes) || got.Command.ExitCode != whole.Command.ExitCode {
					t.Errorf("%s: notes or exit code differ: %q %d vs %q %d", where, got.Notes, got.Command.ExitCode, whole.Notes, whole.Command.ExitCode)
				}
				if len(got.Packages) != len(whole.Packages) {
					t.Errorf("%s: %d packages streamed, %d whole", where, len(got.Packages), len(whole.Packages))
					continue
				}
				for i, p := range got.Packages {
					q := whole.Packages[i]
					if p.ImportPath != q.ImportPath || p.Failed != q.Failed {
						t.Errorf("%s: package %d is %s (failed %v) streamed, %s (failed %v) whole", where, i, p.ImportPath, p.Failed, q.ImportPath, q.Failed)
						continue
					}
					want := countSteps(q.Steps)
					have := countSteps(p.Steps)
					for k, v := range p.StepCounts {
						have[k] += v
					}
					if p.StepCounts != nil && p.Steps != nil {
						have = countSteps(p.Steps)
						for k, v := range p.StepCounts {
							have[k] = max(have[k], v)
						}
					}
					n, m := 0, 0
					for _, v := range have {
						n += v
					}
					for _, v := range want {
						m += v
					}
					if n+p.RepeatedSteps != m {
						t.Errorf("%s: %s: %d steps counted + %d repeated, the whole log has %d", where, p.ImportPath, n, p.RepeatedSteps, m)
					}
					if all && (p.RepeatedSteps != 0 || jsonOf(t, p.Steps) != jsonOf(t, q.Steps)) {
						t.Errorf("%s: %s: --all-steps does not keep every step", where, p.ImportPath)
					}
					repeated += p.RepeatedSteps
					if budget == 1 && !all && p.StepCounts != nil {
						folded++
					}
				}
			}
		}
	}
	if repeated == 0 || folded == 0 {
		t.Errorf("repeated %d, folded %d: the corpus did not exercise the keeper", repeated, folded)
	}
}

// pureGoGroup is the real records of a pure-Go package of a go build -x
// log (buildlog/testdata/logs/multi-ok.x.log, the main package's mkdir,
// importcfg, compile, buildid and cp), with its objdir and import path
// to rename per copy.
func pureGoGroup(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../buildlog/testdata/logs/multi-ok.x.log")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	// Lines 49-60: from `mkdir -p $WORK/b001/` to the cp into the cache.
	g := strings.Join(lines[48:60], "")
	if !strings.HasPrefix(g, "mkdir -p $WORK/b001/") || !strings.Contains(g, "compile -o $WORK/b001/_pkg_.a") || !strings.HasPrefix(lines[59], "cp $WORK/b001/_pkg_.a") {
		t.Fatalf("multi-ok.x.log changed: the group is not where it was:\n%s", g)
	}
	return g
}

var b001 = regexp.MustCompile(`\bb001\b`)

// monorepoLog is a ~size-byte -x log made of real records: every
// buildlog testdata -x log (cgo packages, failures, pkg-config), then
// between two copies of those 400 pure-Go packages, each the real group
// of pureGoGroup under its own objdir and import path.
func monorepoLog(t *testing.T, size int) []byte {
	t.Helper()
	g := pureGoGroup(t)
	seeds, err := filepath.Glob("../buildlog/testdata/logs/*.x.log")
	if err != nil || len(seeds) == 0 {
		t.Fatal("no -x logs in buildlog/testdata/logs")
	}
	var seed []byte
	for _, f := range seeds {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		seed = append(seed, data...)
	}
	var b bytes.Buffer
	b.Grow(size + len(seed))
	n := 0
	for b.Len() < size {
		b.Write(seed)
		b.WriteString("WORK=/tmp/go-build4242\n")
		for range 400 {
			n++
			obj := fmt.Sprintf("b%03d", n%900+100)
			pkg := b001.ReplaceAllString(g, obj)
			pkg = strings.Replace(pkg, "-p main ", fmt.Sprintf("-p example.com/mono/p%d ", n), 1)
			b.WriteString(pkg)
		}
	}
	return b.Bytes()
}

// heapPeak runs f while sampling the live heap (runtime/metrics'
// /gc/heap/live:bytes, the heap marked live by the last GC) and returns
// the largest value seen above the one before f, after a last GC.
func heapPeak(f func()) uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	read := func() uint64 {
		metrics.Read(s)
		return s[0].Value.Uint64()
	}
	runtime.GC()
	base := read()
	var peak uint64
	var mu sync.Mutex
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(200 * time.Microsecond)
		defer tick.Stop()
		for {
			v := read()
			mu.Lock()
			peak = max(peak, v)
			mu.Unlock()
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	f()
	runtime.GC() // the live heap of the end, while f's result is held
	close(stop)
	wg.Wait()
	peak = max(peak, read())
	if peak < base {
		return 0
	}
	return peak - base
}

// TestStreamPeakHeap reads a 20 MB -x log of a monorepo build (real
// records: the cgo and failing packages of the testdata logs, repeated,
// and thousands of pure-Go packages) with analyze's streaming reader and
// checks that the live heap stays under 24 MB, measured with
// runtime/metrics; and, as a control that the bound can fail, that the
// whole-log reader (buildlog.Parse) needs more than the bound for it.
func TestStreamPeakHeap(t *testing.T) {
	const size = 20 << 20
	const bound = 24 << 20
	data := monorepoLog(t, size)
	var rep *Report
	peak := heapPeak(func() {
		var err error
		rep, _, err = AnalyzeWith(bytes.NewReader(data), "test", AnalyzeOptions{})
		if err != nil {
			t.Fatal(err)
		}
	})
	counted := 0
	for _, p := range rep.Packages {
		if p.StepCounts != nil {
			counted++
		}
	}
	t.Logf("%d MB log: streamed peak live heap %.1f MB, %d packages (%d counted), %d diagnoses",
		len(data)>>20, float64(peak)/(1<<20), len(rep.Packages), counted, len(rep.Diagnoses))
	if counted < 1000 {
		t.Fatalf("only %d counted packages: the log is not the monorepo it should be", counted)
	}
	if len(rep.Diagnoses) == 0 {
		t.Fatal("no diagnosis: the failures of the testdata logs were not read")
	}
	// The report leads with the failed packages (their chains), then
	// the counted ones.
	for i := 1; i < len(rep.Packages); i++ {
		if rep.Packages[i].Failed && !rep.Packages[i-1].Failed {
			t.Fatalf("failed package %s comes after %s, which built", rep.Packages[i].ImportPath, rep.Packages[i-1].ImportPath)
		}
	}
	if peak > bound {
		t.Errorf("streamed peak live heap %d bytes > %d", peak, bound)
	}
	if testing.Short() {
		return
	}
	var l *buildlog.Log
	whole := heapPeak(func() {
		var err error
		l, err = buildlog.Parse(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("control: buildlog.Parse of the same log holds %.1f MB (%d records)", float64(whole)/(1<<20), len(l.Records))
	if whole <= bound {
		t.Errorf("control: the whole-log parse stays under the bound too (%d bytes): the bound tests nothing", whole)
	}
}
