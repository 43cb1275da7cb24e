package watcher

import (
	"context"
	"sync/atomic"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
)

var crdGVR = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// watchCRDs signals whenever a CRD is added, changed in what it serves, or
// deleted: through the informer that records CRDs when there is one, else
// through one more watch of its own; never a discovery poll. done is
// closed when the CRD informer has stopped after ctx ends.
func (w *Watcher) watchCRDs(ctx context.Context) (changes <-chan struct{}, done <-chan struct{}) {
	ch := make(chan struct{}, 1)
	notify := func() {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
	var synced atomic.Bool
	if shared := w.crdInformer(); shared != nil {
		return ch, w.followSharedCRDs(ctx, shared, notify, &synced)
	}
	client := w.dynamic.Resource(crdGVR)
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
			return client.List(ctx, opts)
		},
		WatchFuncWithContext: func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
			return client.Watch(ctx, opts)
		},
	}
	si := cache.NewSharedIndexInformerWithOptions(lw, &unstructured.Unstructured{}, cache.SharedIndexInformerOptions{
		ObjectDescription: "CustomResourceDefinition watch for discovery",
	})
	_ = si.SetTransform(func(obj any) (any, error) {
		// Only what decides discovery matters: keep the cache small.
		if u, ok := obj.(*unstructured.Unstructured); ok {
			return &unstructured.Unstructured{Object: map[string]any{
				"metadata": map[string]any{"name": u.GetName(), "resourceVersion": u.GetResourceVersion()},
				"served":   servedSignature(u),
			}}, nil
		}
		return obj, nil
	})
	signature := func(obj any) (string, bool) {
		u, ok := obj.(*unstructured.Unstructured)
		if !ok {
			return "", false
		}
		sig, ok := u.Object["served"].(string)
		return sig, ok
	}
	_, _ = si.AddEventHandler(crdHandlers(notify, &synced, signature))
	stopped := make(chan struct{})
	go func() { defer close(stopped); si.RunWithContext(ctx) }()
	if cache.WaitForCacheSync(ctx.Done(), si.HasSynced) {
		// CRDs created between discovery and this watch's list are caught
		// by one more reconcile.
		synced.Store(true)
		notify()
	}
	return ch, stopped
}

// crdInformer returns the informer recording CRDs, when CRDs are watched:
// following discovery then takes no watch of its own.
func (w *Watcher) crdInformer() *informer {
	w.mu.Lock()
	defer w.mu.Unlock()
	for gvr, inf := range w.running {
		if gvr.Group == crdGVR.Group && gvr.Resource == crdGVR.Resource {
			return inf
		}
	}
	return nil
}

// followSharedCRDs adds the discovery handlers to the informer that records
// CRDs; they are removed when ctx ends. An informer stopped because ctx
// ended (a one-shot audit stops the watcher after its initial lists) is no
// failure.
func (w *Watcher) followSharedCRDs(ctx context.Context, inf *informer, notify func(), synced *atomic.Bool) <-chan struct{} {
	signature := func(obj any) (string, bool) {
		u, _, err := fromCache(obj)
		if err != nil {
			return "", false
		}
		return servedSignature(u), true
	}
	stopped := make(chan struct{})
	reg, err := inf.informer.AddEventHandler(crdHandlers(notify, synced, signature))
	if err != nil {
		// An informer stops when the watcher does: only a live watcher
		// misses the CRDs added later.
		if ctx.Err() == nil {
			w.log.Warn("following CRDs for discovery failed; CRDs added later are not watched", "error", err)
		}
		close(stopped)
		return stopped
	}
	if cache.WaitForCacheSync(ctx.Done(), reg.HasSynced) {
		synced.Store(true)
		notify()
	}
	go func() {
		defer close(stopped)
		<-ctx.Done()
		_ = inf.informer.RemoveEventHandler(reg)
	}()
	return stopped
}

// crdHandlers notify when a CRD is added after the initial list, deleted,
// or changed in what discovery would report (signature).
func crdHandlers(notify func(), synced *atomic.Bool, signature func(any) (string, bool)) cache.ResourceEventHandler {
	return cache.ResourceEventHandlerFuncs{
		AddFunc: func(any) {
			if synced.Load() {
				notify()
			}
		},
		UpdateFunc: func(oldObj, newObj any) {
			o, ok1 := signature(oldObj)
			n, ok2 := signature(newObj)
			if !ok1 || !ok2 || o != n {
				notify()
			}
		},
		DeleteFunc: func(any) { notify() },
	}
}

// servedSignature summarizes what discovery would report for a CRD: its
// established condition, names, scope and served versions.
func servedSignature(u *unstructured.Unstructured) string {
	sig := ""
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		if m, ok := c.(map[string]any); ok && m["type"] == "Established" {
			sig += "established=" + toString(m["status"]) + ";"
		}
	}
	plural, _, _ := unstructured.NestedString(u.Object, "spec", "names", "plural")
	scope, _, _ := unstructured.NestedString(u.Object, "spec", "scope")
	sig += plural + ";" + scope + ";"
	versions, _, _ := unstructured.NestedSlice(u.Object, "spec", "versions")
	for _, v := range versions {
		if m, ok := v.(map[string]any); ok {
			sig += toString(m["name"]) + "=" + toString(m["served"]) + ",storage=" + toString(m["storage"]) + ";"
		}
	}
	return sig
}

func toString(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case bool:
		if t {
			return "true"
		}
		return "false"
	default:
		return ""
	}
}
