package trace

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cgotrace/cgotrace/buildlog"
	"github.com/cgotrace/cgotrace/trace/diag"
)

// pastedLogs are tool outputs users pasted in public issue threads of cgo
// projects (macOS clang/ld64, Windows MinGW/MSYS2/TDM-GCC, cmd.exe and
// PowerShell, and older Go releases), copied from the thread as they
// are: only the tool's lines, without the shell prompt and the prose
// around them. testdata/pasted/README.md lists the same. facts are what
// the thread's own command line says (CGO_ENABLED=0 go build, GOOS=...),
// which a log of the output alone does not.
var pastedLogs = []struct {
	file    string
	source  string
	facts   GoEnv
	code    diag.Code
	subject map[string]string
}{
	{"macos-ld-library-not-found.log", "https://github.com/google/calblink/issues/23", nil,
		diag.LibraryNotFound, map[string]string{"library": "usb"}},
	{"macos-go13-6l-library-not-found.log", "https://github.com/AlekSi/cgo-by-example/issues/1", nil,
		diag.LibraryNotFound, map[string]string{"library": "lib"}},
	{"macos-undefined-arm64-runtime-cgo.log", "https://github.com/spf13/cobra/issues/2025", nil,
		diag.UndefinedSymbol, map[string]string{"symbol": "_darwin_arm_init_mach_exception_handler"}},
	{"macos-undefined-arm64-maybe-you-meant.log", "https://github.com/lukeroth/gdal/issues/75", nil,
		diag.UndefinedSymbol, map[string]string{"symbol": "_CPLGetConfigOption"}},
	{"macos-ignoring-dylib-x86_64.log", "https://github.com/go-vgo/robotgo/issues/435", nil,
		diag.LibraryArchMismatch, map[string]string{"library": "opencv_alphamat"}},
	{"macos-arm64-linking-x86_64-dylib.log", "https://github.com/rana/ora/issues/271", nil,
		diag.LibraryArchMismatch, map[string]string{"library": "clntsh"}},
	{"macos-go-objects-other-arch.log", "https://github.com/fsnotify/fsevents/issues/50", nil,
		diag.CrossCCMismatch, map[string]string{"target": "darwin/amd64"}},
	{"macos-go-o-x86_64-vs-arm64.log", "https://github.com/golang/go/issues/38485", nil,
		diag.CrossCCMismatch, map[string]string{"target": "darwin/arm64"}},
	{"go110-invalid-flag-cflags.log", "https://github.com/golang/go/issues/23938", nil,
		diag.InvalidCgoFlag, map[string]string{"flag": "-w"}},
	{"go194-go-build-invalid-flag-ldflags.log", "https://github.com/dontpanic92/wxGo/issues/44", nil,
		diag.InvalidCgoFlag, map[string]string{"flag": "-Wl,--subsystem,windows"}},
	{"go194-go-build-invalid-flag-archive.log", "https://github.com/golang/go/issues/23739", nil,
		diag.InvalidCgoFlag, map[string]string{"flag": "/home2/igorm/.mvnGoLang/.go_path/src/github.com/andlabs/ui/libui_linux_amd64.a"}},
	{"windows-exec-gcc-percent-path.log", "https://github.com/zaf/resample/issues/1", nil,
		diag.CCNotFound, map[string]string{"tool": "gcc"}},
	{"windows-cgo-c-compiler-not-found.log", "https://github.com/lharries/whatsapp-mcp/issues/27", nil,
		diag.CCNotFound, map[string]string{"tool": "gcc"}},
	{"windows-cgo-exec-program-files.log", "https://github.com/golang/go/issues/44013", nil,
		diag.CCNotFound, map[string]string{"tool": `C:\Program`}},
	{"windows-pkg-config-not-found.log", "https://github.com/gotk3/gotk3/issues/725", nil,
		diag.PkgConfigNotFound, map[string]string{"tool": "pkg-config"}},
	{"windows-cmd-gcc-not-recognized.log", "https://github.com/formulahendry/vscode-code-runner/issues/251", nil,
		diag.CCNotFound, map[string]string{"tool": "gcc"}},
	{"windows-powershell-gcc-not-recognized.log", "https://github.com/microsoft/vscode/issues/130779", nil,
		diag.CCNotFound, map[string]string{"tool": "gcc"}},
	{"windows-cc1-64bit-not-compiled.log", "https://github.com/andlabs/ui/issues/227", nil,
		diag.CrossCCMismatch, map[string]string{"tool": "gcc", "target": "windows/amd64"}},
	{"windows-imp-undefined-old-obj.log", "https://github.com/go-gl-legacy/glfw/issues/10", nil,
		diag.UndefinedSymbol, map[string]string{"symbol": "__imp_glfwGetJoystickButtons"}},
	{"windows-msys-ld-cannot-find.log", "https://github.com/svr4/couchbase-lite-cgo/issues/2", nil,
		diag.LibraryNotFound, map[string]string{"library": "mingwex"}},
	{"windows-collect2-exe-undefined.log", "https://github.com/svr4/couchbase-lite-cgo/issues/2", nil,
		diag.UndefinedSymbol, map[string]string{"symbol": "__errno"}},
	{"windows-program-files-ld-skipping-incompatible.log", "https://github.com/webview/webview/issues/706", nil,
		diag.LibraryArchMismatch, map[string]string{"library": "kernel32"}},
	{"windows-tdm-i386-object-x86-64-output.log", "https://github.com/ppparihar/GoTestExplorer/issues/22", nil,
		diag.CrossCCMismatch, map[string]string{"target": "windows/386"}},
	{"windows-mingw-go-object-linker-script.log", "https://github.com/Arno500/plex-richpresence/issues/12", nil,
		diag.LinkError, map[string]string{"object": `C:\Users\DefiD\AppData\Local\Temp\go-link-2419147679\000000.o`}},
	{"windows-dll-not-found-hex.log", "https://github.com/g3n/demos/issues/8", nil,
		diag.RuntimeLibraryMissing, nil},
	{"windows-dll-not-found-decimal.log", "https://github.com/paulsmith/gogeos/issues/26", nil,
		diag.RuntimeLibraryMissing, nil},
	{"linux-go-run-shared-library.log", "https://github.com/cleuton/golang-network/issues/2", nil,
		diag.RuntimeLibraryMissing, map[string]string{"library": "libmaxmul.so"}},
	{"linux-go-run-old-obj-path.log", "https://github.com/cztomczak/cef2go/issues/20", nil,
		diag.RuntimeLibraryMissing, map[string]string{"library": "libcef.so"}},
	{"macos-go-run-dyld-rpath.log", "https://github.com/go-flutter-desktop/go-flutter/issues/97", nil,
		diag.RuntimeLibraryMissing, map[string]string{"library": "@rpath/FlutterEmbedder.framework/Versions/A/FlutterEmbedder"}},
	// The paste's lines began with the terminal's box border "│", left out.
	{"macos-dyld-linker-cannot-start.log", "https://github.com/ethereum/go-ethereum/issues/16460", nil,
		diag.LinkError, map[string]string{"object": "/usr/bin/ld"}},
	{"docker-go17-pkg-config-header.log", "https://github.com/docker-library/golang/issues/113", nil,
		diag.PkgConfigNotFound, map[string]string{"tool": "pkg-config"}},
	// GOOS=windows GOARCH=386 go build (cgo off in a cross build): the
	// message itself says that cgo is off.
	{"go14-c-files-without-cgo.log", "https://github.com/mattn/go-sqlite3/issues/217", nil,
		diag.CgoDisabled, nil},
	{"go15-c-files-without-cgo-or-swig.log", "https://github.com/mattes/migrate/pull/78", nil,
		diag.CgoDisabled, nil},
	// $ CGO_ENABLED=0 go build --ldflags '-extldflags "-static"' -ldflags '-s' -a -installsuffix cgo
	{"cgo-off-sqlite3-undefined.log", "https://github.com/mattn/go-sqlite3/issues/342", GoEnv{"CGO_ENABLED": "0"},
		diag.CgoDisabled, nil},
	// $ GOOS=windows GOARCH=amd64 go build -ldflags="-s -w " -trimpath -o main_windows_amd64.exe main.go
	{"cgo-off-cross-undefined-qualified.log", "https://github.com/mattn/go-sqlite3/issues/1107", GoEnv{"GOOS": "windows", "GOARCH": "amd64"},
		diag.CgoDisabled, nil},
}

