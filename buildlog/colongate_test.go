package buildlog

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// The line classifiers as they were before the speed work (main at
// 5d6af07), the references of FuzzColonGate.

func startsToolMessageRef(line string) bool {
	if len(line) < 8 || line[0] == ' ' || line[0] == '\t' {
		return false
	}
	switch {
	case strings.HasPrefix(line, "Undefined symbols for architecture "),
		strings.HasPrefix(line, "collect2"),
		strings.Contains(line, ": invalid flag in #cgo "),
		strings.HasPrefix(line, "C source files not allowed when not using cgo"),
		strings.HasPrefix(line, "'") && strings.Contains(line, "' is not recognized as an internal or external command"),
		strings.Contains(line, "The term '") && strings.Contains(line, "' is not recognized as the name of a cmdlet"),
		strings.Contains(line, ", building for ") && strings.Contains(line, " but attempting to link with file built for "):
		return true
	}
	if _, rest, ok := splitLdTool(line); ok && rest != "" {
		return true
	}
	if j := strings.Index(line, ": "); j > 0 && isCompilerTool(line[:j]) {
		return true
	}
	return false
}

func classifyRuntimeLoadRef(line string, m *Message) bool {
	set := func(prog, lib string) bool {
		m.Tool, m.Kind, m.Severity, m.Program, m.Library, m.Text = ToolGo, MsgRuntimeLoad, SevError, prog, lib, line
		return true
	}
	// glibc: "/tmp/go-build1/b001/exe/app: error while loading shared
	// libraries: libfoo.so.1: cannot open shared object file: No such file or directory"
	if j := strings.Index(line, ": error while loading shared libraries: "); j >= 0 {
		r := line[j+len(": error while loading shared libraries: "):]
		lib, _, _ := strings.Cut(r, ": ")
		return set(line[:j], lib)
	}
	// musl: "Error loading shared library libfoo.so.1: No such file or
	// directory (needed by /app)".
	if r, ok := strings.CutPrefix(line, "Error loading shared library "); ok {
		lib, rest, _ := strings.Cut(r, ": ")
		prog := ""
		if k := strings.Index(rest, "(needed by "); k >= 0 {
			prog = strings.TrimSuffix(rest[k+len("(needed by "):], ")")
		}
		return set(prog, lib)
	}
	// dyld: "dyld[4242]: Library not loaded: @rpath/libfoo.dylib", older
	// "dyld: Library not loaded: libfoo.dylib".
	if strings.HasPrefix(line, "dyld") {
		if j := strings.Index(line, ": Library not loaded: "); j > 0 && j < 16 {
			return set("", strings.TrimSpace(line[j+len(": Library not loaded: "):]))
		}
	}
	// Windows: a missing DLL is STATUS_DLL_NOT_FOUND, 0xc0000135, which
	// go run prints as "exit status 0xc0000135" (Go >= 1.?) or in decimal
	// "exit status 3221225781".
	if r, ok := strings.CutPrefix(line, "exit status "); ok {
		switch strings.ToLower(r) {
		case "0xc0000135", "3221225781":
			return set("", "")
		}
	}
	return false
}

func unattributedRef(line, cur string) msgKind {
	if rest, ok := strings.CutPrefix(line, "go: "); ok {
		for _, w := range []string{"downloading ", "finding ", "extracting ", "added ", "upgraded ", "found "} {
			if strings.HasPrefix(rest, w) {
				return infoMessage
			}
		}
		return goMessage
	}
	if cur != "" && strings.HasPrefix(line, cur+": ") {
		return pkgMessage
	}
	if rest, ok := strings.CutPrefix(line, "package "); ok {
		if i := strings.Index(rest, ": "); i > 0 && !strings.ContainsAny(rest[:i], " \t") {
			return pkgMessage
		}
		return notMessage
	}
	if strings.HasPrefix(line, "command-line-arguments: ") {
		return pkgMessage
	}
	i := strings.Index(line, ": ")
	if i <= 0 {
		return notMessage
	}
	if isModulePath(line[:i]) {
		return pkgMessage
	}
	if isGoPos(line[:i]) || isGoFileMessage(line[:i], line[i+2:]) {
		return posMessage
	}
	return notMessage
}

func isLinkFailedRef(line string) bool {
	i := strings.Index(line, ": running ")
	if i < 0 || !strings.HasSuffix(line[:i], "link") && !strings.HasSuffix(line[:i], "link.exe") {
		return false
	}
	_, after, ok := strings.Cut(line[i+len(": running "):], " failed: ")
	return ok && strings.HasPrefix(after, "exit status ")
}

// FuzzColonGate checks that the classifiers handleLine calls with its
// one "has a ':'" scan answer as they did before it, on every line: the
// shapes skipped without a ':' cannot match without one.
func FuzzColonGate(f *testing.F) {
	for _, file := range realLogs(f) {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for _, l := range strings.Split(string(data), "\n") {
			f.Add(l, "")
		}
	}
	for _, l := range []string{"exit status 0xC0000135", "Error loading shared library libx.so (needed by /a)",
		"dyld: Library not loaded: x", "x: error while loading shared libraries: liby.so: cannot open", "collect2 x y z",
		"The term 'gcc' is not recognized as the name of a cmdlet", "'gcc' is not recognized as an internal or external command",
		"ld: warning: x, building for macOS but attempting to link with file built for iOS", "go: downloading x", "package a/b: x"} {
		f.Add(l, "example.com/x")
	}
	f.Fuzz(func(t *testing.T, line, cur string) {
		colon := strings.IndexByte(line, ':') >= 0
		if got, want := startsToolMessage(line, colon), startsToolMessageRef(line); got != want {
			t.Fatalf("startsToolMessage(%q) = %v, want %v", line, got, want)
		}
		var m1, m2 Message
		if got, want := classifyRuntimeLoadColon(line, &m1, colon), classifyRuntimeLoadRef(line, &m2); got != want || !reflect.DeepEqual(m1, m2) {
			t.Fatalf("classifyRuntimeLoad(%q) = %v %+v, want %v %+v", line, got, m1, want, m2)
		}
		if got, want := unattributedColon(line, cur, colon), unattributedRef(line, cur); got != want {
			t.Fatalf("unattributed(%q, %q) = %v, want %v", line, cur, got, want)
		}
		if got, want := colon && isLinkFailed(line), isLinkFailedRef(line); got != want {
			t.Fatalf("isLinkFailed(%q) = %v, want %v", line, got, want)
		}
	})
}
