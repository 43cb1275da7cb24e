package jsonpointer

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

func object(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestPointerRemoval(t *testing.T) {
	tests := []struct {
		name    string
		pointer string
		in      string
		want    string
	}{
		{name: "map key", pointer: "/a/b", in: "{a: {b: 1, c: 2}}", want: "{a: {c: 2}}"},
		{name: "absent", pointer: "/a/x/y", in: "{a: {b: 1}}", want: "{a: {b: 1}}"},
		{name: "through scalar", pointer: "/a/b/c", in: "{a: {b: 1}}", want: "{a: {b: 1}}"},
		{name: "list index", pointer: "/a/1", in: "{a: [x, y, z]}", want: "{a: [x, z]}"},
		{name: "list index out of range", pointer: "/a/3", in: "{a: [x]}", want: "{a: [x]}"},
		{name: "leading zero is not an index", pointer: "/a/01", in: "{a: [x, y]}", want: "{a: [x, y]}"},
		{name: "field of every element", pointer: "/a/*/k", in: "{a: [{k: 1, m: 2}, {k: 3}]}", want: "{a: [{m: 2}, {}]}"},
		{name: "every key", pointer: "/a/*/k", in: "{a: {x: {k: 1}, z: {k: 2, m: 3}}}", want: "{a: {x: {}, z: {m: 3}}}"},
		{name: "all elements", pointer: "/a/*", in: "{a: [1, 2]}", want: "{a: []}"},
		{name: "escaped slash", pointer: "/a/x~1y", in: "{a: {x/y: 1, x: {y: 2}}}", want: "{a: {x: {y: 2}}}"},
		{name: "escaped tilde", pointer: "/a/x~0y", in: "{a: {x~y: 1}}", want: "{a: {}}"},
		{name: "empty key", pointer: "/", in: "{'': 1, a: 2}", want: "{a: 2}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(tt.pointer)
			if err != nil {
				t.Fatal(err)
			}
			got := object(t, tt.in)
			p.Remove(got)
			if diff := cmp.Diff(object(t, tt.want), got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, s := range []string{"", "a/b", "/a~2", "/a~"} {
		if _, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) succeeded, want an error", s)
		}
	}
}
