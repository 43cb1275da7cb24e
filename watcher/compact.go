package watcher

import (
	"encoding/json"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/cache"
)

// compact is how the informer caches hold an object: the identity the
// cache needs, and the object's JSON. A decoded object (maps of maps) takes
// three to five times the memory of its JSON, and the recorder needs the
// whole object only when it renders it, so each event decodes its own copy
// and nothing decoded stays in the cache.
type compact struct {
	metav1.TypeMeta
	identity
	raw []byte
}

// DeepCopyObject shares raw: it is never modified (and the identity's
// strings are immutable).
func (c *compact) DeepCopyObject() runtime.Object {
	cp := *c
	return &cp
}

// compactOf encodes u for the cache; only name, namespace, uid and
// resourceVersion are kept beside the JSON.
func compactOf(u *unstructured.Unstructured) (*compact, error) {
	raw, err := json.Marshal(u.Object) // exactly sized, unlike u.MarshalJSON's buffer
	if err != nil {
		return nil, fmt.Errorf("encode %s %s/%s for the cache: %w", u.GetKind(), u.GetNamespace(), u.GetName(), err)
	}
	return &compact{
		TypeMeta: metav1.TypeMeta{APIVersion: u.GetAPIVersion(), Kind: u.GetKind()},
		identity: identity{
			name: u.GetName(), namespace: u.GetNamespace(), uid: u.GetUID(), resourceVersion: u.GetResourceVersion(),
		},
		raw: raw,
	}, nil
}

// Decode returns a fresh decoded copy of raw, an event's Raw.
func Decode(raw []byte) (*unstructured.Unstructured, error) {
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(raw); err != nil {
		return nil, fmt.Errorf("decode cached object: %w", err)
	}
	return u, nil
}

// fromCache turns what an informer hands out (a compact object, a decoded
// one when encoding failed, or a tombstone of either) into a decoded object
// and its JSON.
func fromCache(obj any) (*unstructured.Unstructured, []byte, error) {
	if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tomb.Obj
	}
	switch o := obj.(type) {
	case *compact:
		u, err := Decode(o.raw)
		return u, o.raw, err
	case *unstructured.Unstructured:
		raw, err := o.MarshalJSON()
		return o, raw, err
	default:
		return nil, nil, fmt.Errorf("unexpected object %T in the cache", obj)
	}
}

// resourceVersionOf reads the resource version of a cached object.
func resourceVersionOf(obj any) string {
	if m, ok := obj.(metav1.Object); ok {
		return m.GetResourceVersion()
	}
	return ""
}
