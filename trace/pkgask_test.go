package trace

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cgotrace/cgotrace/buildlog"
)

// Package managers asked at run time, as fake executables on the
// build's PATH that print what the real ones printed (the fixtures of
// trace/distpkg/testdata, SOURCES.md there says where each comes from)
// and log how they were called.

func writeOSRelease(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "os-release")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// fakeTool writes an executable NAME into dir that logs its arguments to
// dir/calls and prints fixture (a file of trace/distpkg/testdata, or
// text when it starts with "="), then exits with code.
func fakeTool(t *testing.T, dir, name, fixture string, code int, sleep string) {
	t.Helper()
	out := ""
	if text, ok := strings.CutPrefix(fixture, "="); ok {
		out = "printf '%s\\n' '" + text + "'"
	} else if fixture != "" {
		abs, err := filepath.Abs(filepath.Join("distpkg", "testdata", fixture))
		if err != nil {
			t.Fatal(err)
		}
		out = "cat '" + abs + "'"
	}
	if sleep != "" {
		out = "sleep " + sleep + "\n" + out
	}
	// The build's PATH holds only the fakes: cat and sleep are the system's.
	script := "#!/bin/sh\nPATH=/usr/bin:/bin\nprintf '%s\\n' \"" + name + " $*\" >> '" + filepath.Join(dir, "calls") + "'\n" +
		out + "\nexit " + strconv.Itoa(code) + "\n"
	if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
}

func calls(t *testing.T, dir string) []string {
	b, _ := os.ReadFile(filepath.Join(dir, "calls"))
	return strings.Split(strings.TrimRight(string(b), "\n"), "\n")
}

