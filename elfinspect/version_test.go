package elfinspect

import (
	"strconv"
	"strings"
	"testing"
)

// refCompareVersions is the obvious implementation: split on dots, Atoi
// each field (non-numeric fields are 0).
func refCompareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(as), len(bs)); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

// versionMax (the reference of versionMaxima and of the objdump
// comparison) returns the highest numeric version among names that start
// with prefix followed by digits and dots (GLIBC_2.34 → "2.34"); names with
// other suffixes (GLIBC_PRIVATE) are ignored.
func versionMax(names []string, prefix string) string {
	best := ""
	for _, n := range names {
		v, ok := strings.CutPrefix(n, prefix)
		if !ok || !isNumericVersion(v) {
			continue
		}
		if best == "" || compareVersions(v, best) > 0 {
			best = v
		}
	}
	return best
}

func refIsNumericVersion(v string) bool {
	if v == "" {
		return false
	}
	for _, f := range strings.Split(v, ".") {
		if f == "" {
			return false
		}
		for _, c := range f {
			if c < '0' || c > '9' {
				return false
			}
		}
	}
	return true
}

func TestCompareVersions(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"2.9", "2.34", -1}, {"2.34", "2.9", 1}, {"2.17", "2.17", 0},
		{"2.2.5", "2.2", 1}, {"2.2", "2.2.0", 0}, {"3", "2.99", 1},
		{"02.10", "2.9", 1}, {"", "0", 0}, {"1.x", "1", 0},
		{"1.99999999999999999999", "1.99999999999999999998", 1},
	} {
		if got := compareVersions(tc.a, tc.b); got != tc.want {
			t.Errorf("compareVersions(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

// FuzzVersions checks the allocation-free version helpers against the
// split-and-Atoi reference.
func FuzzVersions(f *testing.F) {
	for _, s := range []string{"2.34", "2.2.5", "", ".", "1..2", "2.", "007.1", "PRIVATE", "1.x"} {
		f.Add(s, "2.17")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if got, want := isNumericVersion(a), refIsNumericVersion(a); got != want {
			t.Fatalf("isNumericVersion(%q) = %v, want %v", a, got, want)
		}
		// versionMaxima, which reads bytes in place, agrees with
		// versionMax on every prefix.
		m := newVersionMaxima("GLIBC_", "GLIBCXX_", "CXXABI_")
		for _, n := range []string{a, b, "GLIBC_" + a, "GLIBCXX_" + b} {
			m.add([]byte(n))
		}
		for i, p := range m.prefixes {
			if want := versionMax([]string{a, b, "GLIBC_" + a, "GLIBCXX_" + b}, p); m.best[i] != want {
				t.Fatalf("versionMaxima[%s] = %q, versionMax says %q (a=%q b=%q)", p, m.best[i], want, a, b)
			}
		}
		if c, d := compareVersions(a, b), compareVersions(b, a); c != -d {
			t.Fatalf("compareVersions not antisymmetric on %q, %q: %d, %d", a, b, c, d)
		}
		// The reference's domain: numeric versions (what versionMax and
		// verify --max-glibc pass), with fields short enough for Atoi.
		if !isNumericVersion(a) || !isNumericVersion(b) {
			return
		}
		for _, s := range []string{a, b} {
			for _, field := range strings.Split(s, ".") {
				if len(field) > 18 {
					return
				}
			}
		}
		if got, want := compareVersions(a, b), refCompareVersions(a, b); got != want {
			t.Fatalf("compareVersions(%q, %q) = %d, want %d", a, b, got, want)
		}
	})
}
