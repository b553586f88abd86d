package elfinspect

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// checkJSON compares AppendJSON with json.Marshal.
func checkJSON(t *testing.T, b *Binary) {
	t.Helper()
	want, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	got, err := b.AppendJSON(nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("AppendJSON differs from json.Marshal:\n got %s\nwant %s", got, want)
	}
}

// fill sets every field reachable from v to a non-zero value, so a field
// added to Binary or Library and forgotten in AppendJSON fails the test.
func fill(v reflect.Value, s string, depth int) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(-42)
	case reflect.Uint64, reflect.Uint32, reflect.Int8:
		v.Set(reflect.ValueOf(7).Convert(v.Type()))
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), s, depth)
			}
		}
	case reflect.Pointer:
		if depth > 0 {
			v.Set(reflect.New(v.Type().Elem()))
			fill(v.Elem(), s, depth-1)
		}
	case reflect.Slice:
		if depth > 0 {
			v.Set(reflect.MakeSlice(v.Type(), 2, 2))
			fill(v.Index(0), s, depth-1)
			fill(v.Index(1), s+"2", depth-1)
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		k := reflect.New(v.Type().Key()).Elem()
		fill(k, s, depth)
		e := reflect.New(v.Type().Elem()).Elem()
		fill(e, s, depth)
		v.SetMapIndex(k, e)
	default:
		panic("fill: unhandled kind " + v.Kind().String())
	}
}

func TestAppendJSONAllFields(t *testing.T) {
	for _, s := range []string{"plain", "<a&b> \"q\" \\ \n\t\r\b\f\x01\x7f", "\u2028\u2029 é \xff\xfe bad"} {
		var b Binary
		fill(reflect.ValueOf(&b).Elem(), s, 3)
		checkJSON(t, &b)
		// Zero values: omitempty fields vanish, nil slices are null.
		checkJSON(t, &Binary{Path: s})
		checkJSON(t, &Binary{Needed: []string{}, Libraries: []Library{{}}, Diagnoses: []Finding{}, Slices: []*Binary{nil}})
	}
	var nilBinary *Binary
	checkJSON(t, nilBinary)
}

func FuzzAppendJSON(f *testing.F) {
	f.Add("/usr/bin/ls", "libc.so.6", "$ORIGIN/../lib", true)
	f.Add("<&>", "\u2028", "\xff", false)
	f.Fuzz(func(t *testing.T, a, b, c string, flag bool) {
		bin := &Binary{Path: a, Format: b, Class: c, Static: flag, Soname: b,
			Needed: []string{a, b}, Rpath: []string{c}, Runpath: []string{},
			Libraries: []Library{{Name: a, Path: b, Found: flag, Via: c, NeededBy: a, Depth: len(a), Tried: []string{c}, Weak: flag}},
			Missing:   []string{b}, GlibcMin: c, Flags: []string{a},
			Go:        &GoInfo{GoVersion: a, Settings: map[string]string{b: c}},
			Diagnoses: []Finding{{Kind: RuntimeLibraryMissing, Summary: a, Subject: map[string]string{"library": b}}},
		}
		checkJSON(t, bin)
	})
}

// TestAppendJSONRealFiles compares the encodings on inspected files: the
// fixtures' hermetic trees and, when present, the files of /usr/bin.
func TestAppendJSONRealFiles(t *testing.T) {
	files := listELFs("/usr/bin")
	if len(files) > 150 {
		files = files[:150]
	}
	files = append(files, goBinary(t, "linux", "amd64"))
	in := NewInspector(Options{})
	n := 0
	in.InspectAll(files, 2, func(path string, b *Binary, err error) {
		if err != nil {
			return
		}
		n++
		checkJSON(t, b)
	})
	if n == 0 {
		t.Fatal("no file inspected")
	}
}