// TestPastedLogs: analyze of each snippet names the expected root cause
// (the first error) with the expected subject.
func TestPastedLogs(t *testing.T) {
	seen := map[string]bool{}
	for _, tc := range pastedLogs {
		seen[tc.file] = true
		t.Run(strings.TrimSuffix(tc.file, ".log"), func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata/pasted", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			l, err := buildlog.Parse(strings.NewReader(string(data)))
			if err != nil {
				t.Fatal(err)
			}
			f := &Facts{GoEnv: tc.facts}
			rep := reportFromLog(l, f, "test")
			d := firstErrorDiag(rep.Diagnoses, "")
			if d == nil {
				t.Fatalf("no error diagnosis (source %s); got %+v", tc.source, rep.Diagnoses)
			}
			if d.Code != tc.code {
				t.Errorf("root cause %s (%s), want %s (source %s)", d.Code, d.Summary, tc.code, tc.source)
			}
			for k, v := range tc.subject {
				if d.Subject[k] != v {
					t.Errorf("subject[%s] = %q, want %q (subject %v)", k, d.Subject[k], v, d.Subject)
				}
			}
			// The paste of robotgo#435 holds only ld's warnings: how the
			// build ended is not in it.
			if rep.Command.ExitCode == 0 && tc.file != "macos-ignoring-dylib-x86_64.log" {
				t.Errorf("exit code 0 for a failure")
			}
		})
	}
	files, _ := filepath.Glob("testdata/pasted/*.log")
	for _, f := range files {
		if !seen[filepath.Base(f)] {
			t.Errorf("%s has no expectation in pastedLogs", f)
		}
	}
}
