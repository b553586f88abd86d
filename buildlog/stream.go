package buildlog

import (
	"io"
	"iter"
	"runtime"
)

// maxPending bounds the records Stream holds back while it waits for
// their package to be named: past it, the oldest are handed on without
// an import path, so a log that never names them cannot grow memory.
const maxPending = 1 << 16

// Stream reads a build log and hands each record, block and host link to
// yield as it is read; yield returning false stops the reading. It keeps
// no item once yield returned: memory stays flat whatever the size of the
// log. It returns the summary of the log (Parser.Summary: Records, Blocks
// and HostLinks empty), complete when the whole input was read.
//
// Records come with the import path Parse gives them: a record whose
// package is named only later in the same build (pkg-config runs before
// cgo names the package, `mkdir -p $WORK/b002/` before the compile names
// b002) is held back until it is, and handed on then, so records do not
// always come in input order: their Line tells where they were. What is
// held is only those records, at most maxPending of them, and is
// released at the next WORK= line (a new build) or the end of the input.
//
// The error is non-nil only when r fails; the items read before were
// handed on.
func Stream(r io.Reader, yield func(Item) bool) (Log, error) {
	p := NewParser(r)
	a := newAttributor(yield)
	for {
		it, err := p.Next()
		if err == io.EOF {
			a.flush()
			break
		}
		if err != nil {
			a.flush()
			return p.Summary(), err
		}
		if !a.add(it) {
			break
		}
	}
	return p.Summary(), nil
}

// StreamAll is Stream for a consumer that takes every item: the same
// items, in the same order, and the same summary and error. With more
// than one core (GOMAXPROCS) the parser runs on a goroutine of its own,
// a batch of items ahead, while the attribution and fn run on the
// caller's goroutine, so that the consumer's work overlaps the parsing.
// A panic of the parser is raised again on the caller's goroutine.
//
// The parser hands over what it has each time it is about to read more
// input, so that a consumer of a live build (a pipe) gets each item when
// go prints it, not when a batch is full or go exits.
func StreamAll(r io.Reader, o StreamOptions, fn func(Item)) (Log, error) {
	hr := &handOverReader{r: r}
	p := NewParser(hr)
	p.noBodies = o.NoHeredocBodies
	a := newAttributor(func(it Item) bool {
		fn(it)
		return true
	})
	if runtime.GOMAXPROCS(0) < 2 {
		for {
			it, err := p.Next()
			if err == io.EOF {
				a.flush()
				return p.Summary(), nil
			}
			if err != nil {
				a.flush()
				return p.Summary(), err
			}
			a.add(it)
		}
	}
	// The messages of a block are parsed on this goroutine, not the
	// parser's: the parser is the longer of the two.
	p.deferMessages = true
	batches := make(chan []Item, 2)
	free := make(chan []Item, 4)
	var (
		readErr error
		panicV  any
	)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				panicV = v
			}
			close(batches)
		}()
		buf := make([]Item, 0, streamBatch)
		send := func() {
			batches <- buf
			select {
			case buf = <-free:
			default:
				buf = make([]Item, 0, streamBatch)
			}
		}
		// Run by the parser on this goroutine, before a read that may
		// wait for the writer.
		hr.before = func() {
			if len(buf) > 0 {
				send()
			}
		}
		for {
			it, err := p.Next()
			if err != nil {
				if err != io.EOF {
					readErr = err
				}
				break
			}
			buf = append(buf, it)
			if len(buf) == streamBatch {
				send()
			}
		}
		if len(buf) > 0 {
			batches <- buf
		}
	}()
	for b := range batches {
		for _, it := range b {
			if bl := it.Block; bl != nil && len(bl.Lines) > 0 {
				bl.Messages = parseMessages(bl.Lines)
			}
			a.add(it)
		}
		clear(b)
		select {
		case free <- b[:0]:
		default:
		}
	}
	// batches is closed: the parser's goroutine is done with p.
	if panicV != nil {
		panic(panicV)
	}
	a.flush()
	return p.Summary(), readErr
}

// handOverReader runs before before each read of r.
type handOverReader struct {
	r      io.Reader
	before func()
}

func (h *handOverReader) Read(b []byte) (int, error) {
	if h.before != nil {
		h.before()
	}
	return h.r.Read(b)
}

// StreamOptions changes what StreamAll hands on.
type StreamOptions struct {
	// NoHeredocBodies leaves Record.Body empty: the files go build
	// writes (importcfg, cgo's flags) are still read for the packages
	// they name, but not kept as strings, for a consumer that reads
	// commands only.
	NoHeredocBodies bool
}

// streamBatch is how many items StreamAll's parser hands over at once.
const streamBatch = 256

// Items is Stream as an iterator over the items of r; err, when not nil,
// receives Stream's error once the iteration ends.
func Items(r io.Reader, err *error) iter.Seq[Item] {
	return func(yield func(Item) bool) {
		_, e := Stream(r, yield)
		if err != nil {
			*err = e
		}
	}
}

