package restore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"

	"github.com/clusterscribe/clusterscribe/internal/gitremote"
)

// mirrorRefSpecs keep the clone's branches and tags equal to the remote's,
// so every ref resolves as it would in the remote itself.
var mirrorRefSpecs = []config.RefSpec{"+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"}

// syncClone clones src.Repo (bare, all branches and tags) into the work
// directory, or fetches when the clone is already there.
func syncClone(ctx context.Context, src Source) (*git.Repository, error) {
	shown := gitremote.Scrub(src.Repo)
	access, err := gitremote.Resolve(src.Repo, src.Auth)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", shown, err)
	}
	dir, err := workdir(src)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", shown, err)
	}
	repo, err := git.PlainOpen(dir)
	if errors.Is(err, git.ErrRepositoryNotExists) {
		if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
			return nil, fmt.Errorf("open %s: %w", shown, err)
		}
		return gitremote.Clone(ctx, access, dir, gitremote.CloneOptions{Mirror: true})
	}
	if err != nil {
		return nil, fmt.Errorf("open clone of %s in %s: %w", shown, dir, err)
	}
	err = gitremote.Fetch(ctx, access, repo, gitremote.FetchOptions{RefSpecs: mirrorRefSpecs, Force: true, AllTags: true})
	if err != nil {
		return nil, err
	}
	return repo, nil
}

// workdir is where the remote is cloned.
func workdir(src Source) (string, error) {
	if src.Workdir != "" {
		return filepath.Abs(src.Workdir)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no --workdir and no user cache directory: %w", err)
	}
	sum := sha256.Sum256([]byte(gitremote.Scrub(src.Repo)))
	return filepath.Join(cache, "clusterscribe", "restore", hex.EncodeToString(sum[:8])), nil
}
