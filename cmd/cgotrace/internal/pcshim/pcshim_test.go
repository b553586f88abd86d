//go:build linux

package pcshim

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cgotrace/cgotrace/pkgconfig"
)

// TestRecordIsEncodingJSON: the hand-written encoder gives the bytes
// encoding/json gives for the same pkgconfig.ShimRecord, for text with
// quotes, backslashes, control characters, HTML characters, invalid UTF-8
// and the line separators JSON escapes.
func TestRecordIsEncodingJSON(t *testing.T) {
	for _, k := range relevantEnv {
		t.Setenv(k, "v<"+k+">")
	}
	t.Setenv("TOOLEXEC_IMPORTPATH", "example.com/p&q")
	texts := []string{"", "-I/usr/include/x -DA=\"a b\"\n", "\x00\x01\x1f\x7f\t\r\n\b\f\\\"'<>&",
		"bad \xff\xfe utf8 \xe2\x82 end", "sep \u2028 \u2029 é 日本 😀", strings.Repeat("x", 70000)}
	start := time.Date(2026, 12, 4, 17, 0, 0, 123456789, time.FixedZone("X", 3600))
	for i, out := range texts {
		for _, merged := range []bool{false, true} {
			argv := []string{"/x/cgotrace", "--cflags", "--", out, "zlib"}
			stderr := texts[len(texts)-1-i]
			got := record(start.UnixNano(), 1234567, "/usr/bin/pkg-config", argv, merged, i, []byte(out), []byte(stderr))
			env := map[string]string{}
			for _, k := range relevantEnv {
				env[k] = "v<" + k + ">"
			}
			wd, _ := os.Getwd()
			want, err := json.Marshal(&pkgconfig.ShimRecord{Time: start.UTC(), Argv: argv, Real: "/usr/bin/pkg-config",
				ImportPath: "example.com/p&q", Dir: wd, Env: env, ExitCode: i, Stdout: out, Stderr: stderr,
				Merged: merged, DurationMS: 1.234})
			if err != nil {
				t.Fatal(err)
			}
			if want = append(want, '\n'); !bytes.Equal(got, want) {
				t.Errorf("text %d merged %v:\n got %q\nwant %q", i, merged, got, want)
			}
			var r pkgconfig.ShimRecord
			if err := json.Unmarshal(got, &r); err != nil {
				t.Fatalf("%q: %v", got, err)
			}
			if r.Merged != merged || r.ExitCode != i || r.DurationMS != 1.234 || r.Env["PKG_CONFIG_PATH"] != "v<PKG_CONFIG_PATH>" ||
				r.ImportPath != "example.com/p&q" || !r.Time.Equal(start) {
				t.Errorf("decoded %+v", r)
			}
		}
	}
}

// TestRFC3339Nano: the record's time is time.Time.AppendFormat's
// RFC3339Nano of the UTC time, for every fraction length, both sides of
// leap days and century years, and random instants from 1970 to 2262 (as far as int64
// nanoseconds go).
func TestRFC3339Nano(t *testing.T) {
	ts := []time.Time{time.Unix(0, 0), time.Date(2026, 12, 4, 17, 0, 0, 123456789, time.UTC),
		time.Date(2000, 2, 29, 23, 59, 59, 100000000, time.UTC), time.Date(2100, 3, 1, 0, 0, 0, 1, time.UTC),
		time.Date(1972, 12, 31, 23, 59, 59, 999999999, time.UTC), time.Date(2024, 2, 29, 12, 0, 0, 120000, time.UTC)}
	for ns := int64(1); ns < 1e9; ns *= 10 {
		ts = append(ts, time.Unix(1700000000, ns), time.Unix(1700000000, 9*ns))
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		ts = append(ts, time.Unix(r.Int64N(9223372035), r.Int64N(1e9)))
	}
	for _, tm := range ts {
		want := tm.UTC().Format(time.RFC3339Nano)
		if got := string(appendRFC3339Nano(nil, tm.UnixNano())); got != want {
			t.Fatalf("%d: got %s, want %s", tm.UnixNano(), got, want)
		}
	}
}

// TestSameAsPkgconfig: the constants and the recorded variables are
// pkgconfig's. pkgconfig.RunShim (the full path) records every variable
// it knows of when all are set; they must be the ones this package
// records.
func TestSameAsPkgconfig(t *testing.T) {
	if EnvReal != pkgconfig.EnvShimReal || EnvRecord != pkgconfig.EnvShimRecord {
		t.Fatalf("%s %s vs pkgconfig's %s %s", EnvReal, EnvRecord, pkgconfig.EnvShimReal, pkgconfig.EnvShimRecord)
	}
	dir := t.TempDir()
	rec := filepath.Join(dir, "rec.jsonl")
	env := pkgconfig.Env{EnvReal + "=/bin/true", EnvRecord + "=" + rec}
	for _, k := range []string{"PKG_CONFIG_X", "CPATH", "C_INCLUDE_PATH", "CPLUS_INCLUDE_PATH", "OBJC_INCLUDE_PATH",
		"LIBRARY_PATH", "DESTDIR", "PATH", "HOME", "CC", "CGO_CFLAGS", "SYSROOT", "GOFLAGS"} {
		env = append(env, k+"=1")
	}
	for _, k := range relevantEnv {
		env = append(env, k+"=1")
	}
	for _, k := range []string{"PATH", "LDFLAGS", "CFLAGS"} {
		env = append(env, "PKG_CONFIG_"+k+"=1")
	}
	var out, errb bytes.Buffer
	pkgconfig.RunShim("cgotrace", nil, env, strings.NewReader(""), &out, &errb)
	recs, err := pkgconfig.ReadRecords(rec)
	if err != nil || len(recs) != 1 {
		t.Fatal(err, recs)
	}
	var keys []string
	for k := range recs[0].Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if strings.Join(keys, " ") != strings.Join(relevantEnv, " ") {
		t.Errorf("pkgconfig records %v\nthis package %v", keys, relevantEnv)
	}
	if !sort.StringsAreSorted(relevantEnv) {
		t.Error("relevantEnv is not sorted as encoding/json sorts map keys")
	}
	_ = os.Remove(rec)
}
