package watcher

import (
	"context"
	"time"

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
		u, ok := obj.(*unstructured.Unstructured)
		if !ok {
			return obj, nil
		}
		if !keepFieldSets {
			trimManagedFields(u)
		}
		c, err := compactOf(u)
		if err != nil {
			w.log.Warn("object cached decoded", "resource", r.String(), "error", err)
			return u, nil
		}
		return c, nil
	})
	_ = si.SetWatchErrorHandlerWithContext(func(_ context.Context, _ *cache.Reflector, err error) {
		w.log.Debug("watch interrupted, resuming", "resource", r.String(), "error", err)
	})
	inf := &informer{resource: r, informer: si, done: make(chan struct{})}
	inf.ctx, inf.cancel = context.WithCancel(context.Background())
	ctx := inf.ctx
	deliver := func(typ EventType, obj any) {
		u, raw, err := fromCache(obj)
		if err != nil {
			w.log.Error("object not delivered", "resource", r.String(), "error", err)
			return
		}
		send(ctx, Event{Type: typ, Resource: r, Object: u, Raw: raw, Received: time.Now()})
	}
	reg, _ := si.AddEventHandler(cache.ResourceEventHandlerDetailedFuncs{
		AddFunc: func(obj any, isInInitialList bool) {
			deliver(Upsert, obj)
			if isInInitialList {
				w.listed(r, 1)
			}
		},
		UpdateFunc: func(oldObj, newObj any) {
			if resourceVersionOf(oldObj) == resourceVersionOf(newObj) {
				return // a resync: nothing changed
			}
			deliver(Upsert, newObj)
		},
		DeleteFunc: func(obj any) { deliver(Delete, obj) },
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
		if u, raw, err := fromCache(obj); err == nil {
			send(ctx, Event{Type: Delete, Resource: inf.resource, Object: u, Raw: raw, Received: time.Now()})
		}
	}
}
