package elfinspect

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// lddResolve runs ldd (the reference only: it runs ld.so on the file,
// which the library never does) and returns name → realpath'd path, or
// "not found".
func lddResolve(f string) (map[string]string, error) {
	cmd := exec.Command("ldd", f)
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LD_LIBRARY_PATH=")
	out, err := cmd.Output()
	if err != nil && len(out) == 0 {
		return nil, err
	}
	res := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		name, rest, ok := strings.Cut(strings.TrimSpace(sc.Text()), " => ")
		if !ok {
			continue
		}
		p, _, _ := strings.Cut(rest, " (")
		p = strings.TrimSpace(p)
		if p != "not found" {
			if rp, err := filepath.EvalSymlinks(p); err == nil {
				p = rp
			}
		}
		res[name] = p
	}
	return res, nil
}

// compareLdd compares every direct dependency ldd resolves with ours; it
// returns the number compared and one message per difference.
func compareLdd(b *Binary) (int, []string) {
	ref, err := lddResolve(b.Path)
	if err != nil {
		return 0, nil
	}
	n := 0
	var diffs []string
	for _, name := range b.Needed {
		want, ok := ref[name]
		if !ok {
			continue
		}
		n++
		got := "not found"
		if l := lib(b, name); l != nil && l.Found {
			got = l.Path
			if rp, err := filepath.EvalSymlinks(got); err == nil {
				got = rp
			}
		}
		if got != want {
			diffs = append(diffs, fmt.Sprintf("%s: %s: elfinspect %s, ldd %s", b.Path, name, got, want))
		}
	}
	return n, diffs
}

func TestAgainstLdd(t *testing.T) {
	if _, err := exec.LookPath("ldd"); err != nil {
		t.Skip("ldd not installed")
	}
	fx := elfFixtures(t)
	files := append([]string{fx.runpath, fx.rpath, fx.both, fx.missing, fx.mid}, sampleSystemELFs(t, 10)...)
	total := 0
	for _, f := range files {
		b := inspectT(t, f, Options{})
		n, diffs := compareLdd(b)
		total += n
		for _, d := range diffs {
			t.Error(d)
		}
		// ldd lists the whole closure: compare the transitive ones too.
		ref, _ := lddResolve(f)
		for _, l := range b.Libraries {
			want, ok := ref[l.Name]
			if !ok || l.Via == "interpreter" {
				continue
			}
			got := "not found"
			if l.Found {
				got, _ = filepath.EvalSymlinks(l.Path)
			}
			if got != want {
				t.Errorf("%s: %s (needed by %s): elfinspect %s, ldd %s", f, l.Name, l.NeededBy, got, want)
			}
		}
	}
	if total == 0 {
		t.Fatal("nothing compared")
	}
}

var objdumpGlibc = regexp.MustCompile(`\bGLIBC_([0-9]+(?:\.[0-9]+)+)\b`)

// objdumpGlibcMin is the highest GLIBC_x.y among the undefined dynamic
// symbols objdump -T lists.
func objdumpGlibcMin(f string) (string, bool) {
	out, err := exec.Command("objdump", "-T", f).Output()
	if err != nil {
		return "", false
	}
	var vs []string
	for _, line := range strings.Split(string(out), "\n") {
		if !strings.Contains(line, "*UND*") {
			continue
		}
		for _, m := range objdumpGlibc.FindAllStringSubmatch(line, -1) {
			vs = append(vs, "GLIBC_"+m[1])
		}
	}
	return versionMax(vs, "GLIBC_"), true
}

func TestAgainstObjdump(t *testing.T) {
	if _, err := exec.LookPath("objdump"); err != nil {
		t.Skip("objdump not installed")
	}
	fx := elfFixtures(t)
	for _, f := range append([]string{fx.runpath, fx.leaf}, sampleSystemELFs(t, 10)...) {
		want, ok := objdumpGlibcMin(f)
		if !ok {
			continue
		}
		if b := inspectT(t, f, Options{}); b.GlibcMin != want {
			t.Errorf("%s: glibc_min %q, objdump -T %q", f, b.GlibcMin, want)
		}
	}
}

// TestConformance compares every ELF file under /usr/bin and
// /usr/lib/x86_64-linux-gnu with readelf -d, ldd and objdump -T. It is
// slow: run it with CGOTRACE_CONFORMANCE=1 go test -run TestConformance -v.
func TestConformance(t *testing.T) {
	if os.Getenv("CGOTRACE_CONFORMANCE") == "" {
		t.Skip("set CGOTRACE_CONFORMANCE=1 to compare every system ELF file with readelf, ldd and objdump")
	}
	var files []string
	for _, d := range []string{"/usr/bin", "/usr/lib/x86_64-linux-gnu"} {
		files = append(files, listELFs(d)...)
	}
	in := NewInspector(Options{})
	var readelfOK, glibcOK, glibcN, lddN, lddOK, errs int
	for _, f := range files {
		if msg := compareReadelf(f); msg != "" {
			t.Log("readelf: " + msg)
		} else {
			readelfOK++
		}
		b, err := in.Inspect(f)
		if err != nil {
			errs++
			t.Logf("inspect: %v", err)
			continue
		}
		if want, ok := objdumpGlibcMin(f); ok {
			glibcN++
			if want == b.GlibcMin {
				glibcOK++
			} else {
				t.Logf("glibc_min: %s: elfinspect %q, objdump -T %q", f, b.GlibcMin, want)
			}
		}
		n, diffs := compareLdd(b)
		lddN += n
		lddOK += n - len(diffs)
		for _, d := range diffs {
			t.Log("ldd: " + d)
		}
	}
	pct := func(a, b int) float64 { return 100 * float64(a) / float64(max(b, 1)) }
	t.Logf("files %d (inspect errors %d)", len(files), errs)
	t.Logf("readelf -d NEEDED/RPATH/RUNPATH/SONAME equal: %d/%d = %.2f%%", readelfOK, len(files), pct(readelfOK, len(files)))
	t.Logf("ldd direct dependencies equal: %d/%d = %.2f%%", lddOK, lddN, pct(lddOK, lddN))
	t.Logf("objdump -T glibc_min equal: %d/%d = %.2f%%", glibcOK, glibcN, pct(glibcOK, glibcN))
	if readelfOK != len(files) || pct(lddOK, lddN) < 99.5 || glibcOK != glibcN {
		t.Error("below the conformance bar (readelf 100%, ldd 99.5%, objdump 100%)")
	}
}
