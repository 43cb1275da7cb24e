package declared

import (
	"context"
	"fmt"

	"github.com/go-git/go-git/v5"

	"github.com/clusterscribe/clusterscribe/internal/gitremote"
)

// clone checks src out into dir (which must be empty) and returns the
// commit it holds. A branch or tag is fetched alone and shallow; a commit
// hash needs the full history.
func clone(ctx context.Context, src Source, auth gitremote.Auth, dir string) (string, error) {
	ra, err := gitremote.Resolve(src.URL, auth)
	if err != nil {
		return "", &SourceError{Value: gitremote.Scrub(src.URL), Err: err}
	}
	repo, err := gitremote.CloneAt(ctx, ra, dir, src.Ref)
	if err != nil {
		return "", err
	}
	head, err := repo.Head()
	if err != nil {
		return "", fmt.Errorf("clone %s: read HEAD: %w", src, err)
	}
	return head.Hash().String(), nil
}

// localRevision returns the commit checked out in the Git work tree that
// holds dir, or "" when dir is not in one.
func localRevision(dir string) string {
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true})
	if err != nil {
		return ""
	}
	head, err := repo.Head()
	if err != nil {
		return ""
	}
	return head.Hash().String()
}
