package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cgotrace/cgotrace/elfinspect"
	"github.com/cgotrace/cgotrace/elfinspect/image"
	"github.com/cgotrace/cgotrace/trace"
	"github.com/cgotrace/cgotrace/trace/diag"
)

type verifyOptions struct {
	static   bool
	maxGlibc string
	noRpath  bool
	allow    []string
	loaderFlags
	files []string
}

func newVerifyCmd(g *globals) *cobra.Command {
	opts := &verifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify [flags] BINARY...  |  verify --image IMAGE [PATH...]",
		Short: "Release gate: static, glibc floor, rpath hygiene, missing libraries",
		Long: `verify checks binaries before release and prints one line per binary and
reason. It always checks rpath hygiene (empty or relative entries, /tmp,
world-writable and build directories), missing run-time libraries and, in
static glibc binaries, NSS functions (static-glibc-nss).

  --static        fail on PT_INTERP or DT_NEEDED (a static-pie passes); a
                  Mach-O may link system dylibs only, a PE system DLLs only
  --max-glibc V   fail when the binary needs a GLIBC_ version newer than V
  --no-rpath      fail on any RPATH, RUNPATH or LC_RPATH entry
  --allow LIB     do not fail on LIB (repeatable; globs allowed)

With --image IMAGE (a docker save tarball, an OCI layout directory or
tar, or a registry reference; --platform picks from a multi-platform
image) the files are paths in the image, by default its entrypoint and
the ELF executables of its bin directories, and the image is the
system: its interpreter must exist (interpreter-missing), be of the
binary's C library (libc-mismatch), its glibc must be as new as the
binary needs (glibc-too-new), every library must resolve in it, and the
file must be executable and of the image's architecture (not-runnable).
Nothing is unpacked or run.

Exit status: 0 pass, 1 fail, 2 usage error or unreadable file or image.`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.files = args
			opts.defaults(cmd)
			return runVerify(g, opts)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.static, "static", false, "fail unless the binary is static")
	f.StringVar(&opts.maxGlibc, "max-glibc", "", "fail when the binary needs a newer glibc than `VERSION` (e.g. 2.28)")
	f.BoolVar(&opts.noRpath, "no-rpath", false, "fail on any RPATH/RUNPATH/LC_RPATH entry")
	f.StringArrayVar(&opts.allow, "allow", nil, "library that may be needed (repeatable, glob)")
	opts.loaderFlags.add(cmd)
	return cmd
}

func runVerify(g *globals, opts *verifyOptions) error {
	if opts.maxGlibc != "" && !elfinspect.IsVersion(opts.maxGlibc) {
		return usageErrorf("--max-glibc %q is not a version like 2.28", opts.maxGlibc)
	}
	in, err := opts.inspector(g.log)
	if err != nil {
		return err
	}
	defer opts.close()
	if opts.files, err = opts.loaderFlags.files(opts.files); err != nil {
		return err
	}
	vopts := elfinspect.VerifyOptions{Static: opts.static, MaxGlibc: opts.maxGlibc, NoRpath: opts.noRpath,
		Allow: opts.allow, Root: opts.root}
	var libc image.LibcFacts
	if opts.img != nil {
		vopts.Root, vopts.FS = "", opts.img.FS
		libc = opts.img.Libc()
		fmt.Fprintln(g.stdout, opts.imageHeader())
	} else if wd, err := os.Getwd(); err == nil {
		vopts.BuildDirs = append(vopts.BuildDirs, moduleRoot(wd))
	}
	bins, code := inspectAll(g, in, opts.files)
	if code == exitFailed {
		code = exitOK // a missing library is judged below, with --allow
	}
	for _, b := range bins {
		var inImage []elfinspect.Finding
		if opts.img != nil {
			inImage = opts.img.Check(b, libc)
		}
		reasons := trace.Diagnoses(append(inImage, elfinspect.Verify(b, vopts)...), "")
		if len(reasons) == 0 {
			fmt.Fprintf(g.stdout, "%s: ok\n", b.Path)
			continue
		}
		for _, d := range reasons {
			line := d.Summary
			if d.Code == diag.GlibcTooNew && len(d.Evidence) > 0 {
				ev := d.Evidence
				if len(ev) > 4 {
					ev = append(ev[:4:4], fmt.Sprintf("%d more", len(d.Evidence)-4))
				}
				line += " (" + strings.Join(ev, ", ") + ")"
			}
			fmt.Fprintf(g.stdout, "%s: FAIL %s: %s\n", b.Path, d.Code, line)
			g.log.WithField("file", b.Path).WithField("code", d.Code).Debug(d.Fix)
		}
		if code == exitOK && failing(reasons) {
			code = exitFailed
		}
	}
	return exitCode(code)
}

func failing(ds []diag.Diagnosis) bool {
	for _, d := range ds {
		if d.Severity != diag.Info {
			return true
		}
	}
	return false
}

// moduleRoot is the directory of the go.mod above dir, or "" when none.
func moduleRoot(dir string) string {
	for d := dir; ; {
		if fi, err := os.Stat(d + "/go.mod"); err == nil && !fi.IsDir() {
			return d
		}
		parent := d[:max(0, len(d)-len("/"+lastElem(d)))]
		if parent == "" || parent == d {
			return ""
		}
		d = parent
	}
}

func lastElem(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}
