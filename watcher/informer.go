package watcher

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
)

// informer is one resource's shared informer with its own lifetime, so that
// a resource removed with its CRD can be stopped alone.
type informer struct {
	resource     Resource
	informer     cache.SharedIndexInformer
	registration cache.ResourceEventHandlerRegistration
	ctx          context.Context
	cancel       context.CancelFunc
	done         chan struct{}
}

func (w *Watcher) newInformer(r Resource, send func(context.Context, Event)) *informer {
	client := w.dynamic.Resource(r.GVR)
	pageSize := w.opts.PageSize
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
			if opts.Limit > 0 {
				opts.Limit = pageSize
			}
			return client.List(ctx, opts)
		},
		WatchFuncWithContext: func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
			return client.Watch(ctx, opts)
		},
	}
	si := cache.NewSharedIndexInformerWithOptions(lw, &unstructured.Unstructured{}, cache.SharedIndexInformerOptions{
		ObjectDescription: r.String(),
	})
	keepFieldSets := w.opts.KeepFieldSets
	_ = si.SetTransform(func(obj any) (any, error) {
		if u, ok := obj.(*unstructured.Unstructured); ok && !keepFieldSets {
			trimManagedFields(u)
		}
		return obj, nil
	})
	_ = si.SetWatchErrorHandlerWithContext(func(_ context.Context, _ *cache.Reflector, err error) {
		w.log.Debug("watch interrupted, resuming", "resource", r.String(), "error", err)
	})
	inf := &informer{resource: r, informer: si, done: make(chan struct{})}
	inf.ctx, inf.cancel = context.WithCancel(context.Background())
	ctx := inf.ctx
	reg, _ := si.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) {
			if u, ok := obj.(*unstructured.Unstructured); ok {
				send(ctx, Event{Type: Upsert, Resource: r, Object: u})
			}
		},
		UpdateFunc: func(oldObj, newObj any) {
			o, ok1 := oldObj.(*unstructured.Unstructured)
			n, ok2 := newObj.(*unstructured.Unstructured)
			if !ok1 || !ok2 || o.GetResourceVersion() == n.GetResourceVersion() {
				return // a resync: nothing changed
			}
			send(ctx, Event{Type: Upsert, Resource: r, Object: n})
		},
		DeleteFunc: func(obj any) {
			if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = tomb.Obj
			}
			if u, ok := obj.(*unstructured.Unstructured); ok {
				send(ctx, Event{Type: Delete, Resource: r, Object: u})
			}
		},
	})
	inf.registration = reg
	return inf
}

func (inf *informer) run(parent context.Context) {
	defer close(inf.done)
	stop := context.AfterFunc(parent, inf.cancel)
	defer stop()
	inf.informer.RunWithContext(inf.ctx)
}

// waitDelivered blocks until the handler has received every object of the
// initial list.
func (inf *informer) waitDelivered(ctx context.Context) {
	cache.WaitForCacheSync(ctx.Done(), inf.registration.HasSynced)
}

// stop ends the informer and reports every object it still holds as
// deleted: the resource is gone, so are its objects.
func (inf *informer) stop(ctx context.Context, send func(context.Context, Event)) {
	inf.cancel()
	<-inf.done
	for _, obj := range inf.informer.GetStore().List() {
		if u, ok := obj.(*unstructured.Unstructured); ok {
			send(ctx, Event{Type: Delete, Resource: inf.resource, Object: u})
		}
	}
}
