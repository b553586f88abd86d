package distpkg

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestKnownNames: the names issue 13 found wrong or missing, as Debian's
// index has them.
func TestKnownNames(t *testing.T) {
	d := Debian()
	if !strings.Contains(d.Source, "debian") || !strings.Contains(d.Source, "apt-file") {
		t.Errorf("source %q does not say where the table came from", d.Source)
	}
	for pc, want := range map[string]string{
		"libzmq":        "libzmq3-dev", // not libzmq-dev
		"portaudio-2.0": "portaudio19-dev",
		"libusb-1.0":    "libusb-1.0-0-dev", // not libusb-1.0-dev
		"zlib":          "zlib1g-dev",       // not libzlib-dev
		"openssl":       "libssl-dev",       // not libopenssl-dev
		"glib-2.0":      "libglib2.0-dev",   // not libglib-2.0-dev
		"alsa":          "libasound2-dev",
		"sqlite3":       "libsqlite3-dev",
	} {
		if got := d.PCFile(pc); !slices.Equal(got, []string{want}) {
			t.Errorf("PCFile(%s) = %q, want [%s]", pc, got, want)
		}
	}
	// C compilers a CC names (issue 13's cross build without its
	// toolchain), not build-essential.
	for prog, want := range map[string]string{
		"aarch64-linux-gnu-gcc":    "gcc-aarch64-linux-gnu",
		"aarch64-linux-gnu-gcc-12": "gcc-12-aarch64-linux-gnu",
		"arm-linux-gnueabihf-gcc":  "gcc-arm-linux-gnueabihf",
		"musl-gcc":                 "musl-tools",
		"/usr/bin/clang-14":        "clang-14",
	} {
		if got := d.Program(prog); !slices.Equal(got, []string{want}) {
			t.Errorf("Program(%s) = %q, want [%s]", prog, got, want)
		}
	}
	// libcurl.pc is in three alternative packages; none is "libcurl-dev".
	if got := d.PCFile("libcurl"); len(got) != 3 || !slices.Contains(got, "libcurl4-openssl-dev") || slices.Contains(got, "libcurl-dev") {
		t.Errorf("PCFile(libcurl) = %q", got)
	}
	for h, want := range map[string]string{
		"rocksdb/c.h":             "librocksdb-dev",
		"X11/Xcursor/Xcursor.h":   "libxcursor-dev",
		"zlib.h":                  "zlib1g-dev",
		"openssl/ssl.h":           "libssl-dev",
		"libusb-1.0/libusb.h":     "libusb-1.0-0-dev",
		"alsa/asoundlib.h":        "libasound2-dev",
		"X11/Xlib.h":              "libx11-dev",
		"sqlite3.h":               "libsqlite3-dev",
		"zmq.h":                   "libzmq3-dev",
		"portaudio.h":             "portaudio19-dev",
		"systemd/sd-journal.h":    "libsystemd-dev",
		"./X11/Xcursor/Xcursor.h": "libxcursor-dev",
	} {
		if got, _ := d.Header(h); !slices.Equal(got, []string{want}) {
			t.Errorf("Header(%s) = %q, want [%s]", h, got, want)
		}
	}
	for lib, want := range map[string]string{
		"libz.so": "zlib1g-dev", "libssl.so": "libssl-dev", "libcrypto.so": "libssl-dev",
		"libm.so": "libc6-dev", "libpthread.a": "libc6-dev", "libusb-1.0.so": "libusb-1.0-0-dev",
		"libzmq.so": "libzmq3-dev", "libportaudio.so": "portaudio19-dev", "libasound.so": "libasound2-dev",
	} {
		if got := d.Library(lib); !slices.Equal(got, []string{want}) {
			t.Errorf("Library(%s) = %q, want [%s]", lib, got, want)
		}
	}
	// libstdc++'s development files are gcc's own, one package per gcc
	// version; each version's libstdc++.so maps to its own package.
	n := 0
	for _, line := range strings.Split(string(d.text), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 3 || f[0] != "g" {
			continue
		}
		if major, ok := strings.CutSuffix(f[1], "/libstdc++.so"); ok {
			n++
			if v := d.GCCLibrary(major, "libstdc++.so"); !slices.Contains(v, "libstdc++-"+major+"-dev") {
				t.Errorf("gcc %s libstdc++.so: %q, want libstdc++-%s-dev", major, v, major)
			}
		}
	}
	if n < 2 {
		t.Errorf("%d gcc versions with libstdc++.so in the table, want several", n)
	}
	for _, none := range []string{"no-such-package-xyz", "../etc/passwd", ""} {
		if got := d.PCFile(none); got != nil {
			t.Errorf("PCFile(%q) = %q, want nothing", none, got)
		}
		if got, _ := d.Header(none); got != nil {
			t.Errorf("Header(%q) = %q, want nothing", none, got)
		}
	}
}

