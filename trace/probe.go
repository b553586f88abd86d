package trace

import (
	"bytes"
	"context"
	"debug/elf"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/cgotrace/cgotrace/buildlog"
)

// linkProbe re-runs the linker's library search for one -l flag with
// -Wl,--verbose, as the failed link would have searched (same -L, -static,
// -m64, --sysroot), linking an empty program, and reads every attempt the
// linker made. The file system then tells what is in the directories it
// searched: a versioned libfoo.so.N without libfoo.so, a library of
// another architecture, a .so where a static link needs a .a.
type linkProbe struct {
	runner Runner
	cc     []string // CC and its own words
	dir    string
	env    []string
	goarch string
	// Reruns records the commands run and their output (report evidence).
	Reruns []string
}

func (lp *linkProbe) probe(ctx context.Context, lib string, link *buildlog.HostLink) *LibProbe {
	p, rerun := lp.search(ctx, lib, link)
	if rerun != "" {
		lp.Reruns = append(lp.Reruns, rerun)
	}
	return p
}

// search is probe without keeping the re-run: it returns the command run
// and its output instead, and is safe to call concurrently.
func (lp *linkProbe) search(ctx context.Context, lib string, link *buildlog.HostLink) (*LibProbe, string) {
	p := &LibProbe{}
	var keep []string
	userDir := map[string]bool{}
	if link != nil {
		for i := 0; i < len(link.Argv); i++ {
			a := link.Argv[i]
			switch {
			case a == "-static" || a == "-static-pie" || a == "-no-pie" || a == "-pie" ||
				a == "-m64" || a == "-m32" || strings.HasPrefix(a, "--sysroot") ||
				strings.HasPrefix(a, "-B") || a == "-nostdlib":
				keep = append(keep, a)
			case strings.HasPrefix(a, "-L"):
				if a == "-L" && i+1 < len(link.Argv) {
					a = "-L" + link.Argv[i+1]
					i++
				}
				keep = append(keep, a)
				userDir[filepath.Clean(a[2:])] = true
			case strings.HasPrefix(a, "-Wl,-Bstatic"):
				keep = append(keep, a)
			}
			if a == "-static" {
				p.Static = true
			}
		}
	}
	flag := lib
	if !strings.HasPrefix(flag, "-l") {
		flag = "-l" + flag
	}
	name := strings.TrimPrefix(flag, "-l")
	tmp, err := os.MkdirTemp("", "cgotrace-probe-")
	if err != nil {
		return nil, ""
	}
	defer os.RemoveAll(tmp)
	// No C source: the -l flag alone is the linker's input, so the probe
	// runs only the linker, not cc1 and as as well (70 ms instead of
	// 300 ms here), and ld's search for the library is the same
	// (its "attempt to open" lines for -l<name> are identical: checked
	// with GNU ld 2.40 for -lnope, -lz, -static -lnope and -static -lm).
	// The start files' reference to main is left unresolved, so that the
	// probe exits 0 when the library is found.
	args := append(append([]string(nil), lp.cc[1:]...), keep...)
	args = append(args, "-o", filepath.Join(tmp, "a.out"), flag, "-Wl,--verbose", "-Wl,--unresolved-symbols=ignore-all")
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	code, err := lp.runner.Run(ctx, Cmd{Name: lp.cc[0], Args: args, Dir: lp.dir, Env: lp.env, Stdout: &out, Stderr: &out})
	cmdline := strings.Join(append([]string{lp.cc[0]}, args...), " ")
	if err != nil {
		return nil, fmt.Sprintf("$ %s\n%v", cmdline, err)
	}
	var attempts []string
	seenDir := map[string]bool{}
	for _, line := range strings.Split(out.String(), "\n") {
		path, ok := strings.CutPrefix(line, "attempt to open ")
		if !ok {
			continue
		}
		path = strings.TrimSuffix(strings.TrimSuffix(path, " failed"), " succeeded")
		base := filepath.Base(path)
		if !strings.HasPrefix(base, "lib"+name+".") && base != strings.TrimPrefix(name, ":") {
			continue
		}
		attempts = append(attempts, line)
		d := filepath.Clean(filepath.Dir(path))
		if !seenDir[d] {
			seenDir[d] = true
			p.Searched = append(p.Searched, d)
		}
	}
	rerun := fmt.Sprintf("$ %s\n(exit %d)\n%s", cmdline, code, strings.Join(attempts, "\n"))
	// The evidence names the attempts in the directories the build itself
	// added with -L; the whole list is in the step's re-run output.
	for _, line := range attempts {
		path := strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(line, "attempt to open "), " failed"), " succeeded")
		if userDir[filepath.Clean(filepath.Dir(path))] && len(p.Evidence) < 6 && !slices.Contains(p.Evidence, line) {
			p.Evidence = append(p.Evidence, line)
		}
	}
	wantClass, wantMachine := elfTarget(lp.goarch)
	for _, d := range p.Searched {
		so := filepath.Join(d, "lib"+name+".so")
		if fileExists(so) {
			if ok, desc := elfMatches(so, wantClass, wantMachine); ok {
				p.Shared = append(p.Shared, so)
			} else if desc != "" {
				p.WrongArch = append(p.WrongArch, so+" ("+desc+")")
			}
		}
		if a := filepath.Join(d, "lib"+name+".a"); fileExists(a) {
			p.Archive = append(p.Archive, a)
		}
		matches, _ := filepath.Glob(filepath.Join(d, "lib"+name+".so.*"))
		sort.Strings(matches)
		if !fileExists(so) {
			p.Versioned = append(p.Versioned, matches...)
		}
	}
	return p, rerun
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir()
}

func elfTarget(goarch string) (elf.Class, elf.Machine) {
	switch goarch {
	case "386":
		return elf.ELFCLASS32, elf.EM_386
	case "arm64":
		return elf.ELFCLASS64, elf.EM_AARCH64
	case "arm":
		return elf.ELFCLASS32, elf.EM_ARM
	case "riscv64":
		return elf.ELFCLASS64, elf.EM_RISCV
	case "ppc64le", "ppc64":
		return elf.ELFCLASS64, elf.EM_PPC64
	case "s390x":
		return elf.ELFCLASS64, elf.EM_S390
	}
	return elf.ELFCLASS64, elf.EM_X86_64
}

// elfMatches reports whether path is an ELF object of the wanted class and
// machine; desc says what it is otherwise ("" for a non-ELF file, such as
// a linker script, which the linker may well accept).
func elfMatches(path string, class elf.Class, machine elf.Machine) (bool, string) {
	f, err := elf.Open(path)
	if err != nil {
		return true, ""
	}
	defer f.Close()
	if f.Class == class && f.Machine == machine {
		return true, ""
	}
	return false, fmt.Sprintf("%s %s", f.Class, strings.TrimPrefix(f.Machine.String(), "EM_"))
}
