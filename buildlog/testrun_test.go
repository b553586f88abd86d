package buildlog

import (
	"strings"
	"testing"
)

// TestIsTestRunLine: the lines go1.26.8 printed with go test -x here
// (trace/testdata/gotest), and lines of test output that look alike.
func TestIsTestRunLine(t *testing.T) {
	for _, l := range []string{
		"$WORK/b001/ok.test -test.paniconexit0 -test.timeout=10m0s -test.count=1",
		"$WORK/b001/ok.test -test.paniconexit0 -test.v=test2json -test.timeout=10m0s -test.count=1",
		"/tmp/go-build1/b001/x.test.exe -test.paniconexit0",
		"qemu-arm $WORK/b001/x.test -test.paniconexit0 -test.timeout=10m0s",
	} {
		if !IsTestRunLine(l) {
			t.Errorf("IsTestRunLine(%q) = false", l)
		}
	}
	for _, l := range []string{
		"",
		".test -test.v",
		"ok  \texample.com/ok\t0.01s",
		"--- FAIL: TestX (0.00s)",
		"the binary x.test then ran with -test.v as its flag",
		"$WORK/b001/ok.test",
	} {
		if IsTestRunLine(l) {
			t.Errorf("IsTestRunLine(%q) = true", l)
		}
	}
}

func TestStartsHeredoc(t *testing.T) {
	for l, want := range map[string]bool{
		"cat >/tmp/go-build3491327288/b001/importcfg.link << 'EOF' # internal": true,
		"cat >$WORK/b002/importcfg << 'EOF' # internal":                        true,
		"cat >$WORK/b002/x.go << 'EOF'":                                        true,
		"cat $WORK/b002/x.go":                                                  false,
		"EOF":                                                                  false,
	} {
		if got := StartsHeredoc(l); got != want {
			t.Errorf("StartsHeredoc(%q) = %v", l, got)
		}
	}
}

func FuzzIsTestRunLine(f *testing.F) {
	f.Add("$WORK/b001/ok.test -test.paniconexit0 -test.timeout=10m0s")
	f.Add("cat >$WORK/b002/importcfg << 'EOF' # internal")
	f.Fuzz(func(t *testing.T, l string) {
		if IsTestRunLine(l) && !strings.Contains(l, ".test") {
			t.Fatalf("%q: no .test binary", l)
		}
		if StartsHeredoc(l) && !strings.HasPrefix(l, "cat >") {
			t.Fatalf("%q: not cat >", l)
		}
	})
}
