package treecheck

import (
	"errors"
	"fmt"
	"io"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// readTree returns every file under prefix at the tip of branch in the
// repository at dir (working or bare), keyed by repository-relative path.
// found is false when the branch does not exist.
func readTree(dir, branch, prefix string) (files map[string][]byte, found bool, err error) {
	repo, err := git.PlainOpen(dir)
	if err != nil {
		return nil, false, fmt.Errorf("open %s: %w", dir, err)
	}
	ref, err := repo.Reference(plumbing.NewBranchReferenceName(branch), true)
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read branch %s in %s: %w", branch, dir, err)
	}
	commit, err := repo.CommitObject(ref.Hash())
	if err != nil {
		return nil, false, fmt.Errorf("read commit %s: %w", ref.Hash(), err)
	}
	root, err := commit.Tree()
	if err != nil {
		return nil, false, fmt.Errorf("read tree of %s: %w", ref.Hash(), err)
	}
	files = map[string][]byte{}
	sub, err := root.Tree(prefix)
	if errors.Is(err, object.ErrDirectoryNotFound) {
		return files, true, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read %s/ at %s: %w", prefix, ref.Hash(), err)
	}
	walker := object.NewTreeWalker(sub, true, nil)
	defer walker.Close()
	for {
		name, entry, err := walker.Next()
		if errors.Is(err, io.EOF) {
			return files, true, nil
		}
		if err != nil {
			return nil, false, fmt.Errorf("walk %s/ at %s: %w", prefix, ref.Hash(), err)
		}
		if !entry.Mode.IsFile() {
			continue
		}
		data, err := readBlob(repo, entry.Hash)
		if err != nil {
			return nil, false, fmt.Errorf("read %s/%s: %w", prefix, name, err)
		}
		files[prefix+"/"+name] = data
	}
}

func readBlob(repo *git.Repository, h plumbing.Hash) ([]byte, error) {
	blob, err := repo.BlobObject(h)
	if err != nil {
		return nil, err
	}
	r, err := blob.Reader()
	if err != nil {
		return nil, err
	}
	defer func() { _ = r.Close() }()
	return io.ReadAll(r)
}
