package committer

import (
	"fmt"
	"slices"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// integrate makes the branch descend from the remote-tracking tip. A branch
// that is behind fast-forwards; one that diverged has its local commits
// replayed on top of the remote (see replay). hint is a commit the local
// commits were built on (the tracking tip before the last fetch), which
// keeps the search for them short. It returns how many commits it replayed.
func (c *Committer) integrate(hint plumbing.Hash) (int, error) {
	local, err := c.refHash(c.branch)
	if err != nil {
		return 0, err
	}
	remote, err := c.refHash(c.tracking)
	if err != nil {
		return 0, err
	}
	if remote.IsZero() || local == remote {
		return 0, nil
	}
	if local.IsZero() {
		return 0, c.setRef(c.branch, remote, local)
	}
	mine, base, err := c.localCommits(local, remote, hint)
	if err != nil {
		return 0, err
	}
	switch {
	case base == remote:
		return 0, nil // ahead: a plain push will do
	case len(mine) == 0:
		return 0, c.setRef(c.branch, remote, local) // behind: fast-forward
	}
	tip, err := c.replay(mine, remote)
	if err != nil {
		return 0, fmt.Errorf("rebase onto %s: %w", remote, err)
	}
	if err := c.setRef(c.branch, tip, local); err != nil {
		return 0, err
	}
	return len(mine), nil
}

// localCommits lists, oldest first, the commits on the branch's
// first-parent line from tip back to (excluding) the first of remote or
// hint it meets, which it returns as base. Without either on that line it
// falls back on the merge base of tip and remote; with no common history at
// all every commit is local and base is zero.
func (c *Committer) localCommits(tip, remote, hint plumbing.Hash) ([]*object.Commit, plumbing.Hash, error) {
	var chain []*object.Commit
	for h := tip; !h.IsZero(); {
		if h == remote || h == hint {
			slices.Reverse(chain)
			return chain, h, nil
		}
		commit, err := c.repo.CommitObject(h)
		if err != nil {
			return nil, plumbing.ZeroHash, fmt.Errorf("read commit %s: %w", h, err)
		}
		chain = append(chain, commit)
		h = plumbing.ZeroHash
		if len(commit.ParentHashes) > 0 {
			h = commit.ParentHashes[0]
		}
	}
	if remote.IsZero() || len(chain) == 0 {
		slices.Reverse(chain)
		return chain, plumbing.ZeroHash, nil
	}
	rc, err := c.repo.CommitObject(remote)
	if err != nil {
		return nil, plumbing.ZeroHash, fmt.Errorf("read commit %s: %w", remote, err)
	}
	bases, err := chain[0].MergeBase(rc)
	if err != nil {
		return nil, plumbing.ZeroHash, fmt.Errorf("merge base: %w", err)
	}
	base := plumbing.ZeroHash
	if len(bases) > 0 {
		base = bases[0].Hash
		if i := slices.IndexFunc(chain, func(c *object.Commit) bool { return c.Hash == base }); i >= 0 {
			chain = chain[:i]
		}
	}
	slices.Reverse(chain)
	return chain, base, nil
}

// replay re-creates each commit on top of onto. Recorders own disjoint
// prefixes, so a replayed commit's tree is the remote's tree with the Prefix
// subtree replaced by that commit's Prefix subtree; nothing outside Prefix
// ever comes from the local side. Author and message are kept; commits that
// become empty are dropped, as `git rebase` does.
func (c *Committer) replay(commits []*object.Commit, onto plumbing.Hash) (plumbing.Hash, error) {
	parent := onto
	parentTree, err := c.treeHashOf(onto)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	for _, lc := range commits {
		sub, err := subtree(c.repo.Storer, lc.TreeHash, c.opts.Prefix)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		ed := newTreeEditor(c.repo.Storer, parentTree)
		if sub.IsZero() {
			err = ed.remove(c.opts.Prefix)
		} else {
			err = ed.set(c.opts.Prefix, filemode.Dir, sub)
		}
		if err != nil {
			return plumbing.ZeroHash, err
		}
		tree, err := ed.write()
		if err != nil {
			return plumbing.ZeroHash, err
		}
		if tree == parentTree {
			continue
		}
		h, err := writeCommit(c.repo.Storer, &object.Commit{
			Author:       lc.Author,
			Committer:    c.signature(),
			Message:      lc.Message,
			TreeHash:     tree,
			ParentHashes: []plumbing.Hash{parent},
		})
		if err != nil {
			return plumbing.ZeroHash, err
		}
		parent, parentTree = h, tree
	}
	return parent, nil
}
