package watcher

import (
	"testing"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/tools/cache"
)

func sampleObject() *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": "web", "namespace": "shop", "uid": "u-1", "resourceVersion": "42", "labels": map[string]any{"app": "web"}},
		"spec":     map[string]any{"replicas": int64(3), "template": map[string]any{"spec": map[string]any{"containers": []any{map[string]any{"name": "app", "image": "app:1"}}}}},
	}}
}

func TestCompactRoundTrip(t *testing.T) {
	u := sampleObject()
	c, err := compactOf(u)
	if err != nil {
		t.Fatal(err)
	}
	if c.GetName() != "web" || c.GetNamespace() != "shop" || c.GetResourceVersion() != "42" || string(c.GetUID()) != "u-1" {
		t.Fatalf("cache identity = %s/%s rv %s uid %s", c.GetNamespace(), c.GetName(), c.GetResourceVersion(), c.GetUID())
	}
	if key, err := cache.MetaNamespaceKeyFunc(c); err != nil || key != "shop/web" {
		t.Fatalf("cache key = %q, %v", key, err)
	}
	if cap(c.raw) > len(c.raw)*9/8+32 { // a size class, not a doubled buffer
		t.Errorf("raw keeps %d spare bytes for %d", cap(c.raw)-len(c.raw), len(c.raw))
	}
	for name, obj := range map[string]any{
		"compact":   c,
		"tombstone": cache.DeletedFinalStateUnknown{Key: "shop/web", Obj: c},
		"decoded":   u,
		"copy":      c.DeepCopyObject(),
	} {
		got, raw, err := fromCache(obj)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !equality.Semantic.DeepEqual(got.Object, u.Object) {
			t.Errorf("%s: decoded %v, want %v", name, got.Object, u.Object)
		}
		back, err := Decode(raw)
		if err != nil || !equality.Semantic.DeepEqual(back.Object, u.Object) {
			t.Errorf("%s: raw decodes to %v (%v)", name, back, err)
		}
	}
	if _, _, err := fromCache("not an object"); err == nil {
		t.Error("fromCache accepted a string")
	}
}

// Each event gets its own copy: a consumer that modifies what it got
// cannot change the cache or what the next consumer gets.
func TestDecodedCopiesAreIndependent(t *testing.T) {
	c, err := compactOf(sampleObject())
	if err != nil {
		t.Fatal(err)
	}
	a, _, _ := fromCache(c)
	a.SetLabels(map[string]string{"app": "changed"})
	b, _, _ := fromCache(c)
	if b.GetLabels()["app"] != "web" {
		t.Fatalf("a consumer's change leaked into the cache: %v", b.GetLabels())
	}
}
