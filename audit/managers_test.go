package audit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// TestManagersReadAsGetManagedFields checks that managers, which reads the
// decoded managedFields directly, sees every entry of the golden live
// objects as GetManagedFields does, and none when the list is malformed.
func TestManagersReadAsGetManagedFields(t *testing.T) {
	type entry struct{ Name, Operation, Subresource, APIVersion, Time string }
	files, err := filepath.Glob(filepath.Join("testdata", "compare", "*", "live.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no live fixtures: %v", err)
	}
	checked := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, doc := range splitYAML(t, data) {
			obj := &unstructured.Unstructured{Object: doc}
			var want []entry
			for _, e := range obj.GetManagedFields() {
				if e.Subresource == "status" || (e.APIVersion != "" && e.APIVersion != obj.GetAPIVersion()) {
					continue
				}
				var tm string
				if e.Time != nil {
					tm = e.Time.UTC().String()
				}
				want = append(want, entry{e.Manager, string(e.Operation), e.Subresource, e.APIVersion, tm})
			}
			var got []entry
			for _, m := range managers(obj) {
				var tm string
				if !m.time.IsZero() {
					tm = m.time.String()
				}
				got = append(got, entry{m.name, m.operation, m.subresource, m.apiVersion, tm})
				checked++
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s %s (-GetManagedFields +managers):\n%s", file, obj.GetName(), diff)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no managedFields entry in the fixtures")
	}

	for name, mfs := range map[string]any{
		"entry not an object":  []any{"x"},
		"time not RFC 3339":    []any{map[string]any{"manager": "m", "time": "yesterday"}},
		"manager not a string": []any{map[string]any{"manager": int64(1)}},
		"not a list":           map[string]any{},
	} {
		obj := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "x", "managedFields": mfs},
		}}
		if ms := managers(obj); ms != nil || obj.GetManagedFields() != nil {
			t.Errorf("%s: managers = %v, GetManagedFields = %v; want none from both", name, ms, obj.GetManagedFields())
		}
	}
}

func splitYAML(t *testing.T, data []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	for {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				return out
			}
			t.Fatal(err)
		}
		if m != nil {
			out = append(out, m)
		}
	}
}

// TestForEach checks that forEach calls every index once, and returns the
// error of the lowest failing index, as a sequential loop would.
func TestForEach(t *testing.T) {
	seen := make([]atomic.Int32, 1000)
	if err := forEach(t.Context(), len(seen), func(i int) error {
		seen[i].Add(1)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for i := range seen {
		if n := seen[i].Load(); n != 1 {
			t.Fatalf("index %d called %d times", i, n)
		}
	}
	err := forEach(t.Context(), 1000, func(i int) error {
		if i == 300 || i == 700 {
			return fmt.Errorf("index %d", i)
		}
		return nil
	})
	if err == nil || err.Error() != "index 300" {
		t.Errorf("error = %v, want index 300", err)
	}
}
