package render

import (
	"reflect"
	"testing"

	"github.com/cgotrace/cgotrace/trace"
)

// checkCanonical compares canonicalCopy with the JSON round trip it
// stands for; reflect.DeepEqual tells nil from empty lists.
func checkCanonical(t *testing.T, name string, r *trace.Report) {
	t.Helper()
	want, err := canonicalJSON(r)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var got trace.Report
	if !canonicalCopy(reflect.ValueOf(&got).Elem(), reflect.ValueOf(r).Elem(), false) {
		t.Fatalf("%s: canonicalCopy fell back to the JSON round trip", name)
	}
	if !reflect.DeepEqual(&got, want) {
		t.Fatalf("%s: canonicalCopy differs from the JSON round trip:\n got %#v\nwant %#v", name, &got, want)
	}
}

func TestCanonicalCopyFixtures(t *testing.T) {
	for name, r := range allFixtures() {
		checkCanonical(t, name, r)
	}
	for name, f := range map[string]func() *trace.Report{
		"html-dev-missing": htmlFixtureDevMissing, "html-dev-missing-pc": htmlFixtureDevMissingPC,
		"html-pkg-config": htmlFixturePkgConfig, "html-runtime": htmlFixtureRuntime, "html-hostile": htmlFixtureHostile,
	} {
		checkCanonical(t, name, f())
	}
}

// fillReport sets every exported field reachable from v: strings to s,
// numbers and bools to non-zero values, and lists and maps to nil, empty
// or two elements according to mode, so that every omitempty and every
// nil-versus-empty case of every field is compared.
func fillReport(v reflect.Value, s string, mode, depth int) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Int16, reflect.Int8:
		v.SetInt(-3)
	case reflect.Uint, reflect.Uint64, reflect.Uint32, reflect.Uint16, reflect.Uint8:
		v.SetUint(3)
	case reflect.Float64, reflect.Float32:
		v.SetFloat(0.1)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fillReport(v.Field(i), s, mode, depth)
			}
		}
	case reflect.Pointer:
		if depth > 0 {
			v.Set(reflect.New(v.Type().Elem()))
			fillReport(v.Elem(), s, mode, depth-1)
		}
	case reflect.Slice:
		switch {
		case mode == 1:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		case mode == 2 && depth > 0:
			v.Set(reflect.MakeSlice(v.Type(), 2, 2))
			fillReport(v.Index(0), s, mode, depth-1)
			fillReport(v.Index(1), s+"\xff", mode, depth-1)
		}
	case reflect.Map:
		switch {
		case mode == 1:
			v.Set(reflect.MakeMap(v.Type()))
		case mode == 2:
			v.Set(reflect.MakeMap(v.Type()))
			for _, k := range []string{s, s + "\xfe", s + "\xff"} { // the last two collide
				e := reflect.New(v.Type().Elem()).Elem()
				fillReport(e, k, mode, depth-1)
				v.SetMapIndex(reflect.ValueOf(k).Convert(v.Type().Key()), e)
			}
		}
	case reflect.Interface, reflect.Chan, reflect.Func:
		panic("a report holds a " + v.Kind().String() + ": canonicalCopy does not model it")
	}
}

func TestCanonicalCopyAllFields(t *testing.T) {
	for _, s := range []string{"", "plain", "bad \xff\xfe utf-8", "\xed\xa0\x80 surrogate", "<&> \u2028"} {
		for mode := 0; mode < 3; mode++ {
			var r trace.Report
			fillReport(reflect.ValueOf(&r).Elem(), s, mode, 4)
			checkCanonical(t, "filled", &r)
		}
	}
}

func FuzzCanonicalCopy(f *testing.F) {
	f.Add("main.go", "\xff", 1)
	f.Fuzz(func(t *testing.T, a, b string, mode int) {
		var r trace.Report
		fillReport(reflect.ValueOf(&r).Elem(), a, ((mode%3)+3)%3, 3)
		r.Command.Argv = []string{a, b}
		r.Toolchain = &trace.Toolchain{Env: map[string]string{a: b, b: a}}
		checkCanonical(t, "fuzz", &r)
	})
}
