package render

import (
	"bytes"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cgotrace/cgotrace/elfinspect"
	"github.com/cgotrace/cgotrace/trace"
	"github.com/cgotrace/cgotrace/trace/diag"
)

// The -update flag may be defined by another test file of this package
// too; define it only once, whichever file gets there first.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files in testdata")
	}
}

func htmlUpdateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// The fixtures below copy argv and messages from a real
// `go build -x -ldflags=-v` of ../shared/scenarios/library-dev-missing-basic
// (Go 1.26.8, gcc 12, GNU ld 2.40), with the scratch directory renamed.

const htmlFxDir = "/src/library-dev-missing-basic"

func htmlFxCompile(out, src string) trace.Step {
	return trace.Step{
		Action: "b001", Kind: trace.KindCCCompile, Dir: "$WORK/b001",
		Env: map[string]string{"TERM": "dumb"},
		Argv: strings.Fields("gcc -I " + htmlFxDir + " -fPIC -m64 -pthread -Wl,--no-gc-sections -fmessage-length=0 " +
			"-ffile-prefix-map=$WORK/b001=/tmp/go-build -gno-record-gcc-switches -I $WORK/b001/ -O2 -g " +
			"-frandom-seed=M_37QAepzI0M4ZbDPCih -o " + out + " -c " + src),
		Output: out,
	}
}

