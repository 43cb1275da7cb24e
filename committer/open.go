package committer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/clusterscribe/clusterscribe/internal/gitremote"
)

// Open validates o, then opens or creates the repository and checks out the
// branch, so that every configuration mistake surfaces here, before any
// watch starts, as one error wrapping one of ErrInvalidOptions,
// ErrInvalidBranch, ErrInvalidURL, ErrRepoNotWritable,
// ErrRemoteUnreachable, ErrAuthRejected or ErrDirtyWorktree.
//
// A local directory is initialized when it is not a repository yet; the
// branch is checked out there (as an orphan when new, like `git switch
// --orphan`). A remote is cloned bare into Workdir, or fetched when Workdir
// already holds the clone. With a remote, Open asks the remote's receive
// side for its refs, so unreachable remotes and credentials that may not
// push are reported now; local commits from an earlier run that are not on
// the remote yet are rebased onto it and stay queued for Push. With
// Options.StartUnreachable an unreachable remote is no error: see
// connectOrDefer.
func Open(ctx context.Context, o Options) (*Committer, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	c := &Committer{
		opts:   o,
		branch: branchRef(o.Branch),
		log:    o.Logger,
		sem:    make(chan struct{}, 1),
		notify: make(chan struct{}, 1),
		now:    time.Now,
	}
	switch {
	case gitremote.IsRemote(o.Repo):
		r, err := gitremote.Parse(o.Repo)
		if err != nil {
			return nil, fmt.Errorf("open: %w", err)
		}
		err = c.openClone(ctx, r)
		return c.opened(err)
	case isBareRepo(o.Repo):
		abs, err := filepath.Abs(o.Repo)
		if err != nil {
			return nil, fmt.Errorf("open %s: %w: %w", o.Repo, ErrRepoNotWritable, err)
		}
		return c.opened(c.openClone(ctx, gitremote.Local(abs)))
	default:
		return c.opened(c.openLocal(ctx))
	}
}

func (c *Committer) opened(err error) (*Committer, error) {
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", gitremote.Scrub(c.opts.Repo), err)
	}
	return c, nil
}

// isBareRepo reports whether p is an existing bare repository.
func isBareRepo(p string) bool {
	if _, err := os.Stat(filepath.Join(p, ".git")); err == nil {
		return false
	}
	for _, name := range []string{"HEAD", "objects", "refs"} {
		if _, err := os.Stat(filepath.Join(p, name)); err != nil {
			return false
		}
	}
	return true
}

// openOrInit opens the repository at dir or, when there is none, calls
// prepare (if any) and initializes one there (bare or not, on the committer's
// branch); it gives the repository the object cache. A failure to
// initialize is ErrRepoNotWritable.
func (c *Committer) openOrInit(dir string, bare bool, prepare func() error) (*git.Repository, error) {
	repo, err := git.PlainOpen(dir)
	if errors.Is(err, git.ErrRepositoryNotExists) {
		if prepare != nil {
			if err := prepare(); err != nil {
				return nil, err
			}
		}
		repo, err = git.PlainInitWithOptions(dir, &git.PlainInitOptions{
			Bare:        bare,
			InitOptions: git.InitOptions{DefaultBranch: c.branch},
		})
		if err != nil {
			return nil, fmt.Errorf("%w: init %s: %w", ErrRepoNotWritable, dir, err)
		}
	}
	if err == nil {
		repo, err = withObjectCache(repo)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dir, err)
	}
	return repo, nil
}

