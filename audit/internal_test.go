package audit

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/clusterscribe/clusterscribe/internal/fieldpath"
)

func TestSetAtAndRemoveAt(t *testing.T) {
	obj := map[string]any{"spec": map[string]any{"containers": []any{
		map[string]any{"name": "a", "image": "1"},
		map[string]any{"name": "b", "image": "2"},
	}}}
	containers := fieldpath.Path{}.Key("spec").Key("containers")
	v, ok := setAt(obj, containers.Item(1, "name", "b").Key("image"), "3")
	if !ok {
		t.Fatal("set image of b")
	}
	v, ok = setAt(v, containers.Item(5, "name", "c"), map[string]any{"name": "c"})
	if !ok {
		t.Fatal("append c")
	}
	v, ok = setAt(v, fieldpath.Path{}.Key("metadata").Key("labels").Key("x"), "y")
	if !ok {
		t.Fatal("create labels")
	}
	v = removeAt(v, containers.Item(0, "name", "a"))
	want := map[string]any{
		"metadata": map[string]any{"labels": map[string]any{"x": "y"}},
		"spec": map[string]any{"containers": []any{
			map[string]any{"name": "b", "image": "3"},
			map[string]any{"name": "c"},
		}},
	}
	if diff := cmp.Diff(want, v); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, ok := setAt(v, fieldpath.Path{}.Key("metadata").Key("labels").Key("x").Key("deeper"), "z"); ok {
		t.Error("set below a string succeeded")
	}
}

func TestUnifiedDiff(t *testing.T) {
	a := "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\nn\n"
	b := "a\nB\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\nn\no\n"
	want := "--- declared\n+++ live\n" +
		"@@ -1,5 +1,5 @@\n a\n-b\n+B\n c\n d\n e\n" +
		"@@ -12,3 +12,4 @@\n l\n m\n n\n+o\n"
	if got := unifiedDiff("declared", "live", a, b); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	// Changes closer than twice the context share one hunk.
	b2 := "a\nB\nc\nd\ne\nf\nG\nh\n"
	want2 := "--- x\n+++ y\n@@ -1,8 +1,8 @@\n a\n-b\n+B\n c\n d\n e\n f\n-g\n+G\n h\n"
	if got := unifiedDiff("x", "y", "a\nb\nc\nd\ne\nf\ng\nh\n", b2); got != want2 {
		t.Errorf("got:\n%s\nwant:\n%s", got, want2)
	}
	if got := unifiedDiff("x", "y", "same\n", "same\n"); got != "" {
		t.Errorf("equal texts: %q", got)
	}
	if got := unifiedDiff("x", "y", "", "new\n"); got != "--- x\n+++ y\n@@ -0,0 +1 @@\n+new\n" {
		t.Errorf("from empty: %q", got)
	}
}

func TestScalarEqual(t *testing.T) {
	requests := fieldpath.Path{}.Key("resources").Key("requests")
	tests := []struct {
		path fieldpath.Path
		a, b any
		want bool
	}{
		{requests.Key("cpu"), 0.5, "500m", true},
		{requests.Key("memory"), "1024Mi", "1Gi", true},
		{requests.Key("cpu"), "1", int64(1), true},
		{requests.Key("cpu"), "2", "1", false},
		{fieldpath.Path{}.Key("data").Key("cpu"), "0.5", "500m", false}, // not a quantity field
		{fieldpath.Path{}.Key("spec").Key("replicas"), 3.0, int64(3), true},
		{fieldpath.Path{}.Key("spec").Key("replicas"), 3.5, int64(3), false},
		{fieldpath.Path{}.Key("x"), "a", "a", true},
	}
	for _, tt := range tests {
		if got := scalarEqual(tt.path, tt.a, tt.b); got != tt.want {
			t.Errorf("scalarEqual(%s, %v, %v) = %v, want %v", tt.path, tt.a, tt.b, got, tt.want)
		}
	}
}

// withManagedFields parses a JSON object and sets its managedFields from
// (manager, operation, fieldsV1) triples.
func withManagedFields(t *testing.T, obj string, entries ...[3]string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := json.Unmarshal([]byte(obj), &u.Object); err != nil {
		t.Fatal(err)
	}
	var mfs []metav1.ManagedFieldsEntry
	for _, e := range entries {
		mfs = append(mfs, metav1.ManagedFieldsEntry{
			Manager: e[0], Operation: metav1.ManagedFieldsOperationType(e[1]), APIVersion: u.GetAPIVersion(),
			FieldsType: "FieldsV1", FieldsV1: metav1.NewFieldsV1(e[2]),
		})
	}
	u.SetManagedFields(mfs)
	return u
}

