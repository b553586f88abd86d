package render

import (
	"fmt"
	"strings"

	"github.com/cgotrace/cgotrace/buildlog"
	"github.com/cgotrace/cgotrace/elfinspect"
	"github.com/cgotrace/cgotrace/trace"
	"github.com/cgotrace/cgotrace/trace/diag"
)

// diagnosed is what the diagnoser (trace.Diagnose) says about what go
// build printed, with the facts of the fixture's file system: the
// fixtures' summaries, fixes and evidence are the rules' own, never
// written by hand, so that the goldens follow the rules.
func diagnosed(rep *trace.Report, out string, f *trace.Facts) []diag.Diagnosis {
	l, err := buildlog.Parse(strings.NewReader(out))
	if err != nil {
		panic(err)
	}
	f.Packages = map[string]*trace.Package{}
	for _, p := range rep.Packages {
		f.Packages[p.ImportPath] = p
	}
	return trace.Diagnose(l, f)
}

// Hand-built reports for the renderer tests. The tool messages are the
// ones go build 1.26, gcc 12 and GNU ld 2.40 printed on Debian 12
// (../shared/scenarios/*/scenario.json "observed" and
// ../shared/reference/go-build-x.md), with the scenario paths put under
// /home/ci/src.

var fxTool = trace.Tool{Name: "cgotrace", Version: "v0.3.0"}

var fxToolchain = &trace.Toolchain{
	GoVersion: "go1.26.8", GOOS: "linux", GOARCH: "amd64", CgoEnabled: "1",
	CC: "gcc", CXX: "g++", CCTarget: "x86_64-linux-gnu", PkgConfig: "/usr/bin/pkg-config",
	Env: map[string]string{"CGO_ENABLED": "1", "PATH": "/usr/local/go/bin:/usr/bin:/bin"},
}

// hostLink is the external link go build's linker ran (observed, with the
// part go build elides filled in from a -ldflags=-v run).
func hostLink(extra ...string) []string {
	argv := []string{"/usr/bin/gcc", "-m64", "-Wl,--build-id=0x3f5e0c2d8a7b6e4f1d2c3b4a5968778695a4b3c2",
		"-o", "$WORK/b001/exe/a.out", "-Wl,--export-dynamic-symbol=_cgo_panic",
		"-Wl,--export-dynamic-symbol=_cgo_topofstack", "-Wl,--export-dynamic-symbol=crosscall2",
		"-Wl,--compress-debug-sections=zlib", "/tmp/go-link-2315771102/go.o",
		"/tmp/go-link-2315771102/000000.o", "/tmp/go-link-2315771102/000001.o",
		"/tmp/go-link-2315771102/000002.o", "-O2", "-g"}
	argv = append(argv, extra...)
	return append(argv, "-O2", "-g", "-lpthread", "-no-pie")
}

