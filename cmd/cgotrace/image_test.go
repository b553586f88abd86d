package main

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// imageTar writes a docker save tarball of a linux/amd64 image whose
// layers hold files (name -> host path, or "->target" for a symlink) and
// whose entrypoint is entry.
func imageTar(t *testing.T, dir string, entry string, files map[string]string) string {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for n, src := range files {
		if target, ok := strings.CutPrefix(src, "->"); ok {
			tw.WriteHeader(&tar.Header{Name: n, Typeflag: tar.TypeSymlink, Linkname: target, Mode: 0o777})
			continue
		}
		b, err := os.ReadFile(src)
		if err != nil {
			t.Skipf("%s: %v", src, err)
		}
		tw.WriteHeader(&tar.Header{Name: n, Typeflag: tar.TypeReg, Size: int64(len(b)), Mode: 0o755})
		tw.Write(b)
	}
	tw.Close()
	data := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(empty.Image, l)
	if err != nil {
		t.Fatal(err)
	}
	cf, _ := img.ConfigFile()
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", "amd64"
	cf.Config.Entrypoint = []string{entry}
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "image.tar")
	if err := tarball.WriteToFile(p, name.MustParseReference("example.com/app:1"), img); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestImageCLI(t *testing.T) {
	fx := buildCLIFixtures(t)
	ldso, err1 := filepath.EvalSymlinks("/lib64/ld-linux-x86-64.so.2")
	libc, err2 := filepath.EvalSymlinks("/lib/x86_64-linux-gnu/libc.so.6")
	if err1 != nil || err2 != nil {
		t.Skip("this machine has no x86-64 glibc")
	}
	scratch := imageTar(t, t.TempDir(), "/app", map[string]string{"app": fx.ok, "usr/local/bin/static": fx.static})
	glibc := imageTar(t, t.TempDir(), "/usr/bin/app", map[string]string{
		"usr/bin/app": fx.ok, "usr/bin/missing": fx.missing,
		"lib64/ld-linux-x86-64.so.2":                "->/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
		"lib/x86_64-linux-gnu/ld-linux-x86-64.so.2": ldso, "lib/x86_64-linux-gnu/libc.so.6": libc,
	})

	code, out, stderr := run(t, "verify", "--image", scratch)
	if code != 1 || !strings.Contains(out, "image: "+scratch+" (linux/amd64, id sha256:") ||
		!strings.Contains(out, "/app: FAIL interpreter-missing: app: its interpreter /lib64/ld-linux-x86-64.so.2 is not in the image") ||
		!strings.Contains(out, "/usr/local/bin/static: ok") {
		t.Errorf("verify scratch: exit %d\n%s%s", code, out, stderr)
	}
	code, out, stderr = run(t, "verify", "--image", scratch, "/usr/local/bin/static")
	if code != 0 || strings.Contains(out, "/app") {
		t.Errorf("verify scratch /static: exit %d\n%s%s", code, out, stderr)
	}
	code, out, stderr = run(t, "verify", "--image", glibc)
	if code != 1 || !strings.Contains(out, "/usr/bin/app: ok") ||
		!strings.Contains(out, "/usr/bin/missing: FAIL runtime-library-missing: missing: libgone.so (needed by /usr/bin/missing) resolves to no file") {
		t.Errorf("verify glibc: exit %d\n%s%s", code, out, stderr)
	}
	code, out, stderr = run(t, "inspect", "--image", glibc, "/usr/bin/app")
	if code != 0 || !strings.Contains(out, "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6") {
		t.Errorf("inspect glibc: exit %d\n%s%s", code, out, stderr)
	}
	code, out, stderr = run(t, "inspect", "--image", scratch, "--format", "json")
	var doc struct {
		Image    map[string]string `json:"image"`
		Binaries []struct {
			Path      string `json:"path"`
			Diagnoses []struct {
				Code string `json:"code"`
			} `json:"diagnoses"`
		} `json:"binaries"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != 1 || doc.Image["platform"] != "linux/amd64" ||
		!strings.HasPrefix(doc.Image["id"], "sha256:") || len(doc.Binaries) != 2 || doc.Binaries[0].Path != "/app" {
		t.Errorf("inspect --format json: exit %d, %v\n%s%s", code, err, out, stderr)
	}

	// Bad input: one line on stderr, exit 2, nothing on stdout.
	bad := filepath.Join(t.TempDir(), "bad.tar")
	os.WriteFile(bad, []byte("not an image"), 0o644)
	trunc := filepath.Join(t.TempDir(), "trunc.tar")
	data, _ := os.ReadFile(glibc)
	os.WriteFile(trunc, data[:len(data)/2], 0o644)
	for _, args := range [][]string{
		{"verify", "--image", bad},
		{"verify", "--image", trunc},
		{"inspect", "--image", trunc},
		{"verify", "--image", scratch, "--platform", "linux/arm64"},
		{"verify", "--image", "127.0.0.1:1/x/y:1"},
		{"verify", "--image", scratch, "--root", "/"},
		{"verify", "--platform", "linux/arm64", fx.ok},
		{"verify"},
	} {
		code, out, stderr := run(t, args...)
		if code != 2 || out != "" || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "cgotrace: ") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 and one line", args, code, out, stderr)
		}
	}
}
