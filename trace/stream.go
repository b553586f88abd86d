package trace

import (
	"container/list"
	"hash/maphash"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/cgotrace/cgotrace/buildlog"
)

// heldBudget bounds the bytes of records kept for pure-Go packages while
// the log is read: a package that fails later in the log gets every step
// while its records are still held (the most recently active packages),
// and only its step counts once they were counted and dropped.
var heldBudget = 2 << 20

// logExtra is what a streamed log counted instead of keeping: the steps
// of pure-Go packages, and steps identical to one kept (a log of several
// builds of the same package). Nil for a log kept whole.
type logExtra struct {
	// pkgs has one entry per package that ran a command.
	pkgs map[string]*pkgTally
	// linked are the packages with a Go link, in log order.
	linked []string
}

// pkgTally is what the stream knows of a package whatever it keeps.
type pkgTally struct {
	// firstLine is the line of its first countable command (0: none).
	firstLine int
	// ran is true when it ran a command; compiled, the Go compiler.
	ran, compiled bool
	// repeated is the number of commands identical to a kept one.
	repeated int
	// folded counts the commands dropped, by kind (stepKinds order);
	// nil when none was.
	folded *[len(stepKinds)]int32
}

// stepKinds are the step kinds of report-v1, in the order of
// pkgTally.folded.
var stepKinds = [...]string{KindPkgConfig, KindCgo, KindCCCompile, KindCCLink, KindCgoDynimport,
	KindCompile, KindAsm, KindPack, KindLink, KindHostLink, KindOther}

func stepKindIndex(kind string) int {
	for i, k := range stepKinds {
		if k == kind {
			return i
		}
	}
	return len(stepKinds) - 1 // other
}

// foldedCounts is the counts of the package's dropped commands, or nil.
func (x *logExtra) foldedCounts(path string) map[string]int {
	t := x.pkgs[path]
	if t == nil || t.folded == nil {
		return nil
	}
	m := map[string]int{}
	for i, n := range t.folded {
		if n > 0 {
			m[stepKinds[i]] = int(n)
		}
	}
	return m
}

// keeper reads a build log as a stream and keeps, per package, what a
// diagnosis or a renderer uses: every command of a package with a cgo
// step, a pkg-config call or a failure (identical commands once), every
// distinct block and host link; of a pure-Go package that built, its
// step counts. allSteps keeps every command, as Parse does.
type keeper struct {
	all   bool
	seed  maphash.Seed
	recs  []buildlog.Record
	pkgs  map[string]*keptPkg
	lru   list.List // pure-Go packages holding records, least recent first
	bytes int       // held by them

	blocks    []buildlog.Block
	blockSeen map[uint64][]int
	hosts     []buildlog.HostLink
	hostSeen  map[uint64][]int
	loose     map[uint64][]int // unattributed commands kept: index in recs

	x logExtra
}

type keptPkg struct {
	path  string
	tally *pkgTally
	keep  bool
	held  []buildlog.Record
	bytes int
	elem  *list.Element
	seen  map[uint64][]int // kept commands: index in recs
}

func newKeeper(allSteps bool) *keeper {
	return &keeper{
		all: allSteps, seed: maphash.MakeSeed(),
		pkgs: map[string]*keptPkg{}, blockSeen: map[uint64][]int{}, hostSeen: map[uint64][]int{},
		loose: map[uint64][]int{},
		x:     logExtra{pkgs: map[string]*pkgTally{}},
	}
}

// streamLog reads r through buildlog.Stream into a keeper.
func streamLog(r io.Reader, allSteps bool) (*buildlog.Log, *logExtra, error) {
	return streamLogFunc(r, allSteps, nil)
}

// streamLogFunc is streamLog that also hands each record to onRecord (when
// not nil) as it is read.
func streamLogFunc(r io.Reader, allSteps bool, onRecord func(*buildlog.Record)) (*buildlog.Log, *logExtra, error) {
	k := newKeeper(allSteps)
	// The keeper reads commands only (record): heredoc bodies unread.
	sum, err := buildlog.StreamAll(r, buildlog.StreamOptions{NoHeredocBodies: true}, func(it buildlog.Item) {
		if onRecord != nil && it.Record != nil {
			onRecord(it.Record)
		}
		k.add(it)
	})
	if err != nil {
		return nil, nil, err
	}
	l := k.finish(sum)
	return l, &k.x, nil
}