// held is a record waiting for its package to be named.
type held struct {
	rec  *Record
	done bool
}

// attributor gives records without an import path the one their action
// (bNNN) or, for pkg-config, their directory gets later in the same
// build, as backfill does on a whole log, holding back only such records.
type attributor struct {
	yield   func(Item) bool
	stopped bool
	// Per build (between two WORK= lines).
	actions  map[string]string // bNNN -> import path (first, "main" yields to another)
	dirs     map[string]string // cgo's directory -> import path
	byAction map[string][]*held
	byDir    map[string][]*held
	queue    []*held // every held record, oldest first (to bound them)
	nheld    int
}

func newAttributor(yield func(Item) bool) *attributor {
	a := &attributor{yield: yield}
	a.reset()
	return a
}

func (a *attributor) reset() {
	if a.actions == nil {
		a.actions = map[string]string{}
		a.dirs = map[string]string{}
		a.byAction = map[string][]*held{}
		a.byDir = map[string][]*held{}
	}
	// Emptied, not made anew: a log of many builds (WORK= lines) makes
	// no maps per build.
	clear(a.actions)
	clear(a.dirs)
	clear(a.byAction)
	clear(a.byDir)
	a.queue = nil
	a.nheld = 0
}

func (a *attributor) emit(it Item) bool {
	if a.stopped {
		return false
	}
	if !a.yield(it) {
		a.stopped = true
	}
	return !a.stopped
}

// add takes the next item of the parser; false when yield stopped.
func (a *attributor) add(it Item) bool {
	r := it.Record
	if r == nil {
		return a.emit(it)
	}
	if r.Kind == RecWork {
		// A new build: what its predecessor did not name stays unnamed.
		a.flush()
		a.reset()
		return a.emit(it)
	}
	if r.ImportPath != "" {
		if r.Action != "" {
			if v := a.actions[r.Action]; v == "" || v == "main" {
				a.actions[r.Action] = r.ImportPath
				if r.ImportPath != "main" {
					a.release(a.byAction[r.Action], r.ImportPath)
					delete(a.byAction, r.Action)
				}
			}
		}
		if r.Step == "cgo" && r.Dir != "" {
			if a.dirs[r.Dir] == "" {
				a.dirs[r.Dir] = r.ImportPath
				a.release(a.byDir[r.Dir], r.ImportPath)
				delete(a.byDir, r.Dir)
			}
		}
	}
	if r.ImportPath != "" && r.ImportPath != "main" {
		return a.emit(it)
	}
	// Named by its action already?
	if v := a.actions[r.Action]; r.Action != "" && v != "" && v != "main" {
		r.ImportPath = v
		return a.emit(it)
	}
	if v := a.dirs[r.Dir]; r.ImportPath == "" && r.Step == "pkg-config" && r.Dir != "" && v != "" && r.Action == "" {
		r.ImportPath = v
		return a.emit(it)
	}
	waitAction := r.Action != ""
	waitDir := r.ImportPath == "" && r.Step == "pkg-config" && r.Dir != ""
	if !waitAction && !waitDir {
		return a.emit(it)
	}
	h := &held{rec: r}
	if waitAction {
		a.byAction[r.Action] = append(a.byAction[r.Action], h)
	}
	if waitDir {
		a.byDir[r.Dir] = append(a.byDir[r.Dir], h)
	}
	a.queue = append(a.queue, h)
	a.nheld++
	for a.nheld > maxPending && len(a.queue) > 0 {
		// Hand on the oldest as it is.
		h := a.queue[0]
		a.queue = a.queue[1:]
		if !h.done {
			h.done = true
			a.nheld--
			if !a.emit(Item{Record: h.rec}) {
				return false
			}
		}
	}
	return !a.stopped
}

// release hands on the held records now named path.
func (a *attributor) release(hs []*held, path string) {
	for _, h := range hs {
		if h.done {
			continue
		}
		h.done = true
		a.nheld--
		if h.rec.ImportPath == "" || h.rec.ImportPath == "main" {
			h.rec.ImportPath = path
		}
		a.emit(Item{Record: h.rec})
	}
	a.compact()
}

// compact drops handed-on records from the front of the queue.
func (a *attributor) compact() {
	i := 0
	for i < len(a.queue) && a.queue[i].done {
		i++
	}
	a.queue = a.queue[i:]
	if len(a.queue) == 0 {
		a.queue = nil
	}
}

// flush hands on every held record, with the name its action or
// directory has now ("main" included), or none.
func (a *attributor) flush() {
	for _, h := range a.queue {
		if h.done {
			continue
		}
		h.done = true
		r := h.rec
		if v := a.actions[r.Action]; r.Action != "" && v != "" {
			r.ImportPath = v
		} else if v := a.dirs[r.Dir]; r.ImportPath == "" && r.Step == "pkg-config" && v != "" {
			r.ImportPath = v
		}
		a.emit(Item{Record: r})
	}
	a.queue = nil
	a.nheld = 0
}