func TestAskFakeTools(t *testing.T) {
	brew := t.TempDir() // a Homebrew prefix with one keg-only formula installed
	pc := filepath.Join(brew, "opt", "openssl@3", "lib", "pkgconfig")
	os.MkdirAll(pc, 0o755)
	os.WriteFile(filepath.Join(pc, "openssl.pc"), nil, 0o644)
	for _, tc := range []struct {
		name      string
		osRelease string
		tools     map[string]string // name -> fixture
		codes     map[string]int
		env       []string
		q         pkgQuery
		from      string
		pkgs      []string
		note      string
		calls     []string
	}{
		{
			name:      "debian: dpkg-query owner, apt show siblings",
			osRelease: "ID=debian\nVERSION_ID=\"13\"\nVERSION_CODENAME=trixie\n",
			tools:     map[string]string{"dpkg-query": "dpkg-query-S-libz.txt", "apt": "apt-show-zlib1g.txt", "apt-file": "=never"},
			codes:     map[string]int{"dpkg-query": 1}, // one of the two paths is in no package
			q:         pkgQuery{kind: kindLibrary, name: "libz.so", installed: []string{"/usr/lib/x86_64-linux-gnu/libz.so.1"}},
			from:      "apt", pkgs: []string{"zlib1g-dev"},
			calls: []string{
				"dpkg-query -S /usr/lib/x86_64-linux-gnu/libz.so.1 /lib/x86_64-linux-gnu/libz.so.1",
				"apt show ?or(?exact-name(zlib1g),?and(?section(libdevel),?depends(?exact-name(zlib1g))))",
			},
		},
		{
			name:      "debian: a library built in the user's tree is no package's: dpkg-query is not asked",
			osRelease: "ID=debian\n",
			tools:     map[string]string{"dpkg-query": "=never", "apt": "=never", "apt-file": "=never"},
			q:         pkgQuery{kind: kindLibrary, name: "libgizmo.so", installed: []string{"/tmp/mod/lib/libgizmo.so.1", "/home/u/src/libgizmo.so.1"}},
			calls:     []string{`apt-file search -x ^/(usr/)?lib/([^/]+-linux-[^/]+/)?libgizmo\.so$`},
		},
		{
			name:      "ubuntu by ID_LIKE: nothing installed, apt-file",
			osRelease: "ID=ubuntu\nID_LIKE=debian\n",
			tools:     map[string]string{"dpkg-query": "=never", "apt": "=never", "apt-file": "=librocksdb-dev: /usr/include/rocksdb/c.h"},
			q:         pkgQuery{kind: kindHeader, name: "rocksdb/c.h"},
			from:      "apt-file", pkgs: []string{"librocksdb-dev"},
			calls: []string{`apt-file search -x ^/usr/include/([^/]+-linux-[^/]+/)?rocksdb/c\.h$`},
		},
		{
			name:      "the release the table was made of: apt-file (the same Contents index) is not asked",
			osRelease: "ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n",
			tools:     map[string]string{"dpkg-query": "=never", "apt": "=never", "apt-file": "=libcgotrace-dev: /usr/include/cgotrace.h"},
			q:         pkgQuery{kind: kindHeader, name: "cgotrace.h"},
			calls:     []string{""},
		},
		{
			name:      "the table's release, a header deeper than the table goes: apt-file",
			osRelease: "ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n",
			tools:     map[string]string{"dpkg-query": "=never", "apt": "=never", "apt-file": "=libcgotrace-dev: /usr/include/a/b/c/d.h"},
			q:         pkgQuery{kind: kindHeader, name: "a/b/c/d.h"},
			from:      "apt-file", pkgs: []string{"libcgotrace-dev"},
			calls: []string{`apt-file search -x ^/usr/include/([^/]+-linux-[^/]+/)?a/b/c/d\.h$`},
		},
		{
			name:      "debian: the two commands spent, apt-file is not asked",
			osRelease: "ID=debian\n",
			tools:     map[string]string{"dpkg-query": "dpkg-query-S-libz.txt", "apt": "", "apt-file": "=zlib1g-dev: /usr/lib/x86_64-linux-gnu/libz.so"},
			codes:     map[string]int{"apt": 100},
			q:         pkgQuery{kind: kindLibrary, name: "libz.so", installed: []string{"/lib/x86_64-linux-gnu/libz.so.1"}},
			calls: []string{
				"dpkg-query -S /lib/x86_64-linux-gnu/libz.so.1 /usr/lib/x86_64-linux-gnu/libz.so.1",
				"apt show ?or(?exact-name(zlib1g),?and(?section(libdevel),?depends(?exact-name(zlib1g))))",
			},
		},
		{
			name:      "fedora: dnf 5 repoquery for pkgconfig(NAME)",
			osRelease: "ID=fedora\nVERSION_ID=41\n",
			tools:     map[string]string{"dnf": "dnf5-repoquery-qf.txt"},
			q:         pkgQuery{kind: kindPC, name: "libzmq"},
			from:      "dnf", pkgs: []string{"copr-backend", "copr-backend-doc", "copr-builder"},
			calls: []string{`dnf -q -C repoquery --whatprovides pkgconfig(libzmq) --queryformat %{name}\n`},
		},
		{
			name:      "rocky by ID_LIKE: dnf 4, a header by path",
			osRelease: "ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\n",
			tools:     map[string]string{"dnf": "dnf4-repoquery-qf.txt"},
			q:         pkgQuery{kind: kindHeader, name: "zmq.h"},
			from:      "dnf", pkgs: []string{"copr-backend", "copr-backend-doc", "copr-builder", "copr-cli", "copr-dist-git"},
			calls: []string{`dnf -q -C repoquery --whatprovides /usr/include/zmq.h --queryformat %{name}\n`},
		},
		{
			name:      "alpine: apk search pc:NAME",
			osRelease: "ID=alpine\nVERSION_ID=3.20.3\n",
			tools:     map[string]string{"apk": "apk-search.txt"},
			q:         pkgQuery{kind: kindPC, name: "libzmq"},
			from:      "apk", pkgs: []string{"abseil-cpp-flags-marshalling", "harsh", "powershell", "starship", "starship-bash-completion", "starship-fish-completion", "starship-zsh-completion", "starship-zsh-plugin"},
			calls: []string{"apk search -q -x pc:libzmq"},
		},
		{
			name:      "alpine: apk has no index of headers, nothing is run",
			osRelease: "ID=alpine\n",
			tools:     map[string]string{"apk": "apk-search.txt"},
			q:         pkgQuery{kind: kindHeader, name: "zmq.h"},
			calls:     []string{""},
		},
		{
			name:  "no os-release (macOS): brew --prefix, an installed keg",
			tools: map[string]string{"brew": "=" + brew},
			q:     pkgQuery{kind: kindPC, name: "openssl"},
			from:  "Homebrew, installed", pkgs: []string{"openssl@3"},
			note:  "which the build does not search: add " + filepath.Join(brew, "opt/openssl@3/lib/pkgconfig") + " to PKG_CONFIG_PATH",
			calls: []string{"brew --prefix"},
		},
		{
			name:  "HOMEBREW_PREFIX set: nothing is run",
			tools: map[string]string{"brew": "=/nowhere"},
			env:   []string{"HOMEBREW_PREFIX=" + brew},
			q:     pkgQuery{kind: kindPC, name: "openssl"},
			from:  "Homebrew, installed", pkgs: []string{"openssl@3"},
			calls: []string{""},
		},
		{
			name:  "brew: a formula not installed is not known",
			tools: map[string]string{"brew": "=" + brew},
			q:     pkgQuery{kind: kindPC, name: "libzmq"},
			calls: []string{"brew --prefix"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, fx := range tc.tools {
				fakeTool(t, dir, name, fx, tc.codes[name], "")
			}
			osr := filepath.Join(dir, "no-os-release")
			if tc.osRelease != "" {
				osr = writeOSRelease(t, tc.osRelease)
			}
			env := append([]string{"PATH=" + dir}, tc.env...)
			ask := packageManagerAsk(context.Background(), ExecRunner{}, env, osr)
			if ask == nil {
				t.Fatal("no asker")
			}
			ans := ask(tc.q)
			if ans.from != tc.from || !slices.Equal(ans.pkgs, tc.pkgs) || (tc.note != "" && ans.note != tc.note) {
				t.Errorf("answer %+v, want %s %q %q", ans, tc.from, tc.pkgs, tc.note)
			}
			if got := calls(t, dir); !slices.Equal(got, tc.calls) {
				t.Errorf("calls:\n%q\nwant\n%q", got, tc.calls)
			}
			// Asked again: answered from memory, nothing run.
			os.Remove(filepath.Join(dir, "calls"))
			if again := ask(tc.q); again.from != ans.from || !slices.Equal(again.pkgs, ans.pkgs) {
				t.Errorf("asked again: %+v", again)
			}
			if got := calls(t, dir); !slices.Equal(got, []string{""}) {
				t.Errorf("asked again, ran %q", got)
			}
		})
	}
}

