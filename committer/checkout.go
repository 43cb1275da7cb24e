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

// checkoutAll writes every non-deleted update into the working tree, in
// parallel, and fills set with their index entries. Parent directories are
// created and blobs read first, one at a time, so the workers only write
// files.
func (c *Committer) checkoutAll(ctx context.Context, fsys *worktreeFS, updates []wtUpdate, set map[string]*index.Entry) error {
	var todo []wtUpdate
	for _, u := range updates {
		if u.del {
			continue
		}
		if err := fsys.mkdirs(u.path); err != nil {
			return err
		}
		// Blobs are read here, one at a time: the object storage is not
		// safe for concurrent use.
		if u.data == nil && u.mode != filemode.Submodule {
			data, err := c.blob(u.hash)
			if err != nil {
				return err
			}
			u.data = data
		}
		todo = append(todo, u)
	}
	if len(todo) == 0 {
		return nil
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
	var err error
	for i := range todo {
		if i%256 == 0 {
			if err = ctx.Err(); err != nil {
				break
			}
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if err != nil {
		return err
	}
	for i, u := range todo {
		if errs[i] != nil {
			return errs[i]
		}
		set[u.path] = entries[i]
	}
	return nil
}
