package declared

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/clusterscribe/clusterscribe/internal/gitremote"
)

var commitHashRE = regexp.MustCompile(`^[0-9a-f]{40}$`)

// clone checks src out into dir (which must be empty) and returns the
// commit it holds. A branch or tag is fetched alone and shallow; a commit
// hash needs the full history.
func clone(ctx context.Context, src Source, auth gitremote.Auth, dir string) (string, error) {
	ra, err := gitremote.Resolve(src.URL, auth)
	if err != nil {
		return "", &SourceError{Value: gitremote.Scrub(src.URL), Err: err}
	}
	opts := &git.CloneOptions{URL: ra.URL, Auth: ra.Method, CABundle: ra.CABundle, Tags: git.NoTags}
	var repo *git.Repository
	switch {
	case src.Ref == "":
		opts.Depth, opts.SingleBranch = 1, true
		repo, err = git.PlainCloneContext(ctx, dir, false, opts)
	case commitHashRE.MatchString(src.Ref):
		repo, err = git.PlainCloneContext(ctx, dir, false, opts)
		if err == nil {
			err = checkoutHash(repo, plumbing.NewHash(src.Ref))
		}
	default:
		repo, err = cloneRef(ctx, dir, src.Ref, opts)
	}
	if err != nil {
		return "", ra.Scrub(fmt.Errorf("clone %s: %w", src, err))
	}
	head, err := repo.Head()
	if err != nil {
		return "", fmt.Errorf("clone %s: read HEAD: %w", src, err)
	}
	return head.Hash().String(), nil
}

// cloneRef clones a branch, else a tag, of that name (or a full ref name).
func cloneRef(ctx context.Context, dir, ref string, opts *git.CloneOptions) (*git.Repository, error) {
	candidates := []plumbing.ReferenceName{plumbing.NewBranchReferenceName(ref), plumbing.NewTagReferenceName(ref)}
	if strings.HasPrefix(ref, "refs/") {
		candidates = []plumbing.ReferenceName{plumbing.ReferenceName(ref)}
	}
	var errs []error
	for _, name := range candidates {
		o := *opts
		o.ReferenceName, o.SingleBranch, o.Depth = name, true, 1
		repo, err := git.PlainCloneContext(ctx, dir, false, &o)
		if err == nil {
			return repo, nil
		}
		errs = append(errs, err)
		if !isRefNotFound(err) {
			break
		}
		if err := emptyDir(dir); err != nil {
			return nil, err
		}
	}
	return nil, fmt.Errorf("ref %q: %w", ref, errors.Join(errs...))
}

func isRefNotFound(err error) bool {
	var noMatch git.NoMatchingRefSpecError
	return errors.Is(err, plumbing.ErrReferenceNotFound) || errors.As(err, &noMatch) ||
		strings.Contains(err.Error(), "couldn't find remote ref")
}

func checkoutHash(repo *git.Repository, h plumbing.Hash) error {
	wt, err := repo.Worktree()
	if err != nil {
		return err
	}
	if err := wt.Checkout(&git.CheckoutOptions{Hash: h, Force: true}); err != nil {
		return fmt.Errorf("check out %s: %w", h, err)
	}
	return nil
}

// emptyDir removes everything inside dir, keeping dir.
func emptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := os.RemoveAll(dir + string(os.PathSeparator) + e.Name()); err != nil {
			return err
		}
	}
	return nil
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
