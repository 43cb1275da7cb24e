package watcher

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/flowcontrol"

	"github.com/clusterscribe/clusterscribe/internal/kube"
)

// EventType says what happened to an object.
type EventType int

const (
	// Upsert is an object seen for the first time or changed.
	Upsert EventType = iota + 1
	// Delete is an object that is gone.
	Delete
	// Synced is sent once, after the initial list of every kind watched at
	// start has been delivered: from then on the stream is incremental.
	Synced
)

// Event is one item of the watcher's stream.
type Event struct {
	Type     EventType
	Resource Resource
	// Object is the event's own decoded copy: the consumer may keep it.
	Object *unstructured.Unstructured
	// Raw is the object's JSON, shared with the watcher's cache: never
	// modify it. Keeping Raw instead of Object takes a fraction of the
	// memory; Decode turns it back into an object.
	Raw []byte
	// Received is when the watcher got the change from the API server; the
	// event may wait in the stream's buffer while its consumer is busy.
	Received time.Time
}

// Options configure a Watcher. Zero values take the defaults. The tagged
// ones are options a user gives (see package internal/option and
// DefaultOptions).
type Options struct {
	// QPS and Burst bound every request the watcher makes, together.
	QPS   float32 `json:"qps" help:"client-side limit of API requests per second (watches, lists, audits)"`
	Burst int     `json:"burst" help:"client-side burst of API requests"`
	// PageSize is the page size of the initial lists.
	PageSize int64 `json:"page-size" help:"objects per page of the initial lists"`
	// Want decides which resources get an informer; nil watches all.
	Want func(Resource) bool
	// KeepFieldSets keeps managedFields whole (audit needs them); by default
	// only manager, operation and time of each entry are kept.
	KeepFieldSets bool
	// Buffer is the capacity of the event channel.
	Buffer int
	Logger *slog.Logger
	// Progress, when set, hears of the initial lists: each object as it is
	// delivered (its resource and a count of 1), then one call with the
	// zero Resource once the initial sync is done. It must not block.
	Progress func(r Resource, objects int)
}

// DefaultPageSize is the LIST page size when none is given: safe for a
// large cluster. (The default rate limit is kube.DefaultQPS and
// kube.DefaultBurst.)
const DefaultPageSize = 500

// Watcher runs one informer per watched resource.
type Watcher struct {
	opts      Options
	dynamic   dynamic.Interface
	discovery discovery.DiscoveryInterface
	limiter   flowcontrol.RateLimiter
	log       *slog.Logger
	events    chan Event
	// progress is Options.Progress until the initial sync is done.
	progress atomic.Pointer[func(Resource, int)]

	mu      sync.Mutex
	running map[schema.GroupVersionResource]*informer
	// byGR maps a group-resource to the version being watched, so that a
	// CRD whose preferred version changes is switched over.
	served []Resource
}

