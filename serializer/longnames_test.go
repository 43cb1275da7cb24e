package serializer

import (
	"errors"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// TestObjectPathLongNames checks how names too long for one file name are
// laid out: cut into pieces that each fit, every piece encoded on its own,
// and read back whole.
func TestObjectPathLongNames(t *testing.T) {
	a := func(n int) string { return strings.Repeat("a", n) }
	const dir = "c/cluster/rbac.authorization.k8s.io/clusterroles/"
	tests := []struct {
		name string
		in   string
		want string // below dir
	}{
		{name: "longest single file", in: a(250), want: a(250) + ".yaml"},
		{name: "one byte more", in: a(251), want: a(250) + "/a.yaml"},
		{name: "DNS subdomain maximum", in: a(253), want: a(250) + "/aaa.yaml"},
		{name: "escape not split", in: a(249) + ":b", want: a(249) + "/%3Ab.yaml"},
		{name: "piece never ends with a dot", in: a(249) + ".b" + a(10), want: a(249) + "/.b" + a(10) + ".yaml"},
		{name: "reserved name as a later piece", in: a(250) + "CON", want: a(250) + "/%43ON.yaml"},
		{name: "multi-byte characters", in: strings.Repeat("é", 50), want: strings.Repeat("%C3%A9", 41) + "%C3" + "/" + "%A9" + strings.Repeat("%C3%A9", 8) + ".yaml"},
		{name: "three pieces", in: a(600), want: a(250) + "/" + a(250) + "/" + a(100) + ".yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ref := ObjectRef{Cluster: "c", Group: "rbac.authorization.k8s.io", Resource: "clusterroles", Name: tt.in}
			got := ObjectPath(ref)
			if got != dir+tt.want {
				t.Errorf("ObjectPath = %q\nwant          %q", got, dir+tt.want)
			}
			for _, seg := range strings.Split(got, "/") {
				if len(seg) > MaxSegmentBytes {
					t.Errorf("segment of %d bytes > %d: %q", len(seg), MaxSegmentBytes, seg)
				}
				checkSafeSegment(t, strings.TrimSuffix(seg, fileExt))
			}
			back, err := ParseObjectPath(got)
			if err != nil {
				t.Fatalf("ParseObjectPath(%q): %v", got, err)
			}
			if back != ref {
				t.Errorf("round trip gave %+v, want %+v", back, ref)
			}
		})
	}
}

// TestParseObjectPathRejectsOtherSplits checks that a name has one path
// only: a short name split into directories, or a long one left whole or
// split elsewhere, is not an object path.
func TestParseObjectPathRejectsOtherSplits(t *testing.T) {
	a := func(n int) string { return strings.Repeat("a", n) }
	const dir = "c/namespaces/ns/core/configmaps/"
	for _, p := range []string{
		dir + "ab/cd.yaml",
		dir + a(251) + ".yaml",
		dir + a(249) + "/aa.yaml",
		dir + a(250) + "/a/a.yaml",
		dir + a(250) + ".yaml/a.yaml",
		dir + a(250) + "/%.yaml",
		dir + a(250) + "/.yaml",
	} {
		t.Run(p[len(dir):min(len(p), len(dir)+8)], func(t *testing.T) {
			if ref, err := ParseObjectPath(p); !errors.Is(err, ErrInvalidPath) {
				t.Errorf("ParseObjectPath(%q) = %+v, %v; want ErrInvalidPath", p, ref, err)
			}
		})
	}
}

// TestRenderRefusesOverlongNames checks the documented name limit: a name
// of MaxNameBytes renders, one byte more is refused with ErrNameTooLong and
// an error that does not repeat the whole name.
func TestRenderRefusesOverlongNames(t *testing.T) {
	s := newTestSerializer(t, Options{})
	role := func(name string) *unstructured.Unstructured {
		u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole"}}
		u.SetName(name)
		return u
	}
	if _, err := s.Render(role(strings.Repeat("é", MaxNameBytes/2))); err != nil {
		t.Errorf("Render of a %d-byte name: %v", MaxNameBytes, err)
	}
	long := strings.Repeat("x", MaxNameBytes+1)
	out, err := s.Render(role(long))
	if !errors.Is(err, ErrNameTooLong) {
		t.Fatalf("Render of a %d-byte name = %q, %v; want ErrNameTooLong", len(long), out, err)
	}
	if strings.Contains(err.Error(), long) || len(err.Error()) > 300 {
		t.Errorf("error repeats the whole name: %d bytes", len(err.Error()))
	}
}
