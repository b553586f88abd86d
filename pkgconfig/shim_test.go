package pkgconfig

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// fakeReal writes a stand-in for pkg-config that echoes its arguments on
// stdout, a word on stderr, and exits with the code in $FAKE_RC.
func fakeReal(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "fake-pkg-config")
	script := "#!/bin/sh\necho \"out: $*\"\necho \"err: $PWD\" >&2\nexit ${FAKE_RC:-0}\n"
	if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunShimPassesThrough(t *testing.T) {
	real := fakeReal(t)
	rec := filepath.Join(t.TempDir(), "rec.jsonl")
	for _, rc := range []string{"0", "3"} {
		env := Env{"PATH=" + os.Getenv("PATH"), EnvShimReal + "=" + real, EnvShimRecord + "=" + rec,
			"FAKE_RC=" + rc, "TOOLEXEC_IMPORTPATH=example.com/p", "PKG_CONFIG_PATH=/nowhere", "PKG_CONFIG_LIBDIR="}
		var out, errb bytes.Buffer
		code := RunShim("/x/cgotrace", []string{"--cflags", "--", "zlib"}, env, strings.NewReader(""), &out, &errb)
		if want := map[string]int{"0": 0, "3": 3}[rc]; code != want {
			t.Errorf("exit %d, want %d", code, want)
		}
		if out.String() != "out: --cflags -- zlib\n" || !strings.HasPrefix(errb.String(), "err: ") {
			t.Errorf("stdout %q stderr %q", out.String(), errb.String())
		}
	}
	recs, err := ReadRecords(rec)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[1].ExitCode != 3 || recs[0].ImportPath != "example.com/p" ||
		recs[0].Argv[0] != "/x/cgotrace" || recs[0].Stdout != "out: --cflags -- zlib\n" ||
		recs[0].Env["PKG_CONFIG_PATH"] != "/nowhere" || recs[0].Real != real {
		t.Errorf("records: %+v", recs)
	}
}

// A record file that cannot be written must not change the call's result.
func TestRunShimRecordFailure(t *testing.T) {
	real := fakeReal(t)
	env := Env{"PATH=" + os.Getenv("PATH"), EnvShimReal + "=" + real,
		EnvShimRecord + "=" + filepath.Join(t.TempDir(), "no", "such", "dir", "rec.jsonl"), "FAKE_RC=0"}
	var out, errb bytes.Buffer
	if code := RunShim("cgotrace", []string{"--libs", "--", "x"}, env, strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if out.String() != "out: --libs -- x\n" {
		t.Fatalf("stdout %q", out.String())
	}
}

func TestRunShimMissingReal(t *testing.T) {
	env := Env{EnvShimReal + "=/nonexistent/pkgconf"}
	var out, errb bytes.Buffer
	if code := RunShim("cgotrace", []string{"--libs"}, env, strings.NewReader(""), &out, &errb); code == 0 {
		t.Fatal("exit 0 for a missing real pkg-config")
	}
	if !strings.Contains(errb.String(), "/nonexistent/pkgconf") {
		t.Fatalf("stderr %q", errb.String())
	}
}

// Concurrent calls append whole lines.
func TestRunShimConcurrent(t *testing.T) {
	real := fakeReal(t)
	rec := filepath.Join(t.TempDir(), "rec.jsonl")
	env := Env{"PATH=" + os.Getenv("PATH"), EnvShimReal + "=" + real, EnvShimRecord + "=" + rec, "PKG_CONFIG_LIBDIR="}
	var wg sync.WaitGroup
	const n = 16
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var out, errb bytes.Buffer
			RunShim("cgotrace", []string{"--cflags", "--", strings.Repeat("p", 5000)}, env, strings.NewReader(""), &out, &errb)
		}()
	}
	wg.Wait()
	recs, err := ReadRecords(rec)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != n {
		t.Fatalf("%d records, want %d", len(recs), n)
	}
}

func TestReadRecordsErrors(t *testing.T) {
	if _, err := ReadRecords(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("missing file: no error")
	}
	p := filepath.Join(t.TempDir(), "bad.jsonl")
	os.WriteFile(p, []byte("{\"argv\":[\"a\"]}\n{truncated"), 0o644)
	recs, err := ReadRecords(p)
	if err == nil || !strings.Contains(err.Error(), ":2:") || len(recs) != 1 {
		t.Errorf("recs %d, err %v", len(recs), err)
	}
}