// htmlFixtureDevMissing is a failing build: lib/ holds only libgizmo.so.1.
func htmlFixtureDevMissing() *trace.Report {
	hostLink := strings.Fields("/usr/bin/gcc -m64 -Wl,--build-id=0x8dfe2c901be3e25fe413ef9c573cce77d44884e5 -o $WORK/b001/exe/a.out " +
		"-Wl,--export-dynamic-symbol=_cgo_panic -Wl,--export-dynamic-symbol=_cgo_topofstack " +
		"-Wl,--export-dynamic-symbol=crosscall2 -Wl,--compress-debug-sections=zlib /tmp/go-link-2553794474/go.o " +
		"/tmp/go-link-2553794474/000000.o /tmp/go-link-2553794474/000001.o /tmp/go-link-2553794474/000002.o " +
		"-O2 -g -L" + htmlFxDir + "/lib -lgizmo -O2 -g -lpthread -no-pie")
	return &trace.Report{
		SchemaVersion: trace.SchemaVersion,
		Tool:          trace.Tool{Name: "cgotrace", Version: "v0.3.0"},
		Command:       trace.Command{Argv: []string{"go", "build", "-o", "app", "."}, Dir: htmlFxDir, ExitCode: 1},
		Toolchain: &trace.Toolchain{
			GoVersion: "go1.26.8", GOOS: "linux", GOARCH: "amd64", CgoEnabled: "1",
			CC: "gcc", CXX: "g++", CCTarget: "x86_64-linux-gnu", PkgConfig: "/usr/bin/pkg-config",
			Env: map[string]string{"CGO_ENABLED": "1", "PATH": "/usr/local/go/bin:/usr/bin:/bin"},
		},
		Packages: []*trace.Package{{
			ImportPath: "example.com/library-dev-missing-basic",
			Dir:        htmlFxDir,
			Failed:     true,
			Directives: []trace.Directive{
				{File: "main.go", Line: 3, Verb: "LDFLAGS", Args: []string{"-L${SRCDIR}/lib", "-lgizmo"}},
			},
			Steps: []trace.Step{
				{
					Action: "b001", Kind: trace.KindCgo, Dir: htmlFxDir,
					Env: map[string]string{"TERM": "dumb", "CGO_LDFLAGS": ""},
					Argv: []string{"/usr/local/go/pkg/tool/linux_amd64/cgo", "-objdir", "$WORK/b001/",
						"-importpath", "example.com/library-dev-missing-basic",
						`-ldflags="-O2" "-g" "-L` + htmlFxDir + `/lib" "-lgizmo"`, "--", "-I", "$WORK/b001/", "-O2", "-g", "./main.go"},
				},
				htmlFxCompile("$WORK/b001/_x001.o", "_cgo_export.c"),
				htmlFxCompile("$WORK/b001/_x002.o", "main.cgo2.c"),
				htmlFxCompile("$WORK/b001/_cgo_main.o", "_cgo_main.c"),
				{
					Action: "b001", Kind: trace.KindCCLink, Dir: htmlFxDir,
					Env: map[string]string{"TERM": "dumb"},
					Argv: strings.Fields("gcc -I . -fPIC -m64 -pthread -Wl,--no-gc-sections -fmessage-length=0 " +
						"-ffile-prefix-map=$WORK/b001=/tmp/go-build -gno-record-gcc-switches -o $WORK/b001/_cgo_.o " +
						"$WORK/b001/_cgo_main.o $WORK/b001/_x001.o $WORK/b001/_x002.o -O2 -g -L" + htmlFxDir + "/lib -lgizmo"),
					Output: "$WORK/b001/_cgo_.o",
				},
				{
					Action: "b001", Kind: trace.KindLink, Dir: htmlFxDir,
					Env: map[string]string{"GOROOT": "/usr/local/go"},
					Argv: strings.Fields("/usr/local/go/pkg/tool/linux_amd64/link -o $WORK/b001/exe/a.out " +
						"-importcfg $WORK/b001/importcfg.link -buildmode=exe -v -extld=gcc $WORK/b001/_pkg_.a"),
					Output: "$WORK/b001/exe/a.out",
					Failed: true,
				},
				{
					Action: "b001", Kind: trace.KindHostLink, Dir: htmlFxDir,
					Argv: hostLink, Output: "$WORK/b001/exe/a.out", Failed: true,
					Rerun: "/usr/bin/ld: cannot find -lgizmo: No such file or directory\n" +
						"collect2: error: ld returned 1 exit status\n",
				},
			},
			Flags: []trace.Flag{
				{Flag: "-L" + htmlFxDir + "/lib", Stage: "link", Origin: trace.OriginDirective, Detail: "main.go:3"},
				{Flag: "-lgizmo", Stage: "link", Origin: trace.OriginDirective, Detail: "main.go:3"},
				{Flag: "-O2", Stage: "compile", Origin: trace.OriginGo},
				{Flag: "-g", Stage: "compile", Origin: trace.OriginGo},
			},
		}},
		Diagnoses: []diag.Diagnosis{
			{
				Code: diag.LibraryDevMissing, Severity: diag.Error,
				Package: "example.com/library-dev-missing-basic",
				Summary: "the linker cannot find -lgizmo, but the runtime library libgizmo.so.1 is installed",
				Detail:  "found " + htmlFxDir + "/lib/libgizmo.so.1; the development link libgizmo.so is missing",
				Fix:     "install the -dev package of gizmo, or create the link: ln -s libgizmo.so.1 " + htmlFxDir + "/lib/libgizmo.so",
				Subject: map[string]string{"library": "gizmo"},
				Source:  &diag.Source{File: "main.go", Line: 3},
				Evidence: []string{
					"/usr/local/go/pkg/tool/linux_amd64/link: running gcc failed: exit status 1",
					"/usr/bin/ld: cannot find -lgizmo: No such file or directory",
					"collect2: error: ld returned 1 exit status",
				},
			},
			{
				Code: diag.LinkError, Severity: diag.Warning,
				Package:  "example.com/library-dev-missing-basic",
				Summary:  "the dynimport test link of _cgo_.o failed (go build hides its message)",
				Evidence: []string{"gcc -I " + htmlFxDir + " -fPIC -m64 -pthread ... -lgizmo # test for internal linking errors (failed)"},
			},
		},
	}
}

// htmlFixtureDevMissingPC is the same failure with the library named
// through pkg-config, so every stage of the chain has a box: #cgo
// pkg-config line → pkg-config (gizmo.pc) → gcc -c → link. The pkg-config
// output is pkgconf 1.8.1's for that .pc file.
func htmlFixtureDevMissingPC() *trace.Report {
	r := htmlFixtureDevMissing()
	p := r.Packages[0]
	pc := htmlFxDir + "/pkgconfig/gizmo.pc"
	p.Directives = []trace.Directive{{File: "main.go", Line: 3, Verb: "pkg-config", Args: []string{"gizmo"}}}
	p.PkgConfig = []trace.PkgConfigCall{
		{Argv: []string{"pkg-config", "--cflags", "--", "gizmo"}, Stdout: "-I" + htmlFxDir + "/include \n", PCFiles: []string{pc}},
		{Argv: []string{"pkg-config", "--libs", "--", "gizmo"}, Stdout: "-L" + htmlFxDir + "/lib -lgizmo \n", PCFiles: []string{pc}},
	}
	p.Steps = append([]trace.Step{
		{Kind: trace.KindPkgConfig, Dir: htmlFxDir, Argv: p.PkgConfig[0].Argv},
		{Kind: trace.KindPkgConfig, Dir: htmlFxDir, Argv: p.PkgConfig[1].Argv},
	}, p.Steps...)
	p.Flags = []trace.Flag{
		{Flag: "-I" + htmlFxDir + "/include", Stage: "compile", Origin: trace.OriginPkgConfig, Detail: "gizmo"},
		{Flag: "-L" + htmlFxDir + "/lib", Stage: "link", Origin: trace.OriginPkgConfig, Detail: "gizmo"},
		{Flag: "-lgizmo", Stage: "link", Origin: trace.OriginPkgConfig, Detail: "gizmo"},
	}
	r.Toolchain.Env["PKG_CONFIG_PATH"] = htmlFxDir + "/pkgconfig"
	r.Diagnoses[0].Detail += "; -L" + htmlFxDir + "/lib -lgizmo come from " + pc
	r.Diagnoses[0].Fix = "install the -dev package of gizmo, or create the link: ln -s libgizmo.so.1 " + htmlFxDir + "/lib/libgizmo.so"
	return r
}

