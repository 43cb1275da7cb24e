package committer

import (
	"errors"
	"fmt"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// objectCacheBytes bounds go-git's cache of decoded objects. Its default,
// 96 MiB, fills up with the trees and blobs of every commit a long-running
// recorder writes and dominated its memory; the committer reads few
// objects back (the trees a commit edits), so a small cache costs little.
const objectCacheBytes = 8 * cache.MiByte

// withObjectCache reopens repo with the committer's object cache.
func withObjectCache(repo *git.Repository) (*git.Repository, error) {
	s, ok := repo.Storer.(*filesystem.Storage)
	if !ok {
		return repo, nil
	}
	var worktree billy.Filesystem
	w, err := repo.Worktree()
	switch {
	case err == nil:
		worktree = w.Filesystem
	case !errors.Is(err, git.ErrIsBareRepository):
		return nil, fmt.Errorf("open working tree: %w", err)
	}
	st := filesystem.NewStorageWithOptions(s.Filesystem(), cache.NewObjectLRU(objectCacheBytes), filesystem.Options{})
	reopened, err := git.Open(st, worktree)
	if err != nil {
		return nil, fmt.Errorf("open repository: %w", err)
	}
	return reopened, nil
}
