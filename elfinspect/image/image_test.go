package image

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/cgotrace/cgotrace/elfinspect"
)

// tfile is one entry of a test layer.
type tfile struct {
	name string
	data []byte
	mode int64
	link string // symlink target
}

// layer builds an uncompressed layer from entries (parents implied).
func layer(t testing.TB, files ...tfile) v1.Layer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dirs := map[string]bool{}
	for _, f := range files {
		for d := filepath.Dir(f.name); d != "." && d != "/" && !dirs[d]; d = filepath.Dir(d) {
			dirs[d] = true
		}
	}
	ds := make([]string, 0, len(dirs))
	for d := range dirs {
		ds = append(ds, d)
	}
	slices.Sort(ds)
	for _, d := range ds {
		tw.WriteHeader(&tar.Header{Name: d + "/", Typeflag: tar.TypeDir, Mode: 0o755})
	}
	for _, f := range files {
		h := &tar.Header{Name: f.name, Mode: f.mode}
		if f.link != "" {
			h.Typeflag, h.Linkname, h.Mode = tar.TypeSymlink, f.link, 0o777
		} else {
			h.Typeflag, h.Size = tar.TypeReg, int64(len(f.data))
			if h.Mode == 0 {
				h.Mode = 0o644
			}
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write(f.data)
	}
	tw.Close()
	b := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// newImage stacks layers into a linux image of arch that runs /app.
func newImage(t testing.TB, arch string, layers ...v1.Layer) v1.Image {
	t.Helper()
	img, err := mutate.AppendLayers(empty.Image, layers...)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", arch
	cf.Config.Entrypoint = []string{"/app"}
	cf.Config.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin"}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func readHost(t testing.TB, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Skipf("this machine's %s: %v", p, err)
	}
	return b
}

func run(t testing.TB, dir string, name string, args ...string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s not installed", name)
	}
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// fixtures are the files the images are made of, built once.
type fixtures struct {
	dyn, static, staticPIE, musl, app, gizmo, oldLibc []byte
	glibc                                             v1.Layer // this machine's loader and libc.so.6
	oldGlibc                                          v1.Layer // the same loader, a libc.so.6 that defines up to GLIBC_2.17
	alpine                                            v1.Layer // musl's loader, as Alpine lays it out
	gizmoLib                                          v1.Layer
	whiteout                                          v1.Layer // deletes libgizmo.so.1
}

var (
	fixOnce sync.Once
	fix     *fixtures
	fixErr  string
	fixDir  string
)

const hello = "#include <stdio.h>\nint main(void) { puts(\"ok\"); return 0; }\n"

func getFixtures(t *testing.T) *fixtures {
	fixOnce.Do(func() {
		d, err := os.MkdirTemp("", "image-fixtures-")
		if err != nil {
			fixErr = err.Error()
			return
		}
		fixDir = d
		fix = buildFixtures(t, d)
	})
	if fixErr != "" {
		t.Skip(fixErr)
	}
	if fix == nil {
		t.Skip("fixtures could not be built")
	}
	return fix
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fixDir != "" {
		os.RemoveAll(fixDir)
	}
	os.Exit(code)
}

