package committer

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"crypto/sha1" //nolint:gosec // Git's pack checksum is SHA-1
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// blobSpool holds the blobs of a large batch as pack entries in a temporary
// file, compressed as they arrive, so that a batch of 100,000 files is
// never held in memory at once. The pack is assembled from it when the
// batch is complete (see stagedObjects.flush).
type blobSpool struct {
	f      spoolFile
	remove func() error
	w      *bufio.Writer
	zw     *zlib.Writer
	size   int64
	at     map[plumbing.Hash]spooled
	// Reused by read, one blob at a time.
	entry []byte
	zr    io.ReadCloser
}

// spooled is where one blob's entry lies in the spool.
type spooled struct {
	off  int64
	len  int64 // of the entry: header and compressed data
	size int   // of the blob
}

type spoolFile interface {
	io.Writer
	io.ReaderAt
	io.Closer
}

// newBlobSpool creates the spool next to the repository's objects when the
// repository is on disk (a temporary directory may be memory), else in
// the system's temporary directory.
func newBlobSpool(repo any) (*blobSpool, error) {
	s := &blobSpool{at: map[plumbing.Hash]spooled{}}
	if fsStore, ok := repo.(*filesystem.Storage); ok {
		fs := fsStore.Filesystem()
		f, err := fs.TempFile("objects", "tmp_spool_")
		if err != nil {
			return nil, fmt.Errorf("create blob spool: %w", err)
		}
		s.f, s.remove = f, func() error { return fs.Remove(f.Name()) }
	} else {
		f, err := os.CreateTemp("", "clusterscribe-spool-")
		if err != nil {
			return nil, fmt.Errorf("create blob spool: %w", err)
		}
		s.f, s.remove = f, func() error { return os.Remove(f.Name()) }
	}
	s.w = bufio.NewWriterSize(s.f, 256<<10)
	s.zw = zlib.NewWriter(io.Discard)
	return s, nil
}

// put appends data as a blob entry; a blob already spooled is not written
// again.
func (s *blobSpool) put(h plumbing.Hash, data []byte) error {
	if _, ok := s.at[h]; ok {
		return nil
	}
	start := s.size
	n, err := writeEntry(s.w, s.zw, plumbing.BlobObject, data)
	if err != nil {
		return fmt.Errorf("spool blob %s: %w", h, err)
	}
	s.size += n
	s.at[h] = spooled{off: start, len: n, size: len(data)}
	return nil
}

func (s *blobSpool) has(h plumbing.Hash) bool { _, ok := s.at[h]; return ok }

// read returns the content of a spooled blob.
func (s *blobSpool) read(h plumbing.Hash) ([]byte, error) {
	e, ok := s.at[h]
	if !ok {
		return nil, fmt.Errorf("blob %s: %w", h, plumbing.ErrObjectNotFound)
	}
	if err := s.w.Flush(); err != nil {
		return nil, fmt.Errorf("read spooled blob %s: %w", h, err)
	}
	s.entry = slices.Grow(s.entry[:0], int(e.len))[:e.len]
	if _, err := s.f.ReadAt(s.entry, e.off); err != nil {
		return nil, fmt.Errorf("read spooled blob %s: %w", h, err)
	}
	r := bytes.NewReader(s.entry)
	if err := skipEntryHeader(r); err != nil {
		return nil, fmt.Errorf("read spooled blob %s: %w", h, err)
	}
	var err error
	if s.zr == nil {
		s.zr, err = zlib.NewReader(r)
	} else {
		err = s.zr.(zlib.Resetter).Reset(r, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("read spooled blob %s: %w", h, err)
	}
	data := make([]byte, e.size)
	if _, err := io.ReadFull(s.zr, data); err != nil {
		return nil, fmt.Errorf("read spooled blob %s: %w", h, err)
	}
	return data, nil
}

// copyTo writes every spooled entry to w, in the order they came.
func (s *blobSpool) copyTo(w io.Writer) error {
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("copy spooled blobs: %w", err)
	}
	if _, err := io.Copy(w, io.NewSectionReader(s.f, 0, s.size)); err != nil {
		return fmt.Errorf("copy spooled blobs: %w", err)
	}
	return nil
}

// close removes the spool.
func (s *blobSpool) close() {
	_ = s.f.Close()
	_ = s.remove()
}

// Pack object type numbers (gitformat-pack).
var packTypes = map[plumbing.ObjectType]byte{
	plumbing.CommitObject: 1, plumbing.TreeObject: 2, plumbing.BlobObject: 3, plumbing.TagObject: 4,
}

// writeEntry writes one undeltified pack entry: the type and size header,
// then the zlib-compressed content. It returns the bytes written.
func writeEntry(w io.Writer, zw *zlib.Writer, t plumbing.ObjectType, data []byte) (int64, error) {
	var hdr [binary.MaxVarintLen64 + 1]byte
	size := uint64(len(data))
	b := packTypes[t]<<4 | byte(size&0x0f)
	size >>= 4
	n := 0
	for size != 0 {
		hdr[n] = b | 0x80
		n++
		b = byte(size & 0x7f)
		size >>= 7
	}
	hdr[n] = b
	n++
	cw := &countingWriter{w: w}
	if _, err := cw.Write(hdr[:n]); err != nil {
		return 0, err
	}
	zw.Reset(cw)
	if _, err := zw.Write(data); err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	return cw.n, nil
}

// skipEntryHeader reads past an entry's type and size header.
func skipEntryHeader(r io.ByteReader) error {
	for {
		b, err := r.ReadByte()
		if err != nil {
			return err
		}
		if b&0x80 == 0 {
			return nil
		}
	}
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// packWriter writes a pack: its header, the entries, and the SHA-1 of all
// of it as the trailer.
type packWriter struct {
	w  io.Writer
	h  io.Writer // w and the checksum
	sh interface{ Sum([]byte) []byte }
	zw *zlib.Writer
}

func newPackWriter(w io.Writer, objects int) (*packWriter, error) {
	sh := sha1.New() //nolint:gosec // Git's pack checksum is SHA-1
	p := &packWriter{w: w, h: io.MultiWriter(w, sh), sh: sh, zw: zlib.NewWriter(io.Discard)}
	var hdr bytes.Buffer
	hdr.WriteString("PACK")
	_ = binary.Write(&hdr, binary.BigEndian, uint32(2))
	_ = binary.Write(&hdr, binary.BigEndian, uint32(objects))
	if _, err := p.h.Write(hdr.Bytes()); err != nil {
		return nil, fmt.Errorf("write pack header: %w", err)
	}
	return p, nil
}

func (p *packWriter) object(o plumbing.EncodedObject) error {
	r, err := o.Reader()
	if err != nil {
		return fmt.Errorf("read object %s: %w", o.Hash(), err)
	}
	data, err := io.ReadAll(r)
	_ = r.Close()
	if err != nil {
		return fmt.Errorf("read object %s: %w", o.Hash(), err)
	}
	if _, err := writeEntry(p.h, p.zw, o.Type(), data); err != nil {
		return fmt.Errorf("write object %s: %w", o.Hash(), err)
	}
	return nil
}

func (p *packWriter) finish() error {
	if _, err := p.w.Write(p.sh.Sum(nil)); err != nil {
		return fmt.Errorf("write pack checksum: %w", err)
	}
	return nil
}
