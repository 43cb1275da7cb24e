package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/clusterscribe/clusterscribe/internal/gitremote"
)

// Push sends h as branch name, which must be under the prefix. With a zero
// lease the branch must not exist on the remote yet; otherwise the remote
// branch must still be at lease, and is replaced (force with lease).
func (r *Repo) Push(ctx context.Context, name string, h, lease plumbing.Hash) error {
	if r.IsLocal() {
		return ErrLocal
	}
	if !strings.HasPrefix(name, r.prefix+"/") {
		return fmt.Errorf("push %s: only branches under %s/ are pushed", name, r.prefix)
	}
	if err := r.SetBranch(name, h); err != nil {
		return err
	}
	ref := plumbing.NewBranchReferenceName(name)
	opts := &git.PushOptions{RemoteName: remoteName, RefSpecs: []config.RefSpec{config.RefSpec(ref + ":" + ref)}}
	if !lease.IsZero() {
		// go-git checks the lease against the remote-tracking ref.
		tracking := plumbing.NewRemoteReferenceName(remoteName, name)
		if err := r.repo.Storer.SetReference(plumbing.NewHashReference(tracking, lease)); err != nil {
			return fmt.Errorf("push %s: %w", name, err)
		}
		opts.ForceWithLease = &git.ForceWithLease{RefName: ref, Hash: lease}
	}
	return r.push(ctx, name, opts)
}

// DeleteRemote deletes branch name, which must be under the prefix, from
// the remote.
func (r *Repo) DeleteRemote(ctx context.Context, name string) error {
	if r.IsLocal() {
		return ErrLocal
	}
	if !strings.HasPrefix(name, r.prefix+"/") {
		return fmt.Errorf("delete %s: only branches under %s/ are deleted", name, r.prefix)
	}
	ref := plumbing.NewBranchReferenceName(name)
	return r.push(ctx, name, &git.PushOptions{RemoteName: remoteName, RefSpecs: []config.RefSpec{config.RefSpec(":" + ref)}})
}

func (r *Repo) push(ctx context.Context, name string, opts *git.PushOptions) error {
	access, err := gitremote.Resolve(r.rawURL, r.auth)
	if err != nil {
		return fmt.Errorf("push %s: %w", name, err)
	}
	opts.RemoteURL, opts.Auth, opts.CABundle = access.URL, access.Method, access.CABundle
	err = r.repo.PushContext(ctx, opts)
	switch {
	case err == nil, errors.Is(err, git.NoErrAlreadyUpToDate):
		return nil
	case strings.Contains(err.Error(), "non-fast-forward"):
		return fmt.Errorf("push %s: %w", name, ErrLeaseBroken)
	}
	return access.Scrub(fmt.Errorf("push %s to %s: %w", name, r.url, err))
}
