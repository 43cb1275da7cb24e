package committer

import (
	"math/rand/v2"
	"time"
)

// Delay is the wait after the attempt-th consecutive failure (counted from
// 0): Initial grown by Factor per attempt, capped at Max, with Jitter. Zero
// fields take their defaults.
func (b Backoff) Delay(attempt int) time.Duration {
	return b.withDefaults().delay(attempt, rand.Float64())
}

// Validate reports a Backoff that cannot work (negative durations, Max
// below Initial, Factor below 1, Jitter outside [0, 1]), defaults filled
// in first.
func (b Backoff) Validate() error {
	return b.withDefaults().validate()
}
