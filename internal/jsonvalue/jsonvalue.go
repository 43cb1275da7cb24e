// Package jsonvalue is the one definition of when two JSON-like values
// (maps, lists, strings, numbers, booleans, nil, as decoders and
// unstructured objects hold them) mean the same: numbers compare by value
// whatever type a decoder gave them. An integral number below 2^53 is an
// integer (the range in which a float64 holds every integer exactly, and
// in which JSON readers agree); anything else is a float.
package jsonvalue

import (
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"strconv"
)

// maxExact is 2^53: every integer of smaller magnitude is exact in a
// float64.
const maxExact = 1 << 53

// Integral returns f as an int64 when it is integral and of magnitude
// below 2^53.
func Integral(f float64) (int64, bool) {
	if f != math.Trunc(f) || math.Abs(f) >= maxExact {
		return 0, false
	}
	return int64(f), true
}

// Canonical returns a copy of v in which every number has one Go type:
// integers of any width are int64 (an unsigned one beyond int64 a float64), a
// float is an int64 when Integral and a float64 otherwise, a json.Number
// the same. Maps and lists are copied; v is not modified.
func Canonical(v any) any {
	c, _ := Copy(v, canonicalNumber, nil)
	return c
}

// Copy returns a deep copy of v in which every value that is neither an
// object nor a list is what leaf returns for it. An error of leaf stops
// the copy; on its way back to the root it passes through within (when
// not nil) with each key or list index it is under, innermost first, so
// that within can say where the value is.
func Copy(v any, leaf func(any) (any, error), within func(err error, key string) error) (any, error) {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, child := range t {
			c, err := Copy(child, leaf, within)
			if err != nil {
				return nil, under(within, err, k)
			}
			out[k] = c
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, child := range t {
			c, err := Copy(child, leaf, within)
			if err != nil {
				return nil, under(within, err, strconv.Itoa(i))
			}
			out[i] = c
		}
		return out, nil
	}
	return leaf(v)
}

func under(within func(error, string) error, err error, key string) error {
	if within == nil {
		return err
	}
	return within(err, key)
}

// canonicalNumber is Canonical of a value that is not an object or a
// list.
func canonicalNumber(v any) (any, error) {
	if i, ok := Int(v); ok {
		return i, nil
	}
	switch t := v.(type) {
	case uint, uint64: // beyond int64
		return float64(reflect.ValueOf(t).Uint()), nil
	case float32:
		return Float(float64(t)), nil
	case float64:
		return Float(t), nil
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i, nil
		}
		if f, err := t.Float64(); err == nil {
			return Float(f), nil
		}
	}
	return v, nil
}

// Int returns an integer of any of Go's integer types as an int64; ok is
// false for any other value, and for an unsigned integer beyond int64.
func Int(v any) (i int64, ok bool) {
	switch t := v.(type) {
	case int64:
		return t, true
	case int, int8, int16, int32:
		return reflect.ValueOf(t).Int(), true
	case uint, uint8, uint16, uint32, uint64:
		u := reflect.ValueOf(t).Uint()
		return int64(u), u <= math.MaxInt64
	}
	return 0, false
}

// Float is f as an int64 when Integral, else f.
func Float(f float64) any {
	if i, ok := Integral(f); ok {
		return i
	}
	return f
}

// SortedKeys returns the keys of a JSON object in byte order, the order
// in which canonical output and comparisons walk it.
func SortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Equal reports whether a and b mean the same JSON value.
func Equal(a, b any) bool { return reflect.DeepEqual(Canonical(a), Canonical(b)) }
