// Package image reads a container image — a `docker save` tarball, an
// OCI image layout (a directory or a tar of one) or a registry reference
// — into an in-memory file system that elfinspect resolves binaries in
// (elfinspect.Options.FS), and checks what the image's loader would
// refuse. Layers are streamed (github.com/google/go-containerregistry),
// never unpacked to disk, and nothing of the image is executed.
package image

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Options tune Open.
type Options struct {
	// Platform is "os/arch[/variant]" (linux/arm64): the image picked from
	// a multi-platform index, and what a single image must be. Empty:
	// linux and this machine's architecture for an index, anything for a
	// single image.
	Platform string
	// Keychain gives registry credentials; nil is authn.DefaultKeychain
	// (the user's docker config and credential helpers).
	Keychain authn.Keychain
	// Transport, when set, is used for registry requests.
	Transport http.RoundTripper
	// Timeout bounds reading an image from a registry, layers included
	// (default 30 minutes); an unreachable host fails sooner, at the
	// transport's dial timeout.
	Timeout time.Duration
}

// Image is an opened image: its flattened file system and what its config
// says.
type Image struct {
	Ref string
	// Digest is the image manifest's digest (OCI layouts, registries; a
	// docker save tarball stores none), ID the config's (docker's image ID).
	Digest, ID string
	dockerSave bool
	// direct are the layers of a docker save tarball when all are
	// uncompressed: read in place.
	direct   []layerSource
	Platform string // os/arch[/variant] of its config
	// Entrypoint, Cmd, Env and WorkingDir are the config's.
	Entrypoint, Cmd, Env []string
	WorkingDir           string
	FS                   *FS
	closers              []io.Closer

	mu            sync.Mutex
	glibcVersions map[string]string // by libc.so.6 path
}