func buildFixtures(t *testing.T, d string) *fixtures {
	for _, c := range []string{"gcc", "musl-gcc"} {
		if _, err := exec.LookPath(c); err != nil {
			fixErr = c + " not installed (scripts/setup.sh installs it)"
			return nil
		}
	}
	os.WriteFile(filepath.Join(d, "hello.c"), []byte(hello), 0o644)
	os.WriteFile(filepath.Join(d, "gizmo.c"), []byte("int gizmo(void) { return 42; }\n"), 0o644)
	os.WriteFile(filepath.Join(d, "app.c"), []byte("#include <stdio.h>\nint gizmo(void);\nint main(void) { printf(\"ok %d\\n\", gizmo()); return 0; }\n"), 0o644)
	// A libc.so.6 whose newest version is GLIBC_2.17: an old distribution's.
	os.WriteFile(filepath.Join(d, "oldlibc.c"), []byte("int puts(const char *s) { return 0; }\nint __libc_start_main(void) { return 0; }\nint __cxa_finalize(void) { return 0; }\n"), 0o644)
	os.WriteFile(filepath.Join(d, "oldlibc.map"), []byte("GLIBC_2.2.5 { global: puts; __cxa_finalize; local: *; };\nGLIBC_2.17 { global: __libc_start_main; } GLIBC_2.2.5;\n"), 0o644)
	run(t, d, "gcc", "-o", "dyn", "hello.c")
	run(t, d, "gcc", "-static", "-o", "static", "hello.c")
	run(t, d, "gcc", "-static-pie", "-o", "static-pie", "hello.c")
	run(t, d, "musl-gcc", "-o", "musl", "hello.c")
	run(t, d, "gcc", "-shared", "-fPIC", "-Wl,-soname,libgizmo.so.1", "-o", "libgizmo.so.1", "gizmo.c")
	run(t, d, "gcc", "-o", "app", "app.c", "-L.", "-l:libgizmo.so.1")
	run(t, d, "gcc", "-shared", "-fPIC", "-nostdlib", "-Wl,-soname,libc.so.6", "-Wl,--version-script=oldlibc.map", "-o", "oldlibc.so.6", "oldlibc.c")
	f := &fixtures{}
	rd := func(n string) []byte { b, _ := os.ReadFile(filepath.Join(d, n)); return b }
	f.dyn, f.static, f.staticPIE, f.musl, f.app, f.gizmo, f.oldLibc = rd("dyn"), rd("static"), rd("static-pie"), rd("musl"), rd("app"), rd("libgizmo.so.1"), rd("oldlibc.so.6")
	ldso, err := filepath.EvalSymlinks("/lib64/ld-linux-x86-64.so.2")
	if err != nil {
		fixErr = "this machine has no /lib64/ld-linux-x86-64.so.2"
		return nil
	}
	libc, err := filepath.EvalSymlinks("/lib/x86_64-linux-gnu/libc.so.6")
	if err != nil {
		fixErr = "this machine has no /lib/x86_64-linux-gnu/libc.so.6"
		return nil
	}
	muslLibc, err := filepath.EvalSymlinks("/lib/ld-musl-x86_64.so.1")
	if err != nil {
		fixErr = "musl's loader /lib/ld-musl-x86_64.so.1 is not installed"
		return nil
	}
	ldsoData, libcData := readHost(t, ldso), readHost(t, libc)
	glibcFiles := func(libc []byte) []tfile {
		return []tfile{
			{name: "lib64/ld-linux-x86-64.so.2", link: "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"},
			{name: "lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", data: ldsoData, mode: 0o755},
			{name: "lib/x86_64-linux-gnu/libc.so.6", data: libc, mode: 0o755},
		}
	}
	f.glibc = layer(t, glibcFiles(libcData)...)
	f.oldGlibc = layer(t, glibcFiles(f.oldLibc)...)
	f.alpine = layer(t,
		tfile{name: "lib/ld-musl-x86_64.so.1", data: readHost(t, muslLibc), mode: 0o755},
		tfile{name: "lib/libc.musl-x86_64.so.1", link: "ld-musl-x86_64.so.1"},
		tfile{name: "etc/alpine-release", data: []byte("3.20.0\n")})
	f.gizmoLib = layer(t, tfile{name: "usr/lib/x86_64-linux-gnu/libgizmo.so.1", data: f.gizmo, mode: 0o755})
	f.whiteout = layer(t, tfile{name: "usr/lib/x86_64-linux-gnu/.wh.libgizmo.so.1", data: nil})
	return f
}

func appLayer(t testing.TB, data []byte, mode int64) v1.Layer {
	return layer(t, tfile{name: "app", data: data, mode: mode})
}

// scenario is an image and the verdict cgotrace must give on /app.
type scenario struct {
	name string
	img  func(f *fixtures) v1.Image
	want []string // error codes; none: the program starts
	// says is what the real run prints (exec's error or the loader's).
	says string
}

