package committer

import (
	"bytes"
	"fmt"
	"io"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// packMin is the batch size from which a commit's new objects are written
// as one packfile instead of a loose file each: an initial snapshot of
// 10,000 objects becomes one pack and its index rather than 10,000 files
// to create, write and rename. Smaller batches (steady churn) stay loose,
// as git leaves them, so packs do not pile up.
var packMin = 2000 // a variable so that the benchmark can compare

// stagedObjects holds the new objects of one commit until they are written
// as one pack: blobs in a spool on disk as they come (see blobSpool), trees
// and the commit in memory; reads of older objects fall through to the
// repository.
type stagedObjects struct {
	storer.EncodedObjectStorer // the repository's
	objs                       map[plumbing.Hash]plumbing.EncodedObject
	order                      []plumbing.Hash
	blobs                      *blobSpool
}

func newStagedObjects(repo storer.EncodedObjectStorer) (*stagedObjects, error) {
	spool, err := newBlobSpool(repo)
	if err != nil {
		return nil, err
	}
	return &stagedObjects{EncodedObjectStorer: repo, objs: map[plumbing.Hash]plumbing.EncodedObject{}, blobs: spool}, nil
}

// close removes what is left of the spool.
func (s *stagedObjects) close() { s.blobs.close() }

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

// putBlob spools data as a blob; the caller may drop data afterwards.
func (s *stagedObjects) putBlob(data []byte) (plumbing.Hash, error) {
	h := blobHash(data)
	return h, s.blobs.put(h, data)
}

// readBlob reads a spooled blob back (for the working tree).
func (s *stagedObjects) readBlob(h plumbing.Hash) ([]byte, error) { return s.blobs.read(h) }

func (s *stagedObjects) EncodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	if o, ok := s.objs[h]; ok && (t == plumbing.AnyObject || o.Type() == t) {
		return o, nil
	}
	if s.blobs.has(h) && (t == plumbing.AnyObject || t == plumbing.BlobObject) {
		data, err := s.blobs.read(h)
		if err != nil {
			return nil, err
		}
		return &sharedBlob{hash: h, data: data}, nil
	}
	return s.EncodedObjectStorer.EncodedObject(t, h)
}

func (s *stagedObjects) HasEncodedObject(h plumbing.Hash) error {
	if _, ok := s.objs[h]; ok || s.blobs.has(h) {
		return nil
	}
	return s.EncodedObjectStorer.HasEncodedObject(h)
}

func (s *stagedObjects) EncodedObjectSize(h plumbing.Hash) (int64, error) {
	if o, ok := s.objs[h]; ok {
		return o.Size(), nil
	}
	if e, ok := s.blobs.at[h]; ok {
		return int64(e.size), nil
	}
	return s.EncodedObjectStorer.EncodedObjectSize(h)
}

// flush writes the staged objects into the repository as one pack (its
// index first, then the pack renamed into place, so a pack is never seen
// without its index): the spooled blobs as they are, then the trees and
// the commit.
func (s *stagedObjects) flush(pw storer.PackfileWriter) error {
	if len(s.order)+len(s.blobs.at) == 0 {
		return nil
	}
	w, err := pw.PackfileWriter()
	if err != nil {
		return fmt.Errorf("write pack: %w", err)
	}
	if err := s.writePack(w); err != nil {
		_ = w.Close()
		return fmt.Errorf("write pack: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("write pack: %w", err)
	}
	return nil
}

func (s *stagedObjects) writePack(w io.Writer) error {
	p, err := newPackWriter(w, len(s.blobs.at)+len(s.order))
	if err != nil {
		return err
	}
	if err := s.blobs.copyTo(p.h); err != nil {
		return err
	}
	for _, h := range s.order {
		if err := p.object(s.objs[h]); err != nil {
			return err
		}
	}
	return p.finish()
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
