package committer

import (
	"bytes"
	"fmt"
	"io"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// packMin is the batch size from which a commit's new objects are written
// as one packfile instead of a loose file each: an initial snapshot of
// 10,000 objects becomes one pack and its index rather than 10,000 files
// to create, write and rename. Smaller batches (steady churn) stay loose,
// as git leaves them, so packs do not pile up.
var packMin = 2000 // a variable so that the benchmark can compare

// stagedObjects holds the new objects of one commit in memory until they
// are written as one pack; reads of older objects fall through to the
// repository. Blobs share the caller's bytes rather than copying them.
type stagedObjects struct {
	storer.EncodedObjectStorer // the repository's
	objs                       map[plumbing.Hash]plumbing.EncodedObject
	order                      []plumbing.Hash
}

func newStagedObjects(repo storer.EncodedObjectStorer) *stagedObjects {
	return &stagedObjects{EncodedObjectStorer: repo, objs: map[plumbing.Hash]plumbing.EncodedObject{}}
}

func (s *stagedObjects) NewEncodedObject() plumbing.EncodedObject {
	return &plumbing.MemoryObject{}
}

func (s *stagedObjects) SetEncodedObject(o plumbing.EncodedObject) (plumbing.Hash, error) {
	h := o.Hash()
	if _, ok := s.objs[h]; !ok {
		s.objs[h] = o
		s.order = append(s.order, h)
	}
	return h, nil
}

// putBlob stages data as a blob without copying it.
func (s *stagedObjects) putBlob(data []byte) plumbing.Hash {
	h, _ := s.SetEncodedObject(&sharedBlob{hash: BlobHash(data), data: data})
	return h
}

func (s *stagedObjects) EncodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	if o, ok := s.objs[h]; ok && (t == plumbing.AnyObject || o.Type() == t) {
		return o, nil
	}
	return s.EncodedObjectStorer.EncodedObject(t, h)
}

func (s *stagedObjects) HasEncodedObject(h plumbing.Hash) error {
	if _, ok := s.objs[h]; ok {
		return nil
	}
	return s.EncodedObjectStorer.HasEncodedObject(h)
}

func (s *stagedObjects) EncodedObjectSize(h plumbing.Hash) (int64, error) {
	if o, ok := s.objs[h]; ok {
		return o.Size(), nil
	}
	return s.EncodedObjectStorer.EncodedObjectSize(h)
}

// flush writes the staged objects into the repository as one pack (its
// index first, then the pack renamed into place, so a pack is never seen
// without its index).
func (s *stagedObjects) flush(pw storer.PackfileWriter) error {
	if len(s.order) == 0 {
		return nil
	}
	w, err := pw.PackfileWriter()
	if err != nil {
		return fmt.Errorf("write pack: %w", err)
	}
	if _, err := packfile.NewEncoder(w, s, false).Encode(s.order, 0); err != nil {
		_ = w.Close()
		return fmt.Errorf("write pack: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("write pack: %w", err)
	}
	return nil
}

// sharedBlob is a blob whose content is a slice it does not own.
type sharedBlob struct {
	hash plumbing.Hash
	data []byte
}

func (b *sharedBlob) Hash() plumbing.Hash         { return b.hash }
func (b *sharedBlob) Type() plumbing.ObjectType   { return plumbing.BlobObject }
func (b *sharedBlob) SetType(plumbing.ObjectType) {}
func (b *sharedBlob) Size() int64                 { return int64(len(b.data)) }
func (b *sharedBlob) SetSize(int64)               {}
func (b *sharedBlob) Reader() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(b.data)), nil
}

func (b *sharedBlob) Writer() (io.WriteCloser, error) {
	return nil, fmt.Errorf("blob %s is read-only", b.hash)
}
