package trace

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
)

// BenchmarkAnalyzeLog is `cgotrace analyze` in process: AnalyzeWith of a
// 10 MB -x log made as scripts/bench-analyze.sh makes its logs (the -x
// logs of buildlog/testdata/logs concatenated, repeated to the size),
// with the GC settings analyze uses (GOGC=400, a 48 MiB soft limit).
func BenchmarkAnalyzeLog(b *testing.B) {
	seeds, err := filepath.Glob("../buildlog/testdata/logs/*.x.log")
	if err != nil || len(seeds) == 0 {
		b.Fatal("no -x logs in buildlog/testdata/logs")
	}
	var seed []byte
	for _, f := range seeds {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		seed = append(seed, data...)
	}
	data := bytes.Repeat(seed, 10<<20/len(seed)+1)[:10<<20]
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(48 << 20))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := AnalyzeWith(bytes.NewReader(data), "bench", AnalyzeOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(data))*float64(b.N)/b.Elapsed().Seconds()/1e6, "MB/s")
}