// libraryDevMissing: lib/ has only libgizmo.so.1, not libgizmo.so.
func libraryDevMissing() *trace.Report {
	dir := "/home/ci/src/library-dev-missing-basic"
	rep := &trace.Report{
		SchemaVersion: 1, Tool: fxTool,
		Command:   trace.Command{Argv: []string{"go", "build", "-o", "app", "."}, Dir: dir, ExitCode: 1},
		Toolchain: fxToolchain,
		Packages: []*trace.Package{{
			ImportPath: "example.com/library-dev-missing-basic", Dir: dir, Failed: true,
			Directives: []trace.Directive{{File: "main.go", Line: 3, Verb: "LDFLAGS", Args: []string{"-L${SRCDIR}/lib", "-lgizmo"}}},
			Steps: []trace.Step{
				{Action: "b001", Kind: trace.KindCgo, Dir: dir, Argv: []string{"/usr/local/go/pkg/tool/linux_amd64/cgo", "-objdir", "$WORK/b001/", "-importpath", "example.com/library-dev-missing-basic", `-ldflags="-O2" "-g" "-L/home/ci/src/library-dev-missing-basic/lib" "-lgizmo"`, "--", "-I", "$WORK/b001/", "-O2", "-g", "./main.go"}, Env: map[string]string{"TERM": "dumb", "CGO_LDFLAGS": ""}},
				{Action: "b001", Kind: trace.KindCCCompile, Dir: "$WORK/b001", Argv: []string{"gcc", "-I", dir, "-fPIC", "-m64", "-pthread", "-Wl,--no-gc-sections", "-fmessage-length=0", "-ffile-prefix-map=$WORK/b001=/tmp/go-build", "-gno-record-gcc-switches", "-I", "$WORK/b001/", "-O2", "-g", "-frandom-seed=aF3bQ9xZ2kLmN7pR4sT1", "-o", "$WORK/b001/_x001.o", "-c", "_cgo_export.c"}, Output: "$WORK/b001/_x001.o"},
				{Action: "b001", Kind: trace.KindHostLink, Dir: dir, Argv: hostLink("-L/home/ci/src/library-dev-missing-basic/lib", "-lgizmo"), Output: "$WORK/b001/exe/a.out", Failed: true,
					Rerun: "GNU ld (GNU Binutils for Debian) 2.40\n  Supported emulations:\n   elf_x86_64\n...\nattempt to open /home/ci/src/library-dev-missing-basic/lib/libgizmo.so failed\nattempt to open /home/ci/src/library-dev-missing-basic/lib/libgizmo.a failed\nattempt to open /usr/lib/gcc/x86_64-linux-gnu/12/libgizmo.so failed\nattempt to open /usr/lib/gcc/x86_64-linux-gnu/12/libgizmo.a failed\nattempt to open /usr/lib/x86_64-linux-gnu/libgizmo.so failed\nattempt to open /usr/lib/x86_64-linux-gnu/libgizmo.a failed\n/usr/bin/ld: cannot find -lgizmo: No such file or directory\ncollect2: error: ld returned 1 exit status\n"},
			},
			Flags: []trace.Flag{
				{Flag: "-O2", Stage: "link", Origin: trace.OriginEnv, Detail: "CGO_LDFLAGS"},
				{Flag: "-g", Stage: "link", Origin: trace.OriginEnv, Detail: "CGO_LDFLAGS"},
				{Flag: "-L/home/ci/src/library-dev-missing-basic/lib", Stage: "link", Origin: trace.OriginDirective, Detail: "main.go:3"},
				{Flag: "-lgizmo", Stage: "link", Origin: trace.OriginDirective, Detail: "main.go:3"},
				{Flag: "-lpthread", Stage: "link", Origin: trace.OriginGo, Detail: "runtime/cgo"},
			},
		}},
	}
	rep.Diagnoses = diagnosed(rep, "# example.com/library-dev-missing-basic\n"+
		"/usr/local/go/pkg/tool/linux_amd64/link: running gcc failed: exit status 1\n"+
		strings.Join(hostLink("-L/home/ci/src/library-dev-missing-basic/lib", "-lgizmo"), " ")+"\n"+
		"/usr/bin/ld: cannot find -lgizmo: No such file or directory\n"+
		"collect2: error: ld returned 1 exit status\n", &trace.Facts{
		Probe: func(lib string, _ *buildlog.HostLink) *trace.LibProbe {
			return &trace.LibProbe{
				Searched:  []string{dir + "/lib", "/usr/lib/gcc/x86_64-linux-gnu/12", "/usr/lib/x86_64-linux-gnu", "/usr/lib", "/lib/x86_64-linux-gnu", "/lib"},
				Versioned: []string{dir + "/lib/libgizmo.so.1"},
			}
		},
	})
	return rep
}

