package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// slowCgoModule writes a module whose cgo package has a large generated C
// file (about 8 s of cc1 at -O2 here) and a fresh nonce, so that the
// build cache never has it and no network is needed. It imports a small
// cgo package with a #cgo line, fast, which is built first: the build
// takes it from the cache, which is what made the old code run its
// forensic rebuild (the whole slow build again) after an interrupt.
func slowCgoModule(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	var nonce [8]byte
	rand.Read(nonce[:])
	var c strings.Builder
	fmt.Fprintf(&c, "// nonce %s\n", hex.EncodeToString(nonce[:]))
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(&c, "int f%d(int x){int y=x*%d; for(int i=0;i<x;i++) y^=(y<<3)+i; return y;}\n", i, i)
	}
	c.WriteString("int slow_total(void){return f1(3);}\n")
	files := map[string]string{
		"go.mod":  "module example.com/slow\n\ngo 1.22\n",
		"main.go": "package main\n\n// int slow_total(void);\nimport \"C\"\nimport \"example.com/slow/fast\"\n\nfunc main() { println(C.slow_total(), fast.One()) }\n",
		"slow.c":  c.String(),
		"fast/fast.go": "package fast\n\n// #cgo CFLAGS: -DFAST_ONE=1\n// static int one(void) { return FAST_ONE; }\nimport \"C\"\n\n" +
			"func One() int { return int(C.one()) }\n",
	}
	os.Mkdir(filepath.Join(dir, "fast"), 0o755)
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("go", "build", "./fast")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./fast: %v\n%s", err, out)
	}
	return dir
}

// childOf waits for a process whose parent is ppid and whose command is
// comm, and returns its pid.
func childOf(t *testing.T, ppid int, comm string, timeout time.Duration) int {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		ents, _ := os.ReadDir("/proc")
		for _, e := range ents {
			pid, err := strconv.Atoi(e.Name())
			if err != nil {
				continue
			}
			st, err := procStat(pid)
			if err == nil && st.ppid == ppid && st.comm == comm {
				return pid
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no %s process under %d after %v", comm, ppid, timeout)
	return 0
}

type procStatus struct {
	comm       string
	ppid, pgid int
	state      string
}

// procStat reads /proc/PID/stat: "pid (comm) state ppid pgrp ...".
func procStat(pid int) (procStatus, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procStatus{}, err
	}
	s := string(data)
	open, close := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || close < open {
		return procStatus{}, fmt.Errorf("/proc/%d/stat: %q", pid, s)
	}
	f := strings.Fields(s[close+1:])
	if len(f) < 3 {
		return procStatus{}, fmt.Errorf("/proc/%d/stat: %q", pid, s)
	}
	ppid, _ := strconv.Atoi(f[1])
	pgid, _ := strconv.Atoi(f[2])
	return procStatus{comm: s[open+1 : close], ppid: ppid, pgid: pgid, state: f[0]}, nil
}

// groupMembers lists the live (not zombie) processes of process group pgid.
func groupMembers(pgid int) []string {
	var out []string
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st, err := procStat(pid); err == nil && st.pgid == pgid && st.state != "Z" {
			out = append(out, fmt.Sprintf("%d %s", pid, st.comm))
		}
	}
	return out
}

