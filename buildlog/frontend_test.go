package buildlog

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestFrontEndLineNumbers: a log with GitHub Actions timestamps and
// colour keeps the line numbers of the file it was read from, and reads
// like the plain log otherwise.
func TestFrontEndLineNumbers(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "testdata", "logs", "library-not-found-basic.x.log"))
	if err != nil {
		t.Fatal(err)
	}
	plain := parseString(t, string(data))
	var b strings.Builder
	b.WriteString("2026-03-01T10:11:12.1234567Z ##[group]Run go build -x .\n")
	b.WriteString("2026-03-01T10:11:12.1234567Z go build -x .\n")
	b.WriteString("2026-03-01T10:11:12.1234567Z ##[endgroup]\n")
	const off = 3
	for _, l := range strings.SplitAfter(string(data), "\n") {
		if l != "" {
			b.WriteString("2026-03-01T10:11:12.1234567Z \x1b[0m" + l)
		}
	}
	b.WriteString("2026-03-01T10:11:13.0000000Z ##[error]Process completed with exit code 1.\n")
	got := parseString(t, b.String())
	if len(got.Blocks) != len(plain.Blocks) || len(got.Records) != len(plain.Records) {
		t.Fatalf("wrapped: %d blocks %d records, plain %d %d", len(got.Blocks), len(got.Records), len(plain.Blocks), len(plain.Records))
	}
	for i := range plain.Blocks {
		if g, w := got.Blocks[i].Line, plain.Blocks[i].Line+off; g != w {
			t.Errorf("block %d at line %d, want %d", i, g, w)
		}
		if !equalStrings(got.Blocks[i].Lines, plain.Blocks[i].Lines) {
			t.Errorf("block %d lines differ:\n%q\n%q", i, got.Blocks[i].Lines, plain.Blocks[i].Lines)
		}
	}
	for i := range plain.Records {
		if g, w := got.Records[i].Line, plain.Records[i].Line+off; g != w {
			t.Errorf("record %d at line %d, want %d", i, g, w)
		}
	}
	if got.Outcome != OutcomeFailure || !got.CI || got.CIExitCode == nil || *got.CIExitCode != 1 {
		t.Errorf("outcome %s ci %v exit %v", got.Outcome, got.CI, got.CIExitCode)
	}
	if len(got.Commands) != 1 || strings.Join(got.Commands[0].Argv, " ") != "go build -x ." || got.Commands[0].Line != 1 {
		t.Errorf("commands = %+v", got.Commands)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestFrontEndLines: what one line turns into.
func TestFrontEndLines(t *testing.T) {
	tests := []struct {
		in, out string
		drop    bool
	}{
		{"plain line", "plain line", false},
		{"# example.com/x", "# example.com/x", false},
		{"2024-09-04T00:32:15.2227901Z found packages main", "found packages main", false},
		{"2024-09-04T00:32:16.3783803Z ##[error]Process completed with exit code 1.", "", true},
		{"##[group]Run ./post-run.sh", "", true},
		{"::group::Build", "", true},
		{"::error file=a.go,line=3::boom", "", true},
		{"#63 1753.0 chmod ug+rwx $spackagespath && \\", "chmod ug+rwx $spackagespath && \\", false},
		{"#0 0.106 HTTPS_PROXY=https://my-proxy.example", "HTTPS_PROXY=https://my-proxy.example", false},
		{"#5 DONE 0.1s", "", true},
		{"#5 [2/2] RUN env | grep proxy", "", true},
		{"06:20:59  #63 1753.0 make: *** [Makefile:56] Error 2", "make: *** [Makefile:56] Error 2", false},
		{"[2023-02-11T09:18:32.563Z] # example.com/x", "# example.com/x", false},
		{"[Pipeline] sh", "", true},
		{"Step 5/9 : RUN go build -o /app .", "", true},
		{" ---> Running in 0123456789ab", "", true},
		{"\x1b[01m\x1b[Kx.c:1:2:\x1b[m\x1b[K \x1b[01;31m\x1b[Kerror: \x1b[m\x1b[Kboom", "x.c:1:2: error: boom", false},
		{"\x1b[0Ksection_start:1560896352:my_section\r\x1b[0KHeader", "", true},
		{"$ CGO_ENABLED=0 go build .", "", true},
		{"PS C:\\src\\app> go build", "", true},
		{"C:\\src\\app>go build", "", true},
		{"user@host:~/src/app$ go build", "", true},
		{"./main.go:3:2: undefined: x", "./main.go:3:2: undefined: x", false},
		{"/usr/bin/ld: cannot find -lfoo", "/usr/bin/ld: cannot find -lfoo", false},
		{"In file included from x.c:1:", "In file included from x.c:1:", false},
		{"Undefined symbols for architecture arm64:", "Undefined symbols for architecture arm64:", false},
	}
	for _, tt := range tests {
		p := NewParser(strings.NewReader(""))
		out, drop := p.frontLine([]byte(tt.in))
		if string(out) != tt.out || drop != tt.drop {
			t.Errorf("%q: got %q drop=%v, want %q drop=%v", tt.in, out, drop, tt.out, tt.drop)
		}
	}
}

// TestPromptFacts: the go command and environment of a prompt line.
func TestPromptFacts(t *testing.T) {
	tests := []struct{ in, env, argv string }{
		{"$ CGO_ENABLED=0 GOOS=linux go build -tags netgo -ldflags='-s -w' .", "CGO_ENABLED=0 GOOS=linux", "go build -tags netgo -ldflags=-s -w ."},
		{"PS C:\\src> $env:CGO_ENABLED=\"1\"; go build", "CGO_ENABLED=1", "go build"},
		{"C:\\src>set CC=x86_64-w64-mingw32-gcc && go build .", "CC=x86_64-w64-mingw32-gcc", "go build ."},
		{"me@box:~/app$ env GOARCH=arm64 CC=aarch64-linux-gnu-gcc go test ./...", "GOARCH=arm64 CC=aarch64-linux-gnu-gcc", "go test ./..."},
	}
	for _, tt := range tests {
		l := parseString(t, tt.in+"\n")
		if len(l.Commands) != 1 {
			t.Errorf("%q: commands %+v", tt.in, l.Commands)
			continue
		}
		c := l.Commands[0]
		if strings.Join(c.Env, " ") != tt.env || strings.Join(c.Argv, " ") != tt.argv {
			t.Errorf("%q: env %q argv %q", tt.in, c.Env, c.Argv)
		}
	}
}

// TestOutcomeEnds: how the build ended, from the log's last lines.
func TestOutcomeEnds(t *testing.T) {
	lib := "WORK=/tmp/go-build1\nmkdir -p $WORK/b001/\n/usr/local/go/pkg/tool/linux_amd64/compile -o $WORK/b001/_pkg_.a -p example.com/lib -pack ./lib.go\n" +
		"/usr/local/go/pkg/tool/linux_amd64/buildid -w $WORK/b001/_pkg_.a # internal\ncp $WORK/b001/_pkg_.a /root/.cache/go-build/bf/bf-d # internal\n"
	tests := []struct {
		name, in string
		want     Outcome
		final    bool // NoFinalLink
		cut      bool // Truncated set
	}{
		{"library build", lib, OutcomeSuccess, true, false},
		{"fully cached -json", `{"ImportPath":"","Action":"build-output","Output":"WORK=/tmp/go-build52214265\n"}` + "\n", OutcomeSuccess, true, false},
		{"cut after a compile", "WORK=/tmp/go-build1\n/usr/local/go/pkg/tool/linux_amd64/compile -o $WORK/b001/_pkg_.a -p x ./x.go\n", OutcomeUnknown, false, true},
		{"CI trailer only", "2026-03-01T10:11:12.1234567Z go: something\n2026-03-01T10:11:12.1234567Z ##[error]Process completed with exit code 1.\n", OutcomeFailure, false, false},
		{"BuildKit exit code", "#5 [3/3] RUN go build .\n#5 0.1 hello\n#5 ERROR: process \"/bin/sh -c go build .\" did not complete successfully: exit code: 1\n", OutcomeFailure, false, false},
		{"GitLab job failed", "\x1b[31;1mERROR: Job failed: exit code 1\n\x1b[0;m\n", OutcomeFailure, false, false},
		{"heredoc open", "WORK=/w\ncat >$WORK/b001/importcfg << 'EOF' # internal\npackagefile x=y\n", OutcomeUnknown, false, true},
		{"link failed, command missing", "# example.com/x\n/usr/local/go/pkg/tool/linux_amd64/link: running gcc failed: exit status 1\n", OutcomeFailure, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := parseString(t, tt.in)
			if l.Outcome != tt.want || l.NoFinalLink != tt.final || (l.Truncated != "") != tt.cut {
				t.Errorf("outcome %s NoFinalLink %v Truncated %q", l.Outcome, l.NoFinalLink, l.Truncated)
			}
		})
	}
}

