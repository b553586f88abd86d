package elfinspect

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// fixtureDir is shared by every test of one `go test` process: the
// fixtures that are slow to build (Go cross builds) are built once.
var (
	fixtureDir  string
	fixtureMu   sync.Mutex
	goFixtures  = map[string]string{}
	goFixErrors = map[string]error{}
)

func TestMain(m *testing.M) {
	d, err := os.MkdirTemp("", "elfinspect-fixtures-")
	if err != nil {
		panic(err)
	}
	fixtureDir = d
	code := m.Run()
	os.RemoveAll(d)
	os.Exit(code)
}

// goBinary builds a tiny Go program for goos/goarch (pure Go, so any
// target works here) and returns its path.
func goBinary(t testing.TB, goos, goarch string) string {
	t.Helper()
	fixtureMu.Lock()
	defer fixtureMu.Unlock()
	key := goos + "_" + goarch
	if p, ok := goFixtures[key]; ok {
		return p
	}
	if err, ok := goFixErrors[key]; ok {
		t.Skipf("go build for %s: %v", key, err)
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go toolchain not on PATH")
	}
	src := filepath.Join(fixtureDir, "src")
	os.MkdirAll(src, 0o755)
	os.WriteFile(filepath.Join(src, "go.mod"), []byte("module hello\n\ngo 1.22\n"), 0o644)
	os.WriteFile(filepath.Join(src, "main.go"), []byte("package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello\") }\n"), 0o644)
	out := filepath.Join(fixtureDir, "hello_"+key)
	if goos == "windows" {
		out += ".exe"
	}
	cmd := exec.Command(gobin, "build", "-trimpath", "-o", out, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "CGO_ENABLED=0", "GOFLAGS=-buildvcs=false")
	if b, err := cmd.CombinedOutput(); err != nil {
		goFixErrors[key] = err
		t.Fatalf("go build %s: %v\n%s", key, err, b)
	}
	goFixtures[key] = out
	return out
}

// gcc compiles C source into out with args, or skips when the compiler
// is missing.
func cc(t testing.TB, compiler, dir, out, src string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath(compiler); err != nil {
		t.Skipf("%s not installed", compiler)
	}
	srcPath := filepath.Join(dir, filepath.Base(out)+".c")
	if err := os.WriteFile(srcPath, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	outPath := filepath.Join(dir, out)
	os.MkdirAll(filepath.Dir(outPath), 0o755)
	cmdArgs := append([]string{"-o", outPath, srcPath}, args...)
	cmd := exec.Command(compiler, cmdArgs...)
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", compiler, cmdArgs, err, b)
	}
	return outPath
}

func writeFile(t testing.TB, p string, b []byte) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}