// TestBuildInterrupt: SIGINT or SIGTERM to cgotrace while go build
// compiles a slow cgo package stops go build's process group, writes the
// partial report (outcome interrupted, no diagnosis: the old code named
// it compile-error and ran its re-runs) and exits 128+signal within
// about a second.
func TestBuildInterrupt(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: runs go build")
	}
	for _, tool := range []string{"go", "gcc"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	bin := buildBinary(t)
	for _, tc := range []struct {
		sig  syscall.Signal
		name string
	}{{syscall.SIGINT, "SIGINT"}, {syscall.SIGTERM, "SIGTERM"}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := slowCgoModule(t)
			cmd := exec.Command(bin, "build", "--format", "json", "--report-dir", "out", "-o", "slow", ".")
			cmd.Dir = dir
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			goPid := childOf(t, cmd.Process.Pid, "go", 30*time.Second)
			// Let go build reach the C compiler of slow.c.
			deadline := time.Now().Add(30 * time.Second)
			for time.Now().Before(deadline) && !strings.Contains(strings.Join(groupMembers(goPid), " "), "cc1") {
				time.Sleep(20 * time.Millisecond)
			}
			start := time.Now()
			cmd.Process.Signal(tc.sig)
			err := cmd.Wait()
			took := time.Since(start)
			t.Logf("exited %v after the signal", took)
			if took > 2*time.Second {
				t.Errorf("cgotrace exited %v after %s, want within a second or so", took, tc.name)
			}
			want := 128 + int(tc.sig)
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != want {
				t.Errorf("exit: %v, want %d\n%s", err, want, stderr.String())
			}
			time.Sleep(100 * time.Millisecond)
			if left := groupMembers(goPid); len(left) > 0 {
				t.Errorf("processes of go build's group left after cgotrace exited: %v", left)
				syscall.Kill(-goPid, syscall.SIGKILL)
			}
			var rep struct {
				Command struct {
					Outcome, Signal string
				}
				Diagnoses []json.RawMessage
				Packages  []json.RawMessage
			}
			if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
				t.Fatalf("report: %v\n%s", err, stdout.String())
			}
			if rep.Command.Outcome != "interrupted" || rep.Command.Signal != tc.name {
				t.Errorf("command = %+v, want outcome interrupted by %s", rep.Command, tc.name)
			}
			if len(rep.Diagnoses) != 0 {
				t.Errorf("an interrupted build got diagnoses: %s", rep.Diagnoses)
			}
			if len(rep.Packages) == 0 {
				t.Errorf("the partial report has no packages (what go build did until the signal)")
			}
			saved, err := os.ReadFile(filepath.Join(dir, "out", "report.json"))
			if err != nil || !bytes.Contains(saved, []byte(`"outcome": "interrupted"`)) {
				t.Errorf("--report-dir report.json: %v\n%.300s", err, saved)
			}
		})
	}
}

// TestBuildSecondSignal: when go build does not stop at the first SIGINT
// (a fake go that traps it), a second SIGINT kills its process group and
// cgotrace exits at once.
func TestBuildSecondSignal(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	fakeGo := filepath.Join(dir, "go")
	script := "#!/bin/sh\n" +
		"case \"$1\" in build) ;; *) exit 0;; esac\n" +
		"trap '' INT TERM\n" +
		"echo '{\"ImportPath\":\"\",\"Action\":\"build-output\",\"Output\":\"WORK=/tmp/go-build-none\\n\"}'\n" +
		"sleep 60 & wait; sleep 60\n"
	if err := os.WriteFile(fakeGo, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "build", "--go", fakeGo, ".")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	goPid := childOf(t, cmd.Process.Pid, "go", 30*time.Second)
	childOf(t, goPid, "sleep", 30*time.Second)
	cmd.Process.Signal(syscall.SIGINT)
	time.Sleep(300 * time.Millisecond)
	if st, err := procStat(cmd.Process.Pid); err != nil || st.state == "Z" {
		t.Fatalf("cgotrace exited at the first SIGINT although go build still runs")
	}
	start := time.Now()
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	if took := time.Since(start); took > time.Second {
		t.Errorf("cgotrace exited %v after the second SIGINT, want at once", took)
	}
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
		t.Errorf("exit: %v, want 130\n%s", err, stderr.String())
	}
	time.Sleep(100 * time.Millisecond)
	if left := groupMembers(goPid); len(left) > 0 {
		t.Errorf("processes of go build's group left: %v", left)
		syscall.Kill(-goPid, syscall.SIGKILL)
	}
}