// TestCutErrorLine (issue 20.7): a log that stops in the middle of the
// error line does not hand its cut name to the messages.
func TestCutErrorLine(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "testdata", "logs", "library-not-found-basic.log"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	i := strings.Index(s, "-lfrobnicate:") + len("-lf")
	l := parseString(t, s[:i]) // "/usr/bin/ld: cannot find -lf"
	if l.CutLine != 4 || l.CutText != "/usr/bin/ld: cannot find -lf" || l.Truncated == "" {
		t.Fatalf("CutLine %d %q Truncated %q", l.CutLine, l.CutText, l.Truncated)
	}
	for _, b := range l.Blocks {
		for _, m := range b.Messages {
			if m.Library != "" {
				t.Errorf("message names library %q from the cut line", m.Library)
			}
		}
	}
	// The same line with its end is read.
	l = parseString(t, s[:i]+"\n")
	found := false
	for _, b := range l.Blocks {
		for _, m := range b.Messages {
			found = found || m.Library == "f"
		}
	}
	if !found || l.CutLine != 0 {
		t.Errorf("complete line: library not read (cut %d)", l.CutLine)
	}
}

// endless is a line without end: n bytes of 'x'.
type endless struct{ n int64 }

func (r *endless) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	k := min(int64(len(p)), r.n)
	for i := range p[:k] {
		p[i] = 'x'
	}
	r.n -= k
	return int(k), nil
}

