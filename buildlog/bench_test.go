package buildlog

import (
	"bytes"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/shlex"
)

// corpus concatenates the real logs whose name ends in suffix.
func corpus(b *testing.B, suffix string) []byte {
	b.Helper()
	var buf bytes.Buffer
	for _, f := range realLogs(b) {
		if !strings.HasSuffix(f, suffix) {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		buf.Write(data)
	}
	return buf.Bytes()
}

// drain runs the streaming parser over data and returns the item count.
func drain(b *testing.B, data []byte) int {
	p := NewParser(bytes.NewReader(data))
	n := 0
	for {
		_, err := p.Next()
		if err == io.EOF {
			return n
		}
		if err != nil {
			b.Fatal(err)
		}
		n++
	}
}

func benchParse(b *testing.B, suffix string) {
	data := corpus(b, suffix)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		drain(b, data)
	}
	// MB per CPU second of the whole process (GC included): steadier than
	// MB/s on a machine shared with other jobs.
	b.ReportMetric(float64(len(data))*float64(b.N)/(cpuTime()-cpu0).Seconds()/1e6, "MB/cpu-s")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkParse streams the concatenated real -x logs through NewParser.
func BenchmarkParse(b *testing.B) { benchParse(b, ".x.log") }

// BenchmarkParseJSON streams the concatenated real -json -x logs.
func BenchmarkParseJSON(b *testing.B) { benchParse(b, ".json.log") }

// BenchmarkShlexEveryLine is the naive baseline: shlex.Split on each line.
func BenchmarkShlexEveryLine(b *testing.B) {
	data := corpus(b, ".x.log")
	lines := strings.Split(string(data), "\n")
	b.SetBytes(int64(len(data)))
	cpu0 := cpuTime()
	for b.Loop() {
		for _, l := range lines {
			shlex.Split(l) //nolint:errcheck // baseline only
		}
	}
	b.ReportMetric(float64(len(data))*float64(b.N)/(cpuTime()-cpu0).Seconds()/1e6, "MB/cpu-s")
}

// BenchmarkSplitCommand measures the tokenizer alone on every line.
func BenchmarkSplitCommand(b *testing.B) {
	data := corpus(b, ".x.log")
	lines := strings.Split(string(data), "\n")
	b.SetBytes(int64(len(data)))
	cpu0 := cpuTime()
	for b.Loop() {
		for _, l := range lines {
			SplitCommand(l) //nolint:errcheck // throughput only
		}
	}
	b.ReportMetric(float64(len(data))*float64(b.N)/(cpuTime()-cpu0).Seconds()/1e6, "MB/cpu-s")
}
