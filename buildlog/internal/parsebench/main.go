// Command parsebench streams a build log through buildlog.NewParser and
// prints its size, the time taken and the throughput, for
// scripts/bench-buildlog.sh. It keeps nothing but counters, so its peak
// memory is the parser's own.
//
//	parsebench FILE   (or - for stdin)
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"

	"github.com/cgotrace/cgotrace/buildlog"
)

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: parsebench FILE|-")
		os.Exit(2)
	}
	var in io.Reader = os.Stdin
	if os.Args[1] != "-" {
		f, err := os.Open(os.Args[1])
		if err != nil {
			fmt.Fprintln(os.Stderr, "parsebench:", err)
			os.Exit(2)
		}
		defer f.Close()
		in = f
	}
	cr := &countingReader{r: bufio.NewReaderSize(in, 1<<20)}
	cpu0 := cpuTime()
	start := time.Now()
	p := buildlog.NewParser(cr)
	var recs, blocks, hosts int
	for {
		it, err := p.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "parsebench:", err)
			os.Exit(1)
		}
		switch {
		case it.Record != nil:
			recs++
		case it.Block != nil:
			blocks++
		case it.HostLink != nil:
			hosts++
		}
	}
	d := time.Since(start)
	cpu := cpuTime() - cpu0
	s := p.Summary()
	fmt.Printf("bytes=%d lines=%d records=%d blocks=%d host_links=%d skipped=%d\n",
		cr.n, s.Lines, recs, blocks, hosts, s.Skipped)
	fmt.Printf("wall=%.3fs MB/s(wall)=%.1f cpu=%.3fs MB/s(cpu)=%.1f\n",
		d.Seconds(), float64(cr.n)/d.Seconds()/1e6, cpu.Seconds(), float64(cr.n)/cpu.Seconds()/1e6)
}

// cpuTime is the user+system CPU time of this process so far: on a shared
// machine it measures the parser's cost better than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
