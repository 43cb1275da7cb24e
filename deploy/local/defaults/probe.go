package main

import (
	"encoding/json"
	"reflect"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// probe says how to build an object to default: lists hold one item (or
// none), optional structs are there (or not), and fill, when set, lists
// the fields defaulting set before, which stay empty; every other scalar
// gets a sample value (strings get sample).
type probe struct {
	lists, pointers bool
	fill            map[string]json.RawMessage
	sample          string
}

var (
	jsonMarshaler = reflect.TypeFor[json.Marshaler]()
	objectMeta    = reflect.TypeFor[metav1.ObjectMeta]()
	listMeta      = reflect.TypeFor[metav1.ListMeta]()
	typeMeta      = reflect.TypeFor[metav1.TypeMeta]()
	rawExtension  = reflect.TypeFor[runtime.RawExtension]()
)

// opaque reports whether a type is a value of its own (a quantity, a
// time, an int-or-string, raw JSON): it is never built into.
func opaque(t reflect.Type) bool {
	return t.Implements(jsonMarshaler) || reflect.PointerTo(t).Implements(jsonMarshaler) ||
		t == objectMeta || t == listMeta || t == typeMeta || t == rawExtension
}

// build fills v (found at path p) as the probe says; seen holds the struct
// types being built, so that recursive types stop.
func (pr probe) build(v reflect.Value, p string, seen []reflect.Type) {
	t := v.Type()
	switch t.Kind() {
	case reflect.Struct:
		if opaque(t) || contains(seen, t) {
			return
		}
		seen = append(seen, t)
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, inline := jsonName(f)
			if name == "-" || (p == "" && name == "status") {
				continue
			}
			fp := p
			if !inline {
				fp = join(p, name)
			}
			pr.build(v.Field(i), fp, seen)
		}
	case reflect.Pointer:
		e := t.Elem()
		if e.Kind() == reflect.Struct {
			if !pr.pointers || opaque(e) || contains(seen, e) {
				return
			}
			v.Set(reflect.New(e))
			pr.build(v.Elem(), p, seen)
			return
		}
		if pr.fill != nil && isScalar(e) && !pr.defaulted(p) {
			v.Set(reflect.New(e))
			pr.setSample(v.Elem())
		}
	case reflect.Slice:
		e := t.Elem()
		if !pr.lists || e.Kind() == reflect.Uint8 {
			return
		}
		if e.Kind() == reflect.Struct && (opaque(e) || contains(seen, e)) {
			return
		}
		if e.Kind() == reflect.Struct || (pr.fill != nil && isScalar(e)) {
			v.Set(reflect.MakeSlice(t, 1, 1))
			pr.build(v.Index(0), p+"[]", seen)
		}
	default:
		if pr.fill != nil && isScalar(t) && !pr.defaulted(p) {
			pr.setSample(v)
		}
	}
}

// defaulted reports whether defaulting changed the field at p before.
func (pr probe) defaulted(p string) bool {
	_, ok := pr.fill["!"+p]
	return ok
}

func isScalar(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int32, reflect.Int64, reflect.Float64:
		return true
	}
	return false
}

// setSample sets a scalar to a value no default has: a string that parses as
// an image with a tag, a count, true.
func (pr probe) setSample(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(pr.sample)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int32, reflect.Int64:
		v.SetInt(7)
	case reflect.Float64:
		v.SetFloat(7)
	}
}

func contains(ts []reflect.Type, t reflect.Type) bool {
	for _, s := range ts {
		if s == t {
			return true
		}
	}
	return false
}

// jsonName returns a field's JSON name, and whether it is inlined.
func jsonName(f reflect.StructField) (string, bool) {
	tag := f.Tag.Get("json")
	name, opts, _ := strings.Cut(tag, ",")
	if strings.Contains(","+opts+",", ",inline,") || (f.Anonymous && name == "") {
		return "", true
	}
	if name == "" {
		name = f.Name
	}
	return name, false
}
