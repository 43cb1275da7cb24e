package jsonvalue

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCanonical(t *testing.T) {
	in := map[string]any{
		"int": 3, "int32": int32(-4), "uint64": uint64(5), "float": 6.0, "frac": 1.5,
		"big": float64(1 << 53), "number": json.Number("7"), "numberFloat": json.Number("7.25"),
		"list": []any{8.0, "s", true, nil}, "huge": uint64(math.MaxUint64),
		"int8": int8(-9), "uint16": uint16(10), "hugeUint": uint(math.MaxUint64),
	}
	want := map[string]any{
		"int": int64(3), "int32": int64(-4), "uint64": int64(5), "float": int64(6), "frac": 1.5,
		"big": float64(1 << 53), "number": int64(7), "numberFloat": 7.25,
		"list": []any{int64(8), "s", true, nil}, "huge": float64(math.MaxUint64),
		"int8": int64(-9), "uint16": int64(10), "hugeUint": float64(math.MaxUint64),
	}
	got := Canonical(in)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if in["float"] != 6.0 || in["list"].([]any)[0] != 8.0 {
		t.Error("Canonical modified its input")
	}
}

func TestEqual(t *testing.T) {
	for _, tt := range []struct {
		a, b any
		want bool
	}{
		{a: 1, b: 1.0, want: true},
		{a: int64(1), b: json.Number("1"), want: true},
		{a: map[string]any{"a": []any{2}}, b: map[string]any{"a": []any{2.0}}, want: true},
		{a: 1.5, b: 1, want: false},
		{a: float64(1 << 53), b: int64(1 << 53), want: false}, // beyond exact integers a float stays a float
		{a: "1", b: 1, want: false},
	} {
		if got := Equal(tt.a, tt.b); got != tt.want {
			t.Errorf("Equal(%#v, %#v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