// TestAskTimeout: a package manager that does not answer in time gives
// no answer, and the report does not wait for it.
func TestAskTimeout(t *testing.T) {
	dir := t.TempDir()
	fakeTool(t, dir, "dnf", "dnf5-repoquery-qf.txt", 0, "10")
	a := newPkgAsker(context.Background(), ExecRunner{}, []string{"PATH=" + dir + ":/usr/bin:/bin"}, writeOSRelease(t, "ID=fedora\n"))
	a.slowTimeout = 200 * time.Millisecond
	t0 := time.Now()
	if ans := a.ask(pkgQuery{kind: kindPC, name: "libzmq"}); ans.pkgs != nil {
		t.Errorf("answered %+v", ans)
	}
	if d := time.Since(t0); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}

// TestShippingAsksOnlyWhenNeeded: on the release the table was made
// from, a file the table knows is not asked about; one it does not know
// is. Elsewhere the package manager is asked first, the table (labelled
// Debian) is the fallback, and when no one knows the fix says so.
func TestShippingAsksOnlyWhenNeeded(t *testing.T) {
	var asked []string
	answer := pkgAnswer{}
	f := &Facts{AskPackages: func(q pkgQuery) pkgAnswer { asked = append(asked, q.name); return answer }}
	c := &blockCtx{l: &buildlog.Log{}, b: &buildlog.Block{}, f: f}

	f.TableCurrent = true
	if got := c.shipping(kindPC, "libzmq"); got != "Debian: libzmq3-dev" || len(asked) != 0 {
		t.Errorf("table of this release: %q, asked %q", got, asked)
	}
	if got := c.shipping(kindPC, "cgotrace-none"); got != "" || !slices.Equal(asked, []string{"cgotrace-none"}) {
		t.Errorf("unknown to the table: %q, asked %q", got, asked)
	}

	f.TableCurrent, asked = false, nil
	answer = pkgAnswer{from: "dnf", pkgs: []string{"zeromq-devel"}}
	if got := c.shipping(kindPC, "libzmq"); got != "dnf: zeromq-devel" || len(asked) != 1 {
		t.Errorf("another release, the package manager answers: %q", got)
	}
	answer = pkgAnswer{}
	if got := c.shipping(kindPC, "libzmq"); got != "Debian: libzmq3-dev" {
		t.Errorf("another release, no answer: %q, want the table's", got)
	}
	// On Fedora, Fedora's table (made from its spec files) answers
	// when dnf does not.
	f.Table, f.TableForeign = machineTable(writeOSRelease(t, "ID=fedora\n"), "linux")
	if got := c.shipping(kindPC, "libzmq"); got != "Fedora: zeromq-devel" {
		t.Errorf("Fedora, dnf does not answer: %q, want Fedora's table", got)
	}
	if got := c.shipping(kindHeader, "rocksdb/utilities/checkpoint.h"); got != "Fedora: rocksdb-devel" {
		t.Errorf("Fedora, a header below a directory rocksdb-devel ships whole: %q", got)
	}
	answer = pkgAnswer{from: "dnf", pkgs: []string{"zeromq-devel"}}
	if got := c.shipping(kindPC, "libzmq"); got != "dnf: zeromq-devel" {
		t.Errorf("Fedora, dnf answers: %q", got)
	}
	answer = pkgAnswer{}
	// On Alpine or macOS no table's name is shown.
	f.Table, f.TableForeign = machineTable(writeOSRelease(t, "ID=alpine\n"), "linux")
	if got := c.shipping(kindPC, "libzmq"); got != "" {
		t.Errorf("a machine that no table is of: %q", got)
	}
	for _, tc := range []struct {
		body, goos string
		table      string
		foreign    bool
	}{
		{"ID=fedora\n", "linux", "Fedora", false},
		{"ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\n", "linux", "Fedora", false},
		{"ID=alpine\n", "linux", "", true},
		{"ID=ubuntu\nID_LIKE=debian\n", "linux", "", false},
		{"ID=arch\n", "linux", "", false},
		{"", "darwin", "", true},
	} {
		tab, foreign := machineTable(writeOSRelease(t, tc.body), tc.goos)
		name := ""
		if tab != nil {
			name = tab.Distro
		}
		if name != tc.table || foreign != tc.foreign {
			t.Errorf("%q on %s: table %q foreign %v, want %q %v", tc.body, tc.goos, name, foreign, tc.table, tc.foreign)
		}
	}
	f.Table, f.TableForeign = nil, true
	m := buildlog.Message{Kind: buildlog.MsgPkgConfigPackage, Package: "cgotrace-none", Raw: []string{"Package cgotrace-none was not found in the pkg-config search path."}}
	if d := c.pkgConfigPackage(m); !strings.Contains(d.Fix, "no package known to cgotrace ships it") {
		t.Errorf("nothing known: fix %q", d.Fix)
	}
}

