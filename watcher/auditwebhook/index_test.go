package auditwebhook

import (
	"fmt"
	"net/http"
	"runtime"
	"testing"
	"time"
)

func TestIndexBounds(t *testing.T) {
	now := t0
	dropped := 0
	x := newIndex(3, time.Minute, func() time.Time { return now }, func(n int) { dropped += n })
	rec := func(name string, at time.Time) record {
		return record{key: Key{Resource: "configmaps", Namespace: "a", Name: name}, verb: "update", user: name, at: at, received: at}
	}
	x.add([]record{rec("a", now), rec("b", now), rec("a", now.Add(time.Second))})
	x.add([]record{rec("c", now.Add(2*time.Second))})
	if x.len() != 3 || dropped != 1 {
		t.Fatalf("after 4 records in an index of 3: len %d, dropped %d; want 3, 1", x.len(), dropped)
	}
	// The oldest went: a's first write. Its second is still there.
	if got := x.lookup(Query{Key: Key{Resource: "configmaps", Namespace: "a", Name: "a"}}, 0).Name(); got != "a" {
		t.Errorf("a's latest write: %q", got)
	}
	if n := len(x.byKey[Key{Resource: "configmaps", Namespace: "a", Name: "a"}]); n != 1 {
		t.Errorf("a has %d positions, want 1", n)
	}
	// Age: everything received more than a minute ago goes, uncounted.
	now = now.Add(time.Minute + 1500*time.Millisecond)
	if x.len() != 3 {
		t.Fatalf("len before expiry %d", x.len())
	}
	if got := x.lookup(Query{Key: Key{Resource: "configmaps", Namespace: "a", Name: "b"}}, 0); got != nil {
		t.Errorf("an expired record was found: %v", got)
	}
	if x.len() != 1 || dropped != 1 || len(x.byKey) != 1 {
		t.Errorf("after expiry: len %d, dropped %d, keys %d; want 1, 1, 1", x.len(), dropped, len(x.byKey))
	}
}

// TestFlood sends 10,000 events a second for two seconds, from four
// clients at once, into a receiver that keeps 5,000: it answers every
// request, holds no more than its cap, counts what it let go, and its
// memory stays bounded.
func TestFlood(t *testing.T) {
	const (
		perSecond = 10000
		seconds   = 2
		batch     = 100 // events per request, as the API server's batches
		maxEvents = 5000
	)
	r, token := startReceiver(t, Config{MaxEvents: maxEvents})
	url := "http://" + r.Addr() + Path
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)

	bodies := make([][]byte, 8)
	for i := range bodies {
		events := make([]testEvent, batch)
		for j := range events {
			events[j] = write(fmt.Sprint("user-", j%7), "patch", fmt.Sprintf("web-%d-%d", i, j), t0)
		}
		bodies[i] = eventListBody(t, events...)
	}
	requests := perSecond * seconds / batch
	tick := time.NewTicker(time.Second / time.Duration(perSecond/batch))
	defer tick.Stop()
	codes := make(chan int, requests)
	sem := make(chan struct{}, 4)
	for i := range requests {
		<-tick.C
		sem <- struct{}{}
		go func() {
			defer func() { <-sem }()
			codes <- post(t, http.DefaultClient, url, token, bodies[i%len(bodies)])
		}()
	}
	for range requests {
		if c := <-codes; c != http.StatusOK {
			t.Fatalf("a request of the flood was answered %d", c)
		}
	}
	total := float64(requests * batch)
	eventually(t, "every event indexed or dropped", func() bool {
		kept := float64(r.Indexed())
		full := metric(t, r, MetricDropped+`{reason="full"}`)
		queue := metric(t, r, MetricDropped+`{reason="queue"}`)
		return kept+full+queue == total
	})
	if n := r.Indexed(); n > maxEvents {
		t.Errorf("the index holds %d events, over its cap of %d", n, maxEvents)
	}
	if got := metric(t, r, MetricReceived); got != total {
		t.Errorf("%s = %v, want %v", MetricReceived, got, total)
	}
	if full := metric(t, r, MetricDropped+`{reason="full"}`) + metric(t, r, MetricDropped+`{reason="queue"}`); full < total-maxEvents {
		t.Errorf("dropped %v, want at least %v", full, total-maxEvents)
	}
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	// 5,000 small records; the request bodies are garbage once answered.
	const bound = 64 << 20
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > bound {
		t.Errorf("heap grew by %d MiB during the flood, bound %d MiB", grown>>20, bound>>20)
	}
}