func (k *keeper) add(it buildlog.Item) {
	switch {
	case it.Record != nil:
		k.record(it.Record)
	case it.Block != nil:
		b := it.Block
		if !k.all {
			// A block identical to one kept was judged with it:
			// blockFailed and keepPkg would do nothing new.
			h := k.hashBlock(b)
			for _, i := range k.blockSeen[h] {
				if sameBlock(&k.blocks[i], b) {
					return
				}
			}
			k.blockSeen[h] = append(k.blockSeen[h], len(k.blocks))
		}
		if blockFailed(b) {
			k.keepPkg(b.ImportPath)
		}
		k.blocks = append(k.blocks, *b)
	case it.HostLink != nil:
		h := it.HostLink
		k.keepPkg(h.ImportPath)
		if !k.all {
			hh := k.hashStrings(append([]string{h.ImportPath, boolStr(h.Failed)}, h.Argv...))
			for _, i := range k.hostSeen[hh] {
				if sameHost(&k.hosts[i], h) {
					if h.ImportPath != "" {
						k.pkg(h.ImportPath).tally.repeated++ // a host-link step
					}
					return
				}
			}
			k.hostSeen[hh] = append(k.hostSeen[hh], len(k.hosts))
		}
		k.hosts = append(k.hosts, *h)
	}
}

// countable is whether packagesFromLog makes a step of the record.
func countable(r *buildlog.Record) bool {
	return r.Suffix != "internal" && !strings.HasPrefix(r.Suffix, "test for internal linking errors")
}

func (k *keeper) record(r *buildlog.Record) {
	if r.Kind != buildlog.RecCommand {
		return // trace reads commands only
	}
	path := r.ImportPath
	if path == "" {
		if !k.all {
			h := k.hashRecord(r)
			for _, i := range k.loose[h] {
				if sameRecord(&k.recs[i], r) {
					return
				}
			}
			k.loose[h] = append(k.loose[h], len(k.recs))
		}
		k.recs = append(k.recs, *r)
		return
	}
	p := k.pkg(path)
	p.tally.ran = true
	switch r.Step {
	case KindCompile:
		p.tally.compiled = true
	case KindLink:
		if !slices.Contains(k.x.linked, path) {
			k.x.linked = append(k.x.linked, path)
		}
	}
	if countable(r) && (p.tally.firstLine == 0 || r.Line < p.tally.firstLine) {
		p.tally.firstLine = r.Line
	}
	if cgoStepKinds[r.Step] {
		k.keepPkg(path)
	}
	if p.keep || k.all {
		k.keepRecord(p, r)
		return
	}
	// A pure-Go package so far: hold its records while it is recent.
	n := recordSize(r)
	p.held = append(p.held, *r)
	p.bytes += n
	k.bytes += n
	if p.elem == nil {
		p.elem = k.lru.PushBack(p)
	} else {
		k.lru.MoveToBack(p.elem)
	}
	for k.bytes > heldBudget && k.lru.Len() > 0 {
		k.fold(k.lru.Front().Value.(*keptPkg))
	}
}

// keepRecord keeps a command of a package whose commands are all kept;
// one identical to a command kept already is counted instead.
func (k *keeper) keepRecord(p *keptPkg, r *buildlog.Record) {
	if !k.all {
		if p.seen == nil {
			p.seen = map[uint64][]int{}
		}
		h := k.hashRecord(r)
		for _, i := range p.seen[h] {
			if sameRecord(&k.recs[i], r) {
				if countable(r) {
					p.tally.repeated++
				}
				return
			}
		}
		p.seen[h] = append(p.seen[h], len(k.recs))
	}
	k.recs = append(k.recs, *r)
}

// keepPkg makes every command of the package kept from now on, with the
// ones it holds.
func (k *keeper) keepPkg(path string) {
	if path == "" {
		return
	}
	p := k.pkg(path)
	if p.keep {
		return
	}
	p.keep = true
	held := p.held
	k.release(p)
	for i := range held {
		k.keepRecord(p, &held[i])
	}
}