// TestAskDpkgApt asks this machine's real dpkg-query and apt: only the
// run-time zlib (libz.so.1, which dpkg knows under /lib, not /usr/lib)
// and sqlite are given; their development packages come back.
func TestAskDpkgApt(t *testing.T) {
	for _, tool := range []string{"dpkg-query", "apt"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed: not a Debian system", tool)
		}
	}
	if testing.Short() {
		t.Skip("-short: apt show walks apt's whole cache (a few seconds)")
	}
	a := newPkgAsker(context.Background(), ExecRunner{}, os.Environ(), writeOSRelease(t, "ID=debian\n"))
	a.timeout, a.slowTimeout = time.Minute, time.Minute
	for lib, want := range map[string]string{
		"/usr/lib/x86_64-linux-gnu/libz.so.1":       "zlib1g-dev",
		"/usr/lib/x86_64-linux-gnu/libsqlite3.so.0": "libsqlite3-dev",
	} {
		if _, err := os.Stat(lib); err != nil {
			t.Logf("%s not installed here", lib)
			continue
		}
		name := strings.TrimSuffix(filepath.Base(lib), filepath.Ext(lib))
		ans := a.ask(pkgQuery{kind: kindLibrary, name: name, installed: []string{lib}})
		if ans.from != "apt" || !slices.Equal(ans.pkgs, []string{want}) {
			t.Errorf("%s: %+v, want apt: %s", lib, ans, want)
		}
	}
}

// TestAnswerPhrase: what the fix says for each kind of answer.
func TestAnswerPhrase(t *testing.T) {
	for _, tc := range []struct {
		a    pkgAnswer
		want string
	}{
		{pkgAnswer{}, ""},
		{pkgAnswer{from: "dnf", pkgs: []string{"zeromq-devel"}}, "dnf: zeromq-devel"},
		{pkgAnswer{from: "apt-file", pkgs: []string{"a-dev", "b-dev"}}, "apt-file: a-dev or b-dev (any one)"},
		{pkgAnswer{from: "apt", pkgs: []string{"libglib2.0-dev", "libglib2.0-dev-bin"}, candidates: true,
			note: "built from glib2.0 like libglib2.0-0, which installed /lib/x86_64-linux-gnu/libglib-2.0.so.0 here"},
			"apt: libglib2.0-dev, libglib2.0-dev-bin, built from glib2.0 like libglib2.0-0, which installed /lib/x86_64-linux-gnu/libglib-2.0.so.0 here"},
	} {
		if got := tc.a.phrase(); got != tc.want {
			t.Errorf("%+v:\n got %q\nwant %q", tc.a, got, tc.want)
		}
	}
}

