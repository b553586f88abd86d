package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cgotrace/cgotrace/pkgconfig"
)

// TestShimTransparentGoBuild runs a real go build of a module using
// `#cgo pkg-config:` without and with the recording shim and compares exit
// code, output and binary byte for byte, for a success and for a missing
// package. Each build gets its own GOCACHE, a hard-linked copy of the warm
// one, so that pkg-config really runs in both (the build cache does not
// hash pkg-config output) while the action IDs, hence the binaries, match.
func TestShimTransparentGoBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go build")
	}
	for _, tool := range []string{"go", "gcc", "pkg-config", "cp"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not found: %v", tool, err)
		}
	}
	realPC, _ := exec.LookPath("pkg-config")
	tmp := t.TempDir()
	bin := buildBinary(t)
	warm, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	cacheCopy := func(name string) string {
		dst := filepath.Join(tmp, name)
		if out, err := exec.Command("cp", "-al", strings.TrimSpace(string(warm)), dst).CombinedOutput(); err != nil {
			t.Skipf("cannot hard-link the build cache: %v %s", err, out)
		}
		return dst
	}
	pcdir := filepath.Join(tmp, "pc")
	os.MkdirAll(filepath.Join(tmp, "inc"), 0o755)
	os.WriteFile(filepath.Join(tmp, "inc", "fake.h"), []byte("#define FAKE 7\n"), 0o644)
	os.MkdirAll(pcdir, 0o755)
	os.WriteFile(filepath.Join(pcdir, "fakepc.pc"), []byte("prefix="+tmp+"\nName: fakepc\nDescription: fake\nVersion: 1.0\n"+
		"Cflags: -DFOO=42 -I${prefix}/inc\nLibs: -lm\n"), 0o644)

	mod := func(name, pkg string) string {
		dir := filepath.Join(tmp, name)
		os.MkdirAll(dir, 0o755)
		os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/"+name+"\n\ngo 1.26\n"), 0o644)
		os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\n// #cgo pkg-config: "+pkg+
			"\n// #include <fake.h>\n// static int foo(void) { return FOO + FAKE; }\nimport \"C\"\n\nfunc main() { println(C.foo()) }\n"), 0o644)
		return dir
	}
	type outcome struct {
		code int
		out  string
		bin  []byte
	}
	build := func(dir, cache string, shim bool, rec string) outcome {
		cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "out"), ".")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "PKG_CONFIG_PATH="+pcdir, "GOCACHE="+cache, "GOFLAGS=-buildvcs=false", "CGO_ENABLED=1")
		if shim {
			cmd.Env = append(cmd.Env, "PKG_CONFIG="+bin)
			cmd.Env = append(cmd.Env, pkgconfig.ShimEnv(realPC, rec)...)
		}
		out, err := cmd.CombinedOutput()
		o := outcome{out: string(out)}
		if ee, ok := err.(*exec.ExitError); ok {
			o.code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		o.bin, _ = os.ReadFile(filepath.Join(dir, "out"))
		os.Remove(filepath.Join(dir, "out"))
		return o
	}
	c1, c2 := cacheCopy("cache1"), cacheCopy("cache2")
	for _, tc := range []struct {
		name, pkg string
		code      int
	}{{"ok", "fakepc", 0}, {"missing", "nosuchpkg", 1}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := mod(tc.name, tc.pkg)
			rec := filepath.Join(tmp, tc.name+".jsonl")
			plain := build(dir, c1, false, "")
			shimmed := build(dir, c2, true, rec)
			if plain.code != tc.code || shimmed.code != plain.code {
				t.Fatalf("exit codes: plain %d, shim %d, want %d\nplain: %s\nshim: %s", plain.code, shimmed.code, tc.code, plain.out, shimmed.out)
			}
			// cmd/go names PKG_CONFIG in its own failure header; that
			// word is the only allowed difference.
			if got := strings.ReplaceAll(shimmed.out, bin, "pkg-config"); got != plain.out {
				t.Errorf("output differs:\nplain: %q\nshim:  %q", plain.out, got)
			}
			if !bytes.Equal(plain.bin, shimmed.bin) {
				t.Errorf("binaries differ (%d vs %d bytes)", len(plain.bin), len(shimmed.bin))
			}
			recs, err := pkgconfig.ReadRecords(rec)
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) == 0 {
				t.Fatal("no pkg-config call recorded")
			}
			r := recs[0]
			if r.ImportPath != "example.com/"+tc.name || r.Dir != dir || r.Argv[1] != "--cflags" {
				t.Errorf("record: %+v", r)
			}
			if tc.code == 0 {
				if len(recs) != 2 || r.ExitCode != 0 || !strings.Contains(r.Stdout, "-DFOO=42") ||
					len(r.PCFiles) != 1 || r.PCFiles[0] != filepath.Join(pcdir, "fakepc.pc") {
					t.Errorf("records: %+v", recs)
				}
			} else if len(recs) != 1 || r.ExitCode != 1 || !strings.Contains(r.Stdout+r.Stderr, "Package 'nosuchpkg'") {
				t.Errorf("records: %+v", recs)
			}
		})
	}
}
