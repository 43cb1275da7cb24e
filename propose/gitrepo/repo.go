package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/clusterscribe/clusterscribe/internal/gitremote"
)

const remoteName = gitremote.RemoteName

// Repo is the declared repository at its base branch.
type Repo struct {
	repo     *git.Repository
	root     string
	url      string // remote URL without credentials; "" for a local repository
	rawURL   string // as given: its userinfo may be the credentials
	auth     gitremote.Auth
	prefix   string
	base     string
	baseHash plumbing.Hash
}

var (
	// ErrNotBranch means the base is not a branch of the repository.
	ErrNotBranch = errors.New("not a branch")
	// ErrLocal means a push was asked of a local repository.
	ErrLocal = errors.New("a local repository has no remote to push to")
	// ErrLeaseBroken means the remote branch moved since it was fetched:
	// someone else pushed to it, and it was left alone.
	ErrLeaseBroken = errors.New("the remote branch moved since it was read")
)

// Clone checks out branch base of url (the remote's default branch when
// empty) into dir, which must be empty, and fetches the branches under
// prefix.
func Clone(ctx context.Context, url, base, prefix string, auth gitremote.Auth, dir string) (*Repo, error) {
	r := &Repo{root: dir, url: gitremote.Scrub(url), rawURL: url, auth: auth, prefix: strings.Trim(prefix, "/")}
	access, err := gitremote.Resolve(url, auth)
	if err != nil {
		return nil, fmt.Errorf("clone %s: %w", r.url, err)
	}
	o := gitremote.CloneOptions{SingleBranch: true}
	if base != "" {
		o.Ref = plumbing.NewBranchReferenceName(base)
	}
	repo, err := gitremote.Clone(ctx, access, dir, o)
	if err != nil {
		if base != "" && errors.Is(err, gitremote.ErrRefNotFound) {
			return nil, fmt.Errorf("clone %s: base %q: %w", r.url, base, ErrNotBranch)
		}
		return nil, err
	}
	r.repo = repo
	if err := r.readHead(); err != nil {
		return nil, err
	}
	if err := r.fetchProposals(ctx); err != nil {
		return nil, err
	}
	return r, nil
}

// Open opens the repository whose work tree holds dir, at the branch
// checked out there. Proposals become local branches; nothing is pushed.
func Open(dir, prefix string) (*Repo, error) {
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dir, err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dir, err)
	}
	r := &Repo{repo: repo, root: wt.Filesystem.Root(), prefix: strings.Trim(prefix, "/")}
	if err := r.readHead(); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *Repo) readHead() error {
	head, err := r.repo.Head()
	if err != nil {
		return fmt.Errorf("read HEAD: %w", err)
	}
	if !head.Name().IsBranch() {
		return fmt.Errorf("HEAD of %s: %w (check out a branch)", r.root, ErrNotBranch)
	}
	r.base, r.baseHash = head.Name().Short(), head.Hash()
	return nil
}

// fetchProposals fetches the branches under prefix into remote-tracking
// refs: they say what each branch holds and are the leases for pushes.
func (r *Repo) fetchProposals(ctx context.Context) error {
	access, err := gitremote.Resolve(r.rawURL, r.auth)
	if err != nil {
		return fmt.Errorf("fetch %s: %w", r.url, err)
	}
	spec := config.RefSpec(fmt.Sprintf("+refs/heads/%s/*:refs/remotes/%s/%s/*", r.prefix, remoteName, r.prefix))
	err = gitremote.Fetch(ctx, access, r.repo, gitremote.FetchOptions{RefSpecs: []config.RefSpec{spec}})
	if errors.Is(err, gitremote.ErrRefNotFound) {
		return nil // no proposal branch yet
	}
	return err
}

// Root is the work tree's directory.
func (r *Repo) Root() string { return r.root }

// Base is the base branch's name.
func (r *Repo) Base() string { return r.base }

// BaseCommit is the commit proposals are built on.
func (r *Repo) BaseCommit() plumbing.Hash { return r.baseHash }

// IsLocal reports a repository opened in place, without a remote.
func (r *Repo) IsLocal() bool { return r.url == "" }

// Branches returns the branches under the prefix and their commits: the
// remote's (as fetched) for a clone, the local ones otherwise.
func (r *Repo) Branches() (map[string]plumbing.Hash, error) {
	refs, err := r.repo.References()
	if err != nil {
		return nil, fmt.Errorf("list branches: %w", err)
	}
	want := "refs/remotes/" + remoteName + "/" + r.prefix + "/"
	if r.IsLocal() {
		want = "refs/heads/" + r.prefix + "/"
	}
	out := map[string]plumbing.Hash{}
	err = refs.ForEach(func(ref *plumbing.Reference) error {
		name := ref.Name().String()
		if ref.Type() == plumbing.HashReference && strings.HasPrefix(name, want) {
			out[r.prefix+"/"+strings.TrimPrefix(name, want)] = ref.Hash()
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list branches: %w", err)
	}
	return out, nil
}

// ReadFile returns a file of the base commit (path relative to the root,
// slash-separated).
func (r *Repo) ReadFile(path string) ([]byte, error) {
	c, err := r.repo.CommitObject(r.baseHash)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	f, err := c.File(path)
	if err != nil {
		return nil, fmt.Errorf("read %s at %s: %w", path, r.base, err)
	}
	s, err := f.Contents()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return []byte(s), nil
}

// Dirty reports whether the work tree's copy of path differs from the base
// commit's (uncommitted changes in a local repository).
func (r *Repo) Dirty(path string) bool {
	disk, err := os.ReadFile(filepath.Join(r.root, filepath.FromSlash(path)))
	if err != nil {
		return false
	}
	committed, err := r.ReadFile(path)
	return err != nil || string(disk) != string(committed)
}

// Commit is what a branch holds.
type Commit struct {
	Hash    plumbing.Hash
	Tree    plumbing.Hash
	Parents []plumbing.Hash
	Message string
}

// ReadCommit reads a commit.
func (r *Repo) ReadCommit(h plumbing.Hash) (Commit, error) {
	c, err := r.repo.CommitObject(h)
	if err != nil {
		return Commit{}, fmt.Errorf("read commit %s: %w", h, err)
	}
	return Commit{Hash: h, Tree: c.TreeHash, Parents: c.ParentHashes, Message: c.Message}, nil
}

// SetBranch points the local branch name at h.
func (r *Repo) SetBranch(name string, h plumbing.Hash) error {
	ref := plumbing.NewBranchReferenceName(name)
	if err := ref.Validate(); err != nil {
		return fmt.Errorf("branch %q: %w", name, err)
	}
	if err := r.repo.Storer.SetReference(plumbing.NewHashReference(ref, h)); err != nil {
		return fmt.Errorf("set branch %s: %w", name, err)
	}
	return nil
}

// DeleteBranch removes the local branch name (local repositories).
func (r *Repo) DeleteBranch(name string) error {
	if err := r.repo.Storer.RemoveReference(plumbing.NewBranchReferenceName(name)); err != nil {
		return fmt.Errorf("delete branch %s: %w", name, err)
	}
	return nil
}

// signature is the author of proposal commits.
func signature(name, email string, c object.Signature) object.Signature {
	if c.Name == "" {
		c.Name = name
	}
	if c.Email == "" {
		c.Email = email
	}
	return c
}