// TestSorted: lookups are binary searches, so the lines must be in byte
// order of kind and key, without repeats.
func TestSorted(t *testing.T) {
	for _, tc := range []struct {
		d    *Table
		text []byte
		min  int
	}{{Debian(), debianTSV, 30000}, {Fedora(), fedoraTSV, 10000}} {
		checkSorted(t, tc.d, tc.text, tc.min)
	}
}

func checkSorted(t *testing.T, d *Table, text []byte, min int) {
	t.Helper()
	prev, n := "", 0
	d.eachLine(func(off int) {
		n++
		k, rest := d.lineKey(off)
		if string(k) <= prev || len(rest) == 0 {
			t.Fatalf("line %q (after %q) out of order or without packages", k, prev)
		}
		prev = string(k)
	})
	if n < min || n != bytes.Count(text, []byte("\n"))-1 {
		t.Fatalf("%s: %d lines of %d", d.Distro, n, bytes.Count(text, []byte("\n")))
	}
}

func TestPhrase(t *testing.T) {
	d := &Table{Distro: "Debian"}
	for _, tc := range []struct {
		pkgs []string
		want string
	}{
		{nil, ""},
		{[]string{"zlib1g-dev"}, "Debian: zlib1g-dev"},
		{[]string{"a-dev", "b-dev", "c-dev"}, "Debian: a-dev, b-dev or c-dev (any one)"},
	} {
		if got := d.Phrase(tc.pkgs); got != tc.want {
			t.Errorf("Phrase(%q) = %q, want %q", tc.pkgs, got, tc.want)
		}
	}
}

// TestAgainstAptFile spot-checks the table against the index it came
// from, when apt-file (and its downloaded Contents files) is here: every
// .pc of a few packages, in one apt-file search (about 10 s).
func TestAgainstAptFile(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: apt-file search reads the whole Contents index")
	}
	if _, err := exec.LookPath("apt-file"); err != nil {
		t.Skip("apt-file not installed: nothing to compare the table with")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "apt-file", "search", "-x",
		`^/usr/lib/x86_64-linux-gnu/pkgconfig/(libzmq|portaudio-2\.0|libusb-1\.0|zlib|openssl|glib-2\.0|libcurl|xcursor|rocksdb)\.pc$`).Output()
	if err != nil || len(out) == 0 {
		t.Skipf("apt-file search: %v (no Contents files? run apt-file update)", err)
	}
	want := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		pkg, file, ok := strings.Cut(sc.Text(), ": ")
		if !ok {
			continue
		}
		name := strings.TrimSuffix(file[strings.LastIndexByte(file, '/')+1:], ".pc")
		want[name] = append(want[name], pkg)
	}
	if len(want) < 9 {
		t.Fatalf("apt-file found %d of the 9 .pc files: %s", len(want), out)
	}
	d := Debian()
	for name, pkgs := range want {
		slices.Sort(pkgs)
		if got := d.PCFile(name); !slices.Equal(got, pkgs) {
			t.Errorf("%s.pc: table %q, apt-file %q", name, got, pkgs)
		}
	}
	// Compilers, as a CC names them.
	out, err = exec.CommandContext(ctx, "apt-file", "search", "-x",
		`^/usr/bin/(aarch64-linux-gnu-gcc|arm-linux-gnueabihf-gcc|musl-gcc|clang-14)$`).Output()
	if err != nil {
		t.Fatalf("apt-file search of programs: %v", err)
	}
	progs := map[string][]string{}
	sc = bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if pkg, file, ok := strings.Cut(sc.Text(), ": "); ok {
			progs[file[strings.LastIndexByte(file, '/')+1:]] = append(progs[file[strings.LastIndexByte(file, '/')+1:]], pkg)
		}
	}
	if len(progs) != 4 {
		t.Fatalf("apt-file found %d of the 4 programs: %s", len(progs), out)
	}
	for name, pkgs := range progs {
		slices.Sort(pkgs)
		if got := d.Program(name); !slices.Equal(got, pkgs) {
			t.Errorf("%s: table %q, apt-file %q", name, got, pkgs)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("# src\np\tzlib\tzlib1g-dev\nh\trocksdb/\tlibrocksdb-dev\nbad line\n"))
	f.Add([]byte("p\t\t\n\t"))
	f.Fuzz(func(t *testing.T, text []byte) {
		tb := Parse(text, "X")
		tb.PCFile("zlib")
		tb.Header("rocksdb/c.h")
		tb.Phrase(tb.Library("libz.so"))
	})
}