func scenarios(t *testing.T) []scenario {
	return []scenario{
		{"scratch-dynamic", func(f *fixtures) v1.Image { return newImage(t, "amd64", appLayer(t, f.dyn, 0o755)) },
			[]string{"interpreter-missing"}, "fork/exec /app: no such file or directory"},
		{"musl-on-glibc", func(f *fixtures) v1.Image { return newImage(t, "amd64", f.glibc, appLayer(t, f.musl, 0o755)) },
			[]string{"libc-mismatch"}, "fork/exec /app: no such file or directory"},
		{"glibc-on-alpine", func(f *fixtures) v1.Image { return newImage(t, "amd64", f.alpine, appLayer(t, f.dyn, 0o755)) },
			[]string{"libc-mismatch"}, "fork/exec /app: no such file or directory"},
		{"glibc-too-old", func(f *fixtures) v1.Image { return newImage(t, "amd64", f.oldGlibc, appLayer(t, f.dyn, 0o755)) },
			[]string{"glibc-too-new"}, "/app: /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.34' not found (required by /app)"},
		{"library-missing-in-final-stage", func(f *fixtures) v1.Image {
			return newImage(t, "amd64", f.glibc, f.gizmoLib, appLayer(t, f.app, 0o755), f.whiteout)
		}, []string{"runtime-library-missing"}, "error while loading shared libraries: libgizmo.so.1: cannot open shared object file: No such file or directory"},
		{"not-executable", func(f *fixtures) v1.Image { return newImage(t, "amd64", appLayer(t, f.static, 0o644)) },
			[]string{"not-runnable"}, "fork/exec /app: permission denied"},
		{"static-on-scratch", func(f *fixtures) v1.Image { return newImage(t, "amd64", appLayer(t, f.static, 0o755)) }, nil, "ok"},
		{"static-pie-on-scratch", func(f *fixtures) v1.Image { return newImage(t, "amd64", appLayer(t, f.staticPIE, 0o755)) }, nil, "ok"},
		{"glibc-image-with-everything", func(f *fixtures) v1.Image {
			return newImage(t, "amd64", f.glibc, f.gizmoLib, appLayer(t, f.app, 0o755))
		}, nil, "ok"},
		{"musl-on-alpine", func(f *fixtures) v1.Image { return newImage(t, "amd64", f.alpine, appLayer(t, f.musl, 0o755)) }, nil, "ok"},
	}
}

// verdict is what cgotrace says about /app in the image ref: the codes of
// its error diagnoses, sorted.
func verdict(t *testing.T, ref string, opts Options) ([]string, *elfinspect.Binary, *Image) {
	t.Helper()
	im, err := Open(ref, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", ref, err)
	}
	t.Cleanup(func() { im.Close() })
	bins := im.Binaries()
	if len(bins) == 0 || bins[0] != "/app" {
		t.Errorf("Binaries() = %q, want /app first (the Entrypoint)", bins)
	}
	in := elfinspect.NewInspector(elfinspect.Options{FS: im.FS, HWCaps: []string{}})
	b, err := in.Inspect("/app")
	if err != nil {
		t.Fatalf("inspect /app in %s: %v", ref, err)
	}
	im.Check(b, im.Libc())
	var codes []string
	for _, d := range b.Diagnoses {
		if d.Severity == elfinspect.Error && !slices.Contains(codes, string(d.Kind)) {
			codes = append(codes, string(d.Kind))
		}
	}
	slices.Sort(codes)
	return codes, b, im
}

// extract unpacks img (whiteouts applied by mutate.Extract) into dir: the
// test's own view of the image, for the real loader.
func extract(t *testing.T, img v1.Image, dir string) {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, filepath.Clean("/"+h.Name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		switch h.Typeflag {
		case tar.TypeDir:
			os.MkdirAll(p, 0o755)
		case tar.TypeSymlink:
			os.Symlink(h.Linkname, p)
		case tar.TypeReg:
			b, _ := io.ReadAll(tr)
			if err := os.WriteFile(p, b, fs.FileMode(h.Mode).Perm()); err != nil {
				t.Fatal(err)
			}
			os.Chmod(p, fs.FileMode(h.Mode).Perm())
		}
	}
}

// starts runs /app of the unpacked root the way a container runtime
// would: chroot and exec, so the kernel reads PT_INTERP inside the root
// and the image's own loader does the rest. Without the privilege to
// chroot, the image's loader is run directly (`$ROOT/lib64/ld-linux-
// x86-64.so.2 --inhibit-cache --library-path ...`). It returns whether
// the program printed "ok" and exited 0, and what it said.
func starts(t *testing.T, root string) (bool, string) {
	t.Helper()
	cmd := exec.Command("/app")
	cmd.SysProcAttr = &syscall.SysProcAttr{Chroot: root}
	cmd.Env = []string{"PATH=/bin"}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if errors.Is(err, syscall.EPERM) {
		ok, said := startsWithLoader(t, root)
		return ok, "(no chroot) " + said
	}
	if err != nil {
		return false, fmt.Sprintf("%v: %s", err, out.String())
	}
	return strings.HasPrefix(out.String(), "ok"), out.String()
}

