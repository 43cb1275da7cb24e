package kube

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/client-go/rest"
)

func TestAIMD(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	a := newAIMD(100, t0)
	type step struct {
		what string
		qps  float64
		wait time.Duration // Retry-After left at that moment
	}
	var got []step
	note := func(what string, qps float64, now time.Time) {
		got = append(got, step{what, qps, a.wait(now)})
	}
	note("success at the cap stays", a.succeeded(at(time.Second)), at(time.Second))
	note("429 halves", a.throttled(at(2*time.Second), 0), at(2*time.Second))
	note("429s of the same moment count once", a.throttled(at(2500*time.Millisecond), 0), at(2500*time.Millisecond))
	note("success within a second: no step yet", a.succeeded(at(2900*time.Millisecond)), at(2900*time.Millisecond))
	note("a second of success: one step of cap/20", a.succeeded(at(3*time.Second)), at(3*time.Second))
	note("429 with Retry-After 2s after the cool-down halves and holds", a.throttled(at(3500*time.Millisecond), 2*time.Second), at(3500*time.Millisecond))
	note("Retry-After still holds while steps go on", a.succeeded(at(5*time.Second)), at(5*time.Second))
	note("two more seconds of success: two steps", a.succeeded(at(6500*time.Millisecond)), at(6500*time.Millisecond))
	note("recovery stops at the cap", a.succeeded(at(time.Minute)), at(time.Minute))
	for i := range 20 {
		a.throttled(at(2*time.Minute+time.Duration(i)*time.Second), 0)
	}
	note("never below the floor", a.qps, at(3*time.Minute))
	note("Retry-After is bounded", a.throttled(at(4*time.Minute), time.Hour), at(4*time.Minute))

	want := []step{
		{"success at the cap stays", 100, 0},
		{"429 halves", 50, 0},
		{"429s of the same moment count once", 50, 0},
		{"success within a second: no step yet", 50, 0},
		{"a second of success: one step of cap/20", 55, 0},
		{"429 with Retry-After 2s after the cool-down halves and holds", 27.5, 2 * time.Second},
		{"Retry-After still holds while steps go on", 32.5, 500 * time.Millisecond},
		{"two more seconds of success: two steps", 42.5, 0},
		{"recovery stops at the cap", 100, 0},
		{"never below the floor", 1, 0},
		{"Retry-After is bounded", 1, maxRetryAfter},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(step{})); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
}

// TestAdaptiveSeesResponses drives the limiter through the transport
// Limited installs: a 429 with Retry-After halves the rate and holds the
// next request back, a 200 does not.
func TestAdaptiveSeesResponses(t *testing.T) {
	var reject atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if reject.Load() {
			w.Header().Set("Retry-After", "1")
			w.Header().Set("X-Kubernetes-PF-PriorityLevel-UID", "pl-uid")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	cfg, limiter := Limited(&rest.Config{Host: srv.URL}, Limits{QPS: 40, Burst: 10, Adaptive: true})
	a, ok := limiter.(*Adaptive)
	if !ok || cfg.RateLimiter != limiter || cfg.QPS != 40 {
		t.Fatalf("Limited(Adaptive) gave %T at %v QPS", limiter, cfg.QPS)
	}
	tr, err := rest.TransportFor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	get := func() {
		t.Helper()
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL, nil)
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
	}
	get()
	if got := a.Throttling(); got != (Throttling{Throttled: 0, LowestQPS: 40, QPS: 40}) {
		t.Errorf("after a 200: %+v", got)
	}
	reject.Store(true)
	get()
	get()
	if got := a.Throttling(); got != (Throttling{Throttled: 2, LowestQPS: 20, QPS: 20}) || a.QPS() != 20 {
		t.Errorf("after two 429s at once: %+v, limiter at %v QPS", got, a.QPS())
	}
	if a.TryAccept() {
		t.Error("TryAccept took a token during Retry-After")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if err := a.Wait(ctx); err == nil {
		t.Error("Wait returned within Retry-After")
	}
}

func TestLimitedAdaptiveDefaults(t *testing.T) {
	cfg, limiter := Limited(&rest.Config{Host: "https://example.invalid"}, Limits{Adaptive: true})
	if cfg.QPS != DefaultAdaptiveQPS || cfg.Burst != DefaultAdaptiveBurst || limiter.QPS() != DefaultAdaptiveQPS {
		t.Errorf("adaptive defaults: QPS %v Burst %d limiter %v", cfg.QPS, cfg.Burst, limiter.QPS())
	}
}
