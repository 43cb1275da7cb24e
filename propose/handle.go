package propose

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/clusterscribe/clusterscribe/audit/declared"
	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/filters"
	"github.com/clusterscribe/clusterscribe/internal/atomicfile"
	"github.com/clusterscribe/clusterscribe/propose/gitrepo"
	"github.com/clusterscribe/clusterscribe/watcher"
)

// handler writes branches and drives their pull requests.
type handler struct {
	cfg      *Config
	repo     *gitrepo.Repo
	rep      *findings.Report
	existing map[string]plumbing.Hash // propose's branches as the run found them
	cluster  string
	opened   int
	decl     []declared.Object // read when a branch may be resolved
	declRead bool
}

// handle writes one branch and opens or updates its pull request.
func (h *handler) handle(ctx context.Context, b *branch) Proposal {
	prop := Proposal{Branch: b.name, Objects: b.objects(), Files: b.fileList(), Notes: b.notes()}
	fail := func(err error) Proposal {
		prop.Action, prop.Err = Failed, err
		return prop
	}
	if len(b.files) == 0 {
		prop.Action = Empty
		return prop
	}
	now := h.cfg.Now().UTC()
	when := b.latestChange()
	if when.IsZero() {
		when = now
	}
	author := object.Signature{Name: h.cfg.AuthorName, Email: h.cfg.AuthorEmail, When: when}
	committer := object.Signature{Name: h.cfg.AuthorName, Email: h.cfg.AuthorEmail, When: now}
	commit, err := h.repo.Commit(b.files, commitMessage(b, h.cluster), author, committer)
	if err != nil {
		return fail(err)
	}
	old := h.existing[b.name]
	same, err := h.sameCommit(old, commit)
	if err != nil {
		return fail(err)
	}
	if same {
		commit = old
	}
	prop.Commit = commit.String()
	if h.cfg.Forge == nil {
		return h.write(ctx, prop, b.name, commit, old, same)
	}
	title, body := b.title(h.cluster), prBody(h.rep, b, h.repo.Base(), h.cluster)
	pr, err := h.cfg.Forge.FindOpenPR(ctx, b.name)
	if err != nil {
		return fail(err)
	}
	if pr == nil && h.cfg.MaxPRs >= 0 && h.opened >= h.cfg.MaxPRs {
		prop.Action = Deferred
		return prop
	}
	if !same {
		if err := h.repo.Push(ctx, b.name, commit, old); err != nil {
			return fail(err)
		}
	}
	if pr == nil {
		created, err := h.cfg.Forge.CreatePR(ctx, newPR(b.name, h.repo.Base(), title, body))
		if err != nil {
			return fail(err)
		}
		h.opened++
		prop.Action, prop.PRNumber, prop.PRURL = Opened, created.Number, created.URL
		return prop
	}
	prop.PRNumber, prop.PRURL = pr.Number, pr.URL
	prop.Action = Unchanged
	if !same {
		prop.Action = Updated
	}
	if pr.Title != title || normalizeBody(pr.Body) != normalizeBody(body) {
		if err := h.cfg.Forge.UpdatePR(ctx, pr.Number, title, body); err != nil {
			return fail(err)
		}
		prop.Action = Updated
	}
	return prop
}

// sameCommit reports whether the branch already holds what commit holds:
// the same tree on the same base, with the same message.
func (h *handler) sameCommit(old, commit plumbing.Hash) (bool, error) {
	if old.IsZero() {
		return false, nil
	}
	oc, err := h.repo.ReadCommit(old)
	if err != nil {
		return false, err
	}
	nc, err := h.repo.ReadCommit(commit)
	if err != nil {
		return false, err
	}
	return oc.Tree == nc.Tree && slices.Equal(oc.Parents, nc.Parents) && oc.Message == nc.Message, nil
}

// write is the forge-less path: the branch (pushed, or local) and a patch
// file for `git am`.
func (h *handler) write(ctx context.Context, prop Proposal, name string, commit, old plumbing.Hash, same bool) Proposal {
	prop.Action = Written
	if same {
		prop.Action = Unchanged
	}
	var err error
	switch {
	case same:
	case h.repo.IsLocal():
		err = h.repo.SetBranch(name, commit)
	default:
		err = h.repo.Push(ctx, name, commit, old)
	}
	if err == nil {
		prop.Patch, err = h.writePatch(name, commit)
	}
	if err != nil {
		prop.Action, prop.Err = Failed, err
	}
	return prop
}