// BenchmarkParse is the cost of the first lookup (the table is indexed
// once per process, when a fix needs it).
func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		Parse(debianTSV, "Debian")
	}
	b.ReportMetric(float64(len(debianTSV)), "table-bytes")
}

// BenchmarkLookup is one header lookup that misses (the file, then its
// directory).
func BenchmarkLookup(b *testing.B) {
	d := Debian()
	for b.Loop() {
		d.Header("cgotrace/no-such-header.h")
	}
}

// TestAgainstDpkg compares the table with Debian's own data on this
// machine: dpkg-query -S names the package that installed each .pc
// file, header and link-time library here, and the table must name the
// same package for that file. Only on the release the table was made
// from (elsewhere names may differ, rightly).
func TestAgainstDpkg(t *testing.T) {
	if _, err := exec.LookPath("dpkg-query"); err != nil {
		t.Skip("dpkg-query not installed: not a Debian system")
	}
	osr, err := os.ReadFile("/etc/os-release")
	if err != nil || !strings.Contains(Debian().Source, " "+osReleaseID(string(osr))+" ") {
		t.Skipf("this machine is not the release of the table (%s)", Debian().Source)
	}
	triplet := "x86_64-linux-gnu"
	if runtime.GOARCH != "amd64" {
		t.Skip("the table is of amd64 and all")
	}
	var files []string
	for _, pat := range []string{
		"/usr/lib/" + triplet + "/pkgconfig/*.pc", "/usr/share/pkgconfig/*.pc", "/usr/lib/pkgconfig/*.pc",
		"/usr/include/*.h", "/usr/include/*/*.h",
		"/usr/lib/" + triplet + "/lib*.so", "/usr/lib/" + triplet + "/lib*.a",
	} {
		m, _ := filepath.Glob(pat)
		files = append(files, m...)
	}
	if len(files) < 20 {
		t.Skipf("only %d development files installed here", len(files))
	}
	// Exit 1 when some file is in no package (made by hand, or an
	// alternatives link): the others are still printed.
	out, _ := exec.Command("dpkg-query", append([]string{"-S"}, files...)...).Output()
	owners := ParseDpkgSearch(out)
	if len(owners) < 20 {
		t.Fatalf("dpkg-query -S owns %d of %d files: %s", len(owners), len(files), out)
	}
	local := notFromApt(t, owners)
	d := Debian()
	checked := map[string]bool{}
	outside := map[string]int{}
	for _, o := range owners {
		var got []string
		switch {
		case strings.HasSuffix(o.Path, ".pc"):
			got = d.PCFile(strings.TrimSuffix(filepath.Base(o.Path), ".pc"))
		case strings.HasPrefix(o.Path, "/usr/include/"):
			// gcc searches /usr/include/<triplet> as /usr/include.
			h := strings.TrimPrefix(strings.TrimPrefix(o.Path, "/usr/include/"), triplet+"/")
			got, _ = d.Header(h)
		default:
			got = d.Library(filepath.Base(o.Path))
		}
		switch {
		case slices.Contains(got, o.Package):
		case local[o.Package]:
			// A version no apt source has: superseded since (still
			// Debian's, and checked), or a third party's package
			// (NodeSource's nodejs ships /usr/include/node/*.h, which
			// Debian puts in libnode-dev): not an error of the table.
			outside[o.Package+" (table: "+strings.Join(got, ",")+")"]++
		default:
			t.Errorf("%s: dpkg says %s, the table %q", o.Path, o.Package, got)
		}
		checked[o.Path] = true
	}
	for _, want := range []string{"/usr/include/zlib.h", "/usr/lib/" + triplet + "/libsqlite3.so"} {
		if _, err := os.Stat(want); err == nil && !checked[want] {
			t.Errorf("%s is installed but dpkg-query -S did not name its package", want)
		}
	}
	t.Logf("%d files of this machine checked against dpkg's database", len(checked))
	if len(outside) > 0 {
		t.Logf("files of installed versions no apt source has, which the table names otherwise: %v", outside)
	}
}

