package committer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/utils/merkletrie"

	"github.com/clusterscribe/clusterscribe/internal/atomicfile"
)

// wtUpdate is one path to bring the working tree and index in line with.
type wtUpdate struct {
	path string
	del  bool
	mode filemode.FileMode
	hash plumbing.Hash
	data []byte // content when known; otherwise read from the blob
	// staged, when set, holds the blob (a large batch's spool).
	staged *stagedObjects
}

func worktreeUpdates(changes []fileChange, staged *stagedObjects) []wtUpdate {
	out := make([]wtUpdate, len(changes))
	for i, fc := range changes {
		out[i] = wtUpdate{path: fc.Path, del: fc.kind == kindRemoved, mode: fc.mode, hash: fc.hash, data: fc.Data, staged: staged}
	}
	return out
}

// moveToCommit brings the working tree and index from commit from to
// commit to (zero hash: unborn), as moveWorktree does for their trees.
func (c *Committer) moveToCommit(ctx context.Context, from, to plumbing.Hash) error {
	if c.worktree == "" || from == to && !c.wtBehind {
		return nil
	}
	a, err := c.treeHashOf(from)
	if err != nil {
		return err
	}
	b, err := c.treeHashOf(to)
	if err != nil {
		return err
	}
	return c.moveWorktree(ctx, a, b, nil)
}

// moveWorktree brings the working tree and index from tree from to tree
// to after the branch moved: with updates, the paths they name; without,
// every path the trees differ in. When an earlier move failed, it moves
// from the tree they were last known to show, in full. A failure is
// remembered so that the next move repairs it.
func (c *Committer) moveWorktree(ctx context.Context, from, to plumbing.Hash, updates []wtUpdate) error {
	if c.worktree == "" {
		return nil
	}
	var err error
	switch {
	case c.wtBehind:
		if err = c.syncWorktree(ctx, c.wtTree, to); err == nil {
			c.wtBehind = false
		}
		return err
	case updates != nil:
		err = c.applyToWorktree(ctx, updates)
	default:
		err = c.syncWorktree(ctx, from, to)
	}
	if err != nil {
		c.wtBehind, c.wtTree = true, from
	}
	return err
}

func (c *Committer) treeHashOf(commit plumbing.Hash) (plumbing.Hash, error) {
	if commit.IsZero() {
		return plumbing.ZeroHash, nil
	}
	co, err := c.repo.CommitObject(commit)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("read commit %s: %w", commit, err)
	}
	return co.TreeHash, nil
}

// syncWorktree moves the working tree and index from tree from to tree to
// (zero hash: no tree), touching only the paths that differ.
func (c *Committer) syncWorktree(ctx context.Context, from, to plumbing.Hash) error {
	if c.worktree == "" || from == to {
		return nil
	}
	a, err := c.tree(from)
	if err != nil {
		return err
	}
	b, err := c.tree(to)
	if err != nil {
		return err
	}
	changes, err := object.DiffTreeWithOptions(ctx, a, b, nil)
	if err != nil {
		return fmt.Errorf("diff trees: %w", err)
	}
	updates := make([]wtUpdate, 0, len(changes))
	for _, ch := range changes {
		action, err := ch.Action()
		if err != nil {
			return fmt.Errorf("diff trees: %w", err)
		}
		if action == merkletrie.Delete {
			updates = append(updates, wtUpdate{path: ch.From.Name, del: true})
			continue
		}
		updates = append(updates, wtUpdate{path: ch.To.Name, mode: ch.To.TreeEntry.Mode, hash: ch.To.TreeEntry.Hash})
	}
	return c.applyToWorktree(ctx, updates)
}

func (c *Committer) tree(h plumbing.Hash) (*object.Tree, error) {
	if h.IsZero() {
		return nil, nil
	}
	t, err := c.repo.TreeObject(h)
	if err != nil {
		return nil, fmt.Errorf("read tree %s: %w", h, err)
	}
	return t, nil
}

// applyToWorktree writes and removes files (deletions first, so a file and
// a directory can trade places) and records them in the index with their
// stat data, so `git status` is clean without re-reading them.
func (c *Committer) applyToWorktree(ctx context.Context, updates []wtUpdate) error {
	idx, err := c.repo.Storer.Index()
	if err != nil {
		return fmt.Errorf("read index: %w", err)
	}
	fsys := &worktreeFS{root: c.worktree, safe: map[string]bool{}}
	drop := map[string]bool{}
	set := map[string]*index.Entry{}
	for _, u := range updates {
		if err := checkRelPath(u.path); err != nil {
			return fmt.Errorf("refusing to write %q: %w", u.path, err)
		}
		if u.del {
			if err := fsys.remove(u.path); err != nil {
				return err
			}
			drop[u.path] = true
		}
	}
	if err := c.checkoutAll(ctx, fsys, updates, set); err != nil {
		return err
	}
	for p := range set {
		delete(drop, p)
	}
	entries := idx.Entries[:0]
	for _, e := range idx.Entries {
		if drop[e.Name] {
			continue
		}
		if ne, ok := set[e.Name]; ok {
			if ne == nil {
				continue // already placed; conflict stages collapse to one
			}
			entries = append(entries, ne)
			set[e.Name] = nil
			continue
		}
		entries = append(entries, e)
	}
	for _, e := range set {
		if e != nil {
			entries = append(entries, e)
		}
	}
	idx.Entries = entries
	idx.Cache = nil
	idx.ResolveUndo = nil
	if err := c.storeIndex(idx); err != nil {
		return fmt.Errorf("write index: %w", err)
	}
	return nil
}

