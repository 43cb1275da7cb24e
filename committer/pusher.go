package committer

import (
	"context"
	"math"
	"math/rand/v2"
	"time"
)

// Notify asks RunPusher to push soon. It never blocks; notifications that
// arrive while a push is waiting or running fold into one.
func (c *Committer) Notify() {
	select {
	case c.notify <- struct{}{}:
	default:
	}
}

// RunPusher pushes at start (to send commits left from an earlier run) and
// then whenever Notify is called, until ctx is done. A failed push is
// retried with PushBackoff; commits made meanwhile queue locally and go out,
// in order, with the next successful push. Notifications during a backoff
// wait do not cut it short, so a remote that is down is not hammered.
func (c *Committer) RunPusher(ctx context.Context) {
	attempt := 0
	for {
		select {
		case <-c.notify:
		default:
		}
		err := c.Push(ctx)
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			attempt = 0
			select {
			case <-ctx.Done():
				return
			case <-c.notify:
			}
			continue
		}
		delay := c.opts.PushBackoff.delay(attempt, rand.Float64())
		attempt++
		c.log.Warn("push failed, will retry", "branch", c.opts.Branch, "attempt", attempt, "retry_in", delay, "err", err)
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// delay is the wait after the attempt-th consecutive failure (from 0). u in
// [0, 1) picks the jitter.
func (b Backoff) delay(attempt int, u float64) time.Duration {
	d := float64(b.Initial) * math.Pow(b.Factor, float64(attempt))
	if d > float64(b.Max) || math.IsInf(d, 0) || math.IsNaN(d) {
		d = float64(b.Max)
	}
	d *= 1 + b.Jitter*(2*u-1)
	if d > float64(b.Max) {
		d = float64(b.Max)
	}
	return time.Duration(d)
}