// TestRecordFileExpect: the .pc files of a call are worked out when
// Expect is told of it, before the shim records it (here: before the .pc
// file is removed), and a record of that call gets them; a record of
// another call (another directory) is resolved when it is read.
func TestRecordFileExpect(t *testing.T) {
	dir := t.TempDir()
	pcdir := filepath.Join(dir, "pc")
	if err := os.Mkdir(pcdir, 0o755); err != nil {
		t.Fatal(err)
	}
	foo := filepath.Join(pcdir, "foo.pc")
	if err := os.WriteFile(foo, []byte("Name: foo\nVersion: 1\nDescription: d\nCflags: -I/x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// No real pkg-config to ask for its defaults: PKG_CONFIG_LIBDIR is
	// the whole search path.
	real := filepath.Join(dir, "no-pkg-config")
	env := Env{"PKG_CONFIG_LIBDIR=" + pcdir, "HOME=/nowhere"}
	rf := NewRecordFile(filepath.Join(dir, "rec.jsonl"))
	rf.Expect([]string{"--cflags", "--", "foo"}, dir, env, real)
	if err := os.Remove(foo); err != nil {
		t.Fatal(err)
	}
	var lines []byte
	for _, d := range []string{dir, pcdir} {
		b, err := json.Marshal(ShimRecord{Argv: []string{"pkg-config", "--cflags", "--", "foo"}, Real: real,
			Dir: d, Env: map[string]string{"PKG_CONFIG_LIBDIR": pcdir}})
		if err != nil {
			t.Fatal(err)
		}
		lines = append(append(lines, b...), '\n')
	}
	if err := os.WriteFile(rf.path, lines, 0o644); err != nil {
		t.Fatal(err)
	}
	recs, err := rf.Records()
	if err != nil {
		t.Fatal(err)
	}
	var got [][]string
	for _, r := range recs {
		got = append(got, append([]string{r.Dir}, r.PCFiles...))
	}
	want := [][]string{{dir, foo}, {pcdir}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("records' directories and .pc files %q, want %q", got, want)
	}
	if n := rf.ExpectedUsed(); n != 1 {
		t.Errorf("ExpectedUsed = %d, want 1", n)
	}
}

func TestCheckFlags(t *testing.T) {
	tests := []struct {
		kind  FlagKind
		flags []string
		env   map[string]string
		want  string
	}{
		{CompilerFlags, []string{"-I/x", "-DA=1", "-pthread", "-isystem", "/y"}, nil, ""},
		{CompilerFlags, []string{"-fplugin=evil.so"}, nil, "invalid flag in pkg-config --cflags: -fplugin=evil.so (see https://go.dev/s/invalidflag)"},
		{LinkerFlags, []string{"-Wl,--bogus-flag"}, nil, "invalid flag in pkg-config --libs: -Wl,--bogus-flag (see https://go.dev/s/invalidflag)"},
		{LinkerFlags, []string{"-lz"}, map[string]string{"CGO_LDFLAGS_DISALLOW": "-lz"}, "invalid flag in pkg-config --libs: -lz (see https://go.dev/s/invalidflag)"},
		{LinkerFlags, []string{"-Wl,--bogus-flag"}, map[string]string{"CGO_LDFLAGS_ALLOW": "-Wl,--bogus.*"}, ""},
		{LinkerFlags, []string{"-L"}, nil, "invalid flag in pkg-config --libs: -L without argument (see https://go.dev/s/invalidflag)"},
		{LinkerFlags, []string{"-L", "-x"}, nil, "invalid flag in pkg-config --libs: -L -x (see https://go.dev/s/invalidflag)"},
		{LinkerFlags, []string{"-Wl,--push-state,--as-needed", "-Wl,--pop-state"}, nil, ""},
		{LinkerFlags, []string{"x"}, map[string]string{"CGO_LDFLAGS_ALLOW": "("}, "parsing $CGO_LDFLAGS_ALLOW: error parsing regexp: missing closing ): `(`"},
	}
	for _, tt := range tests {
		src := "pkg-config --cflags"
		if tt.kind == LinkerFlags {
			src = "pkg-config --libs"
		}
		err := CheckFlags(tt.kind, src, tt.flags, func(k string) string { return tt.env[k] })
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("%v %v: %q, want %q", tt.flags, tt.env, got, tt.want)
		}
	}
}

func TestSplitPkgConfigOutput(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{`-DMSG=\"a\ b\" -DD=a\;b  -I/x `, `-DMSG="a b"|-DD=a;b|-I/x`, ""},
		{`'a b' "c\d" ""`, `a b|c\d|`, ""},
		{`-DC=(paren)`, "", "unexpected shell character '(' in pkgconf output"},
		{`"open`, "", "unterminated quoted string in pkgconf output"},
		{`trail\`, "", "broken character escaping in pkgconf output"},
	}
	for _, tt := range tests {
		got, err := SplitPkgConfigOutput(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%q: err %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || strings.Join(got, "|") != tt.want {
			t.Errorf("%q: %q %v, want %q", tt.in, strings.Join(got, "|"), err, tt.want)
		}
	}
}

// TestShimRunsOnlyTheCall: a shim call runs the real program once, for
// the call itself (no defaults asked, no .pc resolution); ReadRecords then
// works out the .pc files, asking the real program for its defaults once
// for all the records.
func TestShimRunsOnlyTheCall(t *testing.T) {
	dir := t.TempDir()
	calls := filepath.Join(dir, "calls")
	pcdir := filepath.Join(dir, "pc")
	writePC(t, pcdir, "a", pc("a", "Requires: b\n"))
	writePC(t, pcdir, "b", pc("b", ""))
	real := filepath.Join(dir, "fake-pkg-config")
	script := "#!/bin/sh\necho \"$*\" >>" + calls + "\ncase \"$*\" in\n" +
		"  *pc_path*) echo " + pcdir + " ;;\n  --version) echo 1.8.1 ;;\n  *) echo \"out: $*\" ;;\nesac\n"
	if err := os.WriteFile(real, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	rec := filepath.Join(dir, "rec.jsonl")
	env := Env{"PATH=" + os.Getenv("PATH"), EnvShimReal + "=" + real, EnvShimRecord + "=" + rec}
	for i := 0; i < 3; i++ {
		var out, errb bytes.Buffer
		if code := RunShim("cgotrace", []string{"--cflags", "--", "a"}, env, strings.NewReader(""), &out, &errb); code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
	}
	b, _ := os.ReadFile(calls)
	if string(b) != strings.Repeat("--cflags -- a\n", 3) {
		t.Fatalf("the real program ran for:\n%s", b)
	}
	recs, err := ReadRecords(rec)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if strings.Join(r.PCFiles, " ") != pcdir+"/a.pc "+pcdir+"/b.pc" {
			t.Errorf("pc files %q", r.PCFiles)
		}
	}
	b, _ = os.ReadFile(calls)
	if n := strings.Count(string(b), "--variable pc_path"); len(recs) != 3 || n != 1 {
		t.Errorf("%d records; the real program was asked for pc_path %d times:\n%s", len(recs), n, b)
	}
}