// pkg is the package's state, made on first use.
func (k *keeper) pkg(path string) *keptPkg {
	p := k.pkgs[path]
	if p == nil {
		t := &pkgTally{}
		p = &keptPkg{path: path, tally: t}
		k.pkgs[path] = p
		k.x.pkgs[path] = t
	}
	return p
}

// release takes the package out of the held ones.
func (k *keeper) release(p *keptPkg) {
	if p.elem != nil {
		k.lru.Remove(p.elem)
		p.elem = nil
	}
	k.bytes -= p.bytes
	p.bytes = 0
	p.held = nil
}

// fold counts the records the package holds, and drops them.
func (k *keeper) fold(p *keptPkg) {
	c := p.tally.folded
	if c == nil {
		c = new([len(stepKinds)]int32)
		p.tally.folded = c
	}
	for i := range p.held {
		if r := &p.held[i]; countable(r) {
			c[stepKindIndex(r.Step)]++
		}
	}
	k.release(p)
}

// finish is the log kept: the commands in input order, the distinct
// blocks and host links, and the summary of the stream.
func (k *keeper) finish(sum buildlog.Log) *buildlog.Log {
	for e := k.lru.Front(); e != nil; e = e.Next() {
		p := e.Value.(*keptPkg)
		k.recs = append(k.recs, p.held...)
	}
	sort.SliceStable(k.recs, func(i, j int) bool { return k.recs[i].Line < k.recs[j].Line })
	l := sum
	l.Records, l.Blocks, l.HostLinks = k.recs, k.blocks, k.hosts
	k.recs, k.blocks, k.hosts, k.pkgs = nil, nil, nil, nil
	k.loose, k.blockSeen, k.hostSeen = nil, nil, nil
	return &l
}

func recordSize(r *buildlog.Record) int {
	n := 256 + len(r.Raw) + len(r.Dir) + len(r.Output) + len(r.ImportPath) + len(r.Body)
	for _, a := range r.Argv {
		n += 16 + len(a)
	}
	for _, e := range r.Env {
		n += 16 + len(e)
	}
	return n
}

func (k *keeper) hashStrings(ss []string) uint64 {
	var h maphash.Hash
	h.SetSeed(k.seed)
	for _, s := range ss {
		h.WriteString(s)
		h.WriteByte(0)
	}
	return h.Sum64()
}

// hashRecord hashes what makes two commands the same step (not Line):
// each field hashed alone (maphash.String, no buffering) and mixed in
// order; sameRecord decides, a collision only costs a comparison.
func (k *keeper) hashRecord(r *buildlog.Record) uint64 {
	h := maphash.String(k.seed, r.Raw)
	for _, s := range [...]string{r.ImportPath, r.Action, r.Dir, r.Step, r.Output, r.Suffix} {
		h = (h ^ maphash.String(k.seed, s)) * 0x9e3779b97f4a7c15
	}
	return h
}

func (k *keeper) hashBlock(b *buildlog.Block) uint64 {
	var h maphash.Hash
	h.SetSeed(k.seed)
	h.WriteString(b.ImportPath)
	h.WriteByte(0)
	h.WriteString(b.Desc)
	for _, s := range b.Lines {
		h.WriteByte(0)
		h.WriteString(s)
	}
	return h.Sum64()
}

func sameRecord(a, b *buildlog.Record) bool {
	return a.Kind == b.Kind && a.ImportPath == b.ImportPath && a.Action == b.Action && a.Dir == b.Dir &&
		a.Step == b.Step && a.Output == b.Output && a.Suffix == b.Suffix && a.Body == b.Body && a.Raw == b.Raw &&
		slices.Equal(a.Env, b.Env) && slices.Equal(a.Argv, b.Argv)
}

func sameBlock(a, b *buildlog.Block) bool {
	return a.ImportPath == b.ImportPath && a.Desc == b.Desc && slices.Equal(a.Lines, b.Lines)
}

func sameHost(a, b *buildlog.HostLink) bool {
	if a.ImportPath != b.ImportPath || a.Failed != b.Failed || !slices.Equal(a.Argv, b.Argv) || len(a.ObjCopies) != len(b.ObjCopies) {
		return false
	}
	for k, v := range a.ObjCopies {
		if w, ok := b.ObjCopies[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func boolStr(b bool) string {
	if b {
		return "1"
	}
	return "0"
}
