package trace

import (
	"context"
	"os"
	"sync"
	"syscall"
)

// interrupt follows the user's signals during Build. The first SIGINT or
// SIGTERM is forwarded to go build's process group and cancels everything
// cgotrace would run afterwards (go env, the forensic rebuild, the
// verbose re-runs, the linker and header probes, the inspection): the
// report is then made from what go build did until then. A second signal
// kills go build's process group and calls BuildOptions.Abort.
type interrupt struct {
	mu   sync.Mutex
	sig  os.Signal
	pgid int // go build's process group while it runs, else 0
	// fwd carries the first signal to the Runner, which forwards it to
	// go build's process group.
	fwd    chan os.Signal
	hit    chan struct{} // closed at the first signal
	cancel context.CancelFunc
	abort  func(os.Signal)
	stop   chan struct{}
}

// newInterrupt watches sigs (nil: never interrupted) and returns the
// context for everything after go build, cancelled at the first signal.
func newInterrupt(ctx context.Context, sigs <-chan os.Signal, abort func(os.Signal)) (*interrupt, context.Context) {
	actx, cancel := context.WithCancel(ctx)
	in := &interrupt{fwd: make(chan os.Signal, 1), hit: make(chan struct{}), cancel: cancel, abort: abort, stop: make(chan struct{})}
	if sigs != nil {
		go in.watch(sigs)
	}
	return in, actx
}

func (in *interrupt) watch(sigs <-chan os.Signal) {
	for {
		select {
		case s, ok := <-sigs:
			if !ok {
				return
			}
			in.mu.Lock()
			first := in.sig == nil
			if first {
				in.sig = s
			}
			pg := in.pgid
			in.mu.Unlock()
			if first {
				select {
				case in.fwd <- s:
				default:
				}
				close(in.hit)
				in.cancel()
				continue
			}
			if pg > 0 {
				syscall.Kill(-pg, syscall.SIGKILL)
			}
			if in.abort != nil {
				in.abort(s)
			}
		case <-in.stop:
			return
		}
	}
}

// started records go build's process group (Cmd.Started).
func (in *interrupt) started(pid int) {
	in.mu.Lock()
	in.pgid = pid
	in.mu.Unlock()
}

// finished is called when go build has exited. After an interrupt it
// kills what is left of go build's process group (a compiler that
// ignored the signal): nothing of the build outlives cgotrace.
func (in *interrupt) finished() {
	in.mu.Lock()
	pg := in.pgid
	in.pgid = 0
	interrupted := in.sig != nil
	in.mu.Unlock()
	if interrupted && pg > 0 {
		syscall.Kill(-pg, syscall.SIGKILL)
	}
}

// signal is the first signal received, or nil.
func (in *interrupt) signal() os.Signal {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.sig
}

// close ends Build's use of the signals. With an abort hook the watch
// goes on until the caller closes Signals, so that a second signal while
// the caller writes the report still ends the process at once.
func (in *interrupt) close() {
	in.cancel()
	if in.abort == nil {
		close(in.stop)
	}
}

// SignalName is the conventional name of a signal ("SIGINT").
func SignalName(s os.Signal) string {
	switch s {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	case syscall.SIGQUIT:
		return "SIGQUIT"
	}
	return s.String()
}
