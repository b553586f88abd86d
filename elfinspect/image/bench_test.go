package image

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/cgotrace/cgotrace/elfinspect"
)

// benchImage is a glibc image of about 200 MB with 500 ELF files: this
// machine's loader and libc.so.6, 100 shared libraries, 400 programs in
// /usr/bin that need one of them (gcc-built, each made distinct and
// about 330 KB with incompressible bytes after its section headers, which
// the loader never reads) and 40 MB of data files that are not ELF.
func benchImage(t testing.TB, f *fixtures) v1.Image {
	rng := rand.New(rand.NewSource(1))
	pad := func(b []byte, i, size int) []byte {
		out := make([]byte, size)
		copy(out, b)
		rng.Read(out[len(b):])
		copy(out[len(b):], fmt.Sprintf("cgotrace-bench-%d", i))
		return out
	}
	var libs, bins, data []tfile
	for i := range 100 {
		libs = append(libs, tfile{name: fmt.Sprintf("usr/lib/x86_64-linux-gnu/libgizmo%d.so.1", i), data: pad(f.gizmo, i, 300<<10), mode: 0o644})
	}
	libs = append(libs, tfile{name: "usr/lib/x86_64-linux-gnu/libgizmo.so.1", data: f.gizmo, mode: 0o644})
	for i := range 400 {
		bins = append(bins, tfile{name: fmt.Sprintf("usr/bin/prog%03d", i), data: pad(f.app, 1000+i, 330<<10), mode: 0o755})
	}
	for i := range 40 {
		data = append(data, tfile{name: fmt.Sprintf("usr/share/bench/data%02d.bin", i), data: pad([]byte("DATA"), i, 1<<20), mode: 0o644})
	}
	img := newImage(t, "amd64", f.glibc, layer(t, libs...), layer(t, bins...), layer(t, data...))
	return img
}

// writeDockerSave writes img as `docker save` does: uncompressed layers
// (<diffid>/layer.tar), the config and manifest.json.
func writeDockerSave(t testing.TB, p string, img v1.Image) {
	t.Helper()
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	add := func(name string, size int64, r io.Reader) {
		if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Size: size, Mode: 0o644}); err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(tw, r); err != nil {
			t.Fatal(err)
		}
	}
	cfgName, _ := img.ConfigName()
	raw, err := img.RawConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	add(cfgName.Hex+".json", int64(len(raw)), bytes.NewReader(raw))
	layers, _ := img.Layers()
	var names []string
	for _, l := range layers {
		d, _ := l.DiffID()
		rc, err := l.Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		n := d.Hex + "/layer.tar"
		add(n, int64(len(b)), bytes.NewReader(b))
		names = append(names, n)
	}
	m, _ := json.Marshal([]map[string]any{{"Config": cfgName.Hex + ".json", "RepoTags": []string{"example.com/bench:1"}, "Layers": names}})
	add("manifest.json", int64(len(m)), bytes.NewReader(m))
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestWriteBenchImage writes the benchmark's image as a docker save
// tarball to $CGOTRACE_BENCH_IMAGE, for scripts/bench-image.sh.
func TestWriteBenchImage(t *testing.T) {
	out := os.Getenv("CGOTRACE_BENCH_IMAGE")
	if out == "" {
		t.Skip("CGOTRACE_BENCH_IMAGE not set (scripts/bench-image.sh sets it)")
	}
	img := benchImage(t, getFixtures(t))
	if os.Getenv("CGOTRACE_BENCH_FORMAT") == "oci" {
		writeLayout(t, out, img) // gzip layers, as registries hold them
		return
	}
	writeDockerSave(t, out, img)
}

// BenchmarkVerifyImage: what `cgotrace verify --image` does with
// benchImage: read it, resolve its 400 programs, check them; as a docker
// save tarball (uncompressed layers) and as an OCI layout (gzip layers).
func BenchmarkVerifyImage(b *testing.B) {
	f := getFixtures(&testing.T{})
	if f == nil {
		b.Skip(fixErr)
	}
	img := benchImage(b, f)
	dir := b.TempDir()
	docker := filepath.Join(dir, "bench.tar")
	writeDockerSave(b, docker, img)
	oci := writeLayout(&testing.T{}, filepath.Join(dir, "oci"), img)
	b.Run("docker-save", func(b *testing.B) { benchVerify(b, docker) })
	b.Run("oci-gzip", func(b *testing.B) { benchVerify(b, oci) })
}

func benchVerify(b *testing.B, p string) {
	img, _ := tarball.ImageFromPath(p, nil)
	var size int64
	if img != nil {
		ls, _ := img.Layers()
		for _, l := range ls {
			n, _ := l.Size()
			size += n
		}
	} else {
		filepath.WalkDir(p, func(_ string, d fs.DirEntry, _ error) error {
			if i, err := d.Info(); err == nil && !d.IsDir() {
				size += i.Size()
			}
			return nil
		})
	}
	var files int
	for b.Loop() {
		im, err := Open(p, Options{})
		if err != nil {
			b.Fatal(err)
		}
		in := elfinspect.NewInspector(elfinspect.Options{FS: im.FS})
		libc := im.Libc()
		bins := im.Binaries()
		files = len(bins)
		in.InspectAll(bins, runtime.GOMAXPROCS(0), func(p string, bin *elfinspect.Binary, err error) {
			if err != nil {
				b.Fatal(err)
			}
			if im.Check(bin, libc); len(bin.Missing) > 0 {
				b.Fatalf("%s: missing %q", p, bin.Missing)
			}
		})
		if im.FS.ELFs < 500 {
			b.Fatalf("%d ELF files in the image, want >= 500", im.FS.ELFs)
		}
		im.Close()
	}
	b.ReportMetric(float64(size)/1e6, "MB")
	b.ReportMetric(float64(files), "programs")
	b.ReportMetric(float64(size)/1e6/(b.Elapsed().Seconds()/float64(b.N)), "MB/s")
}
