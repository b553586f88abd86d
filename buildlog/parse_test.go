package buildlog

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

// realLogs returns the logs captured by testdata/capture.sh.
func realLogs(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "logs", "*.log"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no logs in testdata/logs: %v", err)
	}
	return files
}

// handmadeLogs are the real logs of ../testdata/logs/handmade (a tool
// that fails with its own words, a program that cannot start), seeds of
// the fuzzers.
func handmadeLogs(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "testdata", "logs", "handmade", "*.log"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no logs in ../testdata/logs/handmade: %v", err)
	}
	return files
}

// TestParseGolden parses every real log and compares the JSON of the Log with
// testdata/golden/NAME.json. Run with -update to rewrite them.
func TestParseGolden(t *testing.T) {
	for _, file := range realLogs(t) {
		name := strings.TrimSuffix(filepath.Base(file), ".log")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			l, err := Parse(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(l, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join("testdata", "golden", name+".json")
			if updatingGolden() {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("Parse(%s) mismatch (-want +got):\n%s", file, diff)
			}
		})
	}
}

// parseString parses s with Parse and fails the test on error.
func parseString(t *testing.T, s string) *Log {
	t.Helper()
	l, err := Parse(strings.NewReader(s))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return l
}

func TestParseCdAndWork(t *testing.T) {
	// cd is one global cwd shared by all actions; " DIR" was rewritten to
	// " ." by the printer; $WORK is expanded in Dir and Argv, Raw kept.
	l := parseString(t, strings.Join([]string{
		"WORK=/tmp/go-build1",
		"mkdir -p $WORK/b002/",
		"cd /src/e1/cz",
		"TERM='dumb' CGO_LDFLAGS='' /go/pkg/tool/linux_amd64/cgo -objdir $WORK/b002/ -importpath example.com/e1/cz -- -I $WORK/b002/ ./cz.go",
		"cd $WORK/b002",
		"TERM='dumb' gcc -I /src/e1/cz -fPIC -I ./ -o ./_x001.o -c _cgo_export.c",
		"cd /src/e1/other",
		"TERM='dumb' gcc -I . -o $WORK/b046/_x001.o -c x.c",
		"cd $WORK/b001/exe/",
		"GOROOT='/go' /go/pkg/tool/linux_amd64/link -o a.out $WORK/b001/_pkg_.a",
		"",
	}, "\n"))
	type rec struct {
		Kind       RecordKind
		Dir        string
		Argv       []string
		Action     string
		ImportPath string
		Step       string
		Output     string
	}
	var got []rec
	for _, r := range l.Records {
		got = append(got, rec{r.Kind, r.Dir, r.Argv, r.Action, r.ImportPath, r.Step, r.Output})
	}
	want := []rec{
		{RecWork, "/tmp/go-build1", nil, "", "", "", ""},
		{RecCommand, "", []string{"mkdir", "-p", "/tmp/go-build1/b002/"}, "b002", "example.com/e1/cz", "other", ""},
		{RecCd, "/src/e1/cz", []string{"cd", "/src/e1/cz"}, "", "", "", ""},
		{RecCommand, "/src/e1/cz", []string{"/go/pkg/tool/linux_amd64/cgo", "-objdir", "/tmp/go-build1/b002/", "-importpath", "example.com/e1/cz", "--", "-I", "/tmp/go-build1/b002/", "/src/e1/cz/cz.go"}, "b002", "example.com/e1/cz", "cgo", ""},
		{RecCd, "/tmp/go-build1/b002", []string{"cd", "$WORK/b002"}, "", "", "", ""},
		{RecCommand, "/tmp/go-build1/b002", []string{"gcc", "-I", "/src/e1/cz", "-fPIC", "-I", "/tmp/go-build1/b002", "-o", "/tmp/go-build1/b002/_x001.o", "-c", "_cgo_export.c"}, "b002", "example.com/e1/cz", "cc-compile", "/tmp/go-build1/b002/_x001.o"},
		{RecCd, "/src/e1/other", []string{"cd", "/src/e1/other"}, "", "", "", ""},
		{RecCommand, "/src/e1/other", []string{"gcc", "-I", "/src/e1/other", "-o", "/tmp/go-build1/b046/_x001.o", "-c", "x.c"}, "b046", "", "cc-compile", "/tmp/go-build1/b046/_x001.o"},
		{RecCd, "/tmp/go-build1/b001/exe/", []string{"cd", "$WORK/b001/exe/"}, "", "", "", ""},
		{RecCommand, "/tmp/go-build1/b001/exe/", []string{"/go/pkg/tool/linux_amd64/link", "-o", "a.out", "/tmp/go-build1/b001/_pkg_.a"}, "b001", "", "link", "a.out"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("records mismatch (-want +got):\n%s", diff)
	}
	if l.Records[3].Raw[:11] != "TERM='dumb'" {
		t.Errorf("Raw changed: %q", l.Records[3].Raw)
	}
	if l.Work != "/tmp/go-build1" || !l.Trace || l.JSON {
		t.Errorf("Work/Trace/JSON = %q %v %v", l.Work, l.Trace, l.JSON)
	}
}

func TestParseHeredoc(t *testing.T) {
	in := "WORK=/tmp/go-build9\n" +
		"cat >/tmp/go-build9/b002/importcfg << 'EOF' # internal\n" +
		"# import config\n" +
		"packagefile example.com/e1/cz=/tmp/go-build9/b002/_pkg_.a\n" +
		"# example.com/not-a-header\n" +
		"EOF\n" +
		"gcc -o $WORK/b002/_x001.o -c x.c\n"
	l := parseString(t, in)
	if len(l.Blocks) != 0 {
		t.Errorf("heredoc body line read as a header: %+v", l.Blocks)
	}
	if len(l.Records) != 3 {
		t.Fatalf("got %d records, want 3: %+v", len(l.Records), l.Records)
	}
	h := l.Records[1]
	wantBody := "# import config\npackagefile example.com/e1/cz=/tmp/go-build9/b002/_pkg_.a\n# example.com/not-a-header\n"
	if h.Kind != RecHeredoc || h.Body != wantBody || h.Output != "/tmp/go-build9/b002/importcfg" || h.Suffix != "internal" || h.Action != "b002" {
		t.Errorf("heredoc record = %+v", h)
	}
	// The packagefile line taught b002's import path.
	if got := l.Records[2].ImportPath; got != "example.com/e1/cz" {
		t.Errorf("gcc record ImportPath = %q, want example.com/e1/cz", got)
	}
}

func TestParseUnterminatedHeredoc(t *testing.T) {
	l := parseString(t, "WORK=/w\ncat >/w/b001/importcfg << 'EOF' # internal\npackagefile a=b\n")
	if len(l.Records) != 2 || l.Records[1].Body != "packagefile a=b\n" {
		t.Fatalf("records = %+v", l.Records)
	}
	if l.Skipped != 1 || l.Outcome != OutcomeUnknown {
		t.Errorf("Skipped=%d Outcome=%s, want 1 unknown", l.Skipped, l.Outcome)
	}
}

func TestParseBlocks(t *testing.T) {
	in := strings.Join([]string{
		"#",
		"# example.com/banner",
		"#",
		"",
		"# get https://proxy.golang.org/example.com/@v/v1.0.0.info",
		"# get https://proxy.golang.org/example.com/@v/v1.0.0.info: 200 OK (0.136s)",
		"go: downloading example.com/dep v1.0.0",
		"pkg-config --cflags -- libfoo",
		"# example.com/nopc",
		"# [pkg-config --cflags  -- libfoo]",
		"Package libfoo was not found in the pkg-config search path.",
		"Package 'libfoo', required by 'virtual:world', not found",
		"example.com/badflag: invalid flag in #cgo LDFLAGS: -Wl,--no-undefined-foo (see https://go.dev/s/invalidflag)",
		"package example.com/nocc: build constraints exclude all Go files in /s/f/nocc",
		"go: -race requires cgo; enable cgo by setting CGO_ENABLED=1",
		"# example.com/nolib",
		"/usr/local/go/pkg/tool/linux_amd64/link: running gcc failed: exit status 1",
		"/usr/bin/gcc -m64 -o $WORK/b001/exe/a.out /tmp/go-link-1/go.o -lfoo -no-pie",
		"/usr/bin/ld: cannot find -lfoo: No such file or directory",
		"collect2: error: ld returned 1 exit status",
		"",
		"mv $WORK/b001/exe/a.out x",
	}, "\n")
	l := parseString(t, in)
	type blk struct {
		ImportPath, Desc string
		Lines            []string
	}
	var got []blk
	for _, b := range l.Blocks {
		got = append(got, blk{b.ImportPath, b.Desc, b.Lines})
	}
	want := []blk{
		{"example.com/nopc", "pkg-config --cflags  -- libfoo", []string{
			"Package libfoo was not found in the pkg-config search path.",
			"Package 'libfoo', required by 'virtual:world', not found"}},
		{"example.com/badflag", "", []string{"example.com/badflag: invalid flag in #cgo LDFLAGS: -Wl,--no-undefined-foo (see https://go.dev/s/invalidflag)"}},
		{"example.com/nocc", "", []string{"package example.com/nocc: build constraints exclude all Go files in /s/f/nocc"}},
		{"", "", []string{"go: -race requires cgo; enable cgo by setting CGO_ENABLED=1"}},
		{"example.com/nolib", "", []string{
			"/usr/local/go/pkg/tool/linux_amd64/link: running gcc failed: exit status 1",
			"/usr/bin/gcc -m64 -o $WORK/b001/exe/a.out /tmp/go-link-1/go.o -lfoo -no-pie",
			"/usr/bin/ld: cannot find -lfoo: No such file or directory",
			"collect2: error: ld returned 1 exit status"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("blocks mismatch (-want +got):\n%s", diff)
	}
	wantHL := []HostLink{{Line: 18, ImportPath: "example.com/nolib", Failed: true,
		Argv: []string{"/usr/bin/gcc", "-m64", "-o", "$WORK/b001/exe/a.out", "/tmp/go-link-1/go.o", "-lfoo", "-no-pie"}}}
	if diff := cmp.Diff(wantHL, l.HostLinks); diff != "" {
		t.Errorf("host links mismatch (-want +got):\n%s", diff)
	}
	wantFailed := []string{"example.com/nopc", "example.com/badflag", "example.com/nocc", "example.com/nolib"}
	if diff := cmp.Diff(wantFailed, l.FailedPackages); diff != "" {
		t.Errorf("FailedPackages mismatch (-want +got):\n%s", diff)
	}
	if l.Outcome != OutcomeFailure {
		t.Errorf("Outcome = %s, want failure", l.Outcome)
	}
	if len(l.Records) != 2 || l.Records[0].Step != "pkg-config" || l.Records[1].Argv[0] != "mv" {
		t.Errorf("records = %+v", l.Records)
	}
}

func TestParseLoadError(t *testing.T) {
	// Real: go build on an import no module provides (no -x).
	l := parseString(t, "main.go:3:8: no required module provides package example.com/missing; to add it:\n\tgo get example.com/missing\nWORK=/w\n")
	want := []string{"main.go:3:8: no required module provides package example.com/missing; to add it:", "\tgo get example.com/missing"}
	if len(l.Blocks) != 1 || !cmp.Equal(l.Blocks[0].Lines, want) || l.Skipped != 0 {
		t.Errorf("blocks = %+v, skipped %d", l.Blocks, l.Skipped)
	}
	if len(l.Records) != 1 || l.Records[0].Kind != RecWork {
		t.Errorf("records = %+v", l.Records)
	}
}

func TestParseHostLinkV(t *testing.T) {
	in := "WORK=/tmp/go-build5\n" +
		"# example.com/e1\n" +
		"build mode: exe, symbol table: on, DWARF: on\n" +
		"host obj copy: $WORK/b002/_pkg_.a(_x002.o) from pkg example.com/e1/cz -> /tmp/go-link-7/000001.o\n" +
		`host link: "gcc" "-m64" "-o" "/tmp/go-build5/b001/exe/a.out" "-DT=a\tb" "-lm"` + "\n" +
		"121290 symbols, 33781 reachable\n" +
		"mv $WORK/b001/exe/a.out e1\n"
	l := parseString(t, in)
	want := []HostLink{{
		Line: 5, ImportPath: "example.com/e1",
		Argv: []string{"gcc", "-m64", "-o", "/tmp/go-build5/b001/exe/a.out", "-DT=a\tb", "-lm"},
		ObjCopies: map[string]ObjCopy{
			"/tmp/go-link-7/000001.o": {Src: "$WORK/b002/_pkg_.a(_x002.o)", ImportPath: "example.com/e1/cz"},
		},
	}}
	if diff := cmp.Diff(want, l.HostLinks); diff != "" {
		t.Errorf("host links mismatch (-want +got):\n%s", diff)
	}
	if l.Outcome != OutcomeSuccess || len(l.FailedPackages) != 0 {
		t.Errorf("Outcome = %s, failed %v; want success (linker -v block is not an error)", l.Outcome, l.FailedPackages)
	}
}

func TestParseJSONEvents(t *testing.T) {
	in := `{"ImportPath":"","Action":"build-output","Output":"WORK=/tmp/go-build7\n"}
{"ImportPath":"example.com/p","Action":"build-output","Output":"cd /src/p\n"}
{"ImportPath":"example.com/p","Action":"build-output","Output":"pkg-config --cflags -- libfoo\n"}
{"ImportPath":"example.com/p","Action":"build-output","Output":"cat >/tmp/go-build7/b001/importcfg << 'EOF' # internal\n# import config\npackagefile fmt=/c/x-d\nEOF\n"}
stray text on stderr
{"ImportPath":"example.com/p","Action":"build-output","Output":"# example.com/p\n"}
{"ImportPath":"example.com/p","Action":"build-output","Output":"./p.go:3:10: fatal error: foo.h: No such file or directory\n"}
{"ImportPath":"example.com/p","Action":"build-fail"}
{"ImportPath":"example.com/p","Act`
	l := parseString(t, in)
	if !l.JSON || !l.Trace {
		t.Errorf("JSON=%v Trace=%v", l.JSON, l.Trace)
	}
	if len(l.Records) != 5 {
		t.Fatalf("records = %+v", l.Records)
	}
	if r := l.Records[2]; r.ImportPath != "example.com/p" || r.Step != "pkg-config" || r.Dir != "/src/p" {
		t.Errorf("pkg-config record = %+v", r)
	}
	if r := l.Records[3]; r.Kind != RecHeredoc || r.Body != "# import config\npackagefile fmt=/c/x-d\n" {
		t.Errorf("heredoc record = %+v", r)
	}
	if len(l.Blocks) != 1 || l.Blocks[0].ImportPath != "example.com/p" || len(l.Blocks[0].Lines) != 1 {
		t.Errorf("blocks = %+v", l.Blocks)
	}
	// "stray text on stderr" is kept as a command record (a trace is on
	// and any program may run), and the torn event at the end is skipped.
	if l.Skipped != 1 {
		t.Errorf("Skipped = %d, want 1 (the torn event)", l.Skipped)
	}
	if l.Outcome != OutcomeFailure || !cmp.Equal(l.FailedPackages, []string{"example.com/p"}) {
		t.Errorf("Outcome %s FailedPackages %v", l.Outcome, l.FailedPackages)
	}
}

func TestParseJSONTornHeredoc(t *testing.T) {
	in := `{"ImportPath":"p","Action":"build-output","Output":"cat >/w/b001/importcfg << 'EOF' # internal\npackagefile a=b\n"}
{"ImportPath":"p","Action":"build-output","Output":"mkdir -p $WORK/b002/\n"}
`
	l := parseString(t, in)
	if len(l.Records) != 2 || l.Records[0].Body != "packagefile a=b\n" || l.Records[1].Argv[0] != "mkdir" {
		t.Errorf("records = %+v", l.Records)
	}
	if l.Skipped != 1 {
		t.Errorf("Skipped = %d, want 1", l.Skipped)
	}
}

func TestParseBackfillPkgConfig(t *testing.T) {
	// pkg-config runs before cgo names the package; Parse fills it in.
	l := parseString(t, "WORK=/w\ncd /src/p\npkg-config --cflags -- zlib\n"+
		"TERM='dumb' cgo -objdir $WORK/b003/ -importpath example.com/p -- ./p.go\n")
	if got := l.Records[2].ImportPath; got != "example.com/p" {
		t.Errorf("pkg-config ImportPath = %q, want example.com/p", got)
	}
}

func TestParseOutcome(t *testing.T) {
	tests := []struct {
		name, in string
		want     Outcome
	}{
		{"empty", "", OutcomeUnknown},
		{"plain log with only a warning block", "# example.com/s\n/usr/bin/ld: warning: x.o: missing .note.GNU-stack section implies executable stack\n", OutcomeSuccess},
		{"trace that ends with mv of the binary", "WORK=/w\nmv $WORK/b001/exe/a.out app\n", OutcomeSuccess},
		{"trace cut before the link finished", "WORK=/w\nmkdir -p $WORK/b001/\n", OutcomeUnknown},
		{"last line torn", "WORK=/w\nmv $WORK/b001/exe/a.out app", OutcomeUnknown},
		{"-n dry run", "mkdir -p $WORK/b001/\nmv $WORK/b001/exe/a.out app\n", OutcomeUnknown},
		{"compile error", "# example.com/x\n./x.go:3:2: undefined: y\n", OutcomeFailure},
		{"load error without header", "main.go:3:8: no required module provides package example.com/missing; to add it:\n\tgo get example.com/missing\n", OutcomeFailure},
		{"plain log with an unknown line", "something odd\n", OutcomeUnknown},
		{"warning with -Werror is an error", "# runtime/cgo\n<command-line>: error: missing terminating ' character [-Werror]\ncc1: all warnings being treated as errors\n", OutcomeFailure},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseString(t, tt.in).Outcome; got != tt.want {
				t.Errorf("Outcome = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestParseRobust(t *testing.T) {
	long := "gcc " + strings.Repeat("-DX=y ", 400000) + "-c x.c" // 2.4 MB line
	in := "WORK=/w\r\n" + long + "\r\n" + "gcc -DNUL=\x00 -c \xff\xfe.c\n" + "# example.com/x\r\n./x.c:1:1: error: \xffbad\r\n"
	l := parseString(t, in)
	if l.Lines != 5 {
		t.Errorf("Lines = %d, want 5", l.Lines)
	}
	if len(l.Records) < 2 || len(l.Records[1].Argv) != 400003 {
		t.Fatalf("long line not read whole: %d records", len(l.Records))
	}
	if l.Records[0].Dir != "/w" {
		t.Errorf("CR not stripped: %q", l.Records[0].Dir)
	}
	if len(l.Blocks) != 1 || l.Blocks[0].Lines[0] != "./x.c:1:1: error: \xffbad" {
		t.Errorf("blocks = %+v", l.Blocks)
	}
}

type failingReader struct{ n int }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n > 0 {
		r.n--
		return copy(p, "WORK=/w\n"), nil
	}
	return 0, errors.New("disk on fire")
}

func TestParseReadError(t *testing.T) {
	_, err := Parse(&failingReader{n: 1})
	if err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("Parse error = %v, want the read error", err)
	}
	// One byte at a time gives the same result as all at once.
	data, err := os.ReadFile(filepath.Join("testdata", "logs", "library-not-found-basic.json.log"))
	if err != nil {
		t.Fatal(err)
	}
	a := parseString(t, string(data))
	b, err := Parse(iotest.OneByteReader(bytes.NewReader(data)))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("one-byte reader differs:\n%s", diff)
	}
}

// FuzzParse feeds whole logs to Parse and to the streaming parser: no
// panic, no error from a reader that does not fail, and both agree.
func FuzzParse(f *testing.F) {
	for _, file := range append(realLogs(f), handmadeLogs(f)...) {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("cat >/tmp/x/b001/importcfg << 'EOF' # internal\n# import config\n"))
	f.Add([]byte("{\"ImportPath\":\"x\",\"Action\":\"build-out"))
	// CI decorations and go test / go run framing (the front end).
	f.Add([]byte("2026-03-01T10:11:12.1234567Z ##[group]Run go build .\n2026-03-01T10:11:12.1234567Z go build .\n2026-03-01T10:11:12.1234567Z ##[endgroup]\n2026-03-01T10:11:12.1234567Z # example.com/x\n2026-03-01T10:11:12.1234567Z /usr/bin/ld: cannot find -lfoo\n2026-03-01T10:11:13.1234567Z ##[error]Process completed with exit code 1.\n"))
	f.Add([]byte("#5 [3/3] RUN go build .\n#5 0.123 # example.com/x\n#5 0.124 x.c:1:2: error: y\n#5 ERROR: process \"/bin/sh -c go build .\" did not complete successfully: exit code: 1\n------\n > [3/3] RUN go build .:\n0.124 x.c:1:2: error: y\n------\nDockerfile:3\n"))
	f.Add([]byte("\x1b[0Ksection_start:1:step_script\r\x1b[0KExecuting\n\x1b[32;1m$ CGO_ENABLED=0 go test ./...\x1b[0;m\n=== RUN   TestX\n    x_test.go:1: hi\n--- FAIL: TestX (0.00s)\nFAIL\texample.com/x\t0.01s\n./app: error while loading shared libraries: libq.so.1: cannot open shared object file: No such file or directory\nexit status 127\n\x1b[31;1mERROR: Job failed: exit code 1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Parse(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		lines := bytes.Count(data, []byte("\n"))
		if len(data) > 0 && data[len(data)-1] != '\n' {
			lines++
		}
		if l.Lines != lines {
			t.Fatalf("Lines = %d, want %d", l.Lines, lines)
		}
		if l.Skipped < 0 || l.Outcome == "" {
			t.Fatalf("bad summary: %+v", l)
		}
		p := NewParser(bytes.NewReader(data))
		var recs, blocks, hosts int
		for {
			it, err := p.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case it.Record != nil:
				recs++
			case it.Block != nil:
				blocks++
			case it.HostLink != nil:
				hosts++
			default:
				t.Fatal("empty item")
			}
		}
		if recs != len(l.Records) || blocks != len(l.Blocks) || hosts != len(l.HostLinks) {
			t.Fatalf("stream %d/%d/%d items, Parse %d/%d/%d", recs, blocks, hosts, len(l.Records), len(l.Blocks), len(l.HostLinks))
		}
		if s := p.Summary(); s.Outcome != l.Outcome || s.Skipped != l.Skipped {
			t.Fatalf("stream summary %v/%d, Parse %v/%d", s.Outcome, s.Skipped, l.Outcome, l.Skipped)
		}
	})
}

func TestStepKind(t *testing.T) {
	tests := []struct {
		line, want string
	}{
		{"pkg-config --cflags -- zlib", "pkg-config"},
		{"/opt/bin/mypc --libs -- zlib", "pkg-config"},
		{"TERM='dumb' CGO_LDFLAGS='' /go/pkg/tool/linux_amd64/cgo -objdir $WORK/b002/ -importpath p -- x.go", "cgo"},
		{"TERM='dumb' /go/pkg/tool/linux_amd64/cgo -dynpackage cz -dynimport $WORK/b002/_cgo_.o -dynout $WORK/b002/_cgo_import.go", "cgo-dynimport"},
		{"/usr/local/bin/wrap /go/pkg/tool/linux_amd64/cgo -objdir $WORK/b002/", "cgo"},
		{"TERM='dumb' gcc -I /s -o $WORK/b002/_x001.o -c _cgo_export.c", "cc-compile"},
		{"TERM='dumb' aarch64-linux-gnu-gcc -o $WORK/b002/_x001.o -c x.c", "cc-compile"},
		{"TERM='dumb' g++ -o $WORK/b002/_x003.o -c x.cc", "cc-compile"},
		{"TERM='dumb' gcc -I . -o $WORK/b002/_cgo_.o $WORK/b002/_cgo_main.o -lm", "cc-link"},
		{"gcc -fno-caret-diagnostics -O2 -g -c -x c - -o /dev/null || true", "other"},
		{"/go/pkg/tool/linux_amd64/compile -o $WORK/b002/_pkg_.a -p example.com/e1/cz", "compile"},
		{"/go/pkg/tool/linux_amd64/asm -p runtime/cgo -o $WORK/b063/gcc_amd64.o x.s", "asm"},
		{"go tool pack r $WORK/b002/_pkg_.a $WORK/b002/_x001.o # internal", "pack"},
		{"GOROOT='/go' /go/pkg/tool/linux_amd64/link -o $WORK/b001/exe/a.out $WORK/b001/_pkg_.a", "link"},
		{"mv $WORK/b001/exe/a.out app", "other"},
	}
	for _, tt := range tests {
		c, _ := SplitCommand(tt.line)
		if got := stepKind(c.Argv, c.Suffix); got != tt.want {
			t.Errorf("stepKind(%q) = %q, want %q", tt.line, got, tt.want)
		}
	}
}

func TestParseHeaders(t *testing.T) {
	l := parseString(t, "# example.com/p [example.com/p.test]\n./p_test.go:3:2: undefined: x\n"+
		"# pkg-config --cflags -- vips vips\nPackage vips was not found in the pkg-config search path.\n")
	if len(l.Blocks) != 2 {
		t.Fatalf("blocks = %+v", l.Blocks)
	}
	if b := l.Blocks[0]; b.ImportPath != "example.com/p [example.com/p.test]" || len(b.Lines) != 1 {
		t.Errorf("test header block = %+v", b)
	}
	// Older Go: the description alone as the header.
	if b := l.Blocks[1]; b.ImportPath != "" || b.Desc != "pkg-config --cflags -- vips vips" || len(b.Lines) != 1 {
		t.Errorf("old-style desc block = %+v", b)
	}
}

func TestParseWorkNeedingQuotes(t *testing.T) {
	// A WORK path the printer would quote is expanded per argument, after
	// splitting, so that its space does not split an argument.
	l := parseString(t, "WORK=/tmp/my work\ngcc -o $WORK/b001/_x001.o -c \"$WORK/b001/a b.c\"\n")
	want := []string{"gcc", "-o", "/tmp/my work/b001/_x001.o", "-c", "/tmp/my work/b001/a b.c"}
	if len(l.Records) != 2 || !cmp.Equal(l.Records[1].Argv, want) || l.Records[1].Action != "b001" {
		t.Errorf("records = %+v", l.Records)
	}
}

// hasControlBytewise is hasControl one byte at a time, as it was.
func hasControlBytewise(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return true
		}
	}
	return false
}

// TestHasControl checks the eight-bytes-at-a-time hasControl against the
// byte loop for every byte value at every position of a word and its
// tail, next to bytes that could borrow into it (0x00, 0x20, 0x7f, 0x80,
// 0xff).
func TestHasControl(t *testing.T) {
	for _, fill := range []byte{'a', ' ', 0x80, 0xff, 0x7e, 0x21} {
		for n := 0; n <= 19; n++ {
			for pos := 0; pos < n; pos++ {
				for c := 0; c < 256; c++ {
					b := bytes.Repeat([]byte{fill}, n)
					b[pos] = byte(c)
					if got, want := hasControl(string(b)), hasControlBytewise(string(b)); got != want {
						t.Fatalf("hasControl(%q) = %v, want %v", b, got, want)
					}
				}
			}
		}
	}
}

func FuzzHasControl(f *testing.F) {
	f.Add("gcc -I $WORK/b001/ -c x.c")
	f.Add("a\x7fb\x1fc\x80\xff")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := hasControl(s), hasControlBytewise(s); got != want {
			t.Fatalf("hasControl(%q) = %v, want %v", s, got, want)
		}
	})
}
