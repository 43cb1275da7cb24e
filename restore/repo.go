package restore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/clusterscribe/clusterscribe/committer"
	"github.com/clusterscribe/clusterscribe/internal/gitremote"
)

// backupFile is one file of a cluster's subtree at one commit.
type backupFile struct {
	Path string // repository-relative, starting with the cluster directory
	Data []byte
}

// snapshot is one cluster's subtree at one commit.
type snapshot struct {
	Commit  plumbing.Hash
	Cluster string
	Files   []backupFile // sorted by path
}

// openRepository opens src.Repo for reading: a local working or bare
// repository as it is, a remote cloned into (or fetched in) a work
// directory.
func openRepository(ctx context.Context, src Source) (*git.Repository, error) {
	if gitremote.IsRemote(src.Repo) {
		return syncClone(ctx, src)
	}
	abs, err := filepath.Abs(src.Repo)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", src.Repo, err)
	}
	if _, err := os.Stat(abs); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("--repo %s: no such directory (give the backup repository record wrote, or its Git URL)", src.Repo)
	} else if err != nil {
		return nil, fmt.Errorf("open %s: %w", src.Repo, err)
	}
	repo, err := git.PlainOpen(abs)
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, fmt.Errorf("--repo %s: not a Git repository (give the backup repository record wrote, or its Git URL): %w", src.Repo, err)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", src.Repo, err)
	}
	return repo, nil
}

// clusterDirs lists the top directories of tree that look like cluster
// subtrees: they hold a "cluster" or a "namespaces" directory.
func clusterDirs(tree *object.Tree) []string {
	var out []string
	for _, e := range tree.Entries {
		if e.Mode != filemode.Dir {
			continue
		}
		sub, err := tree.Tree(e.Name)
		if err != nil {
			continue
		}
		for _, se := range sub.Entries {
			if se.Mode == filemode.Dir && (se.Name == "cluster" || se.Name == "namespaces") {
				out = append(out, e.Name)
				break
			}
		}
	}
	slices.Sort(out)
	return out
}

// chooseCluster picks the cluster subtree: the one named, or the only one.
func chooseCluster(tree *object.Tree, want string) (string, error) {
	have := clusterDirs(tree)
	if want != "" {
		if slices.Contains(have, want) {
			return want, nil
		}
		return "", clusterChoiceError(want, have)
	}
	if len(have) == 1 {
		return have[0], nil
	}
	return "", clusterChoiceError("", have)
}

// readSnapshot reads every file of the chosen cluster's subtree at commit.
func readSnapshot(ctx context.Context, commit *object.Commit, cluster string) (*snapshot, error) {
	tree, err := commit.Tree()
	if err != nil {
		return nil, fmt.Errorf("read commit %s: %w", commit.Hash, err)
	}
	name, err := chooseCluster(tree, cluster)
	if err != nil {
		return nil, err
	}
	snap := &snapshot{Commit: commit.Hash, Cluster: name}
	err = committer.ReadFiles(tree, name, func(p string, data []byte) error {
		snap.Files = append(snap.Files, backupFile{Path: name + "/" + p, Data: data})
		return ctx.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("read %s at %s: %w", name, commit.Hash, err)
	}
	slices.SortFunc(snap.Files, func(a, b backupFile) int { return strings.Compare(a.Path, b.Path) })
	return snap, nil
}
