package pkgconfig

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSelfReferenceTerminates: a stored value that still holds "${x}" (the
// 1.8.1 "$${x}" rule) and refers to itself makes pkgconf 1.8.1 recurse
// until it crashes (exit by signal, seen here); we stop at a fixed depth
// and stay linear.
func TestSelfReferenceTerminates(t *testing.T) {
	src := "d=$\nx=${d}{x}${d}{x}\ny=${x}${x}\nName: sr\nDescription: d\nVersion: 1\nCflags: -DY=${y}\n"
	start := time.Now()
	p := Parse([]byte(src), "/a/sr.pc", nil)
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("took %v", d)
	}
	if !p.Valid() || len(p.Cflags) != 1 || !strings.HasPrefix(p.Cflags[0].String(), "-DY=") {
		t.Fatalf("cflags %v", p.Cflags)
	}
}

func TestCompareVersion(t *testing.T) {
	// results checked against pkgconf 1.8.1 (reference, section 2.7 and
	// the addendum)
	tests := []struct {
		a, b string
		want int
	}{
		{"1.0", "1.0.0", -1}, {"2.0", "10.0", -1}, {"1.10", "1.9", 1}, {"1.0a", "1.0", 1},
		{"1.a", "1.1", -1}, {"1.01", "1.1", 0}, {"1_0", "1.0", 0}, {"1..0", "1.0", 0},
		{"1.0-rc1", "1.0", 1}, {"1.0rc1", "1.0", 1}, {"1.0~rc1", "1.0", -1}, {"0:1.0", "1.0", -1},
		{"1.5~rc2", "1.5", -1}, {"1.0A", "1.0a", 0}, {"", "", 0}, {"", "1", -1}, {"~", "", -1},
		{"abc", "abd", -1}, {"1.2.13", "9.0", -1},
	}
	for _, tt := range tests {
		if got := CompareVersion(tt.a, tt.b); got != tt.want {
			t.Errorf("CompareVersion(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := CompareVersion(tt.b, tt.a); got != -tt.want {
			t.Errorf("CompareVersion(%q, %q) = %d, want %d", tt.b, tt.a, got, -tt.want)
		}
	}
}

func TestParseDeps(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"a b,c", "a|b|c"},
		{"a >= 1.0, b < 2 c != 3", "a >= 1.0|b < 2|c != 3"},
		{"x >=9.0", "x >= .0"},      // pkgconf 1.8.1 loses the first character
		{"x >= ", ""},               // trailing operator: package dropped
		{"a == 2.0", "a (any) 2.0"}, // unknown operator means any version
		{"a>=1.0", "a>=1.0"},        // no blanks: a package name
		{"", ""},
	}
	for _, tt := range tests {
		var parts []string
		for _, d := range parseDeps(tt.in, false, false) {
			parts = append(parts, d.String())
		}
		if got := strings.Join(parts, "|"); got != tt.want {
			t.Errorf("parseDeps(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestInvalidReason(t *testing.T) {
	p := Parse([]byte("Name: x\nVersion: 1\n"), "/d/x.pc", nil)
	if p.Valid() || p.InvalidReason() != "it does not declare a Description field" {
		t.Fatalf("valid %v, reason %q", p.Valid(), p.InvalidReason())
	}
}

func BenchmarkResolveConformance(b *testing.B) {
	opts := Options{Env: Env{"PKG_CONFIG_PATH=testdata/pkgconf-tests/tests/lib1", "PKG_CONFIG_LIBDIR="}, Defaults: testDefaults()}
	n := 0
	for b.Loop() {
		if _, err := Resolve([]string{"foo", "bar", "baz", "cflags-libs-private-a"}, opts); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "resolves/s")
}

func BenchmarkParse(b *testing.B) {
	files, _ := filepath.Glob("testdata/pkgconf-tests/tests/lib1/*.pc")
	var datas [][]byte
	var names []string
	size := 0
	for _, f := range files {
		d, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		if strings.Contains(f, "billion-laughs") {
			continue
		}
		datas = append(datas, d)
		names = append(names, f)
		size += len(d)
	}
	b.SetBytes(int64(size))
	n := 0
	for b.Loop() {
		for i, d := range datas {
			Parse(d, names[i], nil)
		}
		n += len(datas)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "files/s")
}