// New returns a watcher on the cluster cfg points to. cfg is copied; its
// rate limits are replaced by a single limiter shared by every client.
func New(cfg *rest.Config, opts Options) (*Watcher, error) {
	if opts.PageSize <= 0 {
		opts.PageSize = DefaultPageSize
	}
	if opts.Buffer <= 0 {
		opts.Buffer = 1024
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Want == nil {
		opts.Want = func(Resource) bool { return true }
	}
	clients, err := kube.New(cfg, opts.Limits())
	if err != nil {
		return nil, fmt.Errorf("watcher: %w", err)
	}
	w := &Watcher{
		opts:      opts,
		dynamic:   clients.Dynamic,
		discovery: clients.Discovery,
		limiter:   clients.Limiter,
		log:       opts.Logger,
		events:    make(chan Event, opts.Buffer),
		running:   map[schema.GroupVersionResource]*informer{},
	}
	if p := opts.Progress; p != nil {
		w.progress.Store(&p)
	}
	return w, nil
}

// listed hands objects of an initial list to the progress callback.
func (w *Watcher) listed(r Resource, objects int) {
	if p := w.progress.Load(); p != nil {
		(*p)(r, objects)
	}
}

// Discover returns every resource the cluster serves (see Discover).
func (w *Watcher) Discover() ([]Resource, error) {
	return Discover(w.discovery, w.log)
}

// Events is the stream the watcher delivers into. It is closed when Run
// returns.
func (w *Watcher) Events() <-chan Event { return w.events }

// Run starts an informer for every wanted resource, sends Synced once their
// initial lists are delivered, then follows changes, including resources
// that CRDs add or remove while it runs, until ctx is done.
func (w *Watcher) Run(ctx context.Context) error {
	defer close(w.events)
	served, err := w.Discover()
	if err != nil {
		return err
	}
	w.reconcile(ctx, served)

	// Wait for the initial lists, then announce the barrier.
	w.mu.Lock()
	syncs := make([]cache.InformerSynced, 0, len(w.running))
	for _, inf := range w.running {
		syncs = append(syncs, inf.informer.HasSynced)
	}
	w.mu.Unlock()
	if !cache.WaitForCacheSync(ctx.Done(), syncs...) {
		w.stopAll()
		if ctx.Err() != nil {
			return nil
		}
		return errors.New("watcher: initial sync did not complete")
	}
	// Informer handlers deliver asynchronously; wait until every initial
	// add has been handed to the stream before the barrier goes out.
	w.mu.Lock()
	for _, inf := range w.running {
		inf.waitDelivered(ctx)
	}
	w.mu.Unlock()
	w.send(ctx, Event{Type: Synced})
	w.log.Info("initial sync done", "resources", len(syncs))
	if p := w.progress.Swap(nil); p != nil { // relists after it are not progress
		(*p)(Resource{}, 0)
	}

	crdCtx, stopCRDs := context.WithCancel(ctx)
	crdChanges, crdDone := w.watchCRDs(crdCtx)
	w.follow(ctx, crdChanges)
	stopCRDs()
	<-crdDone
	w.stopAll()
	return nil
}

// follow re-runs discovery when CRDs change (debounced: one discovery per
// burst of CRD events) and starts or stops informers accordingly.
func (w *Watcher) follow(ctx context.Context, crdChanges <-chan struct{}) {
	const debounce = 500 * time.Millisecond
	var timer <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-crdChanges:
			timer = time.After(debounce)
		case <-timer:
			timer = nil
			served, err := w.Discover()
			if err != nil {
				w.log.Warn("rediscovery after a CRD change failed; will retry on the next change", "error", err)
				continue
			}
			w.reconcile(ctx, served)
		}
	}
}

func (w *Watcher) send(ctx context.Context, ev Event) {
	select {
	case w.events <- ev:
	case <-ctx.Done():
	}
}

// Served returns the resources the last discovery found.
func (w *Watcher) Served() []Resource {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]Resource(nil), w.served...)
}

// Watched returns the resources with a running informer.
func (w *Watcher) Watched() []Resource {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]Resource, 0, len(w.running))
	for _, inf := range w.running {
		out = append(out, inf.resource)
	}
	return out
}

// reconcile starts informers for wanted resources that have none and stops
// those whose resource is no longer served.
func (w *Watcher) reconcile(ctx context.Context, served []Resource) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.served = served
	want := map[schema.GroupVersionResource]Resource{}
	for _, r := range served {
		if w.opts.Want(r) {
			want[r.GVR] = r
		}
	}
	for gvr, inf := range w.running {
		if _, ok := want[gvr]; !ok {
			w.log.Info("resource no longer served, stop watching", "resource", inf.resource.String(), "version", gvr.Version)
			inf.stop(ctx, w.send)
			delete(w.running, gvr)
		}
	}
	for gvr, r := range want {
		if _, ok := w.running[gvr]; ok {
			continue
		}
		inf := w.newInformer(r, w.send)
		w.running[gvr] = inf
		go inf.run(ctx)
		w.log.Debug("watching", "resource", r.String(), "version", gvr.Version)
	}
}

// stopAll stops every informer and waits until they have.
func (w *Watcher) stopAll() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, inf := range w.running {
		inf.cancel()
	}
	for gvr, inf := range w.running {
		<-inf.done
		delete(w.running, gvr)
	}
}