// htmlFixturePkgConfig fails at pkg-config; nothing after it ran.
func htmlFixturePkgConfig() *trace.Report {
	const dir = "/src/pkg-config-package-not-found-basic"
	stderr := "Package libfrobnicate was not found in the pkg-config search path.\n" +
		"Perhaps you should add the directory containing `libfrobnicate.pc'\n" +
		"to the PKG_CONFIG_PATH environment variable\n" +
		"Package 'libfrobnicate', required by 'virtual:world', not found\n"
	return &trace.Report{
		SchemaVersion: trace.SchemaVersion,
		Tool:          trace.Tool{Name: "cgotrace", Version: "v0.3.0"},
		Command:       trace.Command{Argv: []string{"go", "build", "-o", "app", "."}, Dir: dir, ExitCode: 1},
		Packages: []*trace.Package{{
			ImportPath: "example.com/pkg-config-package-not-found-basic",
			Dir:        dir,
			Failed:     true,
			Directives: []trace.Directive{{File: "main.go", Line: 3, Verb: "pkg-config", Args: []string{"libfrobnicate"}}},
			PkgConfig: []trace.PkgConfigCall{{
				Argv: []string{"pkg-config", "--cflags", "--", "libfrobnicate"}, ExitCode: 1, Stderr: stderr,
			}},
			Steps: []trace.Step{{Kind: trace.KindPkgConfig, Dir: dir, Argv: []string{"pkg-config", "--cflags", "--", "libfrobnicate"}, Failed: true}},
		}},
		Diagnoses: []diag.Diagnosis{{
			Code: diag.PkgConfigPackageNotFound, Severity: diag.Error,
			Package:  "example.com/pkg-config-package-not-found-basic",
			Summary:  "pkg-config has no libfrobnicate.pc on its search path",
			Detail:   "searched: /usr/local/lib/x86_64-linux-gnu/pkgconfig /usr/local/lib/pkgconfig /usr/local/share/pkgconfig /usr/lib/x86_64-linux-gnu/pkgconfig /usr/lib/pkgconfig /usr/share/pkgconfig",
			Fix:      "install the package that ships libfrobnicate.pc (often libfrobnicate-dev), or add its directory to PKG_CONFIG_PATH",
			Subject:  map[string]string{"pkg_config_package": "libfrobnicate"},
			Source:   &diag.Source{File: "main.go", Line: 3},
			Evidence: strings.Split(strings.TrimSuffix("# example.com/pkg-config-package-not-found-basic\n# [pkg-config --cflags  -- libfrobnicate]\n"+stderr, "\n"), "\n"),
		}},
	}
}

