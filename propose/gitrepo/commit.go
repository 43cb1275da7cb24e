package gitrepo

import (
	"bytes"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Commit builds a commit on top of the base commit in which files
// (slash-separated paths relative to the root) hold the given content;
// every other file is the base's. Neither the work tree nor any branch
// changes.
func (r *Repo) Commit(files map[string][]byte, message string, author, committer object.Signature) (plumbing.Hash, error) {
	base, err := r.repo.CommitObject(r.baseHash)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("commit: %w", err)
	}
	tree, err := base.Tree()
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("commit: %w", err)
	}
	for p := range files {
		if p == "" || path.IsAbs(p) || path.Clean(p) != p || strings.HasPrefix(p, "../") || strings.Contains(p, "/.git/") || strings.HasPrefix(p, ".git/") {
			return plumbing.ZeroHash, fmt.Errorf("commit: %q is not a clean path inside the repository", p)
		}
	}
	treeHash, err := r.writeTree(tree, files)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("commit: %w", err)
	}
	c := &object.Commit{
		Author:       signature("clusterscribe", "clusterscribe@localhost", author),
		Committer:    signature("clusterscribe", "clusterscribe@localhost", committer),
		Message:      message,
		TreeHash:     treeHash,
		ParentHashes: []plumbing.Hash{r.baseHash},
	}
	obj := r.repo.Storer.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("commit: %w", err)
	}
	h, err := r.repo.Storer.SetEncodedObject(obj)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("commit: %w", err)
	}
	return h, nil
}

// writeTree writes tree (nil for a new directory) with files replaced or
// added, and returns the new tree's hash.
func (r *Repo) writeTree(tree *object.Tree, files map[string][]byte) (plumbing.Hash, error) {
	entries := map[string]object.TreeEntry{}
	if tree != nil {
		for _, e := range tree.Entries {
			entries[e.Name] = e
		}
	}
	sub := map[string]map[string][]byte{}
	for p, content := range files {
		dir, rest, nested := strings.Cut(p, "/")
		if nested {
			if sub[dir] == nil {
				sub[dir] = map[string][]byte{}
			}
			sub[dir][rest] = content
			continue
		}
		h, err := r.writeBlob(content)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		mode := filemode.Regular
		if e, ok := entries[p]; ok && e.Mode == filemode.Executable {
			mode = e.Mode
		}
		entries[p] = object.TreeEntry{Name: p, Mode: mode, Hash: h}
	}
	for dir, fs := range sub {
		var child *object.Tree
		if e, ok := entries[dir]; ok {
			if e.Mode != filemode.Dir {
				return plumbing.ZeroHash, fmt.Errorf("%s is a file, not a directory", dir)
			}
			t, err := r.repo.TreeObject(e.Hash)
			if err != nil {
				return plumbing.ZeroHash, err
			}
			child = t
		}
		h, err := r.writeTree(child, fs)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		entries[dir] = object.TreeEntry{Name: dir, Mode: filemode.Dir, Hash: h}
	}
	out := &object.Tree{}
	for _, e := range entries {
		out.Entries = append(out.Entries, e)
	}
	// Git orders entries by name, a directory as if its name ended in "/".
	sortKey := func(e object.TreeEntry) string {
		if e.Mode == filemode.Dir {
			return e.Name + "/"
		}
		return e.Name
	}
	sort.Slice(out.Entries, func(i, j int) bool { return sortKey(out.Entries[i]) < sortKey(out.Entries[j]) })
	obj := r.repo.Storer.NewEncodedObject()
	if err := out.Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	return r.repo.Storer.SetEncodedObject(obj)
}

func (r *Repo) writeBlob(content []byte) (plumbing.Hash, error) {
	obj := r.repo.Storer.NewEncodedObject()
	obj.SetType(plumbing.BlobObject)
	obj.SetSize(int64(len(content)))
	w, err := obj.Writer()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if _, err := w.Write(content); err != nil {
		_ = w.Close()
		return plumbing.ZeroHash, err
	}
	if err := w.Close(); err != nil {
		return plumbing.ZeroHash, err
	}
	return r.repo.Storer.SetEncodedObject(obj)
}

// Patch renders commit h as `git format-patch` does, for `git am`.
func (r *Repo) Patch(h plumbing.Hash, w io.Writer) error {
	c, err := r.repo.CommitObject(h)
	if err != nil {
		return fmt.Errorf("patch: %w", err)
	}
	parent, err := c.Parent(0)
	if err != nil {
		return fmt.Errorf("patch: %w", err)
	}
	p, err := parent.Patch(c)
	if err != nil {
		return fmt.Errorf("patch: %w", err)
	}
	subject, body, _ := strings.Cut(c.Message, "\n")
	var b bytes.Buffer
	fmt.Fprintf(&b, "From %s Mon Sep 17 00:00:00 2001\n", c.Hash)
	fmt.Fprintf(&b, "From: %s <%s>\n", c.Author.Name, c.Author.Email)
	fmt.Fprintf(&b, "Date: %s\n", c.Author.When.Format("Mon, 2 Jan 2006 15:04:05 -0700"))
	fmt.Fprintf(&b, "Subject: [PATCH] %s\n\n", subject)
	if body = strings.TrimSpace(body); body != "" {
		fmt.Fprintf(&b, "%s\n", body)
	}
	b.WriteString("---\n")
	if err := p.Encode(&b); err != nil {
		return fmt.Errorf("patch: %w", err)
	}
	b.WriteString("-- \nclusterscribe\n")
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("patch: %w", err)
	}
	return nil
}
