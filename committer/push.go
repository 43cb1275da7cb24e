package committer

import (
	"context"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"
)

// maxPushRounds bounds how often one Push rebases onto a remote that keeps
// moving before it reports ErrPushFailed.
const maxPushRounds = 8

// Push sends the branch to the remote; without a remote it does nothing.
// It never force-pushes. When the remote has moved on (another recorder
// pushed), Push fetches, rebases the local commits onto the remote tip (see
// replay) and tries again. Any other failure returns ErrPushFailed wrapping
// the cause; the commits stay queued and the next Push sends them.
func (c *Committer) Push(ctx context.Context) error {
	if c.remote == nil {
		return nil
	}
	if err := c.lock(ctx); err != nil {
		return fmt.Errorf("%w: %w", ErrPushFailed, err)
	}
	defer c.unlock()
	for range maxPushRounds {
		done, err := c.pushRound(ctx)
		if done || err != nil {
			return err
		}
	}
	return fmt.Errorf("%w: the remote branch kept moving after %d rebases", ErrPushFailed, maxPushRounds)
}

// pushRound makes one push attempt and, when the remote moved, rebases.
// It reports done when the remote has the branch tip.
func (c *Committer) pushRound(ctx context.Context) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.RemoteTimeout)
	defer cancel()
	local, err := c.refHash(c.branch)
	if err != nil {
		return false, err
	}
	before, err := c.refHash(c.tracking)
	if err != nil {
		return false, err
	}
	if local.IsZero() || local == before {
		return true, nil
	}
	pushErr := c.pushOnce(ctx, before)
	if pushErr == nil {
		c.contacted(ctx, nil)
		// go-git may already have moved the tracking ref; set it regardless.
		if err := c.storeRef(c.tracking, local, plumbing.ZeroHash, false); err != nil {
			return false, fmt.Errorf("update %s: %w", c.tracking, err)
		}
		c.log.Info("pushed", "branch", c.opts.Branch, "commit", local.String())
		return true, nil
	}
	// Rejected because the remote moved, or failed? Fetch to tell.
	if err := c.fetch(ctx); err != nil {
		err = fmt.Errorf("%w: %w (fetch: %w)", ErrPushFailed, pushErr, err)
		c.contacted(ctx, err)
		return false, err
	}
	remote, err := c.refHash(c.tracking)
	if err != nil {
		return false, err
	}
	if remote == local {
		// The push landed but its report got lost.
		c.contacted(ctx, nil)
		return true, nil
	}
	_, base, err := c.localCommits(local, remote, before)
	if err != nil {
		return false, err
	}
	if base == remote {
		// The remote did not move (or lacks the branch): a real failure.
		err := fmt.Errorf("%w: %w", ErrPushFailed, pushErr)
		c.contacted(ctx, err)
		return false, err
	}
	c.contacted(ctx, nil)
	n, err := c.integrate(before)
	if err != nil {
		return false, fmt.Errorf("%w: %w", ErrPushFailed, err)
	}
	if after, err := c.refHash(c.branch); err == nil {
		if err := c.moveToCommit(ctx, local, after); err != nil {
			return false, fmt.Errorf("%w: %w", ErrWorktree, err)
		}
	}
	c.log.Info("remote moved, rebased local commits", "branch", c.opts.Branch, "commits", n, "onto", remote.String())
	return false, nil
}

// Pending counts the local commits the remote does not have yet; always 0
// without a remote.
func (c *Committer) Pending() (int, error) {
	if c.remote == nil {
		return 0, nil
	}
	c.sem <- struct{}{}
	defer c.unlock()
	local, err := c.refHash(c.branch)
	if err != nil || local.IsZero() {
		return 0, err
	}
	remote, err := c.refHash(c.tracking)
	if err != nil {
		return 0, err
	}
	mine, _, err := c.localCommits(local, remote, remote)
	if err != nil {
		return 0, fmt.Errorf("pending: %w", err)
	}
	return len(mine), nil
}