func (h *handler) writePatch(name string, commit plumbing.Hash) (string, error) {
	if err := os.MkdirAll(h.cfg.PatchDir, 0o755); err != nil {
		return "", fmt.Errorf("patch: %w", err)
	}
	file := filepath.Join(h.cfg.PatchDir, strings.ReplaceAll(strings.TrimPrefix(name, h.cfg.BranchPrefix+"/"), "/", "_")+".patch")
	err := atomicfile.Write(file, atomicfile.Options{}, func(w io.Writer) error { return h.repo.Patch(commit, w) })
	if err != nil {
		return "", fmt.Errorf("patch: %w", err)
	}
	return file, nil
}

// resolve handles a branch of an earlier run that this run did not plan:
// when every object it names was audited and has no drift left, its pull
// request gets a comment and is closed, and the branch is deleted. It
// returns false when the branch is left alone (not propose's, or some of
// its objects were not audited this time).
func (h *handler) resolve(ctx context.Context, name string, tip plumbing.Hash) (Proposal, bool) {
	c, err := h.repo.ReadCommit(tip)
	if err != nil {
		return Proposal{}, false
	}
	trailers := parseTrailers(c.Message)
	if len(trailers) == 0 {
		return Proposal{}, false
	}
	prop := Proposal{Branch: name, Action: Resolved, Commit: tip.String()}
	for _, t := range trailers {
		if !h.gone(ctx, t) {
			return Proposal{}, false
		}
		prop.Objects = append(prop.Objects, t.ref)
	}
	if h.cfg.Forge != nil {
		pr, err := h.cfg.Forge.FindOpenPR(ctx, name)
		if err != nil {
			prop.Action, prop.Err = Failed, err
			return prop, true
		}
		if pr != nil {
			prop.PRNumber, prop.PRURL = pr.Number, pr.URL
			if err := h.cfg.Forge.Comment(ctx, pr.Number, resolvedComment(h.repo.Base(), h.rep.DeclaredRevision)); err != nil {
				prop.Action, prop.Err = Failed, err
				return prop, true
			}
			if err := h.cfg.Forge.ClosePR(ctx, pr.Number); err != nil {
				prop.Action, prop.Err = Failed, err
				return prop, true
			}
		}
	}
	if h.repo.IsLocal() {
		err = h.repo.DeleteBranch(name)
	} else {
		err = h.repo.DeleteRemote(ctx, name)
	}
	if err != nil {
		prop.Action, prop.Err = Failed, err
	}
	return prop, true
}

func resolvedComment(base, revision string) string {
	if len(revision) > 12 {
		revision = revision[:12]
	}
	return fmt.Sprintf("%s\nThe drift this pull request records is gone: the live objects match `%s` at `%s` again. "+
		"Closing it; `clusterscribe propose` opens a new one if the drift comes back.\n", bodyMarker, base, revision)
}

// gone reports whether the object a trailer names was audited this run
// and has no drift of that kind left. Objects out of the run's scope, or
// no longer declared, are not judged.
func (h *handler) gone(ctx context.Context, t trailer) bool {
	for _, f := range h.rep.Findings {
		if f.Type != findings.Policy && sameObject(f.Object, t.ref) {
			return false
		}
	}
	if !h.inScope(t.ref) {
		return false
	}
	if t.typ == findings.Unmanaged {
		return true
	}
	if !h.declRead {
		h.declRead = true
		if set, err := declared.Load(ctx, declared.Options{Source: h.repo.Root(), Path: h.cfg.Audit.Declared.Path}); err == nil {
			h.decl = set.Objects
		}
	}
	defaultNS := h.cfg.Audit.Namespace
	if defaultNS == "" {
		defaultNS = "default"
	}
	return slices.ContainsFunc(h.decl, func(d declared.Object) bool {
		ref := findings.ObjectRef{APIVersion: d.Object.GetAPIVersion(), Kind: d.Object.GetKind(), Namespace: d.Object.GetNamespace(), Name: d.Object.GetName()}
		if ref.Namespace == "" && t.ref.Namespace != "" {
			ref.Namespace = defaultNS
		}
		return sameObject(ref, t.ref)
	})
}

// inScope applies the run's filters to an object known only by name: a
// label selector cannot be judged, so with one nothing is.
func (h *handler) inScope(o findings.ObjectRef) bool {
	fo := h.cfg.Audit.Filters
	if fo.Selector != "" {
		return false
	}
	fo.Include = []string{filters.IncludeAll}
	f, err := filters.New(fo)
	if err != nil {
		return false
	}
	r := watcher.Resource{Kind: o.Kind, Namespaced: o.Namespace != ""}
	r.GVR.Group = o.Group()
	obj := stubObject(o)
	ok, _ := f.Allow(r, obj)
	return ok
}

func normalizeBody(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
}

func sortedNames(m map[string]plumbing.Hash) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
