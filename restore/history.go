package restore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"sigs.k8s.io/yaml"

	"github.com/clusterscribe/clusterscribe/committer"
	"github.com/clusterscribe/clusterscribe/serializer"
)

// HistoryConfig is a checked description of one history query.
type HistoryConfig struct {
	// Source.Cluster empty means the only cluster at the tip of Source.Ref.
	Source Source
	Object ObjectQuery
	// MaxCount limits the number of entries; 0 means all.
	MaxCount int
}

// Change is one commit that changed an object's file.
type Change struct {
	Commit string    `json:"commit"`
	Time   time.Time `json:"time"` // author time, UTC
	Author string    `json:"author"`
	Email  string    `json:"email"`
	// Change is "added", "changed" or "removed".
	Change string `json:"change"`
	Path   string `json:"path"`
	// Lines are the lines of the commit message about the object: what
	// changed and, where known, who changed it and when (the attribution).
	Lines []string `json:"lines,omitempty"`
	// ChangedBy is the person who made the change in the cluster, when the
	// recorder's audit webhook named them (with their groups from the
	// commit's Changed-By trailer).
	ChangedBy *committer.Actor `json:"changedBy,omitempty"`
}

// History lists the commits reachable from cfg.Source.Ref that changed the
// object's file, newest first. A merge is listed only when the file
// differs from every parent.
func History(ctx context.Context, cfg HistoryConfig) ([]Change, error) {
	if err := cfg.Source.validate(); err != nil {
		return nil, err
	}
	repo, err := openRepository(ctx, cfg.Source)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	tip, err := resolve(repo, cfg.Source.Ref)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	tree, err := tip.Tree()
	if err != nil {
		return nil, fmt.Errorf("history: read %s: %w", tip.Hash, err)
	}
	cluster := cfg.Source.Cluster
	if cluster == "" {
		if cluster, err = chooseCluster(tree, ""); err != nil {
			return nil, fmt.Errorf("history: %w", err)
		}
	}
	aliases, err := aliasesAt(tree, cluster)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	q, err := aliases.resolve(cfg.Object)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	h := &historian{repo: repo, q: q, cluster: cluster, files: map[plumbing.Hash]map[string]plumbing.Hash{}, kinds: map[string]string{}}
	changes, err := h.walk(ctx, tip)
	if err != nil {
		return nil, fmt.Errorf("history %s: %w", cfg.Object, err)
	}
	if cfg.MaxCount > 0 && len(changes) > cfg.MaxCount {
		changes = changes[:cfg.MaxCount]
	}
	return changes, nil
}

type historian struct {
	repo    *git.Repository
	q       ObjectQuery
	cluster string
	files   map[plumbing.Hash]map[string]plumbing.Hash // commit -> candidate path -> blob
	kinds   map[string]string                          // candidate path -> kind in its file
}

// walk visits every commit from tip and collects the changes of the files
// that may be the object.
func (h *historian) walk(ctx context.Context, tip *object.Commit) ([]Change, error) {
	iter, err := h.repo.Log(&git.LogOptions{From: tip.Hash, Order: git.LogOrderCommitterTime})
	if err != nil {
		return nil, err
	}
	defer iter.Close()
	var out []Change
	err = iter.ForEach(func(c *object.Commit) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		cur, err := h.candidates(c)
		if err != nil {
			return err
		}
		var parents []map[string]plumbing.Hash
		for _, ph := range c.ParentHashes {
			pc, err := h.repo.CommitObject(ph)
			if err != nil {
				return fmt.Errorf("read parent %s of %s: %w", ph, c.Hash, err)
			}
			pf, err := h.candidates(pc)
			if err != nil {
				return err
			}
			parents = append(parents, pf)
		}
		for _, p := range changedPaths(cur, parents) {
			ok, err := h.isObject(p, cur, parents)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			out = append(out, h.change(c, p, cur, parents))
		}
		delete(h.files, c.Hash) // the walk does not come back to it
		return nil
	})
	if err != nil && !errors.Is(err, storer.ErrStop) {
		return nil, err
	}
	if len(out) == 0 {
		return nil, ErrObjectNotFound
	}
	var paths []string
	for _, ch := range out {
		if !slices.Contains(paths, ch.Path) {
			paths = append(paths, ch.Path)
		}
	}
	if len(paths) > 1 {
		slices.Sort(paths)
		return nil, fmt.Errorf("%w: it matches %s; name the kind as kind.group", ErrAmbiguousObject, strings.Join(paths, ", "))
	}
	return out, nil
}

// changedPaths returns the paths whose blob differs from every parent's
// (from nothing, for a root commit), sorted.
func changedPaths(cur map[string]plumbing.Hash, parents []map[string]plumbing.Hash) []string {
	seen := map[string]bool{}
	var out []string
	consider := func(p string) {
		if seen[p] {
			return
		}
		seen[p] = true
		for _, pf := range parents {
			if pf[p] == cur[p] {
				return
			}
		}
		if len(parents) == 0 && cur[p].IsZero() {
			return
		}
		out = append(out, p)
	}
	for p := range cur {
		consider(p)
	}
	for _, pf := range parents {
		for p := range pf {
			consider(p)
		}
	}
	slices.Sort(out)
	return out
}

func (h *historian) change(c *object.Commit, p string, cur map[string]plumbing.Hash, parents []map[string]plumbing.Hash) Change {
	kind := "changed"
	switch {
	case cur[p].IsZero():
		kind = "removed"
	case len(parents) == 0 || parents[0][p].IsZero():
		kind = "added"
	}
	ref, _ := serializer.ParseObjectPath(p)
	lines := messageLines(c.Message, p, ref, h.kinds[p])
	return Change{
		Commit:    c.Hash.String(),
		Time:      c.Author.When.UTC(),
		Author:    c.Author.Name,
		Email:     c.Author.Email,
		Change:    kind,
		Path:      p,
		Lines:     lines,
		ChangedBy: changedBy(c.Message, lines),
	}
}

// changedBy is the person the object's lines name, with the groups and
// user agent of the commit's Changed-By trailer for them.
func changedBy(msg string, lines []string) *committer.Actor {
	for _, l := range lines {
		_, _, by, _ := committer.ParseObjectLine(l)
		if by == nil {
			continue
		}
		for _, t := range committer.ChangedBy(msg) {
			if t.Name() == by.Name() && t.Client() == by.Client() {
				return t
			}
		}
		return by
	}
	return nil
}

// isObject reports whether the file at p is of the query's kind, reading
// its kind from any version of it at hand.
func (h *historian) isObject(p string, cur map[string]plumbing.Hash, parents []map[string]plumbing.Hash) (bool, error) {
	ref, err := serializer.ParseObjectPath(p)
	if err != nil {
		return false, nil
	}
	kind, known := h.kinds[p]
	if !known {
		blob := cur[p]
		for _, pf := range parents {
			if blob.IsZero() {
				blob = pf[p]
			}
		}
		if kind, err = h.kindOf(blob); err != nil {
			return false, fmt.Errorf("read %s: %w", p, err)
		}
		h.kinds[p] = kind
	}
	return h.q.matchesKind(kind, ref.Resource), nil
}

// kindOf reads the kind of a file; "" when it has none.
func (h *historian) kindOf(blob plumbing.Hash) (string, error) {
	b, err := h.repo.BlobObject(blob)
	if err != nil {
		return "", err
	}
	data, err := committer.ReadBlob(b)
	if err != nil {
		return "", err
	}
	var doc struct {
		Kind string `json:"kind"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return "", nil //nolint:nilerr // a malformed file has no kind: it is not the object
	}
	return doc.Kind, nil
}