func TestOSFamily(t *testing.T) {
	for body, want := range map[string]string{
		"ID=debian\n":                                    "debian",
		"ID=ubuntu\nID_LIKE=debian\n":                    "debian",
		"ID=linuxmint\nID_LIKE=\"ubuntu debian\"\n":      "debian",
		"ID=fedora\n":                                    "fedora",
		"ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\n": "fedora",
		"ID=alpine\n":                                    "alpine",
		"ID=arch\n":                                      "",
	} {
		if got := osFamily(writeOSRelease(t, body)); got != want {
			t.Errorf("%q: %q, want %q", body, got, want)
		}
	}
	if got := osFamily("/nonexistent/os-release"); got != "" {
		t.Errorf("no file: %q", got)
	}
}

// TestBuildAsksDpkgAndApt: cgotrace build of a package that links
// -lXcursor where only the run-time libXcursor.so.1 is installed (as on
// the machine this was written on). On another Debian release than the
// table's, the real dpkg-query names libxcursor1 as its owner and apt
// (a fake printing what the real apt show printed here) the development
// package of the same source; on the table's own release the table
// answers and apt is not run.
func TestBuildAsksDpkgAndApt(t *testing.T) {
	needGo(t)
	if testing.Short() {
		t.Skip("-short: two cgo builds with their probes")
	}
	if _, err := exec.LookPath("dpkg-query"); err != nil {
		t.Skip("dpkg-query not installed: not a Debian system")
	}
	const lib = "/usr/lib/x86_64-linux-gnu/libXcursor.so.1"
	if _, err := os.Stat(lib); err != nil {
		t.Skipf("%s is not installed here", lib)
	}
	if _, err := os.Stat("/usr/lib/x86_64-linux-gnu/libXcursor.so"); err == nil {
		t.Skip("libxcursor-dev is installed here: no development link is missing")
	}
	dir := writeModule(t, map[string]string{
		"go.mod": "module example.com/cursor\n\ngo 1.22\n",
		"main.go": "package main\n\n// #cgo LDFLAGS: -lXcursor\n// void *XcursorImageCreate(int width, int height);\nimport \"C\"\n\n" +
			"func main() { C.XcursorImageCreate(1, 1) }\n",
	})
	// What is tested is what is asked and what the fix says, not how
	// fast dpkg-query is on a loaded machine (at a load average of 45 it
	// missed the 2 s).
	defer func(fast, slow time.Duration) { askTimeout, askSlowTimeout = fast, slow }(askTimeout, askSlowTimeout)
	askTimeout, askSlowTimeout = time.Minute, time.Minute
	fakes := t.TempDir()
	fakeTool(t, fakes, "apt", "apt-show-libxcursor1.txt", 0, "")
	env := append(os.Environ(), "CGO_ENABLED=1", "PATH="+fakes+":"+os.Getenv("PATH"))
	build := func(osRelease string) string {
		res, err := Build(context.Background(), BuildOptions{Args: []string{"./..."}, Dir: dir, Env: env, OSRelease: osRelease})
		if err != nil {
			t.Fatal(err)
		}
		os.Remove(res.RawLog)
		for _, d := range res.Report.Diagnoses {
			if d.Code == "library-dev-missing" {
				return d.Fix
			}
		}
		t.Fatalf("no library-dev-missing: %+v", res.Report.Diagnoses)
		return ""
	}

	fix := build(writeOSRelease(t, "ID=debian\nVERSION_ID=\"13\"\nVERSION_CODENAME=trixie\n"))
	t.Logf("fix on Debian 13: %s", fix)
	if want := "(apt: libxcursor-dev, built from libxcursor like libxcursor1, which installed " + lib + " here)"; !strings.Contains(fix, want) {
		t.Errorf("another release: fix %q, want %q", fix, want)
	}
	want := []string{"apt show ?or(?exact-name(libxcursor1),?and(?section(libdevel),?depends(?exact-name(libxcursor1))))"}
	if got := calls(t, fakes); !slices.Equal(got, want) {
		t.Errorf("apt calls %q, want %q", got, want)
	}

	os.Remove(filepath.Join(fakes, "calls"))
	fix = build(writeOSRelease(t, "ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n"))
	if !strings.Contains(fix, "(Debian: libxcursor-dev)") {
		t.Errorf("the table's release: fix %q, want Debian: libxcursor-dev", fix)
	}
	if got := calls(t, fakes); !slices.Equal(got, []string{""}) {
		t.Errorf("the table's release: apt was run: %q", got)
	}
}