// headerNotFound: #cgo pkg-config: frobnicate gives -I, but the header is
// not there.
func headerNotFound() *trace.Report {
	dir := "/home/ci/src/frobapp"
	pc := "/opt/frob/lib/pkgconfig/frobnicate.pc"
	rep := &trace.Report{
		SchemaVersion: 1, Tool: fxTool,
		Command:   trace.Command{Argv: []string{"go", "build", "-o", "app", "."}, Dir: dir, ExitCode: 1},
		Toolchain: fxToolchain,
		Packages: []*trace.Package{{
			ImportPath: "example.com/frobapp", Dir: dir, Failed: true,
			Directives: []trace.Directive{
				{File: "main.go", Line: 4, Verb: "pkg-config", Condition: "linux", Args: []string{"frobnicate"}},
				{File: "main.go", Line: 5, Verb: "CFLAGS", Args: []string{"-DFROB_NO_DEPRECATED"}},
			},
			PkgConfig: []trace.PkgConfigCall{
				{Argv: []string{"pkg-config", "--cflags", "--", "frobnicate"}, ExitCode: 0, Stdout: "-I/opt/frob/include/frobnicate-2\n", PCFiles: []string{pc}},
				{Argv: []string{"pkg-config", "--libs", "--", "frobnicate"}, ExitCode: 0, Stdout: "-L/opt/frob/lib -lfrobnicate\n", PCFiles: []string{pc}},
			},
			Steps: []trace.Step{{
				Action: "b001", Kind: trace.KindCgo, Dir: dir, Failed: true,
				Argv: []string{"/usr/local/go/pkg/tool/linux_amd64/cgo", "-objdir", "$WORK/b001/", "-importpath", "example.com/frobapp",
					`-ldflags="-O2" "-g" "-L/opt/frob/lib" "-lfrobnicate"`, "--", "-I/opt/frob/include/frobnicate-2",
					"-I", "$WORK/b001/", "-O2", "-g", "-DFROB_NO_DEPRECATED", "./main.go"},
				Env: map[string]string{"TERM": "dumb", "CGO_LDFLAGS": ""},
			}},
			Flags: []trace.Flag{
				{Flag: "-I/opt/frob/include/frobnicate-2", Stage: "compile", Origin: trace.OriginPkgConfig, Detail: "frobnicate"},
				{Flag: "-O2", Stage: "compile", Origin: trace.OriginEnv, Detail: "CGO_CFLAGS"},
				{Flag: "-g", Stage: "compile", Origin: trace.OriginEnv, Detail: "CGO_CFLAGS"},
				{Flag: "-DFROB_NO_DEPRECATED", Stage: "compile", Origin: trace.OriginDirective, Detail: "main.go:5"},
				{Flag: "-L/opt/frob/lib", Stage: "link", Origin: trace.OriginPkgConfig, Detail: "frobnicate"},
				{Flag: "-lfrobnicate", Stage: "link", Origin: trace.OriginPkgConfig, Detail: "frobnicate"},
			},
		}},
	}
	rep.Diagnoses = diagnosed(rep, "# example.com/frobapp\n"+
		"./main.go:4:10: fatal error: frobnicate.h: No such file or directory\n"+
		"    4 | #include <frobnicate.h>\n"+
		"      |          ^~~~~~~~~~~~~~\n"+
		"compilation terminated.\n", &trace.Facts{
		HeaderProbe: func(header string, _ *buildlog.Record, _ string) *trace.HeaderProbe {
			return &trace.HeaderProbe{Searched: []string{"/opt/frob/include/frobnicate-2", "/usr/lib/gcc/x86_64-linux-gnu/12/include", "/usr/local/include", "/usr/include/x86_64-linux-gnu", "/usr/include"}}
		},
	})
	return rep
}

// cxxRuntimeMissing: a C-only package links a C++ static library.
func cxxRuntimeMissing() *trace.Report {
	dir := "/home/ci/src/cxx-runtime-missing-basic"
	rep := &trace.Report{
		SchemaVersion: 1, Tool: fxTool,
		Command:   trace.Command{Argv: []string{"go", "build", "-o", "app", "."}, Dir: dir, ExitCode: 1},
		Toolchain: fxToolchain,
		Packages: []*trace.Package{{
			ImportPath: "example.com/cxx-runtime-missing-basic", Dir: dir, Failed: true,
			Directives: []trace.Directive{{File: "main.go", Line: 3, Verb: "LDFLAGS", Args: []string{"${SRCDIR}/lib/libcounter.a"}}},
			Steps: []trace.Step{{Action: "b001", Kind: trace.KindHostLink, Dir: dir, Failed: true,
				Argv: hostLink("/home/ci/src/cxx-runtime-missing-basic/lib/libcounter.a")}},
			Flags: []trace.Flag{{Flag: "/home/ci/src/cxx-runtime-missing-basic/lib/libcounter.a", Stage: "link", Origin: trace.OriginDirective, Detail: "main.go:3"}},
		}},
	}
	lib := dir + "/lib/libcounter.a"
	rep.Diagnoses = diagnosed(rep, "# example.com/cxx-runtime-missing-basic\n"+
		"/usr/local/go/pkg/tool/linux_amd64/link: running gcc failed: exit status 1\n"+
		strings.Join(hostLink(lib), " ")+"\n"+
		"/usr/bin/ld: "+lib+"(counter.o): in function `counter_new':\n"+
		"counter.cpp:(.text+0x9): undefined reference to `operator new(unsigned long)'\n"+
		"/usr/bin/ld: /tmp/go-link-2315771102/000001.o: in function `_cgo_74c548aa5022_Cfunc_cpp_add':\n"+
		"/tmp/go-build/main.cgo2.c:57: undefined reference to `cpp_add'\n"+
		"/usr/bin/ld: /tmp/go-link-2315771102/000000.o: in function `_cgo_cmalloc':\n"+
		"/tmp/go-build/cgo_unix_cgo.cgo2.c:60: warning: Using 'getaddrinfo' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking\n"+
		"collect2: error: ld returned 1 exit status\n", &trace.Facts{})
	return rep
}

