package committer

import (
	"context"
	"sync"

	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// checkoutWorkers bounds the files written at once. Writing a file is
// mostly system calls (create, write, rename, stat), which overlap well.
const checkoutWorkers = 8

// checkoutChunk is how many files are read into memory and written at a
// time: a batch of 100,000 files is not read back whole.
const checkoutChunk = 512

// checkoutAll writes every non-deleted update into the working tree, in
// parallel, and fills set with their index entries, a chunk at a time.
// Parent directories are created and blobs read first, one at a time, so
// the workers only write files.
func (c *Committer) checkoutAll(ctx context.Context, fsys *worktreeFS, updates []wtUpdate, set map[string]*index.Entry) error {
	todo := make([]wtUpdate, 0, min(len(updates), checkoutChunk))
	for i, u := range updates {
		if !u.del {
			todo = append(todo, u)
		}
		if len(todo) == checkoutChunk || (i == len(updates)-1 && len(todo) > 0) {
			if err := c.checkoutChunk(ctx, fsys, todo, set); err != nil {
				return err
			}
			todo = todo[:0]
		}
	}
	return nil
}

func (c *Committer) checkoutChunk(ctx context.Context, fsys *worktreeFS, todo []wtUpdate, set map[string]*index.Entry) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	for i, u := range todo {
		if err := fsys.mkdirs(u.path); err != nil {
			return err
		}
		// Blobs are read here, one at a time: the object storage is not
		// safe for concurrent use.
		if u.data == nil && u.mode != filemode.Submodule {
			data, err := c.blobOf(u)
			if err != nil {
				return err
			}
			todo[i].data = data
		}
	}
	entries := make([]*index.Entry, len(todo))
	errs := make([]error, len(todo))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(checkoutWorkers, len(todo)) {
		wg.Go(func() {
			for i := range jobs {
				entries[i], errs[i] = c.checkout(fsys, todo[i])
			}
		})
	}
	for i := range todo {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	for i, u := range todo {
		if errs[i] != nil {
			return errs[i]
		}
		set[u.path] = entries[i]
	}
	return nil
}

// blobOf reads an update's content: from the spool of the batch that wrote
// it, else from the repository.
func (c *Committer) blobOf(u wtUpdate) ([]byte, error) {
	if u.staged != nil {
		return u.staged.readBlob(u.hash)
	}
	return c.blob(u.hash)
}
