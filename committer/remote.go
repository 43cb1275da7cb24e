package committer

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/clusterscribe/clusterscribe/internal/gitremote"
)

// connect checks that the remote accepts pushes from these credentials,
// fetches the branch when the remote has it, and rebases local commits
// left over from an earlier run onto it.
func (c *Committer) connect(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, c.opts.RemoteTimeout)
	defer cancel()
	refs, err := c.advertise(ctx)
	if err != nil {
		return err
	}
	if _, ok := refs[c.branch.String()]; !ok {
		// Nothing to fetch: every local commit is pending.
		if err := c.repo.Storer.RemoveReference(c.tracking); err != nil {
			return fmt.Errorf("reset %s: %w", c.tracking, err)
		}
		return nil
	}
	before, err := c.refHash(c.tracking)
	if err != nil {
		return err
	}
	if err := c.fetch(ctx); err != nil {
		if !errors.Is(err, ErrRemoteUnreachable) && !errors.Is(err, ErrAuthRejected) {
			err = fmt.Errorf("%w: %w", ErrRemoteUnreachable, err)
		}
		return err
	}
	n, err := c.integrate(before)
	if err != nil {
		return err
	}
	if n > 0 {
		c.log.Info("rebased unpushed commits onto the remote", "branch", c.opts.Branch, "commits", n)
	}
	return nil
}

// advertise asks the remote's receive side for its refs, as `git push`
// does (see gitremote.ListPushRefs). This proves the remote is reachable
// and that the credentials may push.
func (c *Committer) advertise(ctx context.Context) (map[string]plumbing.Hash, error) {
	a, err := c.creds.Access()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidOptions, err)
	}
	return gitremote.ListPushRefs(ctx, a)
}

// fetch updates the remote-tracking ref of the branch. A branch that
// vanished from the remote drops the tracking ref.
func (c *Committer) fetch(ctx context.Context) error {
	a, err := c.creds.Access()
	if err != nil {
		return err
	}
	err = gitremote.Fetch(ctx, a, c.repo, gitremote.FetchOptions{RefSpecs: []config.RefSpec{trackingRefSpec(c.opts.Branch)}})
	if errors.Is(err, gitremote.ErrRefNotFound) {
		if err := c.repo.Storer.RemoveReference(c.tracking); err != nil {
			return fmt.Errorf("reset %s: %w", c.tracking, err)
		}
		return nil
	}
	return err
}

// pushOnce sends the branch without force; the remote refuses anything but
// a fast-forward. When the remote is known to be at expect, a remote that
// moved elsewhere is refused before go-git walks the local history to
// prove the push is not a fast-forward.
func (c *Committer) pushOnce(ctx context.Context, expect plumbing.Hash) error {
	a, err := c.creds.Access()
	if err != nil {
		return err
	}
	spec := config.RefSpec(c.branch.String() + ":" + c.branch.String())
	var require []config.RefSpec
	if !expect.IsZero() {
		require = []config.RefSpec{config.RefSpec(expect.String() + ":" + c.branch.String())}
	}
	return gitremote.Push(ctx, a, c.repo, gitremote.PushOptions{RefSpecs: []config.RefSpec{spec}, Require: require})
}
