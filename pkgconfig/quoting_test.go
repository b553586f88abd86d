package pkgconfig

import (
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

// quotingAtoms are the pieces the quoting table is built from: every
// character class pkgconf 1.8.1 treats specially while reading a line
// (pkgconf_fgetline: '#', '\'), defining a variable (dequote: a leading
// quote), expanding it (pkgconf_tuple_parse: "${", '$') and splitting a
// field (pkgconf_argv_split: blanks, quotes, backslashes).
var quotingAtoms = []string{
	"a", " ", "\t", `\ `, `\\`, `"`, `'`, `\"`, `\'`, "$$", "${v}", "$", `\#`, "#", `-I/x y`, `\`,
}

// quotingTemplates place a generated string X in a .pc file. Each gives
// the file and the pkg-config mode to ask.
var quotingTemplates = []struct {
	name, mode string
	pairs      bool // every pair of atoms, not only single atoms
	file       func(x string) string
}{
	{"field", "--cflags", false, func(x string) string { return pcHead() + "Cflags: -DA=" + x + " -DZ\n" }},
	{"var", "--cflags", true, func(x string) string { return "v=" + x + "\n" + pcHead() + "Cflags: -DA=${v} ${v}\n" }},
	{"var-quoted", "--cflags", false, func(x string) string { return "w=q\nv=\"" + x + "\" ${w}\n" + pcHead() + "Cflags: ${v}\n" }},
	{"libs-bare", "--libs", false, func(x string) string { return "v='" + x + "'\n" + pcHead() + "Libs: -Wl,-rpath " + x + " -lq ${v}\n" }},
}

func pcHead() string { return "Name: q\nDescription: quoting\nVersion: 1\n" }

// quotingCases is the generated table: every string of one atom, every
// pair of atoms when pairs is set, and a fixed pseudo-random sample of
// three to five atoms.
func quotingCases(pairs bool) []string {
	var xs []string
	for _, a := range quotingAtoms {
		xs = append(xs, a)
		for _, b := range quotingAtoms {
			if pairs {
				xs = append(xs, a+b)
			}
		}
	}
	r := rand.New(rand.NewSource(15))
	for i := 0; i < 40; i++ {
		var b strings.Builder
		for n := 3 + r.Intn(3); n > 0; n-- {
			b.WriteString(quotingAtoms[r.Intn(len(quotingAtoms))])
		}
		xs = append(xs, b.String())
	}
	return xs
}

// TestQuotingTable compares, case by case, what the installed pkgconf
// prints (exit code and stdout) with Resolve for a generated table of
// quotes, backslashes, blanks, comments and $ in variables and fields.
func TestQuotingTable(t *testing.T) {
	prog, err := exec.LookPath("pkgconf")
	if err != nil {
		t.Skip("pkgconf not installed (scripts/setup.sh installs it): the table is compared with it live")
	}
	if out, err := exec.Command(prog, "--version").Output(); err != nil || strings.TrimSpace(string(out)) != "1.8.1" {
		t.Skipf("pkgconf is %q, not 1.8.1, the version emulated", strings.TrimSpace(string(out)))
	}
	root := t.TempDir()
	type qcase struct {
		id, dir, mode, x, tmpl string
	}
	var cases []qcase
	for ti, tm := range quotingTemplates {
		for i, x := range quotingCases(tm.pairs) {
			dir := filepath.Join(root, fmt.Sprintf("t%d-%d", ti, i))
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "q.pc"), []byte(tm.file(x)), 0o644); err != nil {
				t.Fatal(err)
			}
			cases = append(cases, qcase{id: fmt.Sprintf("%s/%d", tm.name, i), dir: dir, mode: tm.mode, x: x, tmpl: tm.name})
		}
	}
	// the real pkgconf, four calls at a time
	want := make([]string, len(cases))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				c := cases[i]
				cmd := exec.Command(prog, c.mode, "--", "q")
				cmd.Env = []string{"PKG_CONFIG_PATH=" + c.dir, "PKG_CONFIG_LIBDIR="}
				out, err := cmd.Output()
				rc := 0
				if ee, ok := err.(*exec.ExitError); ok {
					rc = ee.ExitCode()
				} else if err != nil {
					want[i] = "error " + err.Error()
					continue
				}
				want[i] = pkgconfOutput(rc, string(out))
			}
		}()
	}
	for i := range cases {
		next <- i
	}
	close(next)
	wg.Wait()

	bad := map[string]int{}
	for i, c := range cases {
		res, err := Resolve([]string{"q"}, Options{Env: Env{"PKG_CONFIG_PATH=" + c.dir, "PKG_CONFIG_LIBDIR="},
			Dir: c.dir, Defaults: testDefaults()})
		if err != nil {
			t.Fatal(err)
		}
		ok, text := res.CflagsOK, res.CflagsText
		if c.mode == "--libs" {
			ok, text = res.LibsOK, res.LibsText
		}
		rc := 0
		if !ok {
			rc, text = 1, ""
		}
		if got := pkgconfOutput(rc, text); got != want[i] {
			bad[c.tmpl]++
			if bad[c.tmpl] <= 5 {
				t.Errorf("%s X=%q:\n  pkgconf: %q\n  ours:    %q", c.id, c.x, want[i], got)
			}
		}
	}
	var tm []string
	for k, n := range bad {
		tm = append(tm, fmt.Sprintf("%s: %d", k, n))
	}
	sort.Strings(tm)
	if len(tm) > 0 {
		t.Errorf("differences by template: %s", strings.Join(tm, ", "))
	}
	t.Logf("%d cases compared with %s", len(cases), prog)
}
