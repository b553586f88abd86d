package main

import (
	"os"

	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"

	"github.com/cgotrace/cgotrace/elfinspect"
)

// loaderFlags are the flags of inspect and verify that set up the
// emulated loader: --root, --ld-library-path, --ld-preload.
type loaderFlags struct {
	root          string
	ldLibraryPath string
	ldPreload     string
}

func (l *loaderFlags) add(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&l.root, "root", "", "resolve as if DIR were / (a sysroot or an unpacked container image)")
	f.StringVar(&l.ldLibraryPath, "ld-library-path", "", "LD_LIBRARY_PATH the program would run with (default: $LD_LIBRARY_PATH)")
	f.StringVar(&l.ldPreload, "ld-preload", "", "LD_PRELOAD the program would run with (default: $LD_PRELOAD; /etc/ld.so.preload is read too)")
}

// defaults takes LD_LIBRARY_PATH and LD_PRELOAD from the environment
// unless their flags were given.
func (l *loaderFlags) defaults(cmd *cobra.Command) {
	if !cmd.Flags().Changed("ld-library-path") {
		l.ldLibraryPath = os.Getenv("LD_LIBRARY_PATH")
	}
	if !cmd.Flags().Changed("ld-preload") {
		l.ldPreload = os.Getenv("LD_PRELOAD")
	}
}

// inspector checks --root and returns the Inspector the flags describe.
func (l *loaderFlags) inspector(log logrus.FieldLogger) (*elfinspect.Inspector, error) {
	if l.root != "" {
		if fi, err := os.Stat(l.root); err != nil || !fi.IsDir() {
			return nil, usageErrorf("--root %s: not a directory", l.root)
		}
	}
	return elfinspect.NewInspector(elfinspect.Options{
		Root: l.root, LDLibraryPath: l.ldLibraryPath, Preload: l.ldPreload, Log: log,
	}), nil
}
