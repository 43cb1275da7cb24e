package committer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"github.com/clusterscribe/clusterscribe/internal/gitremote"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Committer owns one recorder's subtree of the backup branch. Its methods
// are safe for concurrent use; they run one at a time.
type Committer struct {
	opts     Options
	repo     *git.Repository
	branch   plumbing.ReferenceName
	worktree string // root of a local working repository; "" for a bare clone
	// wtBehind is set when an update of the working tree and index failed
	// after the branch moved: they still show tree wtTree, and the next
	// update moves them from there to the tip in full.
	wtBehind bool
	wtTree   plumbing.Hash

	// remote is nil for a local repository without an "origin" remote.
	remote   *gitremote.Remote
	creds    *gitremote.Credentials
	tracking plumbing.ReferenceName
	// reach is the outcome of the last contact with the remote.
	reach reach

	log    *slog.Logger
	sem    chan struct{}
	notify chan struct{}
	now    func() time.Time
}

func branchRef(b string) plumbing.ReferenceName { return plumbing.NewBranchReferenceName(b) }

// lock waits for exclusive use of the repository or for ctx.
func (c *Committer) lock(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case c.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Committer) unlock() { <-c.sem }

// BlobHash is the Git blob hash of data: equal to the hash Files reports for
// a file with this content.
func BlobHash(data []byte) Hash { return Hash(blobHash(data)) }

func blobHash(data []byte) plumbing.Hash { return plumbing.ComputeHash(plumbing.BlobObject, data) }

// Branch is the full name of the backup branch (refs/heads/…).
func (c *Committer) Branch() string { return c.branch.String() }

// Prefix is the cleaned subtree this committer owns.
func (c *Committer) Prefix() string { return c.opts.Prefix }

// Head is the commit at the branch tip; the zero hash before the first commit.
func (c *Committer) Head() (Hash, error) {
	c.sem <- struct{}{}
	defer c.unlock()
	h, err := c.refHash(c.branch)
	return Hash(h), err
}

// Files returns the blob hash of every file under Prefix at the branch tip,
// keyed by repository-relative path. Comparing them with BlobHash of freshly
// serialized objects tells a restarted recorder what changed while it was
// away.
func (c *Committer) Files() (map[string]Hash, error) {
	c.sem <- struct{}{}
	defer c.unlock()
	out := map[string]Hash{}
	tree, err := c.tipTree()
	if err != nil || tree == nil {
		return out, err
	}
	err = WalkFiles(tree, c.opts.Prefix, func(name string, entry object.TreeEntry) error {
		out[c.opts.Prefix+"/"+name] = Hash(entry.Hash)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("files: %w", err)
	}
	return out, nil
}

// ReadFile returns the content of a repository-relative path at the branch
// tip. A missing file yields an error matching fs.ErrNotExist.
func (c *Committer) ReadFile(path string) ([]byte, error) {
	if err := checkRelPath(path); err != nil {
		return nil, fmt.Errorf("read %q: %w", path, err)
	}
	c.sem <- struct{}{}
	defer c.unlock()
	tree, err := c.tipTree()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if tree == nil {
		return nil, fmt.Errorf("read %s: %w", path, fs.ErrNotExist)
	}
	entry, err := tree.FindEntry(path)
	if errors.Is(err, object.ErrEntryNotFound) || errors.Is(err, object.ErrDirectoryNotFound) ||
		(err == nil && !entry.Mode.IsFile()) {
		return nil, fmt.Errorf("read %s: %w", path, fs.ErrNotExist)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	data, err := c.blob(entry.Hash)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return data, nil
}

// refHash resolves a reference; the zero hash when it does not exist.
func (c *Committer) refHash(name plumbing.ReferenceName) (plumbing.Hash, error) {
	if name == "" {
		return plumbing.ZeroHash, nil
	}
	ref, err := c.repo.Storer.Reference(name)
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return plumbing.ZeroHash, nil
	}
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("read %s: %w", name, err)
	}
	return ref.Hash(), nil
}

// commitTree returns the tree of commit h; nil for the zero hash.
func (c *Committer) commitTree(h plumbing.Hash) (*object.Tree, error) {
	t, err := c.treeHashOf(h)
	if err != nil {
		return nil, err
	}
	return c.tree(t)
}

func (c *Committer) tipTree() (*object.Tree, error) {
	h, err := c.refHash(c.branch)
	if err != nil {
		return nil, err
	}
	return c.commitTree(h)
}

// setRef moves name from old to h, failing if another writer moved it.
// The objects h names are made durable first.
func (c *Committer) setRef(name plumbing.ReferenceName, h, old plumbing.Hash) error {
	if err := syncObjects(c); err != nil {
		return fmt.Errorf("update %s: %w", name, err)
	}
	if err := c.storeRef(name, h, old, !old.IsZero()); err != nil {
		return fmt.Errorf("update %s: %w", name, err)
	}
	return nil
}
