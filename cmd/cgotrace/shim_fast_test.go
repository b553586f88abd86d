package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/cgotrace/cgotrace/pkgconfig"
)

// TestShimFastPath runs the built cgotrace as the shim (the start-up path
// of cmd/cgotrace/internal/pcshim) and pkgconfig.RunShim (the full path)
// around the same fake pkg-config, and compares what each passes through
// and records; and checks that the shim initialises neither the CLI nor
// logging, and that a program it cannot start falls back to the full
// path's error.
func TestShimFastPath(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the fast path is Linux only")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	real := filepath.Join(dir, "fake-pkg-config")
	script := "#!/bin/sh\nprintf 'out: %s <&> \\\\ \"q\" \\001 \\377\\n' \"$*\"\nprintf 'err: %s\\n' \"$PKG_CONFIG_PATH\" >&2\nprintf 'more out\\n'\nexit ${FAKE_RC:-0}\n"
	if err := os.WriteFile(real, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	args := []string{"--cflags", "--", "zlib", "a b", ""}
	for _, rc := range []string{"0", "3"} {
		for _, merged := range []bool{false, true} {
			fastRec, fullRec := filepath.Join(dir, "fast.jsonl"), filepath.Join(dir, "full.jsonl")
			os.Remove(fastRec)
			os.Remove(fullRec)
			env := append(os.Environ(), pkgconfig.EnvShimReal+"="+real, "FAKE_RC="+rc, "TOOLEXEC_IMPORTPATH=example.com/p",
				"PKG_CONFIG_PATH=/nowhere", "PKG_CONFIG_LIBDIR=")
			// fast path: the binary
			outF, errF := filepath.Join(dir, "out"), filepath.Join(dir, "err")
			fo, _ := os.Create(outF)
			fe := fo
			if !merged {
				fe, _ = os.Create(errF)
			}
			cmd := exec.Command(bin, args...)
			cmd.Env = append(env, pkgconfig.EnvShimRecord+"="+fastRec)
			cmd.Dir = dir
			cmd.Stdout, cmd.Stderr = fo, fe
			err := cmd.Run()
			fo.Close()
			fe.Close()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			gotOut, _ := os.ReadFile(outF)
			gotErr := []byte{}
			if !merged {
				gotErr, _ = os.ReadFile(errF)
			}
			// full path, in this process
			var wantOut, wantErr bytes.Buffer
			wantCode := pkgconfig.RunShim(bin, args, pkgconfig.Env(append(env, pkgconfig.EnvShimRecord+"="+fullRec)),
				strings.NewReader(""), &wantOut, &wantErr)
			if merged {
				// RunShim sees two buffers; the shim one file: the
				// fake writes out, err, out in order.
				wantOut.Reset()
				wantOut.WriteString("out: --cflags -- zlib a b  <&> \\ \"q\" \001 \377\nerr: /nowhere\nmore out\n")
				wantErr.Reset()
			}
			if code != wantCode || !bytes.Equal(gotOut, wantOut.Bytes()) || !bytes.Equal(gotErr, wantErr.Bytes()) {
				t.Errorf("rc %s merged %v: exit %d stdout %q stderr %q\nwant exit %d stdout %q stderr %q", rc, merged,
					code, gotOut, gotErr, wantCode, wantOut.Bytes(), wantErr.Bytes())
			}
			fast, err1 := pkgconfig.ReadRecords(fastRec)
			full, err2 := pkgconfig.ReadRecords(fullRec)
			if err1 != nil || err2 != nil || len(fast) != 1 || len(full) != 1 {
				t.Fatalf("records: %v %v %+v %+v", err1, err2, fast, full)
			}
			f, w := fast[0], full[0]
			if merged {
				// as decoded from JSON: the invalid byte is U+FFFD
				w.Stdout, w.Stderr, w.Merged = strings.ToValidUTF8(wantOut.String(), "\uFFFD"), "", true
			}
			f.Time, f.DurationMS, w.DurationMS = w.Time, 0, 0
			w.Dir = dir // RunShim ran in this process's directory
			if fj, wj := mustJSON(t, f), mustJSON(t, w); fj != wj {
				t.Errorf("rc %s merged %v: records differ\nfast %s\nfull %s", rc, merged, fj, wj)
			}
		}
	}

	// nothing of the CLI is initialised in shim mode
	cmd := exec.Command(bin, "--modversion", "x")
	cmd.Env = append(os.Environ(), pkgconfig.EnvShimReal+"="+real, "GODEBUG=inittrace=1")
	out, _ := cmd.CombinedOutput()
	for _, pkg := range []string{"github.com/spf13/cobra", "github.com/sirupsen/logrus", "html/template", "net", "os"} {
		if strings.Contains(string(out), "init "+pkg+" @") {
			t.Errorf("shim mode initialised %s:\n%s", pkg, out)
		}
	}
	if !strings.Contains(string(out), "out: --modversion x") {
		t.Errorf("shim output %q", out)
	}

	// a program that cannot be started: the full path's error, exit 127
	cmd = exec.Command(bin, "--libs", "x")
	cmd.Env = append(os.Environ(), pkgconfig.EnvShimReal+"=/nonexistent/pkgconf")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 127 || !strings.Contains(stderr.String(), "/nonexistent/pkgconf") {
		t.Errorf("missing program: %v, stderr %q", err, stderr.String())
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestShimFastPathBigOutput: a program that writes more than a pipe holds
// to both streams, in turns, neither blocks nor loses a byte: the shim
// drains both pipes in one thread.
func TestShimFastPathBigOutput(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the fast path is Linux only")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	real := filepath.Join(dir, "fake-pkg-config")
	// 4 turns of 70,000 bytes to stdout then 50,000 to stderr: more than
	// a 64 KiB pipe each time
	script := "#!/bin/sh\nfor i in 1 2 3 4; do\n  yes \"out $i\" | head -c 70000\n  yes \"err $i\" | head -c 50000 >&2\ndone\nexit 5\n"
	if err := os.WriteFile(real, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	var wantOut, wantErr bytes.Buffer
	for i := 1; i <= 4; i++ {
		wantOut.WriteString(strings.Repeat(fmt.Sprintf("out %d\n", i), 70000/6+1)[:70000])
		wantErr.WriteString(strings.Repeat(fmt.Sprintf("err %d\n", i), 50000/6+1)[:50000])
	}
	rec := filepath.Join(dir, "rec.jsonl")
	cmd := exec.Command(bin, "--cflags", "big")
	cmd.Env = append(os.Environ(), pkgconfig.EnvShimReal+"="+real, pkgconfig.EnvShimRecord+"="+rec)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 5 {
		t.Fatalf("exit: %v", err)
	}
	if !bytes.Equal(stdout.Bytes(), wantOut.Bytes()) || !bytes.Equal(stderr.Bytes(), wantErr.Bytes()) {
		t.Fatalf("passed through %d, %d bytes; want %d, %d", stdout.Len(), stderr.Len(), wantOut.Len(), wantErr.Len())
	}
	recs, err := pkgconfig.ReadRecords(rec)
	if err != nil || len(recs) != 1 {
		t.Fatal(err, recs)
	}
	if r := recs[0]; r.Stdout != wantOut.String() || r.Stderr != wantErr.String() || r.ExitCode != 5 || r.Merged {
		t.Errorf("record: %d, %d bytes, exit %d, merged %v", len(r.Stdout), len(r.Stderr), r.ExitCode, r.Merged)
	}
}