// checkout writes one file and returns its index entry.
func (c *Committer) checkout(fsys *worktreeFS, u wtUpdate) (*index.Entry, error) {
	e := &index.Entry{Name: u.path, Hash: u.hash, Mode: u.mode}
	if u.mode == filemode.Submodule {
		return e, nil // a gitlink is recorded, never checked out
	}
	data := u.data
	if data == nil {
		var err error
		if data, err = c.blob(u.hash); err != nil {
			return nil, err
		}
	}
	fi, err := fsys.write(u.path, data, u.mode)
	if err != nil {
		return nil, err
	}
	fillStat(e, fi)
	return e, nil
}

func (c *Committer) blob(h plumbing.Hash) ([]byte, error) {
	b, err := c.repo.BlobObject(h)
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", h, err)
	}
	data, err := ReadBlob(b)
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", h, err)
	}
	return data, nil
}

// worktreeFS writes inside root only: it refuses to follow a symbolic link
// in a parent directory, so a tree cannot redirect writes elsewhere.
type worktreeFS struct {
	root string
	safe map[string]bool // directories checked to be real directories
}

func (w *worktreeFS) abs(p string) string { return filepath.Join(w.root, filepath.FromSlash(p)) }

// mkdirs creates the parent directories of p, checking each is a directory.
func (w *worktreeFS) mkdirs(p string) error {
	parts := strings.Split(p, "/")
	for i := 1; i < len(parts); i++ {
		dir := strings.Join(parts[:i], "/")
		if w.safe[dir] {
			continue
		}
		full := w.abs(dir)
		fi, err := os.Lstat(full)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if err := os.Mkdir(full, 0o755); err != nil {
				return fmt.Errorf("create %s: %w", dir, err)
			}
		case err != nil:
			return fmt.Errorf("inspect %s: %w", dir, err)
		case !fi.IsDir():
			return fmt.Errorf("%s is not a directory", dir)
		}
		w.safe[dir] = true
	}
	return nil
}

// write replaces p atomically (temporary file, then rename).
func (w *worktreeFS) write(p string, data []byte, mode filemode.FileMode) (fs.FileInfo, error) {
	if err := w.mkdirs(p); err != nil {
		return nil, err
	}
	full := w.abs(p)
	if mode == filemode.Symlink {
		_ = os.Remove(full)
		if err := os.Symlink(string(data), full); err != nil {
			return nil, fmt.Errorf("write %s: %w", p, err)
		}
		return os.Lstat(full)
	}
	perm := os.FileMode(0o644)
	if mode == filemode.Executable {
		perm = 0o755
	}
	// Not synced file by file: the sync of the file system before the
	// branch moves (syncObjects) covers the working tree too.
	if err := atomicfile.WriteBytes(full, atomicfile.Options{Perm: perm, NoSync: true}, data); err != nil {
		return nil, err
	}
	fi, err := os.Lstat(full)
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", p, err)
	}
	return fi, nil
}

// remove deletes p and then every parent directory it leaves empty.
func (w *worktreeFS) remove(p string) error {
	if err := w.checkParents(p); err != nil {
		return err
	}
	if err := os.Remove(w.abs(p)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", p, err)
	}
	for dir := filepath.Dir(filepath.FromSlash(p)); dir != "."; dir = filepath.Dir(dir) {
		if os.Remove(filepath.Join(w.root, dir)) != nil {
			break // not empty (or already gone)
		}
		delete(w.safe, filepath.ToSlash(dir))
	}
	return nil
}

// checkParents fails when a parent of p exists but is not a real directory.
func (w *worktreeFS) checkParents(p string) error {
	parts := strings.Split(p, "/")
	for i := 1; i < len(parts); i++ {
		dir := strings.Join(parts[:i], "/")
		fi, err := os.Lstat(w.abs(dir))
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("inspect %s: %w", dir, err)
		}
		if !fi.IsDir() {
			return fmt.Errorf("%s is not a directory", dir)
		}
	}
	return nil
}

// checkClean fails with ErrDirtyWorktree when tracked files have changes.
// Untracked files do not count.
func (c *Committer) checkClean() error {
	w, err := c.repo.Worktree()
	if err != nil {
		return fmt.Errorf("open working tree: %w", err)
	}
	st, err := w.Status()
	if err != nil {
		return fmt.Errorf("working tree status: %w", err)
	}
	for path, s := range st {
		if (s.Staging != git.Unmodified && s.Staging != git.Untracked) ||
			(s.Worktree != git.Unmodified && s.Worktree != git.Untracked) {
			return fmt.Errorf("%w: %s", ErrDirtyWorktree, path)
		}
	}
	return nil
}
