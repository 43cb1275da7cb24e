package edit

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParsePath(t *testing.T) {
	tests := []struct {
		in   string
		want Path
	}{
		{in: "spec.replicas", want: Path{{Key: "spec"}, {Key: "replicas"}}},
		{in: "spec.template.spec.containers[name=web].image", want: Path{
			{Key: "spec"},
			{Key: "template"},
			{Key: "spec"},
			{Key: "containers"},
			{Item: true, Field: "name", Value: "web"},
			{Key: "image"},
		}},
		{in: `metadata.labels["app.kubernetes.io/name"]`, want: Path{{Key: "metadata"}, {Key: "labels"}, {Key: "app.kubernetes.io/name"}}},
		{in: `metadata.annotations["a\"]b"]`, want: Path{{Key: "metadata"}, {Key: "annotations"}, {Key: `a"]b`}}},
		{in: "rules[0].verbs", want: Path{{Key: "rules"}, {Item: true, Index: 0}, {Key: "verbs"}}},
		{in: "spec.ports[port=80].targetPort", want: Path{{Key: "spec"}, {Key: "ports"}, {Item: true, Field: "port", Value: "80"}, {Key: "targetPort"}}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParsePath(tt.in)
			if err != nil {
				t.Fatalf("ParsePath: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParsePath (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.in, got.String()); diff != "" {
				t.Errorf("String() does not round-trip (-want +got):\n%s", diff)
			}
		})
	}
	for _, bad := range []string{"", ".spec", "spec.", "a[", `a["x`, "a[x]", "a[=x]", "a[-1]"} {
		t.Run("bad "+bad, func(t *testing.T) {
			if _, err := ParsePath(bad); !errors.Is(err, ErrBadPath) {
				t.Errorf("ParsePath(%q) = %v, want ErrBadPath", bad, err)
			}
		})
	}
}

func TestApplyErrors(t *testing.T) {
	in := []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: \"1\"\n")
	tests := []struct {
		name string
		line int
		op   Op
		want error
	}{
		{name: "no document at that line", line: 3, op: Op{Path: Path{{Key: "data"}}, Value: "x"}, want: ErrNoDocument},
		{name: "through a scalar", line: 1, op: Op{Path: Path{{Key: "data"}, {Key: "x"}, {Key: "y"}}, Value: "z"}, want: ErrNotApplicable},
		{name: "index beyond the list", line: 1, op: Op{Path: Path{{Key: "spec"}, {Key: "list"}, {Item: true, Index: 3}}, Value: "z"}, want: ErrNotApplicable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Apply(in, tt.line, []Op{tt.op}); !errors.Is(err, tt.want) {
				t.Errorf("Apply: got %v, want %v", err, tt.want)
			}
		})
	}
}