// htmlFixtureRuntime built fine; its binary needs a library the loader
// will not find.
func htmlFixtureRuntime() *trace.Report {
	const dir = "/src/runtime-library-missing-basic"
	f := elfinspect.Finding{
		Kind: elfinspect.RuntimeLibraryMissing, Severity: elfinspect.Error,
		Summary: "app needs libgreet.so.1, which resolves to no file",
		Fix:     "add a RUNPATH (-ldflags=-r=" + dir + "/lib, or #cgo LDFLAGS: -Wl,-rpath,${SRCDIR}/lib), or install libgreet",
		Subject: map[string]string{"library": "libgreet.so.1"},
		Evidence: []string{"./app: error while loading shared libraries: libgreet.so.1: " +
			"cannot open shared object file: No such file or directory"},
	}
	return &trace.Report{
		SchemaVersion: trace.SchemaVersion,
		Tool:          trace.Tool{Name: "cgotrace", Version: "v0.3.0"},
		Command:       trace.Command{Argv: []string{"go", "build", "-o", "app", "."}, Dir: dir},
		Packages: []*trace.Package{{
			ImportPath: "example.com/runtime-library-missing-basic", Dir: dir,
			Directives: []trace.Directive{{File: "main.go", Line: 3, Verb: "LDFLAGS", Args: []string{"-L${SRCDIR}/lib", "-lgreet"}}},
		}},
		Diagnoses: trace.Diagnoses([]elfinspect.Finding{f}, ""),
		Binaries: []*elfinspect.Binary{{
			Path: dir + "/app", Format: "elf", Class: "ELF64", Machine: "x86-64",
			Interpreter: "/lib64/ld-linux-x86-64.so.2",
			Needed:      []string{"libgreet.so.1", "libc.so.6"},
			Libraries: []elfinspect.Library{
				{Name: "libgreet.so.1", Found: false, NeededBy: dir + "/app", Depth: 1,
					Tried: []string{"/lib/x86_64-linux-gnu/libgreet.so.1", "/usr/lib/x86_64-linux-gnu/libgreet.so.1"}},
				{Name: "libc.so.6", Path: "/lib/x86_64-linux-gnu/libc.so.6", Found: true, Via: "default", NeededBy: dir + "/app", Depth: 1},
			},
			Missing:   []string{"libgreet.so.1"},
			GlibcMin:  "2.34",
			Go:        &elfinspect.GoInfo{GoVersion: "go1.26.8", Path: "example.com/runtime-library-missing-basic"},
			Diagnoses: []elfinspect.Finding{f},
		}},
	}
}

// htmlFixtureHostile carries markup, URLs, control characters and long
// names everywhere a report string can go.
func htmlFixtureHostile() *trace.Report {
	r := htmlFixtureDevMissing()
	const evil = `<script>alert("x")</script><img src="https://evil.example/x.png">`
	p := r.Packages[0]
	p.ImportPath = "example.com/" + evil
	for i := range r.Diagnoses {
		r.Diagnoses[i].Package = p.ImportPath
	}
	p.Directives[0].Args = append(p.Directives[0].Args, "-DX="+evil)
	p.Directives = append(p.Directives, trace.Directive{File: "a\"b'<c>.go", Line: 9, Condition: "linux && !android", Verb: "CFLAGS",
		Args: []string{"-I" + strings.Repeat("/very/long/include/dir", 10)}})
	for i := 0; i < 7; i++ {
		p.Steps = append(p.Steps, htmlFxCompile(fmt.Sprintf("$WORK/b001/_x%03d.o", 10+i), fmt.Sprintf("zz_%d_%s.c", i, strings.Repeat("x", 40))))
	}
	p.Steps[1].Env["GOPROXY"] = "https://proxy.golang.org,direct"
	p.Steps[1].Rerun = "line1\x00nul \x1b[31mred\x1b[0m \xff\xfe invalid utf-8 ]]> -->"
	r.Diagnoses[0].Summary = evil + " & more"
	r.Diagnoses[0].Fix = "visit http://example.com/?a=1&b=<2>"
	r.Diagnoses[0].Evidence = append(r.Diagnoses[0].Evidence, evil, "</pre></details></main>")
	r.Diagnoses[0].Subject["<k>"] = `"v"`
	r.Command.Argv = append(r.Command.Argv, "-ldflags=-X 'main.v=1'", evil)
	return r
}

var htmlFixtures = []struct {
	name string
	r    func() *trace.Report
}{
	{"library-dev-missing", htmlFixtureDevMissing},
	{"library-dev-missing-pkg-config", htmlFixtureDevMissingPC},
	{"pkg-config-package-not-found", htmlFixturePkgConfig},
	{"runtime-library-missing", htmlFixtureRuntime},
	{"hostile", htmlFixtureHostile},
}

func htmlRenderString(t testing.TB, r *trace.Report) string {
	t.Helper()
	f, err := Lookup("html")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f(&buf, r, Options{}); err != nil {
		t.Fatalf("render html: %v", err)
	}
	return buf.String()
}

