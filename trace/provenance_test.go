package trace

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/shlex"
)

// TestCgoStepFlagOrigins: the flags of a failed cgo step come from two
// places: its -ldflags are the package's #cgo LDFLAGS (origin: that line,
// stage link), the flags after -- its C flags. The step is go1.26.8's -x
// line for github.com/linxGnu/grocksdb v1.11.1 (its non_builtin.go:7 is
// "#cgo LDFLAGS: -lrocksdb -pthread -lstdc++ -ldl -lm -lzstd -llz4 -lz
// -lsnappy"; the .go files cut to one). Before, the -ldflags were matched
// against the C flags' lines and had no origin.
func TestCgoStepFlagOrigins(t *testing.T) {
	line := `/usr/local/go/pkg/tool/linux_amd64/cgo -objdir /tmp/go-build1/b002/ -importpath github.com/linxGnu/grocksdb "-ldflags=\"-O2\" \"-g\" \"-lrocksdb\" \"-pthread\" \"-lstdc++\" \"-ldl\" \"-lm\" \"-lzstd\" \"-llz4\" \"-lz\" \"-lsnappy\"" -- -I /tmp/go-build1/b002/ -O2 -g ./non_builtin.go`
	argv, err := shlex.Split(line)
	if err != nil {
		t.Fatal(err)
	}
	dir := "/root/go/pkg/mod/github.com/linx!gnu/grocksdb@v1.11.1"
	p := &Package{ImportPath: "github.com/linxGnu/grocksdb", Dir: dir,
		Directives: []Directive{{File: "non_builtin.go", Line: 7, Verb: "LDFLAGS",
			Args: []string{"-lrocksdb", "-pthread", "-lstdc++", "-ldl", "-lm", "-lzstd", "-llz4", "-lz", "-lsnappy"}}},
		Steps: []Step{{Kind: KindCgo, Argv: argv, Dir: dir, Failed: true}}}
	a := &analysis{o: &BuildOptions{}, rep: &Report{Packages: []*Package{p}}}
	a.flagProvenance(p)
	var want []Flag
	for _, f := range p.Directives[0].Args {
		want = append(want, Flag{Flag: f, Stage: "link", Origin: OriginDirective, Detail: "non_builtin.go:7"})
	}
	want = append(want, Flag{Flag: "-I/tmp/go-build1/b002/", Stage: "compile", Origin: OriginGo, Detail: "go build (the package and work directories)"})
	if diff := cmp.Diff(want, p.Flags); diff != "" {
		t.Errorf("flags (-want +got):\n%s", diff)
	}
}

// noRunner fails the test if anything is run.
type noRunner struct{ t *testing.T }

func (r noRunner) Run(ctx context.Context, c Cmd) (int, error) {
	r.t.Errorf("ran %s %q: the origin of a flag must not run go env", c.Name, c.Args)
	return 1, errors.New("not run")
}

// TestGoCgoFlags: a flag that only go env's CGO_* value accounts for is
// found without running go env (which runs the C compiler): in the go
// env file, in GOROOT/go.env, or go's default -O2 -g, as cmd/go's
// envList reads them.
func TestGoCgoFlags(t *testing.T) {
	dir := t.TempDir()
	envFile := filepath.Join(dir, "env")
	root := filepath.Join(dir, "goroot")
	os.Mkdir(root, 0o755)
	os.WriteFile(envFile, []byte("CGO_LDFLAGS=-L/opt/user/lib -lx\n"), 0o644)
	os.WriteFile(filepath.Join(root, "go.env"), []byte("# GOROOT's\nCGO_LDFLAGS=-L/opt/root/lib\nCGO_CFLAGS=-I/opt/root/include\n"), 0o644)
	p := &Package{ImportPath: "example.com/p", Dir: dir}
	for _, tc := range []struct {
		env                 []string
		flag, stage, detail string
	}{
		{[]string{"GOENV=" + envFile}, "-L/opt/user/lib", "link", "CGO_LDFLAGS (go env)"},
		{[]string{"GOENV=off"}, "-L/opt/root/lib", "link", "CGO_LDFLAGS (go env)"},
		{[]string{"GOENV=" + envFile}, "-L/opt/root/lib", "link", ""},
		{[]string{"GOENV=off"}, "-I/opt/root/include", "compile", "CGO_CFLAGS (go env)"},
		{[]string{"GOENV=off", "CGO_CFLAGS=-I/opt/env/include"}, "-I/opt/env/include", "compile", "CGO_CFLAGS"},
		{[]string{"GOENV=off", "CGO_CFLAGS=-I/opt/env/include"}, "-I/opt/root/include", "compile", ""},
	} {
		a := &analysis{o: &BuildOptions{Env: tc.env, Runner: noRunner{t}}, goEnv: GoEnv{"GOROOT": root}, rep: &Report{Packages: []*Package{p}}}
		origin, detail := a.originOf(p, tc.flag, tc.stage)
		if detail != tc.detail || (tc.detail == "") != (origin == OriginUnknown) {
			t.Errorf("%v: %s (%s) from %s %q, want %q", tc.env, tc.flag, tc.stage, origin, detail, tc.detail)
		}
	}
	a := &analysis{o: &BuildOptions{Env: []string{"GOENV=off"}}}
	if got := a.goCgoFlags("CGO_CFLAGS") + "|" + a.goCgoFlags("CGO_CPPFLAGS"); got != "-O2 -g|" {
		t.Errorf("go's defaults of CGO_CFLAGS|CGO_CPPFLAGS: %q", got)
	}
}