// notFromApt are the packages among owners whose installed version no
// apt source has (apt-cache policy lists only /var/lib/dpkg/status for
// it): packages from a third party, which Debian's index rightly does
// not name.
func notFromApt(t *testing.T, owners []Owner) map[string]bool {
	var pkgs []string
	for _, o := range owners {
		if !slices.Contains(pkgs, o.Package) {
			pkgs = append(pkgs, o.Package)
		}
	}
	out, err := exec.Command("apt-cache", append([]string{"policy"}, pkgs...)...).Output()
	if err != nil {
		t.Skipf("apt-cache policy: %v", err)
	}
	local := map[string]bool{}
	pkg, installed, inInstalled, sources := "", "", false, 0
	end := func() {
		if pkg != "" && installed != "" && sources == 0 {
			local[pkg] = true
		}
	}
	for _, l := range strings.Split(string(out), "\n") {
		f := strings.Fields(l)
		switch {
		case len(l) > 0 && l[0] != ' ' && strings.HasSuffix(l, ":"):
			end()
			pkg, installed, inInstalled, sources = strings.TrimSuffix(l, ":"), "", false, 0
		case len(f) == 2 && f[0] == "Installed:":
			installed = f[1]
		case len(f) >= 2 && (f[0] == "***" || len(f) == 2) && !strings.HasSuffix(f[0], ":") && !strings.HasPrefix(l, "        "):
			// a version line of the version table: "*** V PRIO" or "V PRIO"
			v := f[0]
			if v == "***" {
				v = f[1]
			}
			inInstalled = v == installed
		case inInstalled && len(f) >= 2 && strings.HasPrefix(l, "        "):
			if f[1] != "/var/lib/dpkg/status" {
				sources++
			}
		}
	}
	end()
	return local
}

// osReleaseID is "ID VERSION_ID (VERSION_CODENAME)" of an os-release
// file, as scripts/gen-distpkg.sh writes it into the table's source line.
func osReleaseID(s string) string {
	v := map[string]string{}
	for _, l := range strings.Split(s, "\n") {
		if k, val, ok := strings.Cut(l, "="); ok {
			v[k] = strings.Trim(val, `"`)
		}
	}
	return v["ID"] + " " + v["VERSION_ID"] + " (" + v["VERSION_CODENAME"] + ")"
}

// TestNamesExistInApt: every package the table names is a real package
// of this machine's apt index (apt-cache pkgnames lists no virtual
// names), and the names issue 13 found cgotrace inventing are not.
func TestNamesExistInApt(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: apt-cache pkgnames rebuilds apt's cache (about 9 s here)")
	}
	if _, err := exec.LookPath("apt-cache"); err != nil {
		t.Skip("apt-cache not installed: not a Debian system")
	}
	osr, err := os.ReadFile("/etc/os-release")
	if err != nil || !strings.Contains(Debian().Source, " "+osReleaseID(string(osr))+" ") {
		t.Skipf("this machine is not the release of the table (%s)", Debian().Source)
	}
	out, err := exec.Command("apt-cache", "pkgnames").Output()
	if err != nil {
		t.Skipf("apt-cache pkgnames: %v", err)
	}
	known := map[string]bool{}
	for _, p := range strings.Fields(string(out)) {
		known[p] = true
	}
	if len(known) < 10000 {
		t.Skipf("apt knows %d packages (no apt-get update?)", len(known))
	}
	d := Debian()
	named := map[string]bool{}
	d.eachLine(func(off int) {
		_, rest := d.lineKey(off)
		for _, p := range strings.Split(string(rest), ",") {
			named[p] = true
		}
	})
	for p := range named {
		if !known[p] {
			t.Errorf("the table names %s, which apt does not know", p)
		}
	}
	for _, invented := range []string{"libzmq-dev", "libportaudio-2.0-dev", "libusb-1.0-dev", "libzlib-dev",
		"libopenssl-dev", "libglib-2.0-dev", "libasound-dev", "libcurl-dev"} {
		if known[invented] || named[invented] {
			t.Errorf("%s: apt knows it %v, the table names it %v", invented, known[invented], named[invented])
		}
	}
	t.Logf("%d package names of the table found among apt's %d", len(named), len(known))
}

