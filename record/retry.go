package record

import (
	"log/slog"
	"time"

	"github.com/clusterscribe/clusterscribe/committer"
)

// Log messages of commit retries.
const (
	msgCommitFailed    = "changes not committed; kept pending, retrying with backoff"
	msgCommitRecovered = "committing works again; pending changes recorded"
)

// commitRetry paces the attempts to commit changes that failed to commit:
// each consecutive failure waits longer, up to the backoff's cap, so a
// repository that cannot be written is neither hammered nor given up on.
type commitRetry struct {
	cfg  committer.Backoff
	log  *slog.Logger
	repo string
	// failures counts consecutive failed attempts.
	failures int
	// initial is set while the initial snapshot is the pending commit.
	initial bool
}

// failed logs a failed attempt and returns when to try again.
func (c *commitRetry) failed(err error, pending int) <-chan time.Time {
	delay := c.cfg.Delay(c.failures)
	c.failures++
	what := "batch"
	if c.initial {
		what = "initial snapshot"
	}
	c.log.Error(msgCommitFailed, "what", what, "repo", c.repo, "pending", pending,
		"attempt", c.failures, "retryIn", delay, "error", err)
	return time.After(delay)
}

// succeeded notes a successful commit after failures.
func (c *commitRetry) succeeded() {
	if c.failures > 0 {
		c.log.Info(msgCommitRecovered, "repo", c.repo, "failedAttempts", c.failures)
	}
	c.failures = 0
	c.initial = false
}
