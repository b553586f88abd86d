package buildlog

import (
	"bytes"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

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
		if _, suf := cutSuffix(printed); suf != "" || envName(printed) != "" {
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

// FuzzParse feeds whole logs to Parse and to the streaming parser: no
// panic, no error from a reader that does not fail, and both agree.
func FuzzParse(f *testing.F) {
	for _, file := range realLogs(f) {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("cat >/tmp/x/b001/importcfg << 'EOF' # internal\n# import config\n"))
	f.Add([]byte("{\"ImportPath\":\"x\",\"Action\":\"build-out"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Parse(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		lines := bytes.Count(data, []byte("\n"))
		if len(data) > 0 && data[len(data)-1] != '\n' {
			lines++
		}
		if l.Lines != lines {
			t.Fatalf("Lines = %d, want %d", l.Lines, lines)
		}
		if l.Skipped < 0 || l.Outcome == "" {
			t.Fatalf("bad summary: %+v", l)
		}
		p := NewParser(bytes.NewReader(data))
		var recs, blocks, hosts int
		for {
			it, err := p.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case it.Record != nil:
				recs++
			case it.Block != nil:
				blocks++
			case it.HostLink != nil:
				hosts++
			default:
				t.Fatal("empty item")
			}
		}
		if recs != len(l.Records) || blocks != len(l.Blocks) || hosts != len(l.HostLinks) {
			t.Fatalf("stream %d/%d/%d items, Parse %d/%d/%d", recs, blocks, hosts, len(l.Records), len(l.Blocks), len(l.HostLinks))
		}
		if s := p.Summary(); s.Outcome != l.Outcome || s.Skipped != l.Skipped {
			t.Fatalf("stream summary %v/%d, Parse %v/%d", s.Outcome, s.Skipped, l.Outcome, l.Skipped)
		}
	})
}
