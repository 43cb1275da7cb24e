package committer

import (
	"context"
	"slices"
	"sync"

	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// checkoutWorkers bounds the files written at once. Writing a file is
// mostly system calls (create, write, rename, stat), which overlap well.
const checkoutWorkers = 8

// checkoutAll writes every non-deleted update into the working tree, in
// parallel, and fills set with their index entries. Parent directories are
// created and blobs read here, one at a time, each just before its file is
// handed to a worker: a batch of 100,000 files is never read back whole.
func (c *Committer) checkoutAll(ctx context.Context, fsys *worktreeFS, updates []wtUpdate, set map[string]*index.Entry) error {
	entries := make([]*index.Entry, len(updates))
	errs := make([]error, len(updates))
	jobs := make(chan int, checkoutWorkers)
	todo := slices.Clone(updates) // data read here is dropped once written
	var wg sync.WaitGroup
	for range min(checkoutWorkers, len(updates)) {
		wg.Go(func() {
			for i := range jobs {
				entries[i], errs[i] = c.checkout(fsys, todo[i])
				todo[i].data = nil
			}
		})
	}
	err := c.feedCheckout(ctx, fsys, todo, jobs)
	close(jobs)
	wg.Wait()
	if err != nil {
		return err
	}
	for i, u := range updates {
		if errs[i] != nil {
			return errs[i]
		}
		if !u.del {
			set[u.path] = entries[i]
		}
	}
	return nil
}

// feedCheckout prepares each file to write (its directory, its content)
// and hands it to the workers.
func (c *Committer) feedCheckout(ctx context.Context, fsys *worktreeFS, todo []wtUpdate, jobs chan<- int) error {
	for i, u := range todo {
		if u.del {
			continue
		}
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
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
		jobs <- i
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
