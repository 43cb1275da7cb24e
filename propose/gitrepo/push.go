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
	o := gitremote.PushOptions{RefSpecs: []config.RefSpec{config.RefSpec(ref + ":" + ref)}}
	if !lease.IsZero() {
		o.Lease = &git.ForceWithLease{RefName: ref, Hash: lease}
	}
	return r.push(ctx, name, o)
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
	return r.push(ctx, name, gitremote.PushOptions{RefSpecs: []config.RefSpec{config.RefSpec(":" + ref)}})
}

func (r *Repo) push(ctx context.Context, name string, o gitremote.PushOptions) error {
	access, err := gitremote.Resolve(r.rawURL, r.auth)
	if err != nil {
		return fmt.Errorf("push %s: %w", name, err)
	}
	err = gitremote.Push(ctx, access, r.repo, o)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gitremote.ErrRefMoved):
		return fmt.Errorf("push %s: %w", name, ErrLeaseBroken)
	}
	return fmt.Errorf("push %s: %w", name, err)
}
