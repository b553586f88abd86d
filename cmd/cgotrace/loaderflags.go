package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"

	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"

	"github.com/cgotrace/cgotrace/elfinspect"
	"github.com/cgotrace/cgotrace/elfinspect/image"
)

// loaderFlags are the flags of inspect and verify that set up the
// emulated loader: --root or --image (and --platform), --ld-library-path,
// --ld-preload.
type loaderFlags struct {
	root               string
	image              string
	platform           string
	ldLibraryPath      string
	ldPreload          string
	llpSet, preloadSet bool
	// img is the image --image opened (Close it when done).
	img *image.Image
}

func (l *loaderFlags) add(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&l.root, "root", "", "resolve as if DIR were / (a sysroot or an unpacked container image)")
	f.StringVar(&l.image, "image", "", "resolve inside container `IMAGE`: a docker save tarball, an OCI layout (directory or tar) or a registry reference; without BINARY, its entrypoint and the executables of its bin directories")
	f.StringVar(&l.platform, "platform", "", "with --image, the `os/arch[/variant]` to pick from a multi-platform image (default linux/"+runtime.GOARCH+")")
	f.StringVar(&l.ldLibraryPath, "ld-library-path", "", "LD_LIBRARY_PATH the program would run with (default: $LD_LIBRARY_PATH)")
	f.StringVar(&l.ldPreload, "ld-preload", "", "LD_PRELOAD the program would run with (default: $LD_PRELOAD; /etc/ld.so.preload is read too)")
}

// defaults takes LD_LIBRARY_PATH and LD_PRELOAD from the environment
// unless their flags were given.
func (l *loaderFlags) defaults(cmd *cobra.Command) {
	l.llpSet, l.preloadSet = cmd.Flags().Changed("ld-library-path"), cmd.Flags().Changed("ld-preload")
	if l.image != "" {
		return // the image's own, from its config (see imageEnv)
	}
	if !cmd.Flags().Changed("ld-library-path") {
		l.ldLibraryPath = os.Getenv("LD_LIBRARY_PATH")
	}
	if !cmd.Flags().Changed("ld-preload") {
		l.ldPreload = os.Getenv("LD_PRELOAD")
	}
}

// inspector checks --root, opens --image and returns the Inspector the
// flags describe.
func (l *loaderFlags) inspector(log logrus.FieldLogger) (*elfinspect.Inspector, error) {
	if l.platform != "" && l.image == "" {
		return nil, usageErrorf("--platform needs --image")
	}
	if l.image != "" {
		if l.root != "" {
			return nil, usageErrorf("--root and --image cannot be used together")
		}
		img, err := image.Open(l.image, image.Options{Platform: l.platform})
		if err != nil {
			var ie *image.Error
			if errors.As(err, &ie) {
				return nil, inputError(err)
			}
			return nil, err
		}
		l.img = img
		log.WithField("image", l.image).WithField("digest", img.Digest).WithField("id", img.ID).WithField("platform", img.Platform).
			WithField("files", img.FS.Files).WithField("elf_files", img.FS.ELFs).Debug("image read")
		return elfinspect.NewInspector(elfinspect.Options{
			FS: img.FS, LDLibraryPath: l.imageEnv("LD_LIBRARY_PATH"), Preload: l.imageEnv("LD_PRELOAD"), Log: log,
		}), nil
	}
	if l.root != "" {
		if fi, err := os.Stat(l.root); err != nil || !fi.IsDir() {
			return nil, usageErrorf("--root %s: not a directory", l.root)
		}
	}
	return elfinspect.NewInspector(elfinspect.Options{
		Root: l.root, LDLibraryPath: l.ldLibraryPath, Preload: l.ldPreload, Log: log,
	}), nil
}

// imageEnv is the variable k of the image's config, unless its flag was
// given: the environment the program runs with is the image's, not ours.
func (l *loaderFlags) imageEnv(k string) string {
	v := ""
	for _, e := range l.img.Env {
		if x, ok := strings.CutPrefix(e, k+"="); ok {
			v = x
		}
	}
	switch k {
	case "LD_LIBRARY_PATH":
		if l.llpSet {
			return l.ldLibraryPath
		}
	case "LD_PRELOAD":
		if l.preloadSet {
			return l.ldPreload
		}
	}
	return v
}

// files are the files to inspect: those named, else (with --image) the
// image's programs.
func (l *loaderFlags) files(args []string) ([]string, error) {
	if len(args) > 0 {
		return args, nil
	}
	if l.img == nil {
		return nil, usageErrorf("name at least one BINARY (or use --image)")
	}
	bins := l.img.Binaries()
	if len(bins) == 0 {
		return nil, inputError(fmt.Errorf("image %s: no ELF executable in its entrypoint, cmd or bin directories; name the files to check", l.image))
	}
	return bins, nil
}

// close releases the image.
func (l *loaderFlags) close() {
	if l.img != nil {
		l.img.Close()
	}
}

// imageHeader is the line that names the image a result is about.
func (l *loaderFlags) imageHeader() string {
	if l.img.Digest != "" {
		return fmt.Sprintf("image: %s (%s, digest %s)", l.image, l.img.Platform, l.img.Digest)
	}
	return fmt.Sprintf("image: %s (%s, id %s)", l.image, l.img.Platform, l.img.ID)
}
