package kube

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
	flowcontrolv1 "k8s.io/api/flowcontrol/v1"
	"k8s.io/client-go/util/flowcontrol"
)

// The adaptive limit when none is given: its cap and burst. A client
// starts at the cap and slows down only when the API server says so.
const (
	DefaultAdaptiveQPS   = 500
	DefaultAdaptiveBurst = 100
)

// Adaptive is a client-side rate limiter that follows the API server: it
// starts at its cap, halves its rate when the server answers 429 Too Many
// Requests (API Priority and Fairness rejecting a request, or the
// max-in-flight filter), holds every request back for the Retry-After the
// server sends, and climbs back by a twentieth of the cap per second of
// success. Below the cap it sends requests one by one, evenly spaced (a
// burst of one); the burst is back with the cap. client-go retries a 429 itself (up to 10 times, after
// Retry-After); this limiter makes the other requests slow down too.
//
// It is a flowcontrol.RateLimiter; the transport Limited installs feeds it
// the responses.
type Adaptive struct {
	lim   *rate.Limiter
	burst int
	log   *slog.Logger
	now   func() time.Time

	mu        sync.Mutex
	aimd      *aimd
	throttled int
	lowest    float64
}

var _ flowcontrol.RateLimiter = (*Adaptive)(nil)

// NewAdaptive returns an adaptive limiter capped at qps with burst; log
// receives its decreases and recoveries.
func NewAdaptive(qps float32, burst int, log *slog.Logger) *Adaptive {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := time.Now
	return &Adaptive{
		lim:   rate.NewLimiter(rate.Limit(qps), burst),
		burst: burst,
		log:   log,
		now:   now,
		aimd:  newAIMD(float64(qps), now()),
	}
}

// Throttling is what an Adaptive limiter went through.
type Throttling struct {
	// Throttled counts the 429 responses seen.
	Throttled int
	// LowestQPS is the lowest rate the limiter fell to; QPS is the rate now.
	LowestQPS, QPS float64
}

// Throttling returns the 429s seen so far and the rates.
func (l *Adaptive) Throttling() Throttling {
	l.mu.Lock()
	defer l.mu.Unlock()
	lowest := l.lowest
	if l.throttled == 0 {
		lowest = l.aimd.qps
	}
	return Throttling{Throttled: l.throttled, LowestQPS: lowest, QPS: l.aimd.qps}
}

// Wait returns when a request may be sent, or the context's error.
func (l *Adaptive) Wait(ctx context.Context) error {
	for {
		l.mu.Lock()
		d := l.aimd.wait(l.now())
		l.mu.Unlock()
		if d <= 0 {
			break
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	return l.lim.Wait(ctx)
}

// Accept returns when a request may be sent.
func (l *Adaptive) Accept() { _ = l.Wait(context.Background()) }

// TryAccept takes a token when one is there now.
func (l *Adaptive) TryAccept() bool {
	l.mu.Lock()
	held := l.aimd.wait(l.now()) > 0
	l.mu.Unlock()
	return !held && l.lim.Allow()
}

// QPS returns the current rate.
func (l *Adaptive) QPS() float32 { return float32(l.lim.Limit()) }

// Stop does nothing: the limiter holds no goroutine.
func (l *Adaptive) Stop() {}

// observe takes the server's answer to one request.
func (l *Adaptive) observe(resp *http.Response) {
	l.mu.Lock()
	defer l.mu.Unlock()
	before := l.aimd.qps
	var qps float64
	if resp.StatusCode == http.StatusTooManyRequests {
		l.throttled++
		retryAfter := retryAfter(resp)
		qps = l.aimd.throttled(l.now(), retryAfter)
		if l.lowest == 0 || qps < l.lowest {
			l.lowest = qps
		}
		if qps < before {
			l.log.Info("the API server throttles requests: slowing down", "qps", qps, "retryAfter", retryAfter,
				"priorityLevelUID", resp.Header.Get(flowcontrolv1.ResponseHeaderMatchedPriorityLevelConfigurationUID))
		}
	} else {
		qps = l.aimd.succeeded(l.now())
		if qps > before && qps == l.aimd.max {
			l.log.Info("the API server keeps up again: back at the rate limit", "qps", qps)
		}
	}
	if qps != before {
		// Below the cap, requests go one by one, evenly spaced: a burst
		// after a Retry-After pause would be rejected at once again.
		burst := 1
		if qps >= l.aimd.max {
			burst = l.burst
		}
		l.lim.SetLimit(rate.Limit(qps))
		l.lim.SetBurst(burst)
	}
}

// retryAfter reads Retry-After in seconds, as client-go does.
func retryAfter(resp *http.Response) time.Duration {
	s, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if err != nil || s < 0 {
		return 0
	}
	return time.Duration(s) * time.Second
}

// observer feeds an Adaptive limiter every response.
type observer struct {
	next http.RoundTripper
	l    *Adaptive
}

func (o observer) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := o.next.RoundTrip(req)
	if err == nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode < http.StatusInternalServerError) {
		o.l.observe(resp)
	}
	return resp, err
}