// runtimeLibraryMissing: the build succeeds, the binary cannot start.
func runtimeLibraryMissing() *trace.Report {
	dir := "/home/ci/src/runtime-library-missing-basic"
	return &trace.Report{
		SchemaVersion: 1, Tool: fxTool,
		Command:   trace.Command{Argv: []string{"go", "build", "-o", "app", "."}, Dir: dir, ExitCode: 0},
		Toolchain: fxToolchain,
		Packages: []*trace.Package{{
			ImportPath: "example.com/runtime-library-missing-basic", Dir: dir,
			Directives: []trace.Directive{{File: "main.go", Line: 3, Verb: "LDFLAGS", Args: []string{"-L${SRCDIR}/lib", "-lgreet"}}},
		}},
		Diagnoses: []diag.Diagnosis{{
			Code: diag.RuntimeLibraryMissing, Severity: diag.Error,
			Summary:  "app needs libgreet.so.1, which the dynamic loader will not find: no RPATH/RUNPATH, not in LD_LIBRARY_PATH, ld.so.cache or the default directories",
			Fix:      "add an rpath when linking (#cgo LDFLAGS: -Wl,-rpath,$ORIGIN/lib), install the library, or set LD_LIBRARY_PATH",
			Subject:  map[string]string{"library": "libgreet.so.1"},
			Evidence: []string{"./app: error while loading shared libraries: libgreet.so.1: cannot open shared object file: No such file or directory"},
		}},
		Binaries: []*elfinspect.Binary{{
			Path: dir + "/app", Format: "elf", Class: "ELF64", Machine: "x86-64",
			Interpreter: "/lib64/ld-linux-x86-64.so.2", Needed: []string{"libgreet.so.1", "libc.so.6"},
			Libraries: []elfinspect.Library{
				{Name: "libgreet.so.1", Found: false, NeededBy: dir + "/app", Depth: 1, Tried: []string{"/lib/x86_64-linux-gnu/libgreet.so.1", "/usr/lib/x86_64-linux-gnu/libgreet.so.1", "/lib/libgreet.so.1", "/usr/lib/libgreet.so.1"}},
				{Name: "libc.so.6", Path: "/lib/x86_64-linux-gnu/libc.so.6", Found: true, Via: "ld.so.cache", NeededBy: dir + "/app", Depth: 1},
			},
			Missing:  []string{"libgreet.so.1"},
			GlibcMin: "2.34",
			Go:       &elfinspect.GoInfo{GoVersion: "go1.26.8", Path: "example.com/runtime-library-missing-basic", Settings: map[string]string{"CGO_ENABLED": "1"}},
		}},
	}
}

// healthy: #cgo pkg-config: sqlite3 builds; nothing to say.
func healthy() *trace.Report {
	dir := "/home/ci/src/healthy-pkg-config-sqlite3"
	return &trace.Report{
		SchemaVersion: 1, Tool: fxTool,
		Command:   trace.Command{Argv: []string{"go", "build", "-o", "app", "."}, Dir: dir},
		Toolchain: fxToolchain,
		Packages: []*trace.Package{{
			ImportPath: "example.com/healthy-pkg-config-sqlite3", Dir: dir,
			Directives: []trace.Directive{{File: "main.go", Line: 3, Verb: "pkg-config", Args: []string{"sqlite3"}}},
			PkgConfig: []trace.PkgConfigCall{{Argv: []string{"pkg-config", "--cflags", "--", "sqlite3"}, PCFiles: []string{"/usr/lib/x86_64-linux-gnu/pkgconfig/sqlite3.pc"}},
				{Argv: []string{"pkg-config", "--libs", "--", "sqlite3"}, Stdout: "-lsqlite3\n", PCFiles: []string{"/usr/lib/x86_64-linux-gnu/pkgconfig/sqlite3.pc"}}},
		}},
	}
}

