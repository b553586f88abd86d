package elfinspect

import (
	"encoding/json"
	"io"
	"testing"
)

// BenchmarkInspectUsrBin inspects every ELF file of /usr/bin with one
// Inspector (whole trees resolved), as `cgotrace inspect /usr/bin/*` does.
func BenchmarkInspectUsrBin(b *testing.B) {
	defer noPoison()()
	files := listELFs("/usr/bin")
	if len(files) == 0 {
		b.Skip("no ELF files in /usr/bin")
	}
	for b.Loop() {
		in := NewInspector(Options{})
		for _, f := range files {
			if _, err := in.Inspect(f); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(files))*float64(b.N)/b.Elapsed().Seconds(), "files/s")
}

// BenchmarkJSON measures encoding the result of BenchmarkInspectUsrBin.
func BenchmarkJSON(b *testing.B) {
	files := listELFs("/usr/bin")
	in := NewInspector(Options{})
	var bins []*Binary
	for _, f := range files {
		if bin, err := in.Inspect(f); err == nil {
			bins = append(bins, bin)
		}
	}
	for b.Loop() {
		enc := json.NewEncoder(io.Discard)
		enc.SetIndent("", "  ")
		if err := enc.Encode(bins); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInspectAllJSON is what `cgotrace inspect --format json
// /usr/bin/*` does in-process: parallel reads, one resolver, JSON out.
func BenchmarkInspectAllJSON(b *testing.B) {
	defer noPoison()()
	files := listELFs("/usr/bin")
	if len(files) == 0 {
		b.Skip("no ELF files in /usr/bin")
	}
	for b.Loop() {
		in := NewInspector(Options{})
		var buf []byte
		in.InspectAll(files, 2, func(_ string, bin *Binary, err error) {
			if err != nil {
				b.Fatal(err)
			}
			if buf, err = bin.AppendJSON(buf[:0]); err != nil {
				b.Fatal(err)
			}
		})
	}
	b.ReportMetric(float64(len(files))*float64(b.N)/b.Elapsed().Seconds(), "files/s")
}

// BenchmarkAppendJSON encodes the results of inspecting /usr/bin, as
// inspect --format json does.
func BenchmarkAppendJSON(b *testing.B) {
	files := listELFs("/usr/bin")
	if len(files) == 0 {
		b.Skip("no ELF files in /usr/bin")
	}
	in := NewInspector(Options{})
	var bins []*Binary
	in.InspectAll(files, 2, func(_ string, bin *Binary, err error) {
		if err == nil {
			bins = append(bins, bin)
		}
	})
	var buf []byte
	n := 0
	for b.Loop() {
		for _, bin := range bins {
			buf, _ = bin.AppendJSON(buf[:0])
			n += len(buf)
		}
	}
	b.SetBytes(int64(n / max(b.N, 1)))
}

// noPoison turns off the arena poisoning the package's tests run with
// (it costs a quarter of a benchmark's time); the returned func restores it.
func noPoison() func() {
	was := poisonArenas
	poisonArenas = false
	return func() { poisonArenas = was }
}
