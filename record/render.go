package record

import (
	"fmt"
	"runtime"
	"sync"

	"github.com/clusterscribe/clusterscribe/committer"
	"github.com/clusterscribe/clusterscribe/serializer"
	"github.com/clusterscribe/clusterscribe/watcher"
)

// rendered is an object's file and who last changed it, or why it could
// not be rendered. The decoded object itself is not kept: a whole snapshot
// of them would be held at once.
type rendered struct {
	data        []byte
	unchanged   bool // the branch tip already holds data (then dropped)
	attribution *watcher.Attribution
	err         error
}

func (r *recorder) render(e entry) *rendered {
	obj, err := e.object()
	if err != nil {
		return &rendered{err: fmt.Errorf("%s: %w", label(e), err)}
	}
	data, err := r.ser.Render(obj)
	if err != nil {
		return &rendered{err: fmt.Errorf("%s: %w", label(e), err)}
	}
	return &rendered{data: data, attribution: watcher.LastChange(obj)}
}

// prerenderMin is the batch size from which rendering is spread over the
// CPUs: an initial snapshot or a burst, not the usual trickle.
const prerenderMin = 64

// prerender decodes and renders the live objects at paths on every CPU.
// Rendering only reads the state (and the serializer keeps none), so it
// runs while the run loop waits. Secrets are left out when encrypted:
// whether one needs encrypting again is decided first, one by one.
func (r *recorder) prerender(paths []string) map[string]*rendered {
	var todo []string
	for _, p := range paths {
		if e, ok := r.state.live[p]; ok && (!r.encryptSecrets || !serializer.IsSecret(e.res.GroupKind())) {
			todo = append(todo, p)
		}
	}
	workers := min(runtime.GOMAXPROCS(0), len(todo)/prerenderMin)
	if workers < 2 {
		return nil
	}
	out := make([]*rendered, len(todo))
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				out[i] = r.render(r.state.live[todo[i]])
				if h, ok := r.state.known[todo[i]]; ok && out[i].data != nil && committer.BlobHash(out[i].data) == h {
					out[i].data, out[i].unchanged = nil, true
				}
			}
		})
	}
	for i := range todo {
		next <- i
	}
	close(next)
	wg.Wait()
	m := make(map[string]*rendered, len(todo))
	for i, p := range todo {
		m[p] = out[i]
	}
	return m
}