func TestHTMLGolden(t *testing.T) {
	for _, fx := range htmlFixtures {
		t.Run(fx.name, func(t *testing.T) {
			got := htmlRenderString(t, fx.r())
			if again := htmlRenderString(t, fx.r()); again != got {
				t.Fatal("two renderings of the same report differ")
			}
			path := filepath.Join("testdata", "html", fx.name+".html")
			if htmlUpdateGolden() {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run TestHTMLGolden -update)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from the rendering; rerun with -update and review the diff\n%s", path, htmlFirstDiff(string(want), got))
			}
		})
	}
}

func htmlFirstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(la) || i < len(lb); i++ {
		var x, y string
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, x, y)
		}
	}
	return ""
}

// htmlTagRE matches one markup tag. Text and attribute values are escaped, so
// a raw '<' or '>' only ever delimits a tag.
var htmlTagRE = regexp.MustCompile(`<[^<>]*>`)

func TestHTMLSelfContained(t *testing.T) {
	for _, fx := range htmlFixtures {
		t.Run(fx.name, func(t *testing.T) {
			out := htmlRenderString(t, fx.r())
			for _, tag := range htmlTagRE.FindAllString(out, -1) {
				low := strings.ToLower(tag)
				for _, bad := range []string{"http:", "https:", "//", "src=", "href=", "url(", "srcset", "xlink"} {
					if strings.Contains(low, bad) && !strings.HasPrefix(low, "</") {
						t.Errorf("tag %q cdbContains %q: the page could fetch something", tag, bad)
					}
				}
				name := strings.Fields(strings.Trim(low, "</>"))[0]
				switch name {
				case "script", "link", "img", "iframe", "object", "embed", "image", "use", "base", "form", "audio", "video", "source", "foreignobject":
					t.Errorf("page has a <%s> element: %q", name, tag)
				}
			}
			style := out[strings.Index(out, "<style>"):strings.Index(out, "</style>")]
			for _, bad := range []string{"url(", "@import", "@font-face", "http"} {
				if strings.Contains(style, bad) {
					t.Errorf("the stylesheet cdbContains %q", bad)
				}
			}
			if !strings.Contains(out, `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`) {
				t.Error("the page has no Content-Security-Policy that forbids fetching")
			}
			if !strings.Contains(out, "@media (prefers-color-scheme: dark)") {
				t.Error("no dark-mode styles")
			}
			if !utf8.ValidString(out) {
				t.Error("output is not valid UTF-8")
			}
		})
	}
}

func TestHTMLEscapes(t *testing.T) {
	out := htmlRenderString(t, htmlFixtureHostile())
	for _, raw := range []string{"<script", "<img", "</pre></details></main>", "\x00", "\x1b", "\xff"} {
		if strings.Contains(out, raw) {
			t.Errorf("raw %q reached the page", raw)
		}
	}
	for _, want := range []string{
		"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;", // html/template text
		"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=&#34;https://evil.example/x.png&#34;&gt; &amp; more",
		"visit http://example.com/?a=1&amp;b=&lt;2&gt;",
		"&lt;/pre&gt;&lt;/details&gt;&lt;/main&gt;",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("escaped text %q missing", want)
		}
	}
}

// htmlSVGDoc is the part of the diagram the tests read back with encoding/xml.
type htmlSVGDoc struct {
	XMLName xml.Name      `xml:"svg"`
	Title   string        `xml:"title"`
	Texts   []htmlSVGText `xml:"text"`
	Groups  []htmlSVGG    `xml:"g"`
}

type htmlSVGText struct {
	Class string `xml:"class,attr"`
	Body  string `xml:",chardata"`
}

type htmlSVGG struct {
	Class string        `xml:"class,attr"`
	Title string        `xml:"title"`
	Rect  *struct{}     `xml:"rect"`
	Texts []htmlSVGText `xml:"text"`
}

func htmlDiagrams(t *testing.T, out string) []htmlSVGDoc {
	t.Helper()
	var docs []htmlSVGDoc
	for rest := out; ; {
		i := strings.Index(rest, "<svg")
		if i < 0 {
			break
		}
		j := strings.Index(rest[i:], "</svg>")
		if j < 0 {
			t.Fatal("unterminated <svg>")
		}
		var d htmlSVGDoc
		if err := xml.Unmarshal([]byte(rest[i:i+j+len("</svg>")]), &d); err != nil {
			t.Fatalf("the diagram is not well-formed XML: %v", err)
		}
		docs = append(docs, d)
		rest = rest[i+j:]
	}
	return docs
}

