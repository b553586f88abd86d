package buildlog

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// Examples from ../shared/reference/go-build-x.md, section 1.3 and 1.2.
func TestSplitCommand(t *testing.T) {
	tests := []struct {
		name    string
		line    string
		want    Command
		wantErr bool
	}{
		{
			name: "plain words",
			line: "mkdir -p $WORK/b002/",
			want: Command{Argv: []string{"mkdir", "-p", "$WORK/b002/"}},
		},
		{
			name: "go-quoted with a space",
			line: `gcc "-DGREETING=hello world" -c x.c`,
			want: Command{Argv: []string{"gcc", "-DGREETING=hello world", "-c", "x.c"}},
		},
		{
			name: "go-quoted with escaped quotes",
			line: `gcc "-DENVQ=\"it's\"" -c x.c`,
			want: Command{Argv: []string{"gcc", `-DENVQ="it's"`, "-c", "x.c"}},
		},
		{
			name: "tab and hex escapes unquoted with Go rules (shlex gives atb)",
			line: `gcc "-DT=a\tb" "-DX=\x01" -c x.c`,
			want: Command{Argv: []string{"gcc", "-DT=a\tb", "-DX=\x01", "-c", "x.c"}},
		},
		{
			name: "trimpath arrow is quoted",
			line: `/usr/local/go/pkg/tool/linux_amd64/compile -o $WORK/b002/_pkg_.a -trimpath "$WORK/b002=>" -p example.com/e1/cz`,
			want: Command{Argv: []string{"/usr/local/go/pkg/tool/linux_amd64/compile", "-o", "$WORK/b002/_pkg_.a", "-trimpath", "$WORK/b002=>", "-p", "example.com/e1/cz"}},
		},
		{
			name: "shell specials are raw: ' | é (shlex fails on the ')",
			line: "gcc -I/tmp/it's -DP=a|b -DU=é -c x.c",
			want: Command{Argv: []string{"gcc", "-I/tmp/it's", "-DP=a|b", "-DU=é", "-c", "x.c"}},
		},
		{
			name: "a word starting with # is not a comment",
			line: "gcc -DX #notcomment -c x.c",
			want: Command{Argv: []string{"gcc", "-DX", "#notcomment", "-c", "x.c"}},
		},
		{
			name: "empty argument",
			line: `TERM='dumb' CGO_LDFLAGS='' cgo "" x`,
			want: Command{Env: []string{"TERM=dumb", "CGO_LDFLAGS="}, Argv: []string{"cgo", "", "x"}},
		},
		{
			name: "env prefixes in single quotes, value with blanks",
			line: `TERM='dumb' CGO_CFLAGS='-O2 -g "-DX=a b"' /usr/local/go/pkg/tool/linux_amd64/cgo -objdir $WORK/b002/`,
			want: Command{Env: []string{"TERM=dumb", `CGO_CFLAGS=-O2 -g "-DX=a b"`}, Argv: []string{"/usr/local/go/pkg/tool/linux_amd64/cgo", "-objdir", "$WORK/b002/"}},
		},
		{
			name: "env value with ' is Go-quoted",
			line: `CGO_CFLAGS="-DQ=it's\tx" GOROOT='/usr/local/go' link -o a.out`,
			want: Command{Env: []string{"CGO_CFLAGS=-DQ=it's\tx", "GOROOT=/usr/local/go"}, Argv: []string{"link", "-o", "a.out"}},
		},
		{
			name: "cgo nested -ldflags stays one argument",
			line: `TERM='dumb' CGO_LDFLAGS='' cgo -objdir $WORK/b002/ -importpath example.com/q "-ldflags=\"-O2\" \"-g\" \"-L/s/f/quoting/dir with space\" \"-lm\"" -- -I $WORK/b002/ ./q.go`,
			want: Command{
				Env:  []string{"TERM=dumb", "CGO_LDFLAGS="},
				Argv: []string{"cgo", "-objdir", "$WORK/b002/", "-importpath", "example.com/q", `-ldflags="-O2" "-g" "-L/s/f/quoting/dir with space" "-lm"`, "--", "-I", "$WORK/b002/", "./q.go"},
			},
		},
		{
			name: "# internal suffix",
			line: "go tool pack r $WORK/b002/_pkg_.a $WORK/b002/_x001.o # internal",
			want: Command{Argv: []string{"go", "tool", "pack", "r", "$WORK/b002/_pkg_.a", "$WORK/b002/_x001.o"}, Suffix: "internal"},
		},
		{
			name: "buildid prints two spaces before # internal",
			line: "cat /root/.cache/go-build/ab/abc-d  # internal",
			want: Command{Argv: []string{"cat", "/root/.cache/go-build/ab/abc-d"}, Suffix: "internal"},
		},
		{
			name: "dynimport echo succeeded",
			line: "gcc -I /s/e1/cz -fPIC -o $WORK/b002/_cgo_.o $WORK/b002/_cgo_main.o -lm -lz # test for internal linking errors (succeeded)",
			want: Command{Argv: []string{"gcc", "-I", "/s/e1/cz", "-fPIC", "-o", "$WORK/b002/_cgo_.o", "$WORK/b002/_cgo_main.o", "-lm", "-lz"}, Suffix: "test for internal linking errors (succeeded)"},
		},
		{
			name: "dynimport echo failed",
			line: "gcc -o $WORK/b001/_cgo_.o -lfoo # test for internal linking errors (failed)",
			want: Command{Argv: []string{"gcc", "-o", "$WORK/b001/_cgo_.o", "-lfoo"}, Suffix: "test for internal linking errors (failed)"},
		},
		{
			name: "flag probe || true",
			line: "gcc -fno-caret-diagnostics -O2 -g -c -x c - -o /dev/null || true",
			want: Command{Argv: []string{"gcc", "-fno-caret-diagnostics", "-O2", "-g", "-c", "-x", "c", "-", "-o", "/dev/null"}, Suffix: "|| true"},
		},
		{
			name:    "unterminated quote kept raw",
			line:    `gcc "-DX=abc -c`,
			want:    Command{Argv: []string{"gcc", `"-DX=abc`, "-c"}},
			wantErr: true,
		},
		{
			name: "not an env prefix: no quote after =",
			line: "X=1 gcc",
			want: Command{Argv: []string{"X=1", "gcc"}},
		},
		{
			name: "toolexec wrapper in front",
			line: "/usr/local/bin/wrap /usr/local/go/pkg/tool/linux_amd64/cgo -objdir $WORK/b002/",
			want: Command{Argv: []string{"/usr/local/bin/wrap", "/usr/local/go/pkg/tool/linux_amd64/cgo", "-objdir", "$WORK/b002/"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SplitCommand(tt.line)
			if (err != nil) != tt.wantErr {
				t.Errorf("SplitCommand(%q) error = %v, want error %v", tt.line, err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("SplitCommand(%q) mismatch (-want +got):\n%s", tt.line, diff)
			}
		})
	}
}

func TestCgoLDFlags(t *testing.T) {
	tests := []struct {
		name string
		argv []string
		want []string
	}{
		{
			name: "reference example",
			argv: []string{"cgo", "-objdir", "$WORK/b002/", `-ldflags="-O2" "-g" "-L/s/f/quoting/dir with space" "-lm"`, "--", "x.go"},
			want: []string{"-O2", "-g", "-L/s/f/quoting/dir with space", "-lm"},
		},
		{
			name: "go escapes inside",
			argv: []string{"cgo", `-ldflags="-Wl,-rpath,/a\tb" "-DQ=\"it's\"" "#x"`},
			want: []string{"-Wl,-rpath,/a\tb", `-DQ="it's"`, "#x"},
		},
		{
			name: "after -- is not cgo's flag",
			argv: []string{"cgo", "--", `-ldflags="-lm"`},
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CgoLDFlags(tt.argv)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("CgoLDFlags mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestShellWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{`'# import config' > $WORK/b006/importcfg`, []string{"# import config", ">", "$WORK/b006/importcfg"}},
		{`'dumb'`, []string{"dumb"}},
		{`''`, []string{""}},
		{`"a\tb" 'c d'`, []string{"a\tb", "c d"}},
		{`-I/tmp/it's x`, []string{"-I/tmp/it's", "x"}},
		{`#a b`, []string{"#a", "b"}},
	}
	for _, tt := range tests {
		got, _ := shellWords(tt.in)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("shellWords(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

// joinUnambiguously is cmd/go's printer (cmd/go/internal/work/shell.go).
func joinUnambiguously(a []string) string {
	var buf strings.Builder
	for i, s := range a {
		if i > 0 {
			buf.WriteByte(' ')
		}
		q := strconv.Quote(s)
		if s == "" || strings.ContainsAny(s, " ()>;") || len(q) > len(s)+2 {
			buf.WriteString(q)
		} else {
			buf.WriteString(s)
		}
	}
	return buf.String()
}

// FuzzTokenize checks that SplitCommand never panics and that it inverts
// cmd/go's printer: printing the argv it returned and splitting again
// gives the same argv.
func FuzzTokenize(f *testing.F) {
	for _, file := range realLogs(f) {
		if !strings.HasSuffix(file, ".x.log") {
			continue
		}
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for _, l := range strings.Split(string(data), "\n") {
			f.Add(l)
		}
	}
	f.Add(`CGO_CFLAGS="-DQ=it's" gcc "-DT=a\tb" "-ldflags=\"-L/x/dir with space\" \"-lm\"" # internal`)
	f.Fuzz(func(t *testing.T, line string) {
		c, _ := SplitCommand(line)
		if len(c.Argv) == 0 {
			return
		}
		printed := joinUnambiguously(c.Argv)
		if _, suf := cutSuffix(printed); suf != "" || EnvName(printed) != "" {
			return // the printer is ambiguous there too
		}
		c2, err := SplitCommand(printed)
		if err != nil {
			t.Fatalf("SplitCommand(%q) of printed argv: %v", printed, err)
		}
		if !slices.Equal(c.Argv, c2.Argv) {
			t.Fatalf("round trip:\nline    %q\nargv    %q\nprinted %q\nargv2   %q", line, c.Argv, printed, c2.Argv)
		}
		// Env prefixes, printed the way cmd/go prints them, come back too.
		if len(c.Env) > 0 {
			var env strings.Builder
			for _, e := range c.Env {
				k, v, _ := strings.Cut(e, "=")
				if strings.Contains(v, "'") {
					env.WriteString(k + "=" + strconv.Quote(v) + " ")
				} else {
					env.WriteString(k + "='" + v + "' ")
				}
			}
			c3, _ := SplitCommand(env.String() + printed)
			if !slices.Equal(c.Env, c3.Env) || !slices.Equal(c.Argv, c3.Argv) {
				t.Fatalf("env round trip: %q %q -> %q %q", c.Env, c.Argv, c3.Env, c3.Argv)
			}
		}
	})
}
