package gitremote

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/plumbing/transport/client"
)

// RemoteName is the remote every fetch and push goes through: a clone's
// "origin", always at the Access's URL.
const RemoteName = git.DefaultRemoteName

// FetchOptions say what Fetch brings in.
type FetchOptions struct {
	// RefSpecs map the remote's refs to local ones.
	RefSpecs []config.RefSpec
	// Force updates local refs that do not fast-forward.
	Force bool
	// AllTags fetches every tag; by default none.
	AllTags bool
}

// Fetch updates repo's refs from a's remote through RemoteName. It returns
// nil when everything is up to date, and an Error of kind ErrRefNotFound
// when no ref matches the refspecs (or the remote is empty).
func Fetch(ctx context.Context, a *Access, repo *git.Repository, o FetchOptions) error {
	tags := git.NoTags
	if o.AllTags {
		tags = git.AllTags
	}
	err := repo.FetchContext(a.transportCtx(ctx), &git.FetchOptions{
		RemoteName: RemoteName, RemoteURL: a.URL, RefSpecs: o.RefSpecs,
		Auth: a.Method, CABundle: a.CABundle, Force: o.Force, Tags: tags,
	})
	if err == nil || errors.Is(err, git.NoErrAlreadyUpToDate) {
		return nil
	}
	return a.fail("fetch", err)
}

// PushOptions say what Push sends and on which condition.
type PushOptions struct {
	// RefSpecs map local refs to the remote's (":ref" deletes ref).
	RefSpecs []config.RefSpec
	// Require lists "hash:ref" specs: the push only happens while each
	// remote ref is at that commit.
	Require []config.RefSpec
	// Lease forces the update of its ref while the remote ref is still at
	// its Hash (force with lease). The remote-tracking ref of that branch
	// is set to the Hash first, as go-git reads the lease there.
	Lease *git.ForceWithLease
}

// Push sends repo's refs to a's remote through RemoteName. It returns nil
// when the remote was up to date already; a refused update is an Error of
// kind ErrRefMoved (not a fast-forward, a broken lease or requirement) or
// ErrRefused (the remote's own refusal).
func Push(ctx context.Context, a *Access, repo *git.Repository, o PushOptions) error {
	if o.Lease != nil && !o.Lease.Hash.IsZero() {
		tracking := plumbing.NewRemoteReferenceName(RemoteName, o.Lease.RefName.Short())
		if err := repo.Storer.SetReference(plumbing.NewHashReference(tracking, o.Lease.Hash)); err != nil {
			return fmt.Errorf("push: set %s: %w", tracking, err)
		}
	}
	err := repo.PushContext(a.transportCtx(ctx), &git.PushOptions{
		RemoteName: RemoteName, RemoteURL: a.URL, RefSpecs: o.RefSpecs,
		Auth: a.Method, CABundle: a.CABundle, RequireRemoteRefs: o.Require, ForceWithLease: o.Lease,
	})
	if err == nil || errors.Is(err, git.NoErrAlreadyUpToDate) {
		return nil
	}
	return a.fail("push", err)
}

// ListPushRefs asks the remote's receive side for its refs, as `git push`
// does, and returns each ref's commit by full name (none for an empty
// remote). It proves the remote is reachable and that the credentials may
// push.
func ListPushRefs(ctx context.Context, a *Access) (map[string]plumbing.Hash, error) {
	ep, err := transport.NewEndpoint(a.URL)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrInvalidURL, Scrub(a.URL))
	}
	ep.CaBundle = a.CABundle
	tr, err := client.NewClient(ep)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidURL, a.Scrub(err))
	}
	sess, err := tr.NewReceivePackSession(ep, a.Method)
	if err != nil {
		return nil, a.failAs("list refs", unreachableUnless(err), err)
	}
	ar, err := sess.AdvertisedReferencesContext(ctx)
	_ = sess.Close()
	if errors.Is(err, transport.ErrEmptyRemoteRepository) {
		return map[string]plumbing.Hash{}, nil
	}
	if err != nil {
		return nil, a.failAs("list refs", unreachableUnless(err), err)
	}
	return ar.References, nil
}

// unreachableUnless classifies a failure to open a session: rejected
// credentials, else an unreachable remote (a missing repository or an
// answer that never came included).
func unreachableUnless(err error) error {
	if errors.Is(classify(err), ErrAuthRejected) {
		return ErrAuthRejected
	}
	return ErrUnreachable
}

// transportCtx is the context a clone, fetch or push runs under. go-git's
// file transport runs git-receive-pack and git-upload-pack as child
// processes and hangs for good when its context is cancelled mid-transfer
// (it waits for the killed process's stderr, which a grandchild still
// holds). A local transfer ends on its own, so it is not cancelled; network
// transports are.
func (a *Access) transportCtx(ctx context.Context) context.Context {
	if a.protocol == "file" {
		return context.WithoutCancel(ctx)
	}
	return ctx
}
