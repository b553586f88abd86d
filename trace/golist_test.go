package trace

import (
	"reflect"
	"testing"
)

func TestListArgs(t *testing.T) {
	for _, tc := range []struct{ in, want []string }{
		{[]string{"-o", "app", "-tags", "netgo", "-x", "./cmd/app"}, []string{"-tags", "netgo", "./cmd/app"}},
		// go test -c: its flags are not go list's, and may follow the packages.
		{[]string{"-c", "-o", "x.test", "-run", "TestX", "-tags=cgo", "./pkg", "-count", "1"}, []string{"-tags=cgo", "./pkg"}},
		{[]string{"./a", "./b", "-c"}, []string{"./a", "./b"}},
	} {
		if got := listArgs(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("listArgs(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