func htmlNodesByClass(d htmlSVGDoc, class string) []htmlSVGG {
	var out []htmlSVGG
	for _, g := range d.Groups {
		if g.Class == class {
			out = append(out, g)
		}
	}
	return out
}

func TestHTMLDiagram(t *testing.T) {
	tests := []struct {
		name       string
		r          *trace.Report
		failed     []string // heads of the failed boxes
		cause      []string // heads of the source boxes
		none       int      // stages drawn as "(none)"
		more       string   // a "+N more" text, if any
		wantInFull string   // text that must be in some box's <title>
	}{
		{
			name:       "library-dev-missing",
			r:          htmlFixtureDevMissing(),
			failed:     []string{"go link", "host link (gcc)"},
			cause:      []string{"#cgo LDFLAGS:"},
			none:       1, // no pkg-config
			wantInFull: "-L" + htmlFxDir + "/lib -lgizmo -O2 -g -lpthread -no-pie",
		},
		{
			name:       "library-dev-missing-pkg-config",
			r:          htmlFixtureDevMissingPC(),
			failed:     []string{"go link", "host link (gcc)"},
			cause:      []string{"#cgo pkg-config:"},
			none:       0, // every stage observed
			wantInFull: "pkg-config --libs -- gizmo\n.pc files: " + htmlFxDir + "/pkgconfig/gizmo.pc",
		},
		{
			name:       "pkg-config",
			r:          htmlFixturePkgConfig(),
			failed:     []string{"pkg-config"},
			cause:      []string{"#cgo pkg-config:"},
			none:       2, // compile and link never ran
			wantInFull: "Package 'libfrobnicate', required by 'virtual:world', not found",
		},
		{
			name:       "hostile",
			r:          htmlFixtureHostile(),
			failed:     []string{"go link", "host link (gcc)"},
			cause:      []string{"#cgo LDFLAGS:"},
			none:       1,
			more:       "+7 more (listed below)",
			wantInFull: "a\"b'<c>.go:9: #cgo linux && !android CFLAGS: -I/very/long",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs := htmlDiagrams(t, htmlRenderString(t, tt.r))
			if len(docs) != 1 {
				t.Fatalf("%d htmlDiagrams, want 1 (one failing package)", len(docs))
			}
			d := docs[0]
			var stages []string
			for _, x := range d.Texts {
				if x.Class == "stage" {
					stages = append(stages, x.Body)
				}
			}
			if got := strings.Join(stages, " → "); got != "#CGO → PKG-CONFIG → COMPILE → LINK" {
				t.Errorf("stages %q", got)
			}
			heads := func(gs []htmlSVGG) []string {
				var hs []string
				for _, g := range gs {
					if g.Rect == nil || len(g.Texts) == 0 {
						t.Errorf("box %q has no rect or text", g.Title)
						continue
					}
					for _, x := range g.Texts {
						if x.Class == "head" {
							hs = append(hs, x.Body)
						}
					}
				}
				return hs
			}
			if got := heads(htmlNodesByClass(d, "node failed")); strings.Join(got, "|") != strings.Join(tt.failed, "|") {
				t.Errorf("failed boxes %q, want %q", got, tt.failed)
			}
			if got := heads(htmlNodesByClass(d, "node cause")); strings.Join(got, "|") != strings.Join(tt.cause, "|") {
				t.Errorf("source boxes %q, want %q", got, tt.cause)
			}
			if got := len(htmlNodesByClass(d, "node none")); got != tt.none {
				t.Errorf("%d (none) boxes, want %d", got, tt.none)
			}
			arrows := 0
			found := false
			for _, g := range d.Groups {
				if g.Class == "arrow" {
					arrows++
					continue
				}
				if strings.Contains(g.Title, tt.wantInFull) {
					found = true
				}
				for _, x := range g.Texts {
					if n := utf8.RuneCountInString(x.Body); n > svgMaxText {
						t.Errorf("label %q is %d runes, more than fit (%d)", x.Body, n, svgMaxText)
					}
				}
			}
			if arrows != 3 {
				t.Errorf("%d arrows, want 3", arrows)
			}
			if !found {
				t.Errorf("no box title holds the full text %q", tt.wantInFull)
			}
			if tt.more != "" {
				ok := false
				for _, x := range d.Texts {
					ok = ok || x.Body == tt.more
				}
				if !ok {
					t.Errorf("no %q text", tt.more)
				}
			}
		})
	}
}