// openLocal opens or initializes a working repository.
func (c *Committer) openLocal(ctx context.Context) error {
	abs, err := filepath.Abs(c.opts.Repo)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrRepoNotWritable, err)
	}
	if fi, err := os.Stat(abs); err == nil && !fi.IsDir() {
		return fmt.Errorf("%w: %s is not a directory", ErrRepoNotWritable, abs)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%w: %w", ErrRepoNotWritable, err)
	}
	repo, err := c.openOrInit(abs, false, func() error {
		// A new repository has no remote, so credentials make no sense.
		if _, err := newCredentials(c.opts.Auth, gitremote.Remote{}); err != nil {
			return err
		}
		if err := os.MkdirAll(abs, 0o755); err != nil {
			return fmt.Errorf("%w: %w", ErrRepoNotWritable, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := checkWritable(abs); err != nil {
		return fmt.Errorf("%w: %w", ErrRepoNotWritable, err)
	}
	if dotgit := filepath.Join(abs, ".git"); isDir(dotgit) {
		if err := checkWritable(dotgit); err != nil {
			return fmt.Errorf("%w: %w", ErrRepoNotWritable, err)
		}
	}
	c.repo, c.worktree = repo, abs
	if err := c.useOrigin(); err != nil {
		return err
	}

	head, err := repo.Storer.Reference(plumbing.HEAD)
	if err != nil {
		return fmt.Errorf("read HEAD: %w", err)
	}
	from := head.Hash()
	if head.Type() == plumbing.SymbolicReference {
		if from, err = c.refHash(head.Target()); err != nil {
			return err
		}
	}
	switching := head.Type() != plumbing.SymbolicReference || head.Target() != c.branch
	if switching && !from.IsZero() {
		if err := c.checkClean(); err != nil {
			return err
		}
	}
	if c.remote != nil {
		if err := c.connectOrDefer(ctx); err != nil {
			return err
		}
	}
	if err := repo.Storer.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, c.branch)); err != nil {
		return fmt.Errorf("check out %s: %w", c.opts.Branch, err)
	}
	to, err := c.refHash(c.branch)
	if err != nil {
		return err
	}
	if err := c.moveToCommit(ctx, from, to); err != nil {
		return fmt.Errorf("check out %s: %w", c.opts.Branch, err)
	}
	return nil
}

// useOrigin picks up the "origin" remote of a local working repository.
func (c *Committer) useOrigin() error {
	rem, err := c.repo.Remote(remoteName)
	if errors.Is(err, git.ErrRemoteNotFound) || (err == nil && len(rem.Config().URLs) == 0) {
		if _, err := newCredentials(c.opts.Auth, gitremote.Remote{}); err != nil {
			return err
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("read remote %s: %w", remoteName, err)
	}
	raw := rem.Config().URLs[0]
	var r gitremote.Remote
	if gitremote.IsRemote(raw) {
		if r, err = gitremote.Parse(raw); err != nil {
			return fmt.Errorf("remote %s: %w", remoteName, err)
		}
	} else {
		if !filepath.IsAbs(raw) {
			raw = filepath.Join(c.worktree, raw)
		}
		r = gitremote.Local(raw)
	}
	creds, err := newCredentials(c.opts.Auth, r)
	if err != nil {
		return err
	}
	c.remote, c.creds, c.tracking = &r, creds, remoteTracking(c.opts.Branch)
	return nil
}

func remoteTracking(branch string) plumbing.ReferenceName {
	return plumbing.NewRemoteReferenceName(remoteName, branch)
}

// openClone opens or creates the bare clone of a remote in Workdir.
func (c *Committer) openClone(ctx context.Context, r gitremote.Remote) error {
	creds, err := newCredentials(c.opts.Auth, r)
	if err != nil {
		return err
	}
	dir := c.opts.Workdir
	if dir == "" {
		if dir, err = defaultWorkdir(r, c.opts); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("%w: workdir: %w", ErrRepoNotWritable, err)
	}
	repo, err := c.openOrInit(dir, true, nil)
	if err != nil {
		return fmt.Errorf("workdir: %w", err)
	}
	if err := checkWritable(dir); err != nil {
		return fmt.Errorf("%w: workdir: %w", ErrRepoNotWritable, err)
	}
	cfg, err := repo.Config()
	if err != nil {
		return fmt.Errorf("read workdir config: %w", err)
	}
	if !cfg.Core.IsBare {
		return fmt.Errorf("%w: workdir %s holds a working repository; use it as the repository or pick another workdir", ErrInvalidOptions, dir)
	}
	if err := ensureRemote(repo, r, c.opts.Branch); err != nil {
		return err
	}
	c.repo, c.remote, c.creds, c.tracking = repo, &r, creds, remoteTracking(c.opts.Branch)
	if err := repo.Storer.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, c.branch)); err != nil {
		return fmt.Errorf("set HEAD: %w", err)
	}
	return c.connectOrDefer(ctx)
}

// ensureRemote configures "origin" in a fresh clone, or checks that an
// existing clone is of the same remote.
func ensureRemote(repo *git.Repository, r gitremote.Remote, branch string) error {
	rem, err := repo.Remote(remoteName)
	if err == nil {
		if urls := rem.Config().URLs; len(urls) == 0 || urls[0] != r.URL {
			return fmt.Errorf("%w: workdir is a clone of %s, not of %s", ErrInvalidOptions, gitremote.Scrub(fmt.Sprint(urls)), gitremote.Scrub(r.URL))
		}
		return nil
	}
	if !errors.Is(err, git.ErrRemoteNotFound) {
		return fmt.Errorf("read workdir remote: %w", err)
	}
	_, err = repo.CreateRemote(&config.RemoteConfig{
		Name:  remoteName,
		URLs:  []string{r.URL},
		Fetch: []config.RefSpec{trackingRefSpec(branch)},
	})
	if err != nil {
		return fmt.Errorf("configure workdir remote: %w", err)
	}
	return nil
}

func trackingRefSpec(branch string) config.RefSpec {
	return config.RefSpec("+" + branchRef(branch).String() + ":" + remoteTracking(branch).String())
}

// defaultWorkdir keys the clone by remote, branch and prefix so that two
// recorders on one host never share a clone.
func defaultWorkdir(r gitremote.Remote, o Options) (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("%w: no user cache directory for the clone, set a workdir: %w", ErrInvalidOptions, err)
	}
	sum := sha256.Sum256([]byte(r.URL + "\x00" + o.Branch + "\x00" + o.Prefix))
	return filepath.Join(base, "clusterscribe", "repos", hex.EncodeToString(sum[:12])), nil
}

func checkWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".clusterscribe-write-check-*")
	if err != nil {
		return err
	}
	name := f.Name()
	if err := f.Close(); err != nil {
		return err
	}
	return os.Remove(name)
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
