package committer

import (
	"fmt"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// treeEditor edits a Git tree in object storage without a working tree or
// index: only the directories along edited paths are read and rewritten,
// so a change costs the same in a tree of ten files or ten thousand.
type treeEditor struct {
	s    storer.EncodedObjectStorer
	root *dirNode
}

type dirNode struct {
	hash    plumbing.Hash               // tree as read; zero for a new directory
	entries map[string]object.TreeEntry // loaded on first use
	subs    map[string]*dirNode         // directories being edited
	dirty   bool                        // entries changed directly
}

func newTreeEditor(s storer.EncodedObjectStorer, root plumbing.Hash) *treeEditor {
	return &treeEditor{s: s, root: &dirNode{hash: root}}
}

func (d *dirNode) load(s storer.EncodedObjectStorer) error {
	if d.entries != nil {
		return nil
	}
	d.entries = map[string]object.TreeEntry{}
	if d.hash.IsZero() {
		return nil
	}
	t, err := object.GetTree(s, d.hash)
	if err != nil {
		return fmt.Errorf("read tree %s: %w", d.hash, err)
	}
	for _, e := range t.Entries {
		d.entries[e.Name] = e
	}
	return nil
}

// dir walks to the directory parts, creating missing ones when create is
// set. Without create it returns nil for a directory that does not exist.
func (e *treeEditor) dir(parts []string, create bool) (*dirNode, error) {
	n := e.root
	for i, p := range parts {
		if err := n.load(e.s); err != nil {
			return nil, err
		}
		if sub, ok := n.subs[p]; ok {
			n = sub
			continue
		}
		var sub *dirNode
		ent, ok := n.entries[p]
		switch {
		case ok && ent.Mode == filemode.Dir:
			sub = &dirNode{hash: ent.Hash}
		case !create:
			return nil, nil
		case ok:
			return nil, fmt.Errorf("%s is a file, not a directory", strings.Join(parts[:i+1], "/"))
		default:
			sub = &dirNode{}
		}
		if n.subs == nil {
			n.subs = map[string]*dirNode{}
		}
		n.subs[p] = sub
		n = sub
	}
	return n, n.load(e.s)
}

func splitPath(p string) (dir []string, name string) {
	parts := strings.Split(p, "/")
	return parts[:len(parts)-1], parts[len(parts)-1]
}

// get returns the entry at p. Directories being edited report mode Dir
// with an unknown hash.
func (e *treeEditor) get(p string) (object.TreeEntry, bool, error) {
	dir, name := splitPath(p)
	n, err := e.dir(dir, false)
	if n == nil || err != nil {
		return object.TreeEntry{}, false, err
	}
	if _, ok := n.subs[name]; ok {
		return object.TreeEntry{Name: name, Mode: filemode.Dir}, true, nil
	}
	ent, ok := n.entries[name]
	return ent, ok, nil
}

// set places an entry (a blob, or a whole tree with mode Dir) at p,
// replacing whatever was there.
func (e *treeEditor) set(p string, mode filemode.FileMode, h plumbing.Hash) error {
	dir, name := splitPath(p)
	n, err := e.dir(dir, true)
	if err != nil {
		return err
	}
	delete(n.subs, name)
	n.entries[name] = object.TreeEntry{Name: name, Mode: mode, Hash: h}
	n.dirty = true
	return nil
}

// remove deletes the entry at p, if any. Directories left empty disappear,
// as Git stores no empty trees.
func (e *treeEditor) remove(p string) error {
	dir, name := splitPath(p)
	n, err := e.dir(dir, false)
	if n == nil || err != nil {
		return err
	}
	_, inSubs := n.subs[name]
	_, inEntries := n.entries[name]
	if !inSubs && !inEntries {
		return nil
	}
	delete(n.subs, name)
	delete(n.entries, name)
	n.dirty = true
	return nil
}

// write stores every edited tree and returns the new root tree hash.
func (e *treeEditor) write() (plumbing.Hash, error) {
	h, _, err := e.writeNode(e.root, true)
	return h, err
}

// writeNode returns the node's tree hash and whether it is empty. An
// unchanged node keeps its hash without being re-encoded.
func (e *treeEditor) writeNode(n *dirNode, root bool) (plumbing.Hash, bool, error) {
	if err := n.load(e.s); err != nil {
		return plumbing.ZeroHash, false, err
	}
	changed := n.dirty
	for name, sub := range n.subs {
		h, empty, err := e.writeNode(sub, false)
		if err != nil {
			return plumbing.ZeroHash, false, err
		}
		old, had := n.entries[name]
		switch {
		case empty && had:
			delete(n.entries, name)
			changed = true
		case empty:
		case !had || old.Hash != h || old.Mode != filemode.Dir:
			n.entries[name] = object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: h}
			changed = true
		}
	}
	n.subs = nil
	if !changed && !n.hash.IsZero() {
		return n.hash, len(n.entries) == 0, nil
	}
	if len(n.entries) == 0 && !root {
		return plumbing.ZeroHash, true, nil
	}
	h, err := writeTree(e.s, n.entries)
	if err != nil {
		return plumbing.ZeroHash, false, err
	}
	n.hash, n.dirty = h, false
	return h, len(n.entries) == 0, nil
}