func TestHTMLRootCauseFirst(t *testing.T) {
	r := htmlFixtureDevMissing()
	// A warning before the first error: the error is still the root cause.
	r.Diagnoses = append([]diag.Diagnosis{{Code: diag.StaticGlibcNSS, Severity: diag.Warning, Summary: "nss warning"}}, r.Diagnoses...)
	out := htmlRenderString(t, r)
	root := strings.Index(out, `<section id="root-cause">`)
	after := func(s string) int {
		i := strings.Index(out[root:], s)
		if i < 0 {
			return -1
		}
		return root + i
	}
	summary := after("the linker cannot find -lgizmo")
	fix := after("install the -dev package of gizmo")
	source := after("<code>main.go:3</code>")
	diagram := after("<svg")
	other := after("nss warning")
	if !(root >= 0 && root < summary && summary < fix && fix < source && source < diagram && diagram < other) {
		t.Errorf("order: root-cause %d, summary %d, fix %d, source %d, diagram %d, other %d", root, summary, fix, source, diagram, other)
	}
	if !strings.Contains(out, "<title>library-dev-missing: the linker cannot find -lgizmo") {
		t.Error("the page title does not name the root cause")
	}
}

func TestHTMLNoErrors(t *testing.T) {
	r := &trace.Report{SchemaVersion: 1, Tool: trace.Tool{Name: "cgotrace", Version: "dev"}, Command: trace.Command{Argv: []string{"go", "build"}}}
	out := htmlRenderString(t, r)
	if !strings.Contains(out, "No problems found") || strings.Contains(out, "<svg") {
		t.Error("a htmlClean report should say so and draw no diagram")
	}
	if err := renderHTML(io.Discard, nil, Options{}); err == nil {
		t.Error("nil report: no error")
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		f    func(string, int) string
		in   string
		n    int
		want string
	}{
		{svgTruncEnd, "short", 10, "short"},
		{svgTruncEnd, "0123456789abc", 10, "012345678…"},
		{svgTruncEnd, "two\nlines  here", 20, "two lines here"},
		{svgTruncMiddle, "/usr/lib/x86_64-linux-gnu/pkgconfig/sqlite3.pc", 20, "/usr/lib…/sqlite3.pc"},
		{svgTruncMiddle, "ééééééééééééééé", 5, "éé…éé"},
		{svgTruncMiddle, "abcdefgh", 3, "ab…"},
	}
	for _, tt := range tests {
		got := tt.f(tt.in, tt.n)
		if got != tt.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
		if utf8.RuneCountInString(got) > tt.n {
			t.Errorf("truncate(%q, %d) = %q is longer than %d", tt.in, tt.n, got, tt.n)
		}
	}
}

func BenchmarkHTML(b *testing.B) {
	r := htmlFixtureHostile()
	var n int64
	for b.Loop() {
		var buf bytes.Buffer
		if err := renderHTML(&buf, r, Options{}); err != nil {
			b.Fatal(err)
		}
		n = int64(buf.Len())
	}
	b.SetBytes(n)
	b.ReportMetric(float64(n), "bytes/page")
}

// FuzzHTML puts arbitrary strings where report text goes and checks that
// the page never panics, stays valid UTF-8, keeps every string escaped
// (no tag the renderer did not write, no URL in a tag) and that the
// diagram stays well-formed XML.
func FuzzHTML(f *testing.F) {
	f.Add("/usr/bin/ld: cannot find -lgizmo: No such file or directory", "main.go", "-lgizmo", "gcc")
	f.Add(`<script>alert(1)</script>`, `a"b'<c>.go`, `<img src="https://x/y.png">`, "\x00\xff\x1b[0m")
	f.Add("]]><!--", "--><svg onload=x>", "&amp;&#0;", "</title></g></svg>")
	f.Add(strings.Repeat("é", 300), strings.Repeat("/x", 200), "", "")
	// The tags the template writes, from pages that use all of them.
	allowed := map[string]bool{}
	for _, fx := range htmlFixtures {
		for _, tag := range htmlTagRE.FindAllString(htmlRenderOf(f, fx.r()), -1) {
			allowed[htmlTagName(tag)] = true
		}
	}
	f.Fuzz(func(t *testing.T, a, b, c, d string) {
		r := htmlFixtureDevMissing()
		p := r.Packages[0]
		p.ImportPath = a
		p.Directives[0].File = b
		p.Directives[0].Args = []string{c, d}
		p.Directives = append(p.Directives, trace.Directive{File: d, Line: 1, Verb: c, Condition: a})
		p.PkgConfig = []trace.PkgConfigCall{{Argv: []string{"pkg-config", a, "--", c}, ExitCode: 1, Stderr: b, PCFiles: []string{d}}}
		p.Steps[1].Argv = append(p.Steps[1].Argv, a, b)
		p.Steps[1].Env[c] = d
		p.Steps[2].Argv = []string{d}
		p.Steps[3].Argv = nil
		p.Steps[4].Output = c
		for i := range r.Diagnoses {
			r.Diagnoses[i].Package = a
			r.Diagnoses[i].Summary = b
			r.Diagnoses[i].Evidence = append(r.Diagnoses[i].Evidence, c, d)
		}
		r.Diagnoses[0].Source = &diag.Source{File: b, Line: 1}
		var buf bytes.Buffer
		if err := renderHTML(&buf, r, Options{}); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if !utf8.ValidString(out) {
			t.Fatal("invalid UTF-8")
		}
		for _, tag := range htmlTagRE.FindAllString(out, -1) {
			if name := htmlTagName(tag); !allowed[name] {
				t.Fatalf("tag %q the template never writes", tag)
			}
			if low := strings.ToLower(tag); strings.Contains(low, "http:") || strings.Contains(low, "https:") || strings.Contains(low, " on") {
				t.Fatalf("tag %q has a URL or an event handler", tag)
			}
		}
		htmlDiagrams(t, out)
	})
}

