package pkgconfig

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds arbitrary bytes to the .pc parser, seeded from the pkgconf
// test fixtures. It must never panic, and what it returns must render.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/pkgconf-tests/tests/*/*.pc")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("a=\\\r\n#\\#${a}${\nName: x\nRequires: a >= 1, b<2 c != , d =< 3\nLibs: -isystem /x '\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx := &ParseContext{Sysroot: "/sr", SysrootSet: true}
		p := Parse(data, "/d/x.pc", ctx)
		for _, l := range [][]Fragment{p.Cflags, p.Libs, p.CflagsPrivate, p.LibsPrivate} {
			fl := fragList(l)
			_ = fl.render()
			_, _ = SplitPkgConfigOutput(fl.render())
		}
		if p.Version != "" {
			_ = CompareVersion(p.Version, "1.0")
		}
		_ = Parse(data, "y.pc", nil)
	})
}