// TestLongLineMemory (issue 20.4): a 256 MB line without end is read
// with bounded memory, as its head and tail around a marker.
func TestLongLineMemory(t *testing.T) {
	const size = 256 << 20
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	l, err := Parse(io.MultiReader(strings.NewReader("# example.com/x\n"), &endless{n: size}, strings.NewReader("\n./x.go:1:1: undefined: y\n")))
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("allocated %d MB for a %d MB line", alloc>>20, size>>20)
	}
	if l.Lines != 3 || l.LongLines != 1 || l.Outcome != OutcomeFailure {
		t.Fatalf("Lines %d LongLines %d Outcome %s", l.Lines, l.LongLines, l.Outcome)
	}
	line := l.Blocks[0].Lines[0]
	marker := fmt.Sprintf(" [cgotrace: %d bytes cut] ", size-MaxLineBytes)
	if len(line) != MaxLineBytes+len(marker) || !strings.Contains(line, marker) {
		t.Errorf("line of %d bytes, marker %v", len(line), strings.Contains(line, marker))
	}
}

// TestLongLineExact: head + cut + tail is the line, for sizes around the cap.
func TestLongLineExact(t *testing.T) {
	for _, n := range []int{MaxLineBytes - 1, MaxLineBytes, MaxLineBytes + 1, MaxLineBytes + 70000, 3 * MaxLineBytes} {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte('a' + i%26)
		}
		p := NewParser(bytes.NewReader(append(data, '\n')))
		line, ok := p.readLine()
		if !ok {
			t.Fatal("no line")
		}
		if n <= MaxLineBytes {
			if !bytes.Equal(line, data) {
				t.Errorf("%d: line changed", n)
			}
			continue
		}
		marker := fmt.Sprintf(" [cgotrace: %d bytes cut] ", n-MaxLineBytes)
		want := string(data[:MaxLineBytes/2]) + marker + string(data[n-MaxLineBytes/2:])
		if string(line) != want {
			t.Errorf("%d: head/tail wrong (len %d, want %d)", n, len(line), len(want))
		}
	}
}

// FuzzFrontEnd: any line through the front end: no panic, the output is
// never longer than the input, and a line without ESC and without a
// decorated first byte passes through unchanged.
func FuzzFrontEnd(f *testing.F) {
	for _, s := range []string{
		"2024-09-04T00:32:16.3783803Z ##[error]Process completed with exit code 1.",
		"#5 0.123 # example.com/x", "#5 ERROR: process \"x\" did not complete successfully: exit code: 1",
		"\x1b[0Ksection_start:1:step_script\r\x1b[0Kx", "\x1b]8;;http://x\x07link\x1b]8;;\x07",
		"[2023-02-11T09:18:32.563Z] [Pipeline] sh", "PS C:\\> go build", "u@h:~$ GOOS=windows go build",
		"------", "::error file=x::y", "\x1b[", "\x1b", "#", "##[", "Step 1/2 : x",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		if bytes.IndexByte(line, '\n') >= 0 {
			return
		}
		p := NewParser(strings.NewReader(""))
		p.lineNo = 1
		out, _ := p.frontLine(append([]byte(nil), line...))
		if len(out) > len(line) {
			t.Fatalf("output longer than input: %q -> %q", line, out)
		}
		if len(line) > 0 && !decorated[line[0]] && bytes.IndexByte(line, 0x1b) < 0 && !bytes.Equal(out, line) {
			t.Fatalf("plain line changed: %q -> %q", line, out)
		}
		// The whole parser on the line followed by a plain log.
		if _, err := Parse(bytes.NewReader(append(append(line, '\n'), "# example.com/x\n./x.go:1:1: undefined: y\n"...))); err != nil {
			t.Fatal(err)
		}
	})
}
