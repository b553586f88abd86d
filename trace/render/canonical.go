package render

import (
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"
)

// canonicalCopy sets dst, a zero value of src's type, to what decoding
// the JSON encoding of src gives (json.Unmarshal(json.Marshal(src))), for
// the kinds a report is made of: strings with each invalid UTF-8 byte
// replaced by U+FFFD, empty lists and maps omitted by omitempty read back
// as nil, unexported and `json:"-"` fields dropped. It reports false when
// it meets a kind it does not model (an interface, a channel, a type with
// its own JSON or text methods, an embedded field), and the caller falls back to the round trip.
// TestCanonicalCopy compares the two on every report the tests know.
func canonicalCopy(dst, src reflect.Value, omitEmpty bool) bool {
	t := src.Type()
	pt := reflect.PointerTo(t)
	if pt.Implements(jsonMarshaler) || pt.Implements(jsonUnmarshaler) || pt.Implements(textMarshaler) {
		return false
	}
	switch src.Kind() {
	case reflect.String:
		dst.SetString(jsonString(src.String()))
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float64, reflect.Float32:
		dst.Set(src)
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if f.Anonymous {
				return false // embedded fields are flattened: not modelled
			}
			if !f.IsExported() {
				continue // encoding/json ignores it: zero after decoding
			}
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			_, opts, _ := strings.Cut(tag, ",")
			if !canonicalCopy(dst.Field(i), src.Field(i), hasOption(opts, "omitempty")) {
				return false
			}
		}
	case reflect.Pointer:
		if src.IsNil() {
			return true
		}
		dst.Set(reflect.New(t.Elem()))
		return canonicalCopy(dst.Elem(), src.Elem(), false)
	case reflect.Slice:
		if src.IsNil() || src.Len() == 0 && omitEmpty {
			return true // null, or omitted: nil
		}
		dst.Set(reflect.MakeSlice(t, src.Len(), src.Len()))
		if t.Elem().Kind() == reflect.Uint8 {
			reflect.Copy(dst, src) // []byte is base64: the bytes come back
			return true
		}
		for i := 0; i < src.Len(); i++ {
			if !canonicalCopy(dst.Index(i), src.Index(i), false) {
				return false
			}
		}
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return false
		}
		if src.IsNil() || src.Len() == 0 && omitEmpty {
			return true
		}
		dst.Set(reflect.MakeMapWithSize(t, src.Len()))
		// encoding/json writes the keys sorted; when two keys become the
		// same string (invalid UTF-8), the one written last wins.
		keys := src.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		for _, k := range keys {
			v := reflect.New(t.Elem()).Elem()
			if !canonicalCopy(v, src.MapIndex(k), false) {
				return false
			}
			nk := reflect.New(t.Key()).Elem()
			nk.SetString(jsonString(k.String()))
			dst.SetMapIndex(nk, v)
		}
	default:
		return false
	}
	return true
}

var (
	jsonMarshaler   = reflect.TypeFor[interface{ MarshalJSON() ([]byte, error) }]()
	jsonUnmarshaler = reflect.TypeFor[interface{ UnmarshalJSON([]byte) error }]()
	textMarshaler   = reflect.TypeFor[interface{ MarshalText() ([]byte, error) }]()
)

func hasOption(opts, name string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == name {
			return true
		}
	}
	return false
}

// jsonString is s as encoding/json writes and reads it back: each byte
// that is not part of valid UTF-8 becomes U+FFFD.
func jsonString(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}
