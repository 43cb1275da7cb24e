package propose

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"k8s.io/client-go/rest"

	"github.com/clusterscribe/clusterscribe/audit"
	"github.com/clusterscribe/clusterscribe/audit/declared"
	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/propose/gitrepo"
	"github.com/clusterscribe/clusterscribe/serializer"
)

// Run audits the cluster restCfg points to against the declared
// repository and proposes the drift: see the package comment. Drift is
// in the Result, not an error. When some branches failed (a lease broken
// by someone else's push, a forge error), the others are still handled
// and the error wraps ErrIncomplete.
func Run(ctx context.Context, restCfg *rest.Config, cfg Config) (Result, error) {
	if err := cfg.validate(); err != nil {
		return Result{}, err
	}
	src, err := declared.ParseSource(cfg.Audit.Declared.Source)
	if err != nil {
		return Result{}, err
	}
	repo, cleanup, err := openRepo(ctx, &cfg, src)
	if err != nil {
		return Result{}, err
	}
	defer cleanup()
	cfg.Logger.Info("declared repository read", "source", src.String(), "base", repo.Base(), "commit", repo.BaseCommit().String())
	rep, err := auditRepo(ctx, restCfg, &cfg, src, repo)
	if err != nil {
		return Result{}, err
	}
	res := Result{Report: rep, Base: repo.Base(), BaseCommit: repo.BaseCommit().String()}
	p, err := newPlanner(restCfg, &cfg, repo, rep)
	if err != nil {
		return res, err
	}
	branches, err := p.plan(ctx, rep)
	if err != nil {
		return res, err
	}
	existing, err := repo.Branches()
	if err != nil {
		return res, err
	}
	h := &handler{cfg: &cfg, repo: repo, rep: rep, existing: existing, cluster: rep.Cluster}
	failed := h.handleAll(ctx, branches, &res)
	failed = append(failed, h.resolveGone(ctx, branches, &res)...)
	if len(failed) > 0 {
		return res, fmt.Errorf("%w: %w", ErrIncomplete, errors.Join(failed...))
	}
	return res, nil
}

// auditRepo audits the cluster against the declared repository as repo
// holds it (the clone, or the work tree around a local directory).
func auditRepo(ctx context.Context, restCfg *rest.Config, cfg *Config, src declared.Source, repo *gitrepo.Repo) (*findings.Report, error) {
	ac := cfg.Audit
	ac.Declared.Source = repo.Root()
	if src.Dir != "" {
		sub, err := subPath(repo.Root(), src.Dir)
		if err != nil {
			return nil, err
		}
		ac.Declared.Path = filepath.ToSlash(filepath.Join(sub, cfg.Audit.Declared.Path))
	}
	ac.Logger = cfg.Logger
	rep, err := audit.Run(ctx, restCfg, ac)
	if err != nil {
		return nil, err
	}
	rep.Declared = src.String()
	if cfg.Audit.Declared.Path != "" {
		rep.Declared += " (path " + cfg.Audit.Declared.Path + ")"
	}
	return rep, nil
}

// newPlanner prepares the planning of branches: the live reader and the
// serializer the audit normalized with.
func newPlanner(restCfg *rest.Config, cfg *Config, repo *gitrepo.Repo, rep *findings.Report) (*planner, error) {
	live := cfg.Live
	if live == nil {
		var err error
		if live, err = newKubeReader(restCfg, cfg.Audit.Watcher); err != nil {
			return nil, err
		}
	}
	sopts := cfg.Audit.Compare.Serializer
	sopts.Secrets, sopts.AgeRecipients, sopts.Autoscaled = serializer.SecretsRedact, nil, nil
	ser, err := serializer.New(sopts)
	if err != nil {
		return nil, fmt.Errorf("propose: %w", err)
	}
	return &planner{
		files:   repo,
		dirty:   func(path string) bool { return repo.IsLocal() && repo.Dirty(path) },
		origin:  &origin{files: repo, ks: loadKustomizations(repo.Root())},
		live:    live,
		ser:     ser,
		cfg:     cfg,
		cluster: rep.Cluster,
	}, nil
}

