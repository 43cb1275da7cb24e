package committer

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// Change is one file of a batch.
type Change struct {
	// Path is repository-relative and must lie under Options.Prefix.
	Path string
	// Data is the new content; nil deletes the file.
	Data []byte
	// Object labels the change in the commit message, for example
	// "apps/Deployment shop/web"; the path is used when empty.
	Object string
	// Attribution, when known, is appended to the message line.
	Attribution *Attribution
}

// fileChange is a Change that differs from the branch tip.
type fileChange struct {
	Change
	kind changeKind
	hash plumbing.Hash // new blob; zero for a removal
	mode filemode.FileMode
}

// Commit writes one commit on the branch with the changes that differ from
// the tip: unchanged content and deletions of absent files are dropped, and
// ErrNothingToCommit is returned when nothing is left. For a path given
// twice the last change wins.
//
// The commit is built directly in object storage (blobs and the trees along
// changed paths), so its cost grows with the batch, not with the number of
// files in the branch. In a local working repository the changed files and
// the index are then updated so the working tree stays clean; if that step
// fails the commit stands and the returned error wraps ErrWorktree.
func (c *Committer) Commit(ctx context.Context, changes []Change) (Hash, error) {
	batch, err := c.checkChanges(changes)
	if err != nil {
		return Hash{}, err
	}
	return c.CommitSeq(ctx, len(batch), slices.Values(batch))
}

// CommitSeq is Commit for a batch produced one change at a time, such as
// an initial snapshot rendered as it is committed: n is the number of
// changes expected, and each path must come once. From packMin changes on,
// a change's content goes to disk as it arrives and is not kept, so the
// batch is never held in memory whole. A path outside the prefix, or
// given twice, fails the commit and leaves the branch where it was.
func (c *Committer) CommitSeq(ctx context.Context, n int, changes iter.Seq[Change]) (Hash, error) {
	h, err := c.commitSeq(ctx, n, changes)
	return Hash(h), err
}

func (c *Committer) commitSeq(ctx context.Context, n int, changes iter.Seq[Change]) (plumbing.Hash, error) {
	if err := c.lock(ctx); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("commit: %w", err)
	}
	defer c.unlock()
	parent, parentTree, err := c.tip()
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("commit: %w", err)
	}
	// A large batch is spooled to disk and written as one pack.
	var objs storer.EncodedObjectStorer = c.repo.Storer
	var staged *stagedObjects
	pw, canPack := c.repo.Storer.(storer.PackfileWriter)
	if canPack && n >= packMin {
		if staged, err = newStagedObjects(c.repo.Storer); err != nil {
			return plumbing.ZeroHash, fmt.Errorf("commit: %w", err)
		}
		defer staged.close()
		objs = staged
	}
	ed := newTreeEditor(objs, parentTree)
	applied, err := c.stageAll(ctx, objs, ed, changes, staged != nil)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if len(applied) == 0 {
		return plumbing.ZeroHash, ErrNothingToCommit
	}
	tree, err := ed.write()
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("commit: %w", err)
	}
	h, err := writeCommit(objs, c.commitObject(applied, tree, parent))
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("commit: %w", err)
	}
	if staged != nil {
		if err := staged.flush(pw); err != nil {
			return plumbing.ZeroHash, fmt.Errorf("commit: %w", err)
		}
	}
	if err := c.setRef(c.branch, h, parent); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("commit: %w", err)
	}
	if staged != nil {
		// The commit stands whatever happens here; the next large batch
		// tries again.
		if err := c.consolidatePacks(); err != nil {
			c.log.Warn("packs not consolidated; tried again with the next large batch", "error", err)
		}
	}
	if err := c.moveWorktree(ctx, parentTree, tree, worktreeUpdates(applied, staged)); err != nil {
		return h, fmt.Errorf("commit %s: %w: %w", h, ErrWorktree, err)
	}
	return h, nil
}

// tip returns the branch tip and its tree; zero hashes before the first
// commit.
func (c *Committer) tip() (commit, tree plumbing.Hash, err error) {
	parent, err := c.refHash(c.branch)
	if err != nil || parent.IsZero() {
		return parent, plumbing.ZeroHash, err
	}
	pc, err := c.repo.CommitObject(parent)
	if err != nil {
		return plumbing.ZeroHash, plumbing.ZeroHash, fmt.Errorf("read tip: %w", err)
	}
	return parent, pc.TreeHash, nil
}

