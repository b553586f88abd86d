package buildlog

import (
	"maps"
	"strings"
	"testing"
)

// learnImportcfgRef is learnImportcfg as it was before the speed work
// (main at 5d6af07): every line of the body cut and looked at.
func (p *Parser) learnImportcfgRef(body string) {
	for body != "" {
		var line string
		line, body, _ = strings.Cut(body, "\n")
		rest, ok := strings.CutPrefix(line, "packagefile ")
		if !ok {
			continue
		}
		ip, file, ok := strings.Cut(rest, "=")
		if !ok || !strings.HasSuffix(file, "/_pkg_.a") {
			continue
		}
		if act := p.actionOf(file); act != "" {
			p.actions[act] = ip
			p.sure[act] = true
		}
	}
}

// FuzzLearnImportcfg checks that learnImportcfg, which looks only at the
// lines ending in /_pkg_.a, learns what the line-by-line reading did.
func FuzzLearnImportcfg(f *testing.F) {
	f.Add("# import config\npackagefile fmt=/root/.cache/go-build/aa/bb-d\npackagefile example.com/a=$WORK/b002/_pkg_.a\n", "/tmp/go-build1")
	f.Add("packagefile a=$WORK/b002/_pkg_.a/_pkg_.a\npackagefile b=/tmp/w/b007/_pkg_.a", "/tmp/w")
	f.Add("packagefile c=x/_pkg_.a\n/_pkg_.a\npackagefile d=$WORK/b3/_pkg_.a\npackagefile d=$WORK/b3/_pkg_.a.x\n", "")
	f.Add("packagefile =$WORK/b1/_pkg_.a\n\n\npackagefile e=f=$WORK/b9/_pkg_.a", "$WORK")
	f.Fuzz(func(t *testing.T, body, work string) {
		a, b := NewParser(strings.NewReader("")), NewParser(strings.NewReader(""))
		for _, p := range []*Parser{a, b} {
			p.work, p.workB = work, work+"/b"
		}
		a.learnImportcfg(body)
		b.learnImportcfgRef(body)
		if !maps.Equal(a.actions, b.actions) || !maps.Equal(a.sure, b.sure) {
			t.Fatalf("learnImportcfg(%q): %v %v, want %v %v", body, a.actions, a.sure, b.actions, b.sure)
		}
	})
}