// writeTree encodes entries in Git's order: byte order of names, with a
// directory compared as if its name ended in "/".
func writeTree(s storer.EncodedObjectStorer, entries map[string]object.TreeEntry) (plumbing.Hash, error) {
	t := &object.Tree{Entries: make([]object.TreeEntry, 0, len(entries))}
	for _, ent := range entries {
		t.Entries = append(t.Entries, ent)
	}
	slices.SortFunc(t.Entries, func(a, b object.TreeEntry) int {
		return strings.Compare(treeSortName(a), treeSortName(b))
	})
	return storeObject(s, t, "tree")
}

func treeSortName(e object.TreeEntry) string {
	if e.Mode == filemode.Dir {
		return e.Name + "/"
	}
	return e.Name
}

func writeBlob(s storer.EncodedObjectStorer, data []byte) (plumbing.Hash, error) {
	if st, ok := s.(*stagedObjects); ok {
		return st.putBlob(data)
	}
	obj := s.NewEncodedObject()
	obj.SetType(plumbing.BlobObject)
	obj.SetSize(int64(len(data)))
	w, err := obj.Writer()
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("store blob: %w", err)
	}
	if _, err := w.Write(data); err != nil {
		_ = w.Close()
		return plumbing.ZeroHash, fmt.Errorf("store blob: %w", err)
	}
	if err := w.Close(); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("store blob: %w", err)
	}
	h, err := s.SetEncodedObject(obj)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("store blob: %w", err)
	}
	return h, nil
}

func writeCommit(s storer.EncodedObjectStorer, commit *object.Commit) (plumbing.Hash, error) {
	return storeObject(s, commit, "commit")
}

// storeObject encodes o, a tree or a commit, into s.
func storeObject(s storer.EncodedObjectStorer, o object.Object, what string) (plumbing.Hash, error) {
	obj := s.NewEncodedObject()
	if err := o.Encode(obj); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("encode %s: %w", what, err)
	}
	h, err := s.SetEncodedObject(obj)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("store %s: %w", what, err)
	}
	return h, nil
}

// subtree returns the hash of the tree at dir inside root; zero when absent.
func subtree(s storer.EncodedObjectStorer, root plumbing.Hash, dir string) (plumbing.Hash, error) {
	if root.IsZero() {
		return plumbing.ZeroHash, nil
	}
	e := newTreeEditor(s, root)
	ent, ok, err := e.get(dir)
	if err != nil || !ok || ent.Mode != filemode.Dir {
		return plumbing.ZeroHash, err
	}
	return ent.Hash, nil
}
