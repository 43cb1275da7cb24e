package kube

import (
	"time"
)

// The adaptive policy: how fast the rate falls on a 429 and climbs back.
const (
	// aimdDecrease multiplies the rate on a 429.
	aimdDecrease = 0.5
	// aimdCoolDown is how long after a decrease the next 429 is taken as
	// an answer to the rate that was already halved: the requests in
	// flight when the server pushed back are answered all at once.
	aimdCoolDown = time.Second
	// aimdSteps is how many additive steps climb from nothing to the cap:
	// one step per aimdStepEvery of success, so the rate is back at the
	// cap 10 s after a halving.
	aimdSteps     = 20
	aimdStepEvery = time.Second
	// aimdMinQPS is the floor: a restore never stops altogether.
	aimdMinQPS = 1
	// maxRetryAfter bounds how long one Retry-After pauses every request.
	maxRetryAfter = time.Minute
)

// aimd is the pure logic of the adaptive limit: additive increase,
// multiplicative decrease, and Retry-After, as functions of the time. It
// is not safe for concurrent use; Adaptive locks around it.
type aimd struct {
	max       float64   // the cap, never exceeded
	qps       float64   // the current rate
	decreased time.Time // last decrease
	changed   time.Time // last decrease or increase
	until     time.Time // no request before this (Retry-After)
}

func newAIMD(maxQPS float64, now time.Time) *aimd {
	return &aimd{max: maxQPS, qps: maxQPS, changed: now}
}

// throttled takes a 429 answered at now, with the Retry-After the server
// sent (zero when none), and returns the new rate. The rate halves at most
// once per aimdCoolDown; Retry-After always holds every request back.
func (a *aimd) throttled(now time.Time, retryAfter time.Duration) float64 {
	if retryAfter > 0 {
		if until := now.Add(min(retryAfter, maxRetryAfter)); until.After(a.until) {
			a.until = until
		}
	}
	if !a.decreased.IsZero() && now.Sub(a.decreased) < aimdCoolDown {
		return a.qps
	}
	a.qps = max(a.qps*aimdDecrease, aimdMinQPS)
	a.decreased, a.changed = now, now
	return a.qps
}

// succeeded takes a request the server served at now and returns the new
// rate: one step up per aimdStepEvery since the last change, up to the cap.
func (a *aimd) succeeded(now time.Time) float64 {
	if a.qps >= a.max {
		return a.qps
	}
	steps := int(now.Sub(a.changed) / aimdStepEvery)
	if steps <= 0 {
		return a.qps
	}
	a.qps = min(a.qps+float64(steps)*a.max/aimdSteps, a.max)
	a.changed = a.changed.Add(time.Duration(steps) * aimdStepEvery)
	return a.qps
}

// wait is how long a request sent at now must wait for Retry-After.
func (a *aimd) wait(now time.Time) time.Duration {
	return max(a.until.Sub(now), 0)
}
