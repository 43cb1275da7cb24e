package filters

import "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

// The accessors below read an unstructured object in place. Unlike the
// Get* methods of unstructured.Unstructured they copy nothing, which keeps
// Filter.Allow free of allocations.

// metadata returns the object's metadata map, or nil.
func metadata(obj *unstructured.Unstructured) map[string]any {
	m, _ := obj.Object["metadata"].(map[string]any)
	return m
}

// metaString returns the string field key of a metadata map, or "".
func metaString(meta map[string]any, key string) string {
	s, _ := meta[key].(string)
	return s
}

// hasControllerOwner reports whether obj has an ownerReference with
// controller: true.
func hasControllerOwner(obj *unstructured.Unstructured) bool {
	refs, _ := metadata(obj)["ownerReferences"].([]any)
	for _, ref := range refs {
		m, _ := ref.(map[string]any)
		if c, _ := m["controller"].(bool); c {
			return true
		}
	}
	return false
}

// objectLabels exposes an unstructured labels map as labels.Labels without
// copying it. Values that are not strings read as "".
type objectLabels map[string]any

func (l objectLabels) Has(key string) bool {
	_, ok := l[key]
	return ok
}

func (l objectLabels) Get(key string) string {
	s, _ := l[key].(string)
	return s
}

func (l objectLabels) Lookup(key string) (string, bool) {
	v, ok := l[key]
	if !ok {
		return "", false
	}
	s, _ := v.(string)
	return s, true
}
