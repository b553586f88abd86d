package envcheck

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseTriple(t *testing.T) {
	tests := []struct {
		triple, goos, goarch string
		ok                   bool
	}{
		{"x86_64-linux-gnu", "linux", "amd64", true},
		{"x86_64-pc-linux-gnu", "linux", "amd64", true},
		{"aarch64-linux-gnu", "linux", "arm64", true},
		{"arm-linux-gnueabihf", "linux", "arm", true},
		{"i686-linux-gnu", "linux", "386", true},
		{"x86_64-w64-mingw32", "windows", "amd64", true},
		{"arm64-apple-darwin23.0.0", "darwin", "arm64", true},
		{"x86_64-apple-darwin", "darwin", "amd64", true},
		{"riscv64-linux-gnu", "linux", "riscv64", true},
		{"powerpc64le-linux-gnu", "linux", "ppc64le", true},
		{"aarch64-linux-android21", "android", "arm64", true},
		{"x86_64-unknown-freebsd14.0", "freebsd", "amd64", true},
		{"x86_64-linux-musl", "linux", "amd64", true},
		{"vax-dec-ultrix", "", "", false},
		{"", "", "", false},
		{"x86_64", "", "", false},
	}
	for _, tt := range tests {
		goos, goarch, ok := ParseTriple(tt.triple)
		if ok != tt.ok || (ok && (goos != tt.goos || goarch != tt.goarch)) {
			t.Errorf("ParseTriple(%q) = %q, %q, %v; want %q, %q, %v", tt.triple, goos, goarch, ok, tt.goos, tt.goarch, tt.ok)
		}
	}
}

func TestTargetMatches(t *testing.T) {
	if !TargetMatches("linux", "amd64", "linux", "386") {
		t.Error("x86_64 gcc builds 386 with -m32")
	}
	if TargetMatches("linux", "arm64", "linux", "amd64") {
		t.Error("aarch64 is not amd64")
	}
	if TargetMatches("windows", "amd64", "linux", "amd64") {
		t.Error("mingw is not linux")
	}
}

func TestSplitQuoted(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		err  bool
	}{
		{"", nil, false},
		{"gcc", []string{"gcc"}, false},
		{"  ccache   gcc -m64 ", []string{"ccache", "gcc", "-m64"}, false},
		{`-I"/a b" -DX='1 2'`, []string{"-I/a b", "-DX=1 2"}, false},
		{`"unterminated`, nil, true},
	}
	for _, tt := range tests {
		got, err := SplitQuoted(tt.in)
		if (err != nil) != tt.err || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SplitQuoted(%q) = %q, %v; want %q, err %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestRedactProxy(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://proxy.golang.org,direct", "https://proxy.golang.org,direct"},
		{"https://u:p@corp.example/go|https://proxy.golang.org", "https://***@corp.example/go|https://proxy.golang.org"},
		{"https://token@corp.example", "https://***@corp.example"},
		{"off", "off"},
		{"https://u:p%zz@bad.example", "https://***@bad.example"},
	}
	for _, tt := range tests {
		if got := RedactProxy(tt.in); got != tt.want {
			t.Errorf("RedactProxy(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCheckCgoFlags(t *testing.T) {
	tests := []struct {
		value   string
		verdict Verdict
		fix     string
	}{
		{"-O2 -g", OK, ""},
		{"-Irel", Fail, `CGO_CFLAGS="-I/w/rel"`},
		{"-isystem rel -O2", Fail, `CGO_CFLAGS="-isystem /w/rel -O2"`},
		{"-L ./lib -lfoo", Fail, `CGO_CFLAGS="-L /w/lib -lfoo"`},
		{"-I/cgotrace/none", Warn, "remove them"},
		{"-I", OK, ""},
		{`-I"unterminated`, Fail, "quoting"},
	}
	for _, tt := range tests {
		c, _ := CheckCgoFlags("CGO_CFLAGS", tt.value, "/w")
		if c.Verdict != tt.verdict || !strings.Contains(c.Fix, tt.fix) {
			t.Errorf("%q: %s %q; want %s %q", tt.value, c.Verdict, c.Fix, tt.verdict, tt.fix)
		}
	}
}

func TestDecideCgo(t *testing.T) {
	host := GoEnv{"GOOS": "linux", "GOARCH": "amd64", "GOHOSTOS": "linux", "GOHOSTARCH": "amd64"}
	with := func(ge GoEnv, kv ...string) GoEnv {
		out := GoEnv{}
		for k, v := range ge {
			out[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i]] = kv[i+1]
		}
		return out
	}
	tests := []struct {
		name    string
		env     []string
		ge      GoEnv
		enabled bool
		expl    bool
		implied string
	}{
		{"default on", []string{"PATH=/usr/bin"}, with(host, "CGO_ENABLED", "1"), true, false, ""},
		{"explicit off", []string{"CGO_ENABLED=0"}, with(host, "CGO_ENABLED", "0"), false, true, ""},
		{"no cc", []string{"PATH=/cgotrace/none"}, with(host, "CGO_ENABLED", "0"), false, false, "no C compiler"},
		{"cross", []string{"PATH=/usr/bin", "CC=x"}, with(host, "GOARCH", "arm64", "CGO_ENABLED", "0"), false, false, "cross-compiling"},
		{"value 2", []string{"CGO_ENABLED=2"}, with(host, "CGO_ENABLED", "1"), true, false, ""},
	}
	for _, tt := range tests {
		st := DecideCgo(NewEnv(tt.env), tt.ge)
		if st.Enabled != tt.enabled || st.Explicit != tt.expl || !strings.Contains(st.ImpliedOff, tt.implied) ||
			(tt.implied == "" && st.ImpliedOff != "") {
			t.Errorf("%s: %+v", tt.name, st)
		}
	}
}

// fakeRunner answers go env from a map: the checks that only read go's
// view need no toolchain.
type fakeRunner struct{ goenv string }

func (f fakeRunner) Run(ctx context.Context, c Command) ([]byte, []byte, error) {
	if len(c.Args) > 0 && c.Args[0] == "env" {
		return []byte(f.goenv), nil, nil
	}
	return nil, []byte("not available in this test"), errors.New("exit status 1")
}

func TestFakeRunnerGoEnv(t *testing.T) {
	dir := t.TempDir()
	goenv := `{"GOOS":"linux","GOARCH":"amd64","GOHOSTOS":"linux","GOHOSTARCH":"amd64","GOVERSION":"go1.99",
		"GOCACHE":"` + dir + `","CGO_ENABLED":"1","CC":"gcc","CXX":"g++","GOMOD":"/dev/null","GOPATH":"` + dir + `",
		"GOPROXY":"off","PKG_CONFIG":"pkg-config"}`
	rep, err := Run(context.Background(), Options{
		Env:    []string{"PATH=" + pathWith(t, "go"), "GOENV=off"},
		Dir:    dir,
		Runner: fakeRunner{goenv},
	})
	if err != nil {
		t.Fatal(err)
	}
	want(t, rep, "go", OK, "go1.99 linux/amd64", "")
	want(t, rep, "gocache", OK, dir, "")
	want(t, rep, "goproxy", Warn, "GOPROXY=off", "GOPROXY=https://proxy.golang.org,direct")
	// gcc is not on this PATH, CC is the default and cgo is on: go env
	// says 1 (as when CC is set), so the missing compiler fails.
	want(t, rep, "cc", Fail, `CC="gcc" (default): not found`, "apt-get install gcc")
}