// stageAll applies each change that differs from the tip to the tree
// editor. With spooled set, a change's content is dropped once its blob is
// written: the working tree reads it back from the spool.
func (c *Committer) stageAll(ctx context.Context, objs storer.EncodedObjectStorer, ed *treeEditor, changes iter.Seq[Change], spooled bool) ([]fileChange, error) {
	seen := map[string]bool{}
	var applied []fileChange
	for ch := range changes {
		if len(seen)%256 == 0 && ctx.Err() != nil {
			return nil, fmt.Errorf("commit: %w", ctx.Err())
		}
		if err := c.checkPath(ch.Path); err != nil {
			return nil, err
		}
		if seen[ch.Path] {
			return nil, fmt.Errorf("commit: %q is given twice in one batch", ch.Path)
		}
		seen[ch.Path] = true
		fc, ok, err := stage(objs, ed, ch)
		if err != nil {
			return nil, fmt.Errorf("commit %s: %w", ch.Path, err)
		}
		if ok {
			if spooled {
				fc.Data = nil
			}
			applied = append(applied, fc)
		}
	}
	return applied, nil
}

// commitObject is the commit of applied changes: its message lists them,
// and its author is the one person who made them all, if there is one.
func (c *Committer) commitObject(applied []fileChange, tree, parent plumbing.Hash) *object.Commit {
	lines := make([]messageLine, len(applied))
	for i, fc := range applied {
		lines[i] = messageLine{kind: fc.kind, path: fc.Path, object: fc.Object, attribution: fc.Attribution}
	}
	sig := c.signature()
	author := sig
	if who := authorOf(applied); who != nil {
		// One person made every change: the commit is theirs, written by
		// clusterscribe (the committer).
		author = actorSignature(who, sig.When)
	}
	commit := &object.Commit{
		Author:    author,
		Committer: sig,
		Message:   formatMessage(c.opts.Prefix, lines),
		TreeHash:  tree,
	}
	if !parent.IsZero() {
		commit.ParentHashes = []plumbing.Hash{parent}
	}
	return commit
}

// stage applies one change to the tree editor if it differs from the tip.
func stage(objs storer.EncodedObjectStorer, ed *treeEditor, ch Change) (fileChange, bool, error) {
	cur, exists, err := ed.get(ch.Path)
	if err != nil {
		return fileChange{}, false, err
	}
	if exists && cur.Mode == filemode.Dir {
		if ch.Data == nil {
			return fileChange{}, false, nil
		}
		return fileChange{}, false, fmt.Errorf("path is a directory")
	}
	fc := fileChange{Change: ch, mode: filemode.Regular}
	switch {
	case ch.Data == nil && !exists:
		return fileChange{}, false, nil
	case ch.Data == nil:
		fc.kind = kindRemoved
		return fc, true, ed.remove(ch.Path)
	case !exists:
		fc.kind = kindAdded
	case cur.Hash == blobHash(ch.Data):
		return fileChange{}, false, nil
	default:
		fc.kind = kindChanged
	}
	fc.hash, err = writeBlob(objs, ch.Data)
	if err != nil {
		return fileChange{}, false, err
	}
	return fc, true, ed.set(ch.Path, fc.mode, fc.hash)
}

// checkChanges rejects paths outside the prefix and keeps the last change
// for each path, in first-seen order.
func (c *Committer) checkChanges(changes []Change) ([]Change, error) {
	seen := make(map[string]int, len(changes))
	out := make([]Change, 0, len(changes))
	for _, ch := range changes {
		if err := c.checkPath(ch.Path); err != nil {
			return nil, err
		}
		if i, ok := seen[ch.Path]; ok {
			out[i] = ch
			continue
		}
		seen[ch.Path] = len(out)
		out = append(out, ch)
	}
	return out, nil
}

// checkPath rejects a path that is not clean or not under the prefix.
func (c *Committer) checkPath(p string) error {
	if err := checkRelPath(p); err != nil || !strings.HasPrefix(p, c.opts.Prefix+"/") {
		return fmt.Errorf("commit: %w: %q is not a clean path under %q", ErrPathOutsidePrefix, p, c.opts.Prefix)
	}
	return nil
}

func (c *Committer) signature() object.Signature {
	return object.Signature{Name: c.opts.AuthorName, Email: c.opts.AuthorEmail, When: c.now()}
}
