package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/cgotrace/cgotrace/elfinspect"
	"github.com/cgotrace/cgotrace/elfinspect/image"
)

type inspectOptions struct {
	format string
	output string
	loaderFlags
	files []string
}

func newInspectCmd(g *globals) *cobra.Command {
	opts := &inspectOptions{}
	cmd := &cobra.Command{
		Use:   "inspect [flags] BINARY...  |  inspect --image IMAGE [PATH...]",
		Short: "Show what binaries need at run time, resolved as the loader would",
		Long: `inspect reads ELF, Mach-O (thin and fat) and PE files and resolves their
shared libraries the way the platform's loader would (glibc ld.so: RPATH
chain, LD_LIBRARY_PATH, RUNPATH, /etc/ld.so.cache, default directories,
glibc-hwcaps; dyld: @rpath, @loader_path, @executable_path; Windows: the
application directory and system DLLs). It never runs the binary or its
interpreter.

With --image, the files are paths inside a container image (a docker save
tarball, an OCI layout directory or tar, or a registry reference), read
without unpacking or running anything; without PATH, the image's
entrypoint and the ELF executables of its bin directories. The image's
own interpreter, C library (glibc version, musl), ld.so.cache and
directories decide.

Exit status: 0 when everything resolves, 1 when a library is missing
(with --image: any error, such as a missing interpreter), 2 on a usage
error, an unreadable file or image (the other files are still
inspected).`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.files = args
			opts.defaults(cmd)
			return runInspect(g, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.format, "format", "text", "output format: text or json")
	f.StringVarP(&opts.output, "output", "o", "", "write the result to FILE instead of stdout")
	opts.loaderFlags.add(cmd)
	return cmd
}

func runInspect(g *globals, opts *inspectOptions) error {
	if opts.format != "text" && opts.format != "json" {
		return usageErrorf("--format must be text or json, not %q", opts.format)
	}
	// Inspecting many files allocates many short-lived buffers and keeps
	// little (output is streamed): a larger GC target cuts GC work by a
	// third for a whole /usr/bin, for a few MB more memory.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	in, err := opts.inspector(g.log)
	if err != nil {
		return err
	}
	defer opts.close()
	if opts.files, err = opts.loaderFlags.files(opts.files); err != nil {
		return err
	}
	var buf bytes.Buffer
	var w io.Writer = g.stdout
	if opts.output != "" && opts.output != "-" {
		w = &buf
	}
	// Each binary is written as soon as it is resolved: a whole /usr/bin
	// never sits in memory at once.
	bw := bufio.NewWriterSize(w, 64<<10)
	out := &binaryWriter{w: bw, format: opts.format, color: g.color && w == g.stdout, open: "[", end: "]"}
	var libc image.LibcFacts
	if img := opts.img; img != nil {
		libc = img.Libc()
		if opts.format == "json" {
			hdr, err := json.Marshal(imageJSON{Ref: opts.image, Digest: img.Digest, ID: img.ID, Platform: img.Platform, Libc: libc.Libc, Glibc: libc.GlibcVersion})
			if err != nil {
				return err
			}
			out.open, out.end = `{"image":`+string(hdr)+`,"binaries":[`, "]}"
		} else {
			fmt.Fprintf(bw, "%s\n\n", opts.imageHeader())
		}
	}
	code := exitOK
	var werr error
	// Results are encoded and written by their own goroutine, in order:
	// resolving (one goroutine, the Inspector's) is the critical path of
	// a whole /usr/bin, and encoding was a fifth of it.
	type result struct {
		b   *elfinspect.Binary
		err error
	}
	results := make(chan result, 64)
	written := make(chan struct{})
	go func() {
		defer close(written)
		for r := range results {
			if r.err != nil {
				fmt.Fprintf(g.stderr, "cgotrace: %v\n", r.err)
				code = exitUsage
				continue
			}
			if (len(r.b.Missing) > 0 || (opts.img != nil && hasError(r.b.Diagnoses))) && code == exitOK {
				code = exitFailed
			}
			if werr == nil {
				werr = out.write(r.b)
			}
		}
	}()
	in.InspectAll(opts.files, runtime.GOMAXPROCS(0), func(_ string, b *elfinspect.Binary, err error) {
		if err == nil && opts.img != nil {
			opts.img.Check(b, libc)
		}
		results <- result{b, err}
	})
	close(results)
	<-written
	if werr == nil {
		werr = out.close()
	}
	if werr == nil {
		werr = bw.Flush()
	}
	if werr != nil {
		return &exitError{code: exitBroken, err: fmt.Errorf("write output: %w", werr)}
	}
	if w == &buf {
		if err := writeFileAtomic(opts.output, buf.Bytes()); err != nil {
			return inputError(err) // an --output path that cannot be written
		}
	}
	return exitCode(code)
}

// binaryWriter streams binaries as text or as one JSON array with one
// object per line (readable with jq or grep).
type binaryWriter struct {
	w *bufio.Writer
	// open and end enclose the JSON objects: "[" and "]", or an object
	// with the image and "binaries".
	open, end string
	buf       []byte // one encoded binary, reused
	format    string
	color     bool
	n         int
}

func (o *binaryWriter) write(b *elfinspect.Binary) error {
	defer func() { o.n++ }()
	if o.format == "json" {
		// "[", then one object per line, commas leading. AppendJSON
		// gives json.Marshal's bytes without its reflection.
		if o.n == 0 {
			o.w.WriteString(o.open + "\n")
		} else {
			o.w.WriteString(",")
		}
		var err error
		if o.buf, err = b.AppendJSON(o.buf[:0]); err != nil {
			return err
		}
		o.buf = append(o.buf, '\n')
		_, err = o.w.Write(o.buf)
		return err
	}
	if o.n > 0 {
		o.w.WriteString("\n")
	}
	return elfinspect.WriteText(o.w, b, elfinspect.TextOptions{Color: o.color})
}

func (o *binaryWriter) close() error {
	if o.format != "json" {
		return nil
	}
	if o.n == 0 {
		_, err := o.w.WriteString(o.open + o.end + "\n")
		return err
	}
	_, err := o.w.WriteString(o.end + "\n")
	return err
}

// imageJSON is the "image" of `inspect --image --format json`.
type imageJSON struct {
	Ref      string `json:"ref"`
	Digest   string `json:"digest,omitempty"`
	ID       string `json:"id"`
	Platform string `json:"platform"`
	Libc     string `json:"libc"`
	Glibc    string `json:"glibc_version,omitempty"`
}

// hasError reports whether a finding is an error.
func hasError(fs []elfinspect.Finding) bool {
	for _, f := range fs {
		if f.Severity == elfinspect.Error {
			return true
		}
	}
	return false
}

// inspectAll inspects every file; an unreadable one gets a one-line error
// on stderr and exit 2, the others are still inspected.
func inspectAll(g *globals, in *elfinspect.Inspector, files []string) ([]*elfinspect.Binary, int) {
	code := exitOK
	bins := make([]*elfinspect.Binary, 0, len(files))
	in.InspectAll(files, runtime.GOMAXPROCS(0), func(_ string, b *elfinspect.Binary, err error) {
		if err != nil {
			fmt.Fprintf(g.stderr, "cgotrace: %v\n", err)
			code = exitUsage
			return
		}
		if len(b.Missing) > 0 && code == exitOK {
			code = exitFailed
		}
		bins = append(bins, b)
	})
	return bins, code
}