func TestOwns(t *testing.T) {
	obj := withManagedFields(t, `{"apiVersion":"v1","kind":"X","metadata":{"name":"x","finalizers":["a","b"]},
		"spec":{"selector":{"app":"x"},"ports":[{"port":80,"protocol":"TCP","name":"http"}],"args":["-v"]}}`,
		[3]string{"m", "Apply", `{"f:metadata":{"f:finalizers":{".":{},"v:\"a\"":{}}},
			"f:spec":{"f:selector":{},"f:ports":{"k:{\"port\":80,\"protocol\":\"TCP\"}":{".":{},"f:port":{}}},"f:args":{}}}`})
	m := managers(obj)[0]
	spec := fieldpath.Path{}.Key("spec")
	port := spec.Key("ports").Item(0, "port", int64(80))
	tests := []struct {
		path fieldpath.Path
		want ownership
	}{
		{spec, within},
		{spec.Key("selector").Key("app"), owned}, // atomic ancestor
		{port, owned},
		{port.Key("port"), owned},
		{port.Key("protocol"), notOwned},
		{port.Key("name"), notOwned},
		{spec.Key("args"), owned},
		{fieldpath.Path{}.Key("metadata").Key("finalizers").Item(0, "", nil), owned},
		{fieldpath.Path{}.Key("metadata").Key("finalizers").Item(1, "", nil), notOwned},
		{fieldpath.Path{}.Key("metadata").Key("name"), notOwned},
	}
	for _, tt := range tests {
		if got := m.owns(obj.Object, tt.path); got != tt.want {
			t.Errorf("owns(%s) = %d, want %d", tt.path, got, tt.want)
		}
	}
}

func TestRestrictTo(t *testing.T) {
	obj := withManagedFields(t, `{"apiVersion":"v1","kind":"X","metadata":{"name":"x","labels":{"app":"x","hotfix":"y"}},
		"spec":{"type":"ClusterIP","ports":[{"port":80,"protocol":"TCP"},{"port":9090,"protocol":"TCP"}],"extra":{"a":1}}}`,
		[3]string{"audit", "Apply", `{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:ports":{"k:{\"port\":80,\"protocol\":\"TCP\"}":{".":{},"f:port":{}}}}}`},
		[3]string{"kubectl-edit", "Update", `{"f:metadata":{"f:labels":{"f:hotfix":{}}},"f:spec":{"f:ports":{"k:{\"port\":9090,\"protocol\":\"TCP\"}":{".":{},"f:port":{}}},"f:extra":{".":{},"f:a":{}}}}`},
	)
	got := restrictTo(obj, "audit")
	want := map[string]any{
		"apiVersion": "v1", "kind": "X",
		"metadata": map[string]any{"name": "x", "labels": map[string]any{"app": "x"}},
		"spec":     map[string]any{"type": "ClusterIP", "ports": []any{map[string]any{"port": float64(80), "protocol": "TCP"}}},
	}
	delete(got.Object["metadata"].(map[string]any), "managedFields")
	if diff := cmp.Diff(want, got.Object); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if restrictTo(obj, "someone-else") != obj {
		t.Error("without the manager's entry the object should be returned as is")
	}
}

// TestSameJSONAgreesWithEncoding checks the shortcut keysMatch takes
// against what it stands for: comparing JSON encodings.
func TestSameJSONAgreesWithEncoding(t *testing.T) {
	pairs := [][2]any{
		{"web", "web"},
		{"web", "api"},
		{"<a&b>", "<a&b>"},
		{"x", int64(1)},
		{float64(8080), int64(8080)},
		{float64(8080), int64(8081)},
		{float64(-3), int64(-3)},
		{float64(0.5), int64(0)},
		{float64(1 << 60), int64(1 << 60)},
		{float64(1<<53 - 1), int64(1<<53 - 1)},
		{float64(80), "80"},
		{"\xff", "\xfe"},
		{true, true},
	}
	for _, p := range pairs {
		a, _ := json.Marshal(p[0])
		b, _ := json.Marshal(p[1])
		want := string(a) == string(b)
		if same, known := sameJSON(p[0], p[1]); known && same != want {
			t.Errorf("sameJSON(%#v, %#v) = %v, encodings equal: %v", p[0], p[1], same, want)
		}
		if got := keysMatch(map[string]any{"k": p[0]}, map[string]any{"k": p[1]}); got != want {
			t.Errorf("keysMatch(%#v, %#v) = %v, want %v", p[0], p[1], got, want)
		}
	}
}

// TestIdenticalIsNormalizedEquality checks the shortcut diffValues takes
// for subtrees: identical holds exactly when the values are equal once
// numbers are normalized, which is when diffValues finds no delta in them.
func TestIdenticalIsNormalizedEquality(t *testing.T) {
	values := []any{
		nil, "a", "b", true, false, int64(1), float64(1), float64(1.5), int64(2),
		map[string]any{},
		map[string]any{"a": nil},
		map[string]any{"a": int64(1)},
		map[string]any{"a": float64(1)},
		map[string]any{"b": int64(1)},
		[]any{},
		[]any{"a"},
		[]any{int64(1)},
		[]any{float64(1)},
		[]any{map[string]any{"name": "x", "v": int64(1)}},
		[]any{map[string]any{"name": "x", "v": float64(1)}},
		[]any{map[string]any{"name": "x", "v": int64(2)}},
	}
	for _, d := range values {
		for _, l := range values {
			want := reflect.DeepEqual(normalizeNumbers(d), normalizeNumbers(l))
			if got := identical(d, l); got != want {
				t.Errorf("identical(%#v, %#v) = %v, want %v", d, l, got, want)
			}
			if identical(d, l) {
				var deltas []delta
				diffValues(nil, d, l, &deltas)
				if len(deltas) > 0 {
					t.Errorf("identical(%#v, %#v), yet diffValues finds %+v", d, l, deltas)
				}
			}
		}
	}
}
