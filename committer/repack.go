package committer

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// packMax is the number of packs above which a commit first consolidates
// every object of the repository into one pack. Each large batch adds a
// pack (see packMin), and go-git holds every pack's index in memory and
// looks an object up in each in turn: a long-lived clone must not collect
// them without bound. A variable so that a test can lower it.
var packMax = 16

// consolidatePacks writes every object, packed or loose, into one new
// pack once more than packMax packs exist, then removes what it replaced.
// A crash at any point leaves every object readable: the new pack is
// renamed into place complete and made durable before the first old pack
// or loose object is removed, and an object present twice is harmless.
func (c *Committer) consolidatePacks() error {
	pos, ok := c.repo.Storer.(storer.PackedObjectStorer)
	pw, ok2 := c.repo.Storer.(storer.PackfileWriter)
	if !ok || !ok2 {
		return nil
	}
	old, err := pos.ObjectPacks()
	if err != nil || len(old) <= packMax {
		return err
	}
	start := time.Now()
	hashes, err := c.allObjects()
	if err != nil {
		return fmt.Errorf("repack: %w", err)
	}
	w, err := pw.PackfileWriter()
	if err != nil {
		return fmt.Errorf("repack: %w", err)
	}
	keep, err := packfile.NewEncoder(w, c.repo.Storer, false).Encode(hashes, 0)
	if err != nil {
		_ = w.Close()
		return fmt.Errorf("repack: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("repack: %w", err)
	}
	if err := syncObjects(c); err != nil {
		return fmt.Errorf("repack: %w", err)
	}
	for _, h := range old {
		if h == keep {
			continue // an earlier consolidation wrote the same pack
		}
		if err := pos.DeleteOldObjectPackAndIndex(h, time.Time{}); err != nil {
			return fmt.Errorf("repack: remove pack %s: %w", h, err)
		}
	}
	if err := c.dropLooseObjects(); err != nil {
		return fmt.Errorf("repack: %w", err)
	}
	if r, ok := c.repo.Storer.(interface{ Reindex() }); ok {
		r.Reindex()
	}
	c.log.Info("packs consolidated", "packs", len(old), "objects", len(hashes), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// allObjects lists the hash of every object in the repository, once.
func (c *Committer) allObjects() ([]plumbing.Hash, error) {
	iter, err := c.repo.Storer.IterEncodedObjects(plumbing.AnyObject)
	if err != nil {
		return nil, err
	}
	defer iter.Close()
	seen := map[plumbing.Hash]struct{}{}
	var out []plumbing.Hash
	for {
		o, err := iter.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if _, dup := seen[o.Hash()]; !dup {
			seen[o.Hash()] = struct{}{}
			out = append(out, o.Hash())
		}
	}
}

// dropLooseObjects removes the loose objects, all of them packed now.
func (c *Committer) dropLooseObjects() error {
	ls, ok := c.repo.Storer.(storer.LooseObjectStorer)
	if !ok {
		return nil
	}
	var loose []plumbing.Hash
	if err := ls.ForEachObjectHash(func(h plumbing.Hash) error {
		loose = append(loose, h)
		return nil
	}); err != nil {
		return err
	}
	for _, h := range loose {
		if err := ls.DeleteLooseObject(h); err != nil {
			return fmt.Errorf("remove loose object %s: %w", h, err)
		}
	}
	return nil
}
