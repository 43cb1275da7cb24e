package committer

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/storage"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// go-git rewrites a ref file and the index in place: a process killed, or a
// disk filling up, in the middle leaves an empty branch or a truncated
// index. Branch refs and the index are written here the way git writes
// them instead: into "<file>.lock", synced, then renamed over the file, so
// that the file always holds the old content or the new.

// Before a branch ref moves, the objects it names must be on disk: a
// crash or a power loss right after the move must not leave a branch that
// points at objects that never reached it. syncObjects does that once per
// move, for every object written since the last (git's core.fsync for
// loose objects and packs).

// syncObjects is a variable so that a test can make it fail.
var syncObjects = func(c *Committer) error {
	dir, ok := c.gitDir()
	if !ok {
		return nil
	}
	return syncFS(filepath.Join(dir, "objects"))
}

// gitDir is the repository's git directory on disk; ok is false for
// storage that is not a directory (tests with in-memory repositories).
func (c *Committer) gitDir() (string, bool) {
	s, ok := c.repo.Storer.(*filesystem.Storage)
	if !ok {
		return "", false
	}
	return s.Filesystem().Root(), true
}

// storeRef points name at h atomically. When check is set, the ref must
// still point at old (zero: must not exist) or storage.ErrReferenceHasChanged
// is returned.
func (c *Committer) storeRef(name plumbing.ReferenceName, h, old plumbing.Hash, check bool) error {
	dir, ok := c.gitDir()
	if !ok {
		var oldRef *plumbing.Reference
		if check && !old.IsZero() {
			oldRef = plumbing.NewHashReference(name, old)
		}
		return c.repo.Storer.CheckAndSetReference(plumbing.NewHashReference(name, h), oldRef)
	}
	path := filepath.Join(dir, filepath.FromSlash(name.String()))
	return writeLocked(path, func(f *os.File) error {
		if check {
			cur, err := c.refHash(name)
			if err != nil {
				return err
			}
			if cur != old {
				return fmt.Errorf("%w: %s is at %s, expected %s", storage.ErrReferenceHasChanged, name, short(cur), short(old))
			}
		}
		_, err := f.WriteString(h.String() + "\n")
		return err
	})
}

// storeIndex writes the index atomically.
func (c *Committer) storeIndex(idx *index.Index) error {
	dir, ok := c.gitDir()
	if !ok {
		return c.repo.Storer.SetIndex(idx)
	}
	return writeLocked(filepath.Join(dir, "index"), func(f *os.File) error {
		w := bufio.NewWriter(f)
		if err := index.NewEncoder(w).Encode(idx); err != nil {
			return err
		}
		return w.Flush()
	})
}

// writeLocked creates path+".lock" exclusively, lets write fill it, syncs
// it and renames it over path. A lock left by a process that was killed is
// taken over: the committer is the only writer of its repository.
func writeLocked(path string, write func(*os.File) error) error {
	lock := path + ".lock"
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	f, err := os.OpenFile(lock, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		if err = os.Remove(lock); err == nil {
			f, err = os.OpenFile(lock, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		}
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	err = write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(lock, path)
	}
	if err != nil {
		_ = os.Remove(lock)
		if errors.Is(err, storage.ErrReferenceHasChanged) {
			return err
		}
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func short(h plumbing.Hash) string {
	if h.IsZero() {
		return "nothing"
	}
	return h.String()[:12]
}
