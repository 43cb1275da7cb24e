package audit

import (
	"context"
	"errors"
	"fmt"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	"github.com/clusterscribe/clusterscribe/audit/declared"
	"github.com/clusterscribe/clusterscribe/watcher"
)

// liveObject is a live object with the resource it was listed as.
type liveObject struct {
	obj      *unstructured.Unstructured
	resource watcher.Resource
	skip     bool // declared at a version the cluster does not serve
}

// errNotSynced: the watcher stopped before its initial lists were done.
var errNotSynced = errors.New("watch ended before the initial lists completed")

// collectLive runs the watcher until its initial lists are delivered (one
// LIST per kind, plus the start of one WATCH) and returns what it saw.
func collectLive(ctx context.Context, w *watcher.Watcher) (map[objectKey]liveObject, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- w.Run(ctx) }()
	objs := map[objectKey]liveObject{}
	synced := false
	for ev := range w.Events() {
		switch ev.Type {
		case watcher.Upsert:
			objs[keyOf(ev.Object)] = liveObject{obj: ev.Object, resource: ev.Resource}
		case watcher.Delete:
			delete(objs, keyOf(ev.Object))
		case watcher.Synced:
			synced = true
			cancel() // a one-shot audit: the initial state is all it needs
		}
	}
	if err := <-errc; err != nil {
		return nil, fmt.Errorf("read live state: %w", err)
	}
	if !synced {
		if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
			return nil, fmt.Errorf("read live state: %w", err)
		}
		return nil, fmt.Errorf("read live state: %w", errNotSynced)
	}
	return objs, nil
}

// liveResult is what a listing read.
type liveResult struct {
	objects map[objectKey]liveObject
	err     error
}

// startLive lists what w watches in the background.
func startLive(ctx context.Context, w *watcher.Watcher) <-chan liveResult {
	out := make(chan liveResult, 1)
	go func() {
		objs, err := collectLive(ctx, w)
		out <- liveResult{objects: objs, err: err}
	}()
	return out
}

// listMore lists the resources of want with a watcher of their own, once
// the first listing is over (so that the rate limits still bound the
// audit as a whole).
func listMore(ctx context.Context, restCfg *rest.Config, opts watcher.Options, want map[schema.GroupVersionResource]bool) (map[objectKey]liveObject, error) {
	opts.Want = func(r watcher.Resource) bool { return want[r.GVR] }
	w, err := watcher.New(restCfg, opts)
	if err != nil {
		return nil, err
	}
	return collectLive(ctx, w)
}

// startDeclared reads the declared state in the background; the function
// it returns waits for the result.
func startDeclared(ctx context.Context, o declared.Options) func() (*declared.Set, error) {
	type result struct {
		set *declared.Set
		err error
	}
	done := make(chan result, 1)
	go func() {
		set, err := declared.Load(ctx, o)
		done <- result{set, err}
	}()
	return sync.OnceValues(func() (*declared.Set, error) {
		r := <-done
		return r.set, r.err
	})
}

// getAt reads one live object at another version of its resource (the
// declared one), for a like-for-like comparison.
func getAt(ctx context.Context, dyn dynamic.Interface, r watcher.Resource, version string, obj *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	gvr := r.GVR.GroupResource().WithVersion(version)
	var ri dynamic.ResourceInterface = dyn.Resource(gvr)
	if r.Namespaced {
		ri = dyn.Resource(gvr).Namespace(obj.GetNamespace())
	}
	got, err := ri.Get(ctx, obj.GetName(), metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("read %s at %s: %w", refOf(obj), gvr.GroupVersion(), err)
	}
	return got, nil
}

// kubeDryRunner runs server-side dry-run applies with the dynamic client.
type kubeDryRunner struct {
	dyn       dynamic.Interface
	resources map[objectKey]watcher.Resource // by group and kind only
}

var _ DryRunner = (*kubeDryRunner)(nil)

func (k *kubeDryRunner) DryRunApply(ctx context.Context, obj *unstructured.Unstructured, fieldManager string) (*unstructured.Unstructured, error) {
	gvk := obj.GroupVersionKind()
	r, ok := k.resources[objectKey{group: gvk.Group, kind: gvk.Kind}]
	if !ok {
		return nil, fmt.Errorf("%s is not served", gvk.GroupKind())
	}
	gvr := r.GVR.GroupResource().WithVersion(gvk.Version)
	var ri dynamic.ResourceInterface = k.dyn.Resource(gvr)
	if r.Namespaced {
		ri = k.dyn.Resource(gvr).Namespace(obj.GetNamespace())
	}
	out, err := ri.Apply(ctx, obj.GetName(), obj, metav1.ApplyOptions{
		DryRun: []string{metav1.DryRunAll}, Force: true, FieldManager: fieldManager,
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
