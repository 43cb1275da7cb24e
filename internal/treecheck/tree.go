package treecheck

import (
	"errors"
	"fmt"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/clusterscribe/clusterscribe/committer"
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
	err = committer.ReadFiles(root, prefix, func(name string, data []byte) error {
		files[prefix+"/"+name] = data
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("read %s at %s: %w", dir, ref.Hash(), err)
	}
	return files, true, nil
}
