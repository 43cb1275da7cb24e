package committer

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/plumbing/transport/client"

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
		return fmt.Errorf("%w: fetch: %w", ErrRemoteUnreachable, err)
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

// advertise opens the remote's receive-pack service, as `git push` does,
// and returns the advertised refs. This proves the remote is reachable and
// that the credentials may push.
func (c *Committer) advertise(ctx context.Context) (map[string]plumbing.Hash, error) {
	ep, err := transport.NewEndpoint(c.remote.URL)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrInvalidURL, gitremote.Scrub(c.remote.URL))
	}
	ep.CaBundle = c.creds.CABundle()
	tr, err := client.NewClient(ep)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidURL, err)
	}
	auth, err := c.creds.Method()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidOptions, err)
	}
	secrets := c.creds.Secrets(auth)
	sess, err := tr.NewReceivePackSession(ep, auth)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", classifyRemoteErr(err), gitremote.Redact(err, secrets...))
	}
	ar, err := sess.AdvertisedReferencesContext(ctx)
	_ = sess.Close()
	if errors.Is(err, transport.ErrEmptyRemoteRepository) {
		return map[string]plumbing.Hash{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", classifyRemoteErr(err), gitremote.Redact(err, secrets...))
	}
	return ar.References, nil
}

// classifyRemoteErr tells rejected credentials from everything else.
func classifyRemoteErr(err error) error {
	switch {
	case errors.Is(err, transport.ErrAuthenticationRequired),
		errors.Is(err, transport.ErrAuthorizationFailed),
		errors.Is(err, transport.ErrInvalidAuthMethod),
		strings.Contains(err.Error(), "unable to authenticate"):
		return ErrAuthRejected
	}
	return ErrRemoteUnreachable
}

// fetch updates the remote-tracking ref of the branch. A branch that
// vanished from the remote drops the tracking ref.
func (c *Committer) fetch(ctx context.Context) error {
	rem, err := c.repo.Remote(remoteName)
	if err != nil {
		return fmt.Errorf("read remote: %w", err)
	}
	auth, err := c.creds.Method()
	if err != nil {
		return err
	}
	err = rem.FetchContext(c.transportCtx(ctx), &git.FetchOptions{
		RemoteName: remoteName,
		RemoteURL:  c.remote.URL,
		RefSpecs:   []config.RefSpec{trackingRefSpec(c.opts.Branch)},
		Auth:       auth,
		CABundle:   c.creds.CABundle(),
		Tags:       git.NoTags,
	})
	switch {
	case err == nil, errors.Is(err, git.NoErrAlreadyUpToDate):
		return nil
	case errors.Is(err, git.NoMatchingRefSpecError{}), errors.Is(err, transport.ErrEmptyRemoteRepository):
		if err := c.repo.Storer.RemoveReference(c.tracking); err != nil {
			return fmt.Errorf("reset %s: %w", c.tracking, err)
		}
		return nil
	}
	return gitremote.Redact(err, c.creds.Secrets(auth)...)
}

// pushOnce sends the branch without force; the remote refuses anything but
// a fast-forward. When the remote is known to be at expect, a remote that
// moved elsewhere is refused before go-git walks the local history to
// prove the push is not a fast-forward.
func (c *Committer) pushOnce(ctx context.Context, expect plumbing.Hash) error {
	rem, err := c.repo.Remote(remoteName)
	if err != nil {
		return fmt.Errorf("read remote: %w", err)
	}
	auth, err := c.creds.Method()
	if err != nil {
		return err
	}
	spec := config.RefSpec(c.branch.String() + ":" + c.branch.String())
	var require []config.RefSpec
	if !expect.IsZero() {
		require = []config.RefSpec{config.RefSpec(expect.String() + ":" + c.branch.String())}
	}
	err = rem.PushContext(c.transportCtx(ctx), &git.PushOptions{
		RemoteName:        remoteName,
		RemoteURL:         c.remote.URL,
		RefSpecs:          []config.RefSpec{spec},
		Auth:              auth,
		CABundle:          c.creds.CABundle(),
		RequireRemoteRefs: require,
	})
	if err == nil || errors.Is(err, git.NoErrAlreadyUpToDate) {
		return nil
	}
	return gitremote.Redact(err, c.creds.Secrets(auth)...)
}

// transportCtx is the context a fetch or push runs under. go-git's file
// transport runs git-receive-pack and git-upload-pack as child processes and
// hangs for good when its context is cancelled mid-transfer (it waits for
// the killed process's stderr, which a grandchild still holds). A local
// transfer ends on its own, so it is not cancelled; network transports are.
func (c *Committer) transportCtx(ctx context.Context) context.Context {
	if c.remote.Protocol == "file" {
		return context.WithoutCancel(ctx)
	}
	return ctx
}
