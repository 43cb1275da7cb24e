package committer

import (
	"errors"
	"fmt"
	"io"

	"github.com/go-git/go-git/v5/plumbing/object"
)

// WalkFiles calls fn with every file below dir in tree (its path relative
// to dir, and its entry) in Git's order; a dir that does not exist holds
// no files. It stops at the first error fn returns.
func WalkFiles(tree *object.Tree, dir string, fn func(name string, entry object.TreeEntry) error) error {
	sub, err := tree.Tree(dir)
	if errors.Is(err, object.ErrDirectoryNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s/: %w", dir, err)
	}
	w := object.NewTreeWalker(sub, true, nil)
	defer w.Close()
	for {
		name, entry, err := w.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("walk %s/: %w", dir, err)
		}
		if !entry.Mode.IsFile() {
			continue
		}
		if err := fn(name, entry); err != nil {
			return err
		}
	}
}

// ReadFiles calls fn with every file below dir in tree and its content,
// as WalkFiles does.
func ReadFiles(tree *object.Tree, dir string, fn func(name string, data []byte) error) error {
	return WalkFiles(tree, dir, func(name string, entry object.TreeEntry) error {
		f, err := tree.TreeEntryFile(&entry)
		if err != nil {
			return fmt.Errorf("read %s/%s: %w", dir, name, err)
		}
		data, err := ReadBlob(&f.Blob)
		if err != nil {
			return fmt.Errorf("read %s/%s: %w", dir, name, err)
		}
		return fn(name, data)
	})
}

// ReadBlob returns the content of b: the one reader of a file of the
// backup (the committer, treecheck, restore).
func ReadBlob(b *object.Blob) ([]byte, error) {
	r, err := b.Reader()
	if err != nil {
		return nil, err
	}
	defer func() { _ = r.Close() }()
	return io.ReadAll(r)
}