func TestDebianSourceWithoutDecompressing(t *testing.T) {
	if got, want := DebianSource(), Debian().Source; got != want || got == "" {
		t.Fatalf("DebianSource() = %q, Debian().Source = %q", got, want)
	}
}

// TestGetEveryLine: the binary search on the bytes finds every line of
// the embedded table, and nothing between two lines.
func TestGetEveryLine(t *testing.T) {
	for _, d := range []*Table{Debian(), Fedora()} {
		getEveryLine(t, d)
	}
}

func getEveryLine(t *testing.T, d *Table) {
	t.Helper()
	n := 0
	d.eachLine(func(off int) {
		n++
		k, rest := d.lineKey(off)
		kind, key, _ := strings.Cut(string(k), "\t")
		if got := strings.Join(d.get(kind, key), ","); got != string(rest) {
			t.Fatalf("get(%q, %q) = %q, want %q", kind, key, got, rest)
		}
		if got := d.get(kind, key+"\x01"); got != nil {
			t.Fatalf("get(%q, %q+\\x01) = %q", kind, key, got)
		}
	})
	if n == 0 {
		t.Fatal("no lines")
	}
}

// FuzzGet: on any table, a lookup answers as a scan of its lines does.
func FuzzGet(f *testing.F) {
	f.Add("# src\nh\ta.h\tp1\nh\tb.h\tp2,p3\n", "h", "b.h")
	f.Add("h\ta.h\tp1", "h", "a.h")
	f.Add("# only a header", "h", "a.h")
	f.Add("", "p", "x")
	f.Add("#\n#\n\n\nl\tlibz.so\tzlib1g-dev\n\n", "l", "libz.so")
	f.Fuzz(func(t *testing.T, text, kind, key string) {
		// Sort the body as gen-distpkg.sh does, keeping the header.
		var head, body []string
		for i, line := range strings.Split(text, "\n") {
			if strings.HasPrefix(line, "#") && len(body) == 0 && i == len(head) {
				head = append(head, line)
			} else if line != "" && !strings.HasPrefix(line, "#") {
				// gen-distpkg.sh writes "#" lines only at the top.
				body = append(body, line)
			}
		}
		keyOf := func(line string) (string, []string) {
			f := strings.SplitN(line, "\t", 3)
			if len(f) < 3 {
				return line, nil
			}
			return f[0] + "\t" + f[1], f
		}
		sort.SliceStable(body, func(i, j int) bool {
			a, _ := keyOf(body[i])
			b, _ := keyOf(body[j])
			return a < b
		})
		tab := Parse([]byte(strings.Join(append(head, body...), "\n")), "X")
		var want []string
		if key != "" && !strings.ContainsAny(key, "\t\n") {
			for _, line := range body {
				k, f := keyOf(line)
				if k < kind+"\t"+key {
					continue
				}
				if k == kind+"\t"+key && f != nil && f[2] != "" {
					want = strings.Split(f[2], ",")
				}
				break
			}
		}
		if got := tab.get(kind, key); strings.Join(got, ",") != strings.Join(want, ",") || (got == nil) != (want == nil) {
			t.Fatalf("get(%q, %q) = %q, scan says %q; table:\n%s", kind, key, got, want, strings.Join(append(head, body...), "\n"))
		}
	})
}
