package restore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"github.com/clusterscribe/clusterscribe/committer"
	"github.com/clusterscribe/clusterscribe/watcher/auditwebhook"
)

// People knows, for each object of a backup branch, the person its
// latest commit line names (a recorder with an audit webhook receiver
// writes them): what a standalone audit can tell of who changed an object.
type People struct {
	byLabel map[string]*committer.Actor
}

// ReadPeople walks the commit messages of src's branch, newest first, and
// keeps for every object the person of its latest line that names one.
// Only messages are read, not trees.
func ReadPeople(ctx context.Context, src Source) (*People, error) {
	if err := src.validate(); err != nil {
		return nil, err
	}
	repo, err := openRepository(ctx, src)
	if err != nil {
		return nil, fmt.Errorf("read changes by person: %w", err)
	}
	tip, err := resolve(repo, src.Ref)
	if err != nil {
		return nil, fmt.Errorf("read changes by person: %w", err)
	}
	iter, err := repo.Log(&git.LogOptions{From: tip.Hash, Order: git.LogOrderCommitterTime})
	if err != nil {
		return nil, fmt.Errorf("read changes by person: %w", err)
	}
	defer iter.Close()
	p := &People{byLabel: map[string]*committer.Actor{}}
	seen := map[string]bool{} // objects whose latest line was read
	err = iter.ForEach(func(c *object.Commit) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		p.read(c.Message, seen)
		return nil
	})
	if err != nil && !errors.Is(err, storer.ErrStop) {
		return nil, fmt.Errorf("read changes by person: %w", err)
	}
	return p, nil
}

// read takes the object lines of one message, for the objects no newer
// message spoke of.
func (p *People) read(msg string, seen map[string]bool) {
	var trailers []*committer.Actor
	for _, line := range strings.Split(msg, "\n") {
		_, label, by, ok := committer.ParseObjectLine(line)
		if !ok || seen[label] {
			continue
		}
		seen[label] = true
		if by == nil {
			continue
		}
		if trailers == nil {
			trailers = committer.ChangedBy(msg)
		}
		for _, t := range trailers {
			if t.Name() == by.Name() && t.Client() == by.Client() {
				by = t
				break
			}
		}
		p.byLabel[label] = by
	}
}

// ChangedBy returns the person of the object's latest line; q.Kind must
// be set (lines name objects as Kind.group namespace/name).
func (p *People) ChangedBy(q auditwebhook.Query) *committer.Actor {
	kind := q.Kind
	if q.Group != "" {
		kind += "." + q.Group
	}
	name := q.Name
	if q.Namespace != "" {
		name = q.Namespace + "/" + name
	}
	return p.byLabel[kind+" "+name]
}
