package render

import (
	"bytes"
	"strings"
	"testing"
)

func TestDecode(t *testing.T) {
	good := renderString(t, "json", headerNotFound(), Options{})
	r, err := Decode(strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	if again := renderString(t, "json", r, Options{}); again != good {
		t.Error("decoded report renders differently")
	}
	// A field from a newer minor version is ignored.
	newer := strings.Replace(good, `"schema_version": 1,`, `"schema_version": 1, "future_field": {"x": [1]},`, 1)
	if _, err := Decode(strings.NewReader(newer)); err != nil {
		t.Errorf("unknown field: %v", err)
	}

	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "empty, not a cgotrace report"},
		{"blank", " \n\t", "empty, not a cgotrace report"},
		{"truncated", good[:len(good)/2], "malformed report"},
		{"garbage", "\x7fELF\x02\x01\x01", "malformed report: invalid character"},
		{"syntax", "{\n  \"schema_version\": 1,\n  \"tool\": {,}\n}", "(line 3, column 12)"},
		{"array", `[{"path": "app"}]`, "not a cgotrace report: the document is a JSON array, not an object"},
		{"string", `"hello"`, "not a cgotrace report: the document is a JSON string"},
		{"no version", `{"tool": {"name": "cgotrace"}}`, "not a cgotrace report: no schema_version"},
		{"version 2", `{"schema_version": 2}`, "unsupported schema_version 2: this cgotrace reads version 1"},
		{"version string", `{"schema_version": "1"}`, `unsupported schema_version "1"`},
		{"version null", `{"schema_version": null}`, "not a cgotrace report: no schema_version"},
		{"wrong type", `{"schema_version": 1, "command": {"argv": "go build"}}`, "command.argv is a JSON string, want []string"},
		{"trailing", `{"schema_version": 1} {"schema_version": 1}`, "invalid character '{' after top-level value (line 1, column 23)"},
	}
	for _, tt := range tests {
		_, err := Decode(strings.NewReader(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want it to contain %q", tt.name, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error is not one line: %q", tt.name, err)
		}
	}
}

// FuzzDecode: any input gives a report or an error, never a panic, and a
// report that decodes renders in every format.
func FuzzDecode(f *testing.F) {
	for _, fx := range fixtures {
		var buf bytes.Buffer
		JSON(&buf, fx.make(), Options{})
		f.Add(buf.Bytes())
	}
	f.Add([]byte(`{"schema_version": 1}`))
	f.Add([]byte(`{"schema_version": 1, "command": {"argv": ["go", "build"], "exit_code": 130, "outcome": "interrupted", "signal": "SIG\u001bINT"}, "diagnoses": []}`))
	f.Add([]byte(`{"schema_version": 1, "diagnoses": [{"code": "x", "severity": "error", "summary": "\u001b[31m\r\u009b"}]}`))
	f.Add([]byte(`{"schema_version": 1, "diagnoses": [{"code": "x", "severity": "error", "source": {"file": ":,%"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Decode(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, format := range []string{"text", "json", "markdown", "github", "junit"} {
			fn, _ := Lookup(format)
			var buf bytes.Buffer
			if err := fn(&buf, r, Options{MaxBytes: MinMaxBytes}); err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			if format == "text" && strings.ContainsFunc(buf.String(), isControl) {
				t.Fatalf("text: control character in %q", buf.String())
			}
			if format == "markdown" && buf.Len() > MinMaxBytes {
				t.Fatalf("markdown: %d bytes over a %d budget", buf.Len(), MinMaxBytes)
			}
		}
	})
}
