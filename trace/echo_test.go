package trace

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The events below are copied from a real `go build -x -json -work` of the
// library-dev-missing scenario (Go 1.26.8); the expected text is what
// plain `go build` printed for the same module.
func TestEchoBlocks(t *testing.T) {
	events := `{"ImportPath":"","Action":"build-output","Output":"WORK=/tmp/go-build3693867346\n"}
{"ImportPath":"example.com/x","Action":"build-output","Output":"cd /tmp/exp/ldm\n"}
{"ImportPath":"example.com/x","Action":"build-output","Output":"TERM='dumb' CGO_LDFLAGS='' /usr/local/go/pkg/tool/linux_amd64/cgo -objdir $WORK/b001/ -importpath example.com/x \"-ldflags=\\\"-O2\\\" \\\"-g\\\" \\\"-L/tmp/exp/ldm/lib\\\" \\\"-lgizmo\\\"\" -- -I $WORK/b001/ -O2 -g ./main.go\n"}
{"ImportPath":"example.com/x","Action":"build-output","Output":"TERM='dumb' gcc -I /tmp/exp/ldm -fPIC -m64 -pthread -o $WORK/b001/_x001.o -c _cgo_export.c\n"}
{"ImportPath":"example.com/x","Action":"build-output","Output":"gcc -I . -fPIC -m64 -pthread -o $WORK/b001/_cgo_.o $WORK/b001/_cgo_main.o -O2 -g -L/tmp/exp/ldm/lib -lgizmo\n"}
{"ImportPath":"example.com/x","Action":"build-output","Output":"gcc -I /tmp/exp/ldm -fPIC -o $WORK/b001/_cgo_.o -lgizmo # test for internal linking errors (failed)\n"}
{"ImportPath":"example.com/x","Action":"build-output","Output":"echo -n \u003e $WORK/b001/dynimportfail # internal\n"}
{"ImportPath":"example.com/x","Action":"build-output","Output":"cat \u003e/tmp/go-build3693867346/b001/importcfg.link \u003c\u003c 'EOF' # internal\npackagefile example.com/x=$WORK/b001/_pkg_.a\nEOF\n"}
{"ImportPath":"example.com/x","Action":"build-output","Output":"GOROOT='/usr/local/go' /usr/local/go/pkg/tool/linux_amd64/link -o $WORK/b001/exe/a.out -importcfg $WORK/b001/importcfg.link $WORK/b001/_pkg_.a\n"}
{"ImportPath":"example.com/x","Action":"build-output","Output":"cd .\n"}
{"ImportPath":"example.com/x","Action":"build-output","Output":"# example.com/x\n"}
{"ImportPath":"example.com/x","Action":"build-output","Output":"/usr/local/go/pkg/tool/linux_amd64/link: running gcc failed: exit status 1\n"}
{"ImportPath":"example.com/x","Action":"build-output","Output":"/usr/bin/gcc -m64 -o $WORK/b001/exe/a.out -O2 -g -L/tmp/exp/ldm/lib -lgizmo -O2 -g -lpthread -no-pie\n"}
{"ImportPath":"example.com/x","Action":"build-output","Output":"/usr/bin/ld: cannot find -lgizmo: No such file or directory\n"}
{"ImportPath":"example.com/x","Action":"build-output","Output":"collect2: error: ld returned 1 exit status\n"}
{"ImportPath":"example.com/x","Action":"build-output","Output":"\n"}
{"ImportPath":"example.com/x","Action":"build-fail"}
not json: passed through
`
	want := `# example.com/x
/usr/local/go/pkg/tool/linux_amd64/link: running gcc failed: exit status 1
/usr/bin/gcc -m64 -o $WORK/b001/exe/a.out -O2 -g -L/tmp/exp/ldm/lib -lgizmo -O2 -g -lpthread -no-pie
/usr/bin/ld: cannot find -lgizmo: No such file or directory
collect2: error: ld returned 1 exit status

not json: passed through
`
	var out bytes.Buffer
	echoBlocks(bufio.NewReader(strings.NewReader(events)), &out, "pkg-config")
	if out.String() != want {
		t.Errorf("echo:\n%s\nwant:\n%s", out.String(), want)
	}
}

// FuzzEchoMatchers checks the hand-written matcher against the regexp it
// replaces. (Which lines are trace is buildlog.IsTraceLine's: buildlog
// fuzzes it.)
func FuzzEchoMatchers(f *testing.F) {
	for _, s := range []string{
		"/usr/lib/go/pkg/tool/linux_amd64/link: running gcc failed: exit status 1",
		"link: running  failed: x", ": running a\vb failed: ", "x: running gcc: running cc failed: y",
	} {
		f.Add(s)
	}
	runningFailed := regexp.MustCompile(`: running \S+ failed: `)
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := isRunningFailed(s), runningFailed.MatchString(s); got != want {
			t.Fatalf("isRunningFailed(%q) = %v, regexp says %v", s, got, want)
		}
	})
}

// BenchmarkEchoBlocks echoes the BuildEvents of buildlog's recorded
// go build -json logs.
func BenchmarkEchoBlocks(b *testing.B) {
	files, _ := filepath.Glob("../buildlog/testdata/logs/*.json.log")
	var all []byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		all = append(all, data...)
	}
	if len(all) == 0 {
		b.Skip("no ../buildlog/testdata/logs/*.json.log")
	}
	b.SetBytes(int64(len(all)))
	for b.Loop() {
		echoBlocks(bufio.NewReader(bytes.NewReader(all)), io.Discard, "")
	}
}