func startsWithLoader(t *testing.T, root string) (bool, string) {
	app := filepath.Join(root, "app")
	fi, err := os.Stat(app)
	if err != nil || fi.Mode().Perm()&0o111 == 0 {
		return false, "not executable"
	}
	ef, err := elfinspect.Inspect(app, elfinspect.Options{})
	if err != nil {
		return false, err.Error()
	}
	args := []string{}
	exe := app
	if ef.Interpreter != "" {
		exe = filepath.Join(root, ef.Interpreter)
		if _, err := os.Stat(exe); err != nil {
			return false, "interpreter " + ef.Interpreter + ": no such file or directory"
		}
		if strings.Contains(ef.Interpreter, "ld-linux") {
			args = append(args, "--inhibit-cache", "--library-path", root+"/lib/x86_64-linux-gnu:"+root+"/usr/lib/x86_64-linux-gnu:"+root+"/lib:"+root+"/usr/lib")
		}
		args = append(args, app)
	}
	out, err := exec.Command(exe, args...).CombinedOutput()
	return err == nil && strings.HasPrefix(string(out), "ok"), string(out)
}

// formats write img as each kind of source Open reads and return its ref.
var formats = []struct {
	name  string
	write func(t *testing.T, img v1.Image, dir string) string
}{
	{"docker-save", func(t *testing.T, img v1.Image, dir string) string {
		p := filepath.Join(dir, "image.tar")
		if err := tarball.WriteToFile(p, name.MustParseReference("example.com/app:1"), img); err != nil {
			t.Fatal(err)
		}
		return p
	}},
	{"docker-save-uncompressed", func(t *testing.T, img v1.Image, dir string) string {
		// as docker save writes it: read in place (Image.direct)
		p := filepath.Join(dir, "image.tar")
		writeDockerSave(t, p, img)
		return p
	}},
	{"oci-dir", func(t *testing.T, img v1.Image, dir string) string {
		return writeLayout(t, filepath.Join(dir, "oci"), img)
	}},
	{"oci-tar", func(t *testing.T, img v1.Image, dir string) string {
		return tarDir(t, writeLayout(t, filepath.Join(dir, "oci"), img), filepath.Join(dir, "oci.tar"))
	}},
	{"registry", func(t *testing.T, img v1.Image, dir string) string {
		return push(t, img)
	}},
}

func writeLayout(t *testing.T, dir string, img v1.Image) string {
	t.Helper()
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	cf, _ := img.ConfigFile()
	if err := p.AppendImage(img, layout.WithPlatform(v1.Platform{OS: cf.OS, Architecture: cf.Architecture})); err != nil {
		t.Fatal(err)
	}
	return dir
}