// handleAll writes, pushes and proposes each planned branch, adds the
// proposals to res and returns the failures.
func (h *handler) handleAll(ctx context.Context, branches []*branch, res *Result) []error {
	log := h.cfg.Logger
	var failed []error
	for _, b := range branches {
		prop := h.handle(ctx, b)
		if prop.Err != nil {
			failed = append(failed, fmt.Errorf("%s: %w", prop.Branch, prop.Err))
			log.Error("proposal failed", "branch", prop.Branch, "error", prop.Err)
		} else {
			log.Info("proposal", "branch", prop.Branch, "action", prop.Action, "pr", prop.PRURL, "patch", prop.Patch)
		}
		res.Proposals = append(res.Proposals, prop)
	}
	return failed
}

// resolveGone resolves the existing branches no drift was planned for
// (the drift went away), adds what was done to res and returns the
// failures.
func (h *handler) resolveGone(ctx context.Context, branches []*branch, res *Result) []error {
	planned := map[string]bool{}
	for _, b := range branches {
		planned[b.name] = true
	}
	var failed []error
	for _, name := range sortedNames(h.existing) {
		if planned[name] {
			continue
		}
		prop, ok := h.resolve(ctx, name, h.existing[name])
		if !ok {
			continue
		}
		if prop.Err != nil {
			failed = append(failed, fmt.Errorf("%s: %w", prop.Branch, prop.Err))
		}
		h.cfg.Logger.Info("drift went away", "branch", prop.Branch, "action", prop.Action, "pr", prop.PRURL)
		res.Proposals = append(res.Proposals, prop)
	}
	return failed
}

// openRepo clones a Git URL into a temporary directory, or opens the
// repository around a local directory.
func openRepo(ctx context.Context, cfg *Config, src declared.Source) (*gitrepo.Repo, func(), error) {
	if !src.IsGit() {
		if cfg.Forge != nil {
			return nil, nil, errors.New("propose: a local --declared directory gets local branches only: use a Git URL with a forge, or --forge none")
		}
		repo, err := gitrepo.Open(src.Dir, cfg.BranchPrefix)
		return repo, func() {}, err
	}
	dir, err := os.MkdirTemp(cfg.Workdir, "clusterscribe-propose-*")
	if err != nil {
		return nil, nil, fmt.Errorf("propose: clone directory: %w", err)
	}
	cleanup := func() { _ = os.RemoveAll(dir) }
	repo, err := gitrepo.Clone(ctx, src.URL, src.Ref, cfg.BranchPrefix, cfg.Audit.Declared.Auth, dir)
	if err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("propose: %w", err)
	}
	return repo, cleanup, nil
}

// subPath is dir relative to the work tree's root.
func subPath(root, dir string) (string, error) {
	absRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return "", fmt.Errorf("propose: %w", err)
	}
	absDir, err := filepath.Abs(dir)
	if err == nil {
		absDir, err = filepath.EvalSymlinks(absDir)
	}
	if err != nil {
		return "", fmt.Errorf("propose: %w", err)
	}
	rel, err := filepath.Rel(absRoot, absDir)
	if err != nil {
		return "", fmt.Errorf("propose: %w", err)
	}
	return rel, nil
}

// plan builds the branches: one per drifted object, or one for all with
// Group. Objects with nothing to write still get a branch when they have
// notes, so the pull request says what could not be proposed.
func (p *planner) plan(ctx context.Context, rep *findings.Report) ([]*branch, error) {
	var changes []*change
	for _, f := range rep.Findings {
		var c *change
		var err error
		switch {
		case f.Type == findings.Modified:
			c, err = p.modified(ctx, f)
		case f.Type == findings.Unmanaged && p.cfg.AdoptUnmanaged:
			c, err = p.unmanaged(ctx, f)
		default:
			continue
		}
		if err != nil {
			return nil, err
		}
		changes = append(changes, c)
	}
	var out []*branch
	if p.cfg.Group {
		if len(changes) > 0 {
			out = append(out, &branch{name: groupBranchName(p.cfg.BranchPrefix, p.cluster), changes: changes})
		}
	} else {
		for _, c := range changes {
			out = append(out, &branch{name: branchName(p.cfg.BranchPrefix, p.cluster, c.finding.Object), changes: []*change{c}})
		}
	}
	for _, b := range out {
		if err := b.build(p.files); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out, func(a, b *branch) int {
		switch {
		case a.name < b.name:
			return -1
		case a.name > b.name:
			return 1
		}
		return 0
	})
	return out, nil
}
