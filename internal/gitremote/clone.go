package gitremote

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
)

// CloneOptions say what Clone brings in. Tags come only with Mirror.
type CloneOptions struct {
	// Ref is the branch or tag (a full ref name) to check out; "" for the
	// remote's default branch.
	Ref plumbing.ReferenceName
	// SingleBranch fetches Ref (or the default branch) alone.
	SingleBranch bool
	// Shallow fetches only the tip commit.
	Shallow bool
	// Mirror makes a bare clone whose branches and tags are the remote's,
	// every tag included.
	Mirror bool
}

// Clone clones a's remote into dir, which must be empty or absent. On
// failure dir is left as it was found (go-git removes what it wrote), and
// the error is an Error: a missing Ref is of kind ErrRefNotFound.
func Clone(ctx context.Context, a *Access, dir string, o CloneOptions) (*git.Repository, error) {
	opts := &git.CloneOptions{
		URL: a.URL, Auth: a.Method, CABundle: a.CABundle, Tags: git.NoTags,
		ReferenceName: o.Ref, SingleBranch: o.SingleBranch, Mirror: o.Mirror,
	}
	if o.Shallow {
		opts.Depth = 1
	}
	if o.Mirror {
		opts.Tags = git.AllTags
	}
	repo, err := git.PlainCloneContext(a.transportCtx(ctx), dir, o.Mirror, opts)
	if err != nil {
		return nil, a.fail("clone", err)
	}
	return repo, nil
}

var commitHashRE = regexp.MustCompile(`^[0-9a-f]{40}$`)

// CloneAt clones a's remote into dir (empty or absent) with ref checked
// out: a branch, else a tag, of that name; a full ref name; or a full
// commit hash; "" is the remote's default branch. A branch or tag is
// fetched alone and shallow; a commit hash needs the full history. A ref
// or commit the remote lacks is an Error of kind ErrRefNotFound.
func CloneAt(ctx context.Context, a *Access, dir, ref string) (*git.Repository, error) {
	switch {
	case ref == "":
		return Clone(ctx, a, dir, CloneOptions{SingleBranch: true, Shallow: true})
	case commitHashRE.MatchString(ref):
		repo, err := Clone(ctx, a, dir, CloneOptions{})
		if err != nil {
			return nil, err
		}
		if err := a.checkout(repo, plumbing.NewHash(ref)); err != nil {
			return nil, err
		}
		return repo, nil
	}
	names := []plumbing.ReferenceName{plumbing.NewBranchReferenceName(ref), plumbing.NewTagReferenceName(ref)}
	what := "branch or tag"
	if strings.HasPrefix(ref, "refs/") {
		names, what = []plumbing.ReferenceName{plumbing.ReferenceName(ref)}, "ref"
	}
	for _, name := range names {
		repo, err := Clone(ctx, a, dir, CloneOptions{Ref: name, SingleBranch: true, Shallow: true})
		if !errors.Is(err, ErrRefNotFound) {
			return repo, err
		}
	}
	return nil, a.failAs("clone", ErrRefNotFound, fmt.Errorf("ref %q: no such %s", ref, what))
}

// checkout checks commit h out in repo's work tree.
func (a *Access) checkout(repo *git.Repository, h plumbing.Hash) error {
	wt, err := repo.Worktree()
	if err != nil {
		return fmt.Errorf("check out %s: %w", h, err)
	}
	err = wt.Checkout(&git.CheckoutOptions{Hash: h, Force: true})
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		return a.failAs("clone", ErrRefNotFound, fmt.Errorf("ref %q: no such commit", h.String()))
	}
	if err != nil {
		return fmt.Errorf("check out %s: %w", h, err)
	}
	return nil
}