// Close releases what Open holds (open files, the spill file).
func (im *Image) Close() error {
	var first error
	for _, c := range im.closers {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	if im.FS != nil {
		if err := im.FS.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Error is an image that cannot be read: not an image, corrupt,
// truncated, no such platform, a registry that cannot be reached. The
// CLI reports it as bad input (exit 2).
type Error struct {
	Ref string
	Err error
}

// Error is one line: a registry's error can span several.
func (e *Error) Error() string {
	return strings.Join(strings.Fields(fmt.Sprintf("image %s: %v", e.Ref, e.Err)), " ")
}
func (e *Error) Unwrap() error { return e.Err }

// Open reads the image ref: a path to a `docker save` tarball, an OCI
// layout directory or a tar of one; otherwise a registry reference.
func Open(ref string, opts Options) (_ *Image, err error) {
	im := &Image{Ref: ref}
	defer func() {
		if err != nil {
			im.Close()
			err = &Error{Ref: ref, Err: err}
		}
	}()
	var want *v1.Platform
	if opts.Platform != "" {
		p, err := v1.ParsePlatform(opts.Platform)
		if err != nil || p.OS == "" || p.Architecture == "" {
			return nil, fmt.Errorf("--platform %q is not os/arch[/variant]", opts.Platform)
		}
		want = p
	}
	img, err := im.load(ref, want, opts)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	got := v1.Platform{OS: cf.OS, Architecture: cf.Architecture, Variant: cf.Variant}
	im.Platform = got.String()
	if want != nil && !got.Satisfies(*want) {
		return nil, fmt.Errorf("the image is %s, not %s", got.String(), want.String())
	}
	if d, err := img.ConfigName(); err == nil {
		im.ID = d.String()
	}
	// The manifest digest, where the source has a manifest: a docker save
	// tarball has none, and computing one would compress every layer.
	if !im.dockerSave {
		if d, err := img.Digest(); err == nil {
			im.Digest = d.String()
		}
	}
	im.Entrypoint, im.Cmd, im.Env, im.WorkingDir = cf.Config.Entrypoint, cf.Config.Cmd, cf.Config.Env, cf.Config.WorkingDir
	im.FS = newFS()
	if im.direct != nil {
		if err := im.FS.readSources(im.direct); err != nil {
			return nil, err
		}
	} else {
		layers, err := img.Layers()
		if err != nil {
			return nil, fmt.Errorf("read layers: %w", err)
		}
		if err := im.FS.readLayers(layers); err != nil {
			return nil, err
		}
	}
	im.FS.finish()
	return im, nil
}

// load picks the source by what ref names.
func (im *Image) load(ref string, want *v1.Platform, opts Options) (v1.Image, error) {
	fi, statErr := os.Stat(ref)
	switch {
	case statErr == nil && fi.IsDir():
		if _, err := os.Stat(filepath.Join(ref, "index.json")); err != nil {
			return nil, errors.New("a directory that is not an OCI image layout (no index.json)")
		}
		return fromLayout(dirBlobs(ref), want)
	case statErr == nil:
		return im.fromTar(ref, want)
	case strings.HasPrefix(ref, "/") || strings.HasPrefix(ref, ".") || !errors.Is(statErr, os.ErrNotExist):
		return nil, statErr
	}
	r, err := name.ParseReference(ref)
	if err != nil {
		return nil, fmt.Errorf("neither a file, a directory nor an image reference: %w", err)
	}
	return im.fromRegistry(r, want, opts)
}

func defaultPlatform(want *v1.Platform) v1.Platform {
	if want != nil {
		return *want
	}
	return v1.Platform{OS: "linux", Architecture: runtime.GOARCH}
}

type closeFunc func() error

func (f closeFunc) Close() error { return f() }

func (im *Image) fromRegistry(r name.Reference, want *v1.Platform, opts Options) (v1.Image, error) {
	kc := opts.Keychain
	if kc == nil {
		kc = authn.DefaultKeychain
	}
	timeout := opts.Timeout
	if timeout == 0 {
		timeout = 30 * time.Minute
	}
	// The context lives until Close: Open reads the layers through it.
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	im.closers = append(im.closers, closeFunc(func() error { cancel(); return nil }))
	ropts := []remote.Option{remote.WithAuthFromKeychain(kc), remote.WithPlatform(defaultPlatform(want)), remote.WithContext(ctx)}
	if opts.Transport != nil {
		ropts = append(ropts, remote.WithTransport(opts.Transport))
	}
	desc, err := remote.Get(r, ropts...)
	if err != nil {
		return nil, err
	}
	if desc.MediaType.IsIndex() {
		idx, err := desc.ImageIndex()
		if err != nil {
			return nil, err
		}
		return pickFromIndex(idx, want)
	}
	return desc.Image()
}

// pickFromIndex finds the image of the platform in an index (nested
// indexes included).
func pickFromIndex(idx v1.ImageIndex, want *v1.Platform) (v1.Image, error) {
	p := defaultPlatform(want)
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	var seen []string
	for _, d := range im.Manifests {
		switch {
		case d.MediaType.IsIndex():
			child, err := idx.ImageIndex(d.Digest)
			if err != nil {
				return nil, err
			}
			if img, err := pickFromIndex(child, want); err == nil {
				return img, nil
			}
		case d.MediaType.IsImage():
			if d.Platform == nil {
				seen = append(seen, "(no platform)")
				// An index of one image without a platform (docker
				// save, crane): that image.
				if len(im.Manifests) == 1 {
					return idx.Image(d.Digest)
				}
				continue
			}
			seen = append(seen, d.Platform.String())
			if d.Platform.Satisfies(p) {
				return idx.Image(d.Digest)
			}
		}
	}
	return nil, fmt.Errorf("no image for platform %s in the index (it has: %s); choose one with --platform", p.String(), strings.Join(seen, ", "))
}

// blobs opens the blobs of an OCI layout.
type blobs interface {
	open(h v1.Hash) (io.ReadCloser, int64, error)
}

type dirBlobs string

func (d dirBlobs) open(h v1.Hash) (io.ReadCloser, int64, error) {
	p := filepath.Join(string(d), "index.json")
	if h != (v1.Hash{}) {
		p = filepath.Join(string(d), "blobs", h.Algorithm, h.Hex)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, 0, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, fi.Size(), nil
}

func readBlob(b blobs, h v1.Hash, limit int64) ([]byte, error) {
	rc, size, err := b.open(h)
	if err != nil {
		return nil, fmt.Errorf("blob %s: %w", h, err)
	}
	defer rc.Close()
	if size > limit {
		return nil, fmt.Errorf("blob %s: %d bytes, more than a manifest or config may have", h, size)
	}
	data, err := io.ReadAll(io.LimitReader(rc, limit))
	if err != nil {
		return nil, fmt.Errorf("blob %s: %w", h, err)
	}
	if got, _, err := v1.SHA256(strings.NewReader(string(data))); err == nil && h.Algorithm == "sha256" && got != h {
		return nil, fmt.Errorf("blob %s: content has digest %s", h, got)
	}
	return data, nil
}

const maxManifest = 8 << 20

// fromLayout reads an OCI image layout through b: index.json, nested
// indexes, the manifest of the platform.
func fromLayout(b blobs, want *v1.Platform) (v1.Image, error) {
	rc, _, err := b.open(v1.Hash{})
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(io.LimitReader(rc, maxManifest))
	rc.Close()
	if err != nil {
		return nil, fmt.Errorf("index.json: %w", err)
	}
	return pickLayout(b, raw, "index.json", want, 0)
}

func pickLayout(b blobs, raw []byte, what string, want *v1.Platform, depth int) (v1.Image, error) {
	if depth > 8 {
		return nil, errors.New("indexes nested too deep")
	}
	idx, err := v1.ParseIndexManifest(strings.NewReader(string(raw)))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	p := defaultPlatform(want)
	var seen []string
	images := 0
	for _, d := range idx.Manifests {
		if d.MediaType.IsImage() {
			images++
		}
	}
	for _, d := range idx.Manifests {
		switch {
		case d.MediaType.IsIndex():
			child, err := readBlob(b, d.Digest, maxManifest)
			if err != nil {
				return nil, err
			}
			if img, err := pickLayout(b, child, d.Digest.String(), want, depth+1); err == nil {
				return img, nil
			} else if depth+1 > 8 || !strings.Contains(err.Error(), "no image for platform") {
				return nil, err
			}
		case d.MediaType.IsImage():
			if d.Platform == nil {
				seen = append(seen, "(no platform)")
				if images == 1 {
					return layoutImage(b, d)
				}
				continue
			}
			seen = append(seen, d.Platform.String())
			if d.Platform.Satisfies(p) {
				return layoutImage(b, d)
			}
		}
	}
	return nil, fmt.Errorf("no image for platform %s in the index (it has: %s); choose one with --platform", p.String(), strings.Join(seen, ", "))
}

// layoutImage is the image of manifest d of an OCI layout.
func layoutImage(b blobs, d v1.Descriptor) (v1.Image, error) {
	raw, err := readBlob(b, d.Digest, maxManifest)
	if err != nil {
		return nil, err
	}
	m, err := v1.ParseManifest(strings.NewReader(string(raw)))
	if err != nil {
		return nil, fmt.Errorf("manifest %s: %w", d.Digest, err)
	}
	cfg, err := readBlob(b, m.Config.Digest, maxManifest)
	if err != nil {
		return nil, err
	}
	mt := d.MediaType
	if m.MediaType != "" {
		mt = m.MediaType
	}
	core := &layoutCore{b: b, raw: raw, cfg: cfg, mt: mt, layers: map[v1.Hash]v1.Descriptor{}}
	for _, l := range m.Layers {
		core.layers[l.Digest] = l
	}
	return partial.CompressedToImage(core)
}

type layoutCore struct {
	b      blobs
	raw    []byte
	cfg    []byte
	mt     types.MediaType
	layers map[v1.Hash]v1.Descriptor
}

func (c *layoutCore) RawConfigFile() ([]byte, error)      { return c.cfg, nil }
func (c *layoutCore) MediaType() (types.MediaType, error) { return c.mt, nil }
func (c *layoutCore) RawManifest() ([]byte, error)        { return c.raw, nil }
func (c *layoutCore) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	d, ok := c.layers[h]
	if !ok {
		return nil, fmt.Errorf("no layer %s in the manifest", h)
	}
	return &layoutLayer{b: c.b, d: d}, nil
}

type layoutLayer struct {
	b blobs
	d v1.Descriptor
}

func (l *layoutLayer) Digest() (v1.Hash, error) { return l.d.Digest, nil }
func (l *layoutLayer) Size() (int64, error)     { return l.d.Size, nil }
func (l *layoutLayer) MediaType() (types.MediaType, error) {
	return l.d.MediaType, nil
}
func (l *layoutLayer) Compressed() (io.ReadCloser, error) {
	rc, _, err := l.b.open(l.d.Digest)
	if err != nil {
		return nil, fmt.Errorf("layer %s: %w", l.d.Digest, err)
	}
	return rc, nil
}

// fromTar reads a `docker save` tarball (manifest.json) or a tar of an
// OCI layout (index.json). The tar is indexed once, by seeking over the
// content; blobs are then read in place.
func (im *Image) fromTar(p string, want *v1.Platform) (v1.Image, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	im.closers = append(im.closers, f)
	t, err := indexTar(f)
	if err != nil {
		return nil, err
	}
	if _, ok := t.files["manifest.json"]; ok {
		im.dockerSave = true
		img, err := tarball.Image(func() (io.ReadCloser, error) { return os.Open(p) }, nil)
		if err != nil {
			return nil, fmt.Errorf("docker save tarball: %w", err)
		}
		im.direct = t.uncompressedLayers()
		return img, nil
	}
	if _, ok := t.files["index.json"]; ok {
		return fromLayout(t, want)
	}
	return nil, errors.New("a tar archive with neither manifest.json (docker save) nor index.json (OCI layout)")
}

type tarIndex struct {
	f     *os.File
	files map[string]tarFile
}

type tarFile struct{ off, size int64 }

func indexTar(f *os.File) (*tarIndex, error) {
	t := &tarIndex{f: f, files: map[string]tarFile{}}
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if len(t.files) == 0 {
				return nil, fmt.Errorf("not an image: not a tar archive (%w)", err)
			}
			return nil, fmt.Errorf("corrupt or truncated tar archive: %w", err)
		}
		if h.Typeflag != tar.TypeReg && h.Typeflag != tar.TypeRegA {
			continue
		}
		off, err := f.Seek(0, io.SeekCurrent)
		if err != nil {
			return nil, err
		}
		t.files[cleanName(h.Name)] = tarFile{off: off, size: h.Size}
	}
	if len(t.files) == 0 {
		return nil, errors.New("not an image: an empty or non-tar file")
	}
	// The last entry's content must be there: a truncated archive can end
	// exactly after a header.
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	for n, e := range t.files {
		if e.off+e.size > fi.Size() {
			return nil, fmt.Errorf("corrupt or truncated tar archive: %s ends past the end of the file", n)
		}
	}
	return t, nil
}

// uncompressedLayers are the layers of the first image of manifest.json
// (the one tarball.Image reads) when every one is stored uncompressed,
// else nil.
func (t *tarIndex) uncompressedLayers() []layerSource {
	e, ok := t.files["manifest.json"]
	if !ok || e.size > maxManifest {
		return nil
	}
	raw := make([]byte, e.size)
	if _, err := t.f.ReadAt(raw, e.off); err != nil {
		return nil
	}
	var m []struct{ Layers []string }
	if json.Unmarshal(raw, &m) != nil || len(m) == 0 {
		return nil
	}
	var out []layerSource
	for _, l := range m[0].Layers {
		e, ok := t.files[cleanName(l)]
		if !ok || e.size < 512 {
			return nil
		}
		var magic [4]byte
		if _, err := t.f.ReadAt(magic[:], e.off); err != nil {
			return nil
		}
		if (magic[0] == 0x1f && magic[1] == 0x8b) || string(magic[:]) == "\x28\xb5\x2f\xfd" {
			return nil // compressed: read through go-containerregistry
		}
		out = append(out, layerSource{file: t.f, base: e.off, size: e.size})
	}
	return out
}

func (t *tarIndex) open(h v1.Hash) (io.ReadCloser, int64, error) {
	n := "index.json"
	if h != (v1.Hash{}) {
		n = "blobs/" + h.Algorithm + "/" + h.Hex
	}
	e, ok := t.files[n]
	if !ok {
		return nil, 0, fmt.Errorf("%s: not in the archive", n)
	}
	return io.NopCloser(io.NewSectionReader(t.f, e.off, e.size)), e.size, nil
}
