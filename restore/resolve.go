package restore

import (
	"errors"
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// minAbbrev is the shortest abbreviated commit hash accepted, as in git.
const minAbbrev = 4

// resolve returns the commit ref names, the way git rev-parse does: a full
// hash; else a ref (as given, then under refs/, refs/tags/, refs/heads/,
// refs/remotes/); else an abbreviated hash of at least four digits that
// names exactly one commit. A ref wins over an abbreviated hash, so a
// branch called "a" or a tag called "2024" is never mistaken for a commit
// whose hash happens to start that way. A "~n" or "^n" suffix is applied
// after the base is resolved.
func resolve(repo *git.Repository, ref string) (*object.Commit, error) {
	base, suffix := splitRevision(ref)
	if base == "" {
		return nil, fmt.Errorf("%w: %q", ErrRefNotFound, ref)
	}
	h, err := resolveBase(repo, base)
	if err != nil {
		return nil, err
	}
	if suffix != "" {
		// A full hash is unambiguous to go-git's revision walker.
		walked, err := repo.ResolveRevision(plumbing.Revision(h.String() + suffix))
		if err != nil {
			if errors.Is(err, plumbing.ErrReferenceNotFound) || errors.Is(err, plumbing.ErrObjectNotFound) {
				return nil, fmt.Errorf("%w: %q", ErrRefNotFound, ref)
			}
			return nil, fmt.Errorf("resolve %q: %w", ref, err)
		}
		h = *walked
	}
	c, err := repo.CommitObject(h)
	if err != nil {
		if o, oerr := repo.Storer.EncodedObject(plumbing.AnyObject, h); oerr == nil {
			return nil, fmt.Errorf("%w: %q names a %s (%s), not a commit", ErrRefNotFound, ref, o.Type(), h)
		}
		if errors.Is(err, plumbing.ErrObjectNotFound) {
			return nil, fmt.Errorf("%w: %q", ErrRefNotFound, ref)
		}
		return nil, fmt.Errorf("resolve %q: %w", ref, err)
	}
	return c, nil
}

// splitRevision splits "main~2" into "main" and "~2".
func splitRevision(ref string) (base, suffix string) {
	if i := strings.IndexAny(ref, "~^"); i >= 0 {
		return ref[:i], ref[i:]
	}
	return ref, ""
}

// resolveBase resolves a revision without suffix to a commit hash.
func resolveBase(repo *git.Repository, base string) (plumbing.Hash, error) {
	if isHex(base) && (len(base) == 40 || len(base) == 64) {
		return plumbing.NewHash(base), nil
	}
	// A candidate that cannot be read (a directory such as refs/heads, a
	// name go-git refuses) is passed over, as git does; its error is
	// reported only when nothing else matches.
	var unreadable error
	for _, name := range refCandidates(base) {
		r, err := storer.ResolveReference(repo.Storer, name)
		if errors.Is(err, plumbing.ErrReferenceNotFound) {
			continue
		}
		if err != nil {
			if unreadable == nil {
				unreadable = fmt.Errorf("read %s: %w", name, err)
			}
			continue
		}
		return peel(repo, r.Hash())
	}
	if isHex(base) && len(base) >= minAbbrev {
		return commitByPrefix(repo, base)
	}
	if unreadable != nil {
		return plumbing.ZeroHash, fmt.Errorf("%w: %q (%w)", ErrRefNotFound, base, unreadable)
	}
	return plumbing.ZeroHash, fmt.Errorf("%w: %q", ErrRefNotFound, base)
}

// refCandidates are the names git tries for a short ref, in its order. The
// name as given is tried only when it is a full ref name or HEAD.
func refCandidates(base string) []plumbing.ReferenceName {
	var out []plumbing.ReferenceName
	if strings.HasPrefix(base, "refs/") || base == "HEAD" {
		out = append(out, plumbing.ReferenceName(base))
	}
	return append(out,
		plumbing.ReferenceName("refs/"+base),
		plumbing.NewTagReferenceName(base),
		plumbing.NewBranchReferenceName(base),
		plumbing.ReferenceName("refs/remotes/"+base),
		plumbing.ReferenceName("refs/remotes/"+base+"/HEAD"),
	)
}

// peel follows an annotated tag to the commit it tags.
func peel(repo *git.Repository, h plumbing.Hash) (plumbing.Hash, error) {
	for range 10 {
		tag, err := repo.TagObject(h)
		if errors.Is(err, plumbing.ErrObjectNotFound) {
			return h, nil
		}
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("read tag %s: %w", h, err)
		}
		h = tag.Target
	}
	return plumbing.ZeroHash, fmt.Errorf("tag %s: too many levels of tags", h)
}

// commitByPrefix finds the one commit whose hash starts with prefix.
func commitByPrefix(repo *git.Repository, prefix string) (plumbing.Hash, error) {
	prefix = strings.ToLower(prefix)
	iter, err := repo.CommitObjects()
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("resolve %q: %w", prefix, err)
	}
	var found []plumbing.Hash
	err = iter.ForEach(func(c *object.Commit) error {
		if strings.HasPrefix(c.Hash.String(), prefix) {
			found = append(found, c.Hash)
		}
		return nil
	})
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("resolve %q: %w", prefix, err)
	}
	switch len(found) {
	case 0:
		return plumbing.ZeroHash, fmt.Errorf("%w: %q", ErrRefNotFound, prefix)
	case 1:
		return found[0], nil
	default:
		return plumbing.ZeroHash, fmt.Errorf("%w: %q is the start of %d commits; give more digits", ErrAmbiguousRef, prefix, len(found))
	}
}

func isHex(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') && (r < 'A' || r > 'F') {
			return false
		}
	}
	return true
}
