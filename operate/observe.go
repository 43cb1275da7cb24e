package operate

import (
	"slices"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/clusterscribe/clusterscribe/record"
	"github.com/clusterscribe/clusterscribe/watcher"
)

// observer follows a leader's run: it keeps the live objects in scope (what
// policies judge), counts them per kind, updates the metrics, and says when
// the first sync is done and when what is recorded changed.
//
// It implements record.Observer; without a recording, a watcher feeds it
// the same calls.
type observer struct {
	m *metrics
	// byCommit: a change is a commit (recording); else a change is an
	// event that changes more than status.
	byCommit bool
	changed  chan<- struct{}
	now      func() time.Time
	// health, when set, is told about the remote's outages.
	health *health

	mu      sync.Mutex
	objects map[string]*unstructured.Unstructured // key -> object (read only: shared with the informer cache)
	kinds   map[string]string                     // key -> Kind.group
	count   map[string]int                        // Kind.group -> objects
	synced  chan struct{}
}

var _ record.Observer = (*observer)(nil)

func newObserver(m *metrics, byCommit bool, changed chan<- struct{}) *observer {
	return &observer{
		m:        m,
		byCommit: byCommit,
		changed:  changed,
		now:      time.Now,
		objects:  map[string]*unstructured.Unstructured{},
		kinds:    map[string]string{},
		count:    map[string]int{},
		synced:   make(chan struct{}),
	}
}

func objectKey(r watcher.Resource, obj *unstructured.Unstructured) string {
	return strings.Join([]string{r.GVR.Group, r.GVR.Resource, obj.GetNamespace(), obj.GetName()}, "/")
}

func (o *observer) OnEvent(ev watcher.Event, kept bool) {
	switch ev.Type {
	case watcher.Upsert:
		o.m.events.WithLabelValues("upsert").Inc()
	case watcher.Delete:
		o.m.events.WithLabelValues("delete").Inc()
	default:
		return
	}
	k := objectKey(ev.Resource, ev.Object)
	kind := ev.Resource.String()
	o.mu.Lock()
	old, had := o.objects[k]
	if ev.Type == watcher.Upsert && kept {
		o.objects[k] = ev.Object
		if !had {
			o.kinds[k] = kind
			o.count[kind]++
		}
	} else if had {
		delete(o.objects, k)
		delete(o.kinds, k)
		o.count[kind]--
	}
	n := o.count[kind]
	o.mu.Unlock()
	o.m.watched.WithLabelValues(kind).Set(float64(n))
	if !o.byCommit && o.isSynced() && (had || kept) && specChanged(old, ev) {
		o.poke()
	}
}

// specChanged tells whether an event changes more than an object's status:
// a new or deleted object, a new generation, or, for kinds without
// generations, any update.
func specChanged(old *unstructured.Unstructured, ev watcher.Event) bool {
	if old == nil || ev.Type == watcher.Delete {
		return true
	}
	if g := ev.Object.GetGeneration(); g != 0 {
		return g != old.GetGeneration()
	}
	return ev.Object.GetResourceVersion() != old.GetResourceVersion()
}

func (o *observer) OnSynced() {
	o.mu.Lock()
	defer o.mu.Unlock()
	select {
	case <-o.synced:
	default:
		close(o.synced)
	}
}

func (o *observer) OnCommit(_ string, files int) {
	o.m.commits.Inc()
	o.m.committedFiles.Add(float64(files))
	if o.byCommit && o.isSynced() {
		o.poke()
	}
}

func (o *observer) OnPush(err error) {
	if err != nil {
		o.m.pushFailures.Inc()
		return
	}
	o.m.pushes.Inc()
	o.m.lastPush.Set(float64(o.now().Unix()))
}

func (o *observer) OnRemote(reachable bool) {
	v := 0.0
	if reachable {
		v = 1
	}
	o.m.remoteUp.Set(v)
	if o.health != nil {
		o.health.setRemote(reachable, o.now())
	}
}

func (o *observer) isSynced() bool { return isClosed(o.synced) }

// poke asks for an evaluation; pokes fold into one.
func (o *observer) poke() {
	select {
	case o.changed <- struct{}{}:
	default:
	}
}

// liveObjects returns the objects in scope, in a stable order.
func (o *observer) liveObjects() []*unstructured.Unstructured {
	o.mu.Lock()
	defer o.mu.Unlock()
	keys := make([]string, 0, len(o.objects))
	for k := range o.objects {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]*unstructured.Unstructured, len(keys))
	for i, k := range keys {
		out[i] = o.objects[k]
	}
	return out
}