// tarDir writes the files of dir into a tar at out, as `tar -C dir -cf
// out .` would.
func tarDir(t *testing.T, dir, out string) string {
	t.Helper()
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	if err := tw.AddFS(os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return out
}

var (
	regOnce sync.Once
	regHost string
)

// push writes img to go-containerregistry's in-process registry.
func push(t *testing.T, img v1.Image) string {
	t.Helper()
	regOnce.Do(func() {
		srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
		regHost = strings.TrimPrefix(srv.URL, "http://")
	})
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	ref := regHost + "/test/app:" + d.Hex[:12]
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(r, img); err != nil {
		t.Fatal(err)
	}
	return ref
}

// TestVerdictsAgainstTheLoader: the four ways a binary fails to start in
// an image, the healthy cases and a file without the execute bit, read
// from each kind of source; every verdict is checked against running the
// binary in the same image unpacked, with the image's own loader.
func TestVerdictsAgainstTheLoader(t *testing.T) {
	f := getFixtures(t)
	for _, sc := range scenarios(t) {
		t.Run(sc.name, func(t *testing.T) {
			img := sc.img(f)
			root := t.TempDir()
			extract(t, img, root)
			ok, said := starts(t, root)
			if ok != (len(sc.want) == 0) {
				t.Fatalf("the real loader: started=%v (%q), but the scenario expects %q", ok, said, sc.want)
			}
			t.Logf("real loader: started=%v %q", ok, strings.TrimSpace(said))
			if !strings.HasPrefix(said, "(no chroot)") && !strings.Contains(said, sc.says) {
				t.Errorf("the real run said %q, want %q", said, sc.says)
			}
			for _, ft := range formats {
				t.Run(ft.name, func(t *testing.T) {
					ref := ft.write(t, img, t.TempDir())
					got, b, im := verdict(t, ref, Options{})
					if (im.direct != nil) != (ft.name == "docker-save-uncompressed") {
						t.Errorf("layers read in place: %v", im.direct != nil)
					}
					if !slices.Equal(got, sc.want) {
						t.Errorf("verdict %q, want %q (the real loader: %q)\n%+v", got, sc.want, strings.TrimSpace(said), b.Diagnoses)
					}
					cfg, _ := img.ConfigName()
					manifest, _ := img.Digest()
					wantDigest := manifest.String()
					if strings.HasPrefix(ft.name, "docker-save") {
						wantDigest = "" // docker save stores no manifest digest
					}
					if im.Platform != "linux/amd64" || im.Digest != wantDigest || im.ID != cfg.String() {
						t.Errorf("platform %q digest %q id %q, want linux/amd64, %q, %q", im.Platform, im.Digest, im.ID, wantDigest, cfg)
					}
				})
			}
		})
	}
}

// TestBadInput: a corrupt or truncated archive, a file that is not an
// image, a directory that is not a layout, an index without the platform,
// a registry that cannot be reached: a one-line *Error, no panic, and
// nothing left in the temporary or the cache directory.
func TestBadInput(t *testing.T) {
	f := getFixtures(t)
	tmp, cache := t.TempDir(), t.TempDir()
	t.Setenv("TMPDIR", tmp)
	t.Setenv("XDG_CACHE_HOME", cache)
	dir := t.TempDir()
	img := newImage(t, "amd64", f.glibc, appLayer(t, f.dyn, 0o755))
	good := formats[0].write(t, img, dir)
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	write := func(n string, b []byte) string {
		p := filepath.Join(dir, n)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ociTar := formats[3].write(t, img, t.TempDir())
	ociData, _ := os.ReadFile(ociTar)
	rawSave := formats[1].write(t, img, t.TempDir())
	rawData, _ := os.ReadFile(rawSave)
	corrupt := slices.Clone(data)
	for i := 1024; i < len(corrupt); i += 4096 {
		corrupt[i] ^= 0xff // layer bytes changed: tar headers or digests break
	}
	plain := t.TempDir()
	os.WriteFile(filepath.Join(plain, "README"), []byte("just files\n"), 0o644)
	cases := []struct{ name, ref, want string }{
		{"truncated docker save", write("trunc.tar", data[:len(data)/2]), "truncated"},
		{"truncated uncompressed docker save", write("trunc-raw.tar", rawData[:len(rawData)*3/4]), "truncated"},
		{"truncated OCI tar", write("trunc-oci.tar", ociData[:len(ociData)*2/3]), "truncated"},
		{"corrupt", write("corrupt.tar", corrupt), ""},
		{"text file", write("notes.txt", []byte("hello, this is not an image\n")), "not an image"},
		{"empty file", write("empty.tar", nil), "not an image"},
		{"tar without image", tarDir(t, plain, filepath.Join(dir, "plain.tar")), "neither manifest.json"},
		{"directory without index.json", t.TempDir(), "not an OCI image layout"},
		{"missing file", filepath.Join(dir, "nope.tar"), "no such file"},
		{"unreachable registry", "127.0.0.1:1/test/app:1", "connection refused"},
		{"bad reference", "UPPER/Case:tag", "neither a file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			im, err := Open(c.ref, Options{})
			if err == nil {
				im.Close()
				t.Fatalf("Open(%s): no error", c.ref)
			}
			var ie *Error
			if !errors.As(err, &ie) {
				t.Errorf("error %T, want *Error", err)
			}
			msg := err.Error()
			t.Logf("%s", msg)
			if strings.Contains(msg, "\n") || !strings.Contains(msg, c.want) {
				t.Errorf("error %q: want one line containing %q", msg, c.want)
			}
		})
	}
	t.Run("registry wants credentials", func(t *testing.T) {
		t.Setenv("DOCKER_CONFIG", t.TempDir()) // no credentials
		reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if _, _, ok := r.BasicAuth(); !ok {
				w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
				http.Error(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`, http.StatusUnauthorized)
				return
			}
			reg.ServeHTTP(w, r)
		}))
		defer srv.Close()
		_, err := Open(strings.TrimPrefix(srv.URL, "http://")+"/private/app:1", Options{})
		if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "UNAUTHORIZED") {
			t.Errorf("error %v", err)
		}
		t.Log(err)
	})
	t.Run("platform not in index", func(t *testing.T) {
		ref := writeLayout(t, t.TempDir(), img)
		_, err := Open(ref, Options{Platform: "linux/s390x"})
		if err == nil || !strings.Contains(err.Error(), "no image for platform linux/s390x") || !strings.Contains(err.Error(), "linux/amd64") {
			t.Errorf("error %v", err)
		}
		_, err = Open(good, Options{Platform: "linux/arm64"})
		if err == nil || !strings.Contains(err.Error(), "the image is linux/amd64, not linux/arm64") {
			t.Errorf("docker save of another platform: error %v", err)
		}
		_, err = Open(good, Options{Platform: "linux"})
		if err == nil || !strings.Contains(err.Error(), "not os/arch") {
			t.Errorf("--platform linux: error %v", err)
		}
	})
	for _, d := range []string{tmp, cache} {
		if ents, _ := os.ReadDir(d); len(ents) > 0 {
			var names []string
			for _, e := range ents {
				names = append(names, e.Name())
			}
			t.Errorf("left in %s: %q", d, names)
		}
	}
}

// TestMultiPlatform: an index with an amd64 and an arm64 image, from a
// layout and from the registry; --platform picks, the default is this
// machine's, and an x86-64 binary in the arm64 image is not runnable.
func TestMultiPlatform(t *testing.T) {
	f := getFixtures(t)
	amd := newImage(t, "amd64", appLayer(t, f.static, 0o755))
	arm := newImage(t, "arm64", appLayer(t, f.static, 0o755))
	idx := mutate.AppendManifests(empty.Index,
		mutate.IndexAddendum{Add: amd, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
		mutate.IndexAddendum{Add: arm, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}}})
	dir := t.TempDir()
	if _, err := layout.Write(dir, idx); err != nil {
		t.Fatal(err)
	}
	regOnce.Do(func() {
		srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
		regHost = strings.TrimPrefix(srv.URL, "http://")
	})
	r, _ := name.ParseReference(regHost + "/test/multi:1")
	if err := remote.WriteIndex(r, idx); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{dir, tarDir(t, dir, filepath.Join(t.TempDir(), "multi.tar")), r.String()} {
		got, _, im := verdict(t, ref, Options{Platform: "linux/arm64"})
		if im.Platform != "linux/arm64" || !slices.Equal(got, []string{"not-runnable"}) {
			t.Errorf("%s --platform linux/arm64: %s, verdict %q, want not-runnable", ref, im.Platform, got)
		}
		got, _, im = verdict(t, ref, Options{})
		if im.Platform != "linux/amd64" || len(got) != 0 {
			t.Errorf("%s default platform: %s, verdict %q", ref, im.Platform, got)
		}
	}
}

// TestSpill: ELF content beyond the memory budget goes to an unlinked
// file under the cache directory and reads back the same.
func TestSpill(t *testing.T) {
	f := getFixtures(t)
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	old := memLimit
	memLimit = 1
	defer func() { memLimit = old }()
	ref := formats[0].write(t, newImage(t, "amd64", f.glibc, f.gizmoLib, appLayer(t, f.app, 0o755)), t.TempDir())
	got, b, im := verdict(t, ref, Options{})
	if len(got) != 0 || im.FS.spill == nil {
		t.Errorf("verdict %q, spill %v: %+v", got, im.FS.spill, b.Diagnoses)
	}
	if l := b.Libraries; len(l) == 0 {
		t.Error("no libraries resolved")
	}
	if ents, _ := os.ReadDir(filepath.Join(cache, "cgotrace")); len(ents) != 0 {
		t.Errorf("spill file left on disk: %v", ents)
	}
}

// TestWriteScenarioImages writes each scenario's image as a docker save
// tarball to $CGOTRACE_SCENARIO_IMAGES/NAME.tar, to try the CLI on (the
// examples of docs/diagnoses.md come from these).
func TestWriteScenarioImages(t *testing.T) {
	out := os.Getenv("CGOTRACE_SCENARIO_IMAGES")
	if out == "" {
		t.Skip("CGOTRACE_SCENARIO_IMAGES not set")
	}
	f := getFixtures(t)
	for _, sc := range scenarios(t) {
		writeDockerSave(t, filepath.Join(out, sc.name+".tar"), sc.img(f))
	}
}
