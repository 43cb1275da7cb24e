package committer

import (
	"context"
	"fmt"
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
func (c *Committer) Commit(ctx context.Context, changes []Change) (plumbing.Hash, error) {
	batch, err := c.checkChanges(changes)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if err := c.lock(ctx); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("commit: %w", err)
	}
	defer c.unlock()

	parent, err := c.refHash(c.branch)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("commit: %w", err)
	}
	var parentTree plumbing.Hash
	if !parent.IsZero() {
		pc, err := c.repo.CommitObject(parent)
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("commit: read tip: %w", err)
		}
		parentTree = pc.TreeHash
	}

	// A large batch is built in memory and written as one pack.
	var objs storer.EncodedObjectStorer = c.repo.Storer
	var staged *stagedObjects
	pw, canPack := c.repo.Storer.(storer.PackfileWriter)
	if canPack && len(batch) >= packMin {
		staged = newStagedObjects(c.repo.Storer)
		objs = staged
	}
	ed := newTreeEditor(objs, parentTree)
	var applied []fileChange
	for i, ch := range batch {
		if i%256 == 0 && ctx.Err() != nil {
			return plumbing.ZeroHash, fmt.Errorf("commit: %w", ctx.Err())
		}
		fc, ok, err := stage(objs, ed, ch)
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("commit %s: %w", ch.Path, err)
		}
		if ok {
			applied = append(applied, fc)
		}
	}
	if len(applied) == 0 {
		return plumbing.ZeroHash, ErrNothingToCommit
	}
	tree, err := ed.write()
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("commit: %w", err)
	}

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
	h, err := writeCommit(objs, commit)
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
	if err := c.moveWorktree(ctx, parentTree, tree, worktreeUpdates(applied)); err != nil {
		return h, fmt.Errorf("commit %s: %w: %w", h, ErrWorktree, err)
	}
	return h, nil
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
	case cur.Hash == BlobHash(ch.Data):
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
	under := c.opts.Prefix + "/"
	seen := make(map[string]int, len(changes))
	out := make([]Change, 0, len(changes))
	for _, ch := range changes {
		if err := checkRelPath(ch.Path); err != nil || !strings.HasPrefix(ch.Path, under) {
			return nil, fmt.Errorf("commit: %w: %q is not a clean path under %q", ErrPathOutsidePrefix, ch.Path, c.opts.Prefix)
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

func (c *Committer) signature() object.Signature {
	return object.Signature{Name: c.opts.AuthorName, Email: c.opts.AuthorEmail, When: c.now()}
}