func htmlRenderOf(t testing.TB, r *trace.Report) string {
	var buf bytes.Buffer
	if err := renderHTML(&buf, r, Options{}); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func htmlTagName(tag string) string {
	f := strings.Fields(strings.ToLower(strings.Trim(tag, "</>")))
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// FuzzTruncate checks the label shortening: never longer than asked, never
// invalid UTF-8, and the untouched text when it fits.
func FuzzTruncate(f *testing.F) {
	f.Add("/usr/lib/x86_64-linux-gnu/pkgconfig/sqlite3.pc", 20)
	f.Add("ééééé\nx\x00", 3)
	f.Fuzz(func(t *testing.T, s string, n int) {
		n = n%200 + 1
		if n < 1 {
			n = -n + 1
		}
		for _, fn := range []func(string, int) string{svgTruncEnd, svgTruncMiddle} {
			got := fn(s, n)
			if utf8.RuneCountInString(got) > n {
				t.Fatalf("%q → %q, longer than %d", s, got, n)
			}
			if utf8.ValidString(s) && utf8.RuneCountInString(svgOneLine(s)) <= n && got != svgOneLine(s) {
				t.Fatalf("%q fits in %d but became %q", s, n, got)
			}
		}
	})
}

func TestHTMLSeveralPackages(t *testing.T) {
	r := htmlFixtureDevMissing()
	pc := htmlFixturePkgConfig()
	r.Packages = append(r.Packages, nil, pc.Packages[0], &trace.Package{ImportPath: "example.com/fine", Directives: pc.Packages[0].Directives})
	r.Diagnoses = append(r.Diagnoses, pc.Diagnoses...)
	out := htmlRenderString(t, r)
	docs := htmlDiagrams(t, out)
	if len(docs) != 2 {
		t.Fatalf("%d diagrams, want one per failing package (2)", len(docs))
	}
	for i, want := range []string{"chain of package example.com/library-dev-missing-basic", "chain of package example.com/pkg-config-package-not-found-basic"} {
		if !strings.HasPrefix(docs[i].Title, want) {
			t.Errorf("diagram %d is %q, want %q", i, docs[i].Title, want)
		}
	}
	// Each diagram highlights its own package's failure only.
	if n := len(htmlNodesByClass(docs[0], "node failed")); n != 2 {
		t.Errorf("first diagram: %d failed boxes, want 2", n)
	}
	if got := htmlNodesByClass(docs[1], "node failed"); len(got) != 1 || !strings.HasPrefix(got[0].Title, "pkg-config --cflags -- libfrobnicate") {
		t.Errorf("second diagram: failed boxes %+v", got)
	}
	if !strings.Contains(out, `<section id="passing">`) || !strings.Contains(out, "<code>example.com/fine</code>") {
		t.Error("the package that built is not listed")
	}
	// The second package's diagnosis is not the root cause: it is under
	// its package and not duplicated as the root.
	if strings.Count(out, "pkg-config has no libfrobnicate.pc on its search path") != 1 {
		t.Error("the second package's diagnosis should appear exactly once")
	}
}
