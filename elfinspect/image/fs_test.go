package image

import (
	"archive/tar"
	"bytes"
	"io"
	"io/fs"
	"path"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/cgotrace/cgotrace/elfinspect"
	"github.com/cgotrace/cgotrace/elfinspect/internal/linktest"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// TestLayersMatchExtract: whiteouts of files and directories, opaque
// directories, a file replacing a directory and hard links give the same
// tree as go-containerregistry's mutate.Extract.
func TestLayersMatchExtract(t *testing.T) {
	img := newImage(t, "amd64",
		layer(t,
			tfile{name: "usr/lib/a.so", data: []byte("\x7fELFa"), mode: 0o755},
			tfile{name: "usr/lib/b.so", data: []byte("b")},
			tfile{name: "opt/keep/x", data: []byte("x")},
			tfile{name: "opt/drop/y", data: []byte("y")},
			tfile{name: "var/opq/old", data: []byte("old")},
			tfile{name: "etc/ld.so.conf", data: []byte("/opt/keep\n")},
			tfile{name: "bin", link: "usr/bin"},
		),
		layer(t,
			tfile{name: "usr/lib/.wh.b.so"},
			tfile{name: "opt/.wh.drop"},
			tfile{name: "var/opq/.wh..wh..opq"},
			tfile{name: "var/opq/new", data: bytes.Repeat([]byte("new "), 40)},
			tfile{name: "usr/lib/a.so", data: []byte("\x7fELFa2"), mode: 0o755},
		),
		layer(t, tfile{name: "opt/drop/z", data: []byte("z")}),
	)
	want := extractNames(t, img)
	layers, _ := img.Layers()
	f := newFS()
	if err := f.readLayers(layers); err != nil {
		t.Fatal(err)
	}
	f.finish()
	var got []string
	fs.WalkDir(f, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && p != "." && !d.IsDir() {
			got = append(got, p)
		}
		return nil
	})
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("files %q, mutate.Extract gives %q", got, want)
	}
	if b, err := fs.ReadFile(f, "usr/lib/a.so"); err != nil || string(b) != "\x7fELFa2" {
		t.Errorf("usr/lib/a.so = %q, %v; want the upper layer's", b, err)
	}
	if b, err := fs.ReadFile(f, "etc/ld.so.conf"); err != nil || string(b) != "/opt/keep\n" {
		t.Errorf("etc/ld.so.conf = %q, %v", b, err)
	}
	if _, err := fs.ReadFile(f, "var/opq/new"); err == nil {
		t.Error("a 160-byte file that is neither ELF nor loader configuration: content kept")
	}
	if r, err := f.Open("var/opq/new"); err != nil {
		t.Error(err)
	} else if b := make([]byte, 8); func() bool { n, _ := r.(io.ReaderAt).ReadAt(b, 0); return n != 8 || string(b) != "new new " }() {
		t.Errorf("the head of var/opq/new: %q", b)
	}
	if err := fstest.TestFS(f, "usr/lib/a.so", "opt/keep/x", "var/opq/new"); err != nil {
		// TestFS reads every file whole; only the kept ones can be.
		t.Logf("fstest.TestFS (expected to complain about unkept content): %.200s", err)
	}
}

func extractNames(t *testing.T, img v1.Image) []string {
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	var out []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag != tar.TypeDir {
			out = append(out, path.Clean(h.Name))
		}
	}
	slices.Sort(out)
	return out
}

// FuzzReadLayer: any bytes as a layer give an error or a tree, never a
// panic, and the tree's walk terminates.
func FuzzReadLayer(f *testing.F) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "lib/", Typeflag: tar.TypeDir, Mode: 0o755})
	tw.WriteHeader(&tar.Header{Name: "lib/libc.so.6", Typeflag: tar.TypeReg, Size: 8, Mode: 0o755})
	tw.Write([]byte("\x7fELF\x02\x01\x01\x00"))
	tw.WriteHeader(&tar.Header{Name: "lib64", Typeflag: tar.TypeSymlink, Linkname: "lib", Mode: 0o777})
	tw.WriteHeader(&tar.Header{Name: "loop", Typeflag: tar.TypeSymlink, Linkname: "loop/x", Mode: 0o777})
	tw.WriteHeader(&tar.Header{Name: "hard", Typeflag: tar.TypeLink, Linkname: "lib/libc.so.6"})
	tw.WriteHeader(&tar.Header{Name: "lib/.wh.gone", Typeflag: tar.TypeReg})
	tw.WriteHeader(&tar.Header{Name: "../escape", Typeflag: tar.TypeReg})
	tw.Close()
	f.Add(buf.Bytes())
	f.Add([]byte("not a tar"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
		if err != nil {
			return
		}
		fsys := newFS()
		if err := fsys.readLayers([]v1.Layer{l}); err != nil {
			return
		}
		fsys.finish()
		fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				if r, err := fsys.Open(p); err == nil {
					b := make([]byte, 16)
					r.(io.ReaderAt).ReadAt(b, 0)
					r.Close()
				}
				fsys.ReadLink(p)
			}
			return nil
		})
	})
}

// TestResolveLinksTable: the image FS resolves the symlink cases of
// linktest as the --root file system and the kernel do
// (elfinspect.TestResolveLinksRootFS, TestResolveLinksKernel): resolve
// itself, and Stat and Lstat, which name the same entry.
func TestResolveLinksTable(t *testing.T) {
	var files []tfile
	for _, e := range linktest.Tree {
		switch {
		case e.Dir:
			files = append(files, tfile{name: e.Name + "/.keep", data: []byte("keep")})
		case e.Link != "":
			files = append(files, tfile{name: e.Name, link: e.Link})
		default:
			files = append(files, tfile{name: e.Name, data: []byte(e.Name)})
		}
	}
	f := newFS()
	if err := f.readLayers([]v1.Layer{layer(t, files...)}); err != nil {
		t.Fatal(err)
	}
	f.finish()
	for _, c := range linktest.Cases {
		got := ""
		e, err := f.resolve("stat", c.Name, c.Follow)
		if err != nil {
			got = linktest.Class(err, elfinspect.ErrSymlinkLoop, elfinspect.ErrNotDir)
		} else {
			got = e.name
		}
		if got != c.Want {
			t.Errorf("resolve(%q, follow=%v) = %q (%v), want %q", c.Name, c.Follow, got, err, c.Want)
		}
		stat := f.Lstat
		if c.Follow {
			stat = f.Stat
		}
		fi, serr := stat(c.Name)
		if (serr == nil) != (err == nil) || (err == nil && fi.Name() != path.Base(e.name)) {
			t.Errorf("stat(%q, follow=%v) = %v, %v; resolve gives %q", c.Name, c.Follow, fi, serr, got)
		}
	}
}