// manyDiagnoses: 14 errors and 11 warnings, more than GitHub shows, with
// paths and messages that need GitHub's escaping.
func manyDiagnoses() *trace.Report {
	dir := "/home/ci/src/multi,def: 100%"
	r := &trace.Report{
		SchemaVersion: 1, Tool: fxTool,
		Command:   trace.Command{Argv: []string{"go", "build", "./..."}, Dir: dir, ExitCode: 1},
		Toolchain: fxToolchain,
		Packages:  []*trace.Package{{ImportPath: "example.com/multi", Dir: dir + "/multi", Failed: true}},
	}
	for i := 0; i < 14; i++ {
		sym := fmt.Sprintf("helper_%02d", i)
		r.Diagnoses = append(r.Diagnoses, diag.Diagnosis{
			Code: diag.MultipleDefinition, Severity: diag.Error, Package: "example.com/multi",
			Summary: "multiple definition of `" + sym + "': defined in alpha.c and beta,gamma.c",
			Fix:     "make " + sym + " static, or keep one definition (100% of callers use beta's)",
			Subject: map[string]string{"symbol": sym},
			Source:  &diag.Source{File: fmt.Sprintf("c:dir/beta,gamma_%02d.c", i), Line: 3 + i},
			Evidence: []string{
				"/usr/bin/ld: /tmp/go-link-2315771102/000002.o: in function `" + sym + "':",
				"/tmp/go-build/beta.c:3: multiple definition of `" + sym + "'; /tmp/go-link-2315771102/000001.o:/tmp/go-build/alpha.c:3: first defined here",
			},
		})
	}
	for i := 0; i < 11; i++ {
		r.Diagnoses = append(r.Diagnoses, diag.Diagnosis{
			Code: diag.InsecureRpath, Severity: diag.Warning, Package: "example.com/multi",
			Summary: fmt.Sprintf("RUNPATH entry %d is relative: lib%d\r\nit resolves against the current directory", i, i),
			Subject: map[string]string{"path": fmt.Sprintf("lib%d", i)},
			Source:  &diag.Source{File: "rpath.go", Line: 7},
		})
	}
	return r
}

// huge: 40 failing packages, each with a 50 KiB verbose re-run.
func huge() *trace.Report {
	r := &trace.Report{
		SchemaVersion: 1, Tool: fxTool,
		Command:   trace.Command{Argv: []string{"go", "build", "./..."}, Dir: "/home/ci/src/mono", ExitCode: 1},
		Toolchain: fxToolchain,
	}
	rerun := strings.Repeat("attempt to open /usr/lib/x86_64-linux-gnu/libgizmo.so failed\n", 50<<10/60)
	for i := 0; i < 40; i++ {
		path := fmt.Sprintf("example.com/mono/pkg%02d", i)
		r.Packages = append(r.Packages, &trace.Package{
			ImportPath: path, Dir: fmt.Sprintf("/home/ci/src/mono/pkg%02d", i), Failed: true,
			Directives: []trace.Directive{{File: "p.go", Line: 3, Verb: "LDFLAGS", Args: []string{fmt.Sprintf("-lgizmo%02d", i)}}},
			Steps:      []trace.Step{{Kind: trace.KindHostLink, Argv: hostLink(fmt.Sprintf("-lgizmo%02d", i)), Failed: true, Rerun: rerun}},
			Flags:      []trace.Flag{{Flag: fmt.Sprintf("-lgizmo%02d", i), Stage: "link", Origin: trace.OriginDirective, Detail: "p.go:3"}},
		})
		r.Diagnoses = append(r.Diagnoses, diag.Diagnosis{
			Code: diag.LibraryNotFound, Severity: diag.Error, Package: path,
			Summary:  fmt.Sprintf("the linker cannot find -lgizmo%02d, and no file of that library exists anywhere searched", i),
			Subject:  map[string]string{"library": fmt.Sprintf("gizmo%02d", i)},
			Source:   &diag.Source{File: "p.go", Line: 3},
			Evidence: []string{fmt.Sprintf("/usr/bin/ld: cannot find -lgizmo%02d: No such file or directory", i)},
		})
	}
	return r
}

// fixtures are the reports every golden test renders.
var fixtures = []struct {
	name string
	make func() *trace.Report
}{
	{"library-dev-missing", libraryDevMissing},
	{"header-not-found", headerNotFound},
	{"cxx-runtime-missing", cxxRuntimeMissing},
	{"runtime-library-missing", runtimeLibraryMissing},
	{"healthy", healthy},
	{"many-diagnoses", manyDiagnoses},
}
