package trace

import (
	"bytes"
	"testing"
)

// TestShimHider: the shim's path becomes the user's pkg-config command
// where go build prints it (the -x line, the "# [...]" header of a failed
// call, as text and inside -json events), and nowhere else.
func TestShimHider(t *testing.T) {
	s := &buildShim{self: `/opt/my tools/gobuild-helper`, user: "pkgconf"}
	in := "" +
		`{"ImportPath":"example.com/pc","Action":"build-output","Output":"/opt/my tools/gobuild-helper --cflags -- x\n"}` + "\n" +
		`{"ImportPath":"example.com/pc","Action":"build-output","Output":"# example.com/pc\n# [/opt/my tools/gobuild-helper --cflags  -- x]\nPackage x was not found\n"}` + "\n" +
		"/opt/my tools/gobuild-helper --libs -- y\n" +
		"# [/opt/my tools/gobuild-helper --libs  -- y]\n" +
		"cd /opt/my tools/gobuild-helper stays\n" +
		"unterminated /opt/my tools/gobuild-helper --cflags"
	want := "" +
		`{"ImportPath":"example.com/pc","Action":"build-output","Output":"pkgconf --cflags -- x\n"}` + "\n" +
		`{"ImportPath":"example.com/pc","Action":"build-output","Output":"# example.com/pc\n# [pkgconf --cflags  -- x]\nPackage x was not found\n"}` + "\n" +
		"pkgconf --libs -- y\n" +
		"# [pkgconf --libs  -- y]\n" +
		"cd /opt/my tools/gobuild-helper stays\n" +
		"unterminated /opt/my tools/gobuild-helper --cflags"
	var out bytes.Buffer
	w := s.hide(&out)
	// Written in pieces that split lines, as pipes deliver them.
	for i := 0; i < len(in); i += 7 {
		w.Write([]byte(in[i:min(i+7, len(in))]))
	}
	w.(*shimHider).Close()
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
	var nilShim *buildShim
	if nilShim.hide(&out) != &out {
		t.Error("no shim: the writer must be passed through")
	}
}
