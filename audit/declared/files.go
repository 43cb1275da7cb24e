package declared

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// DefaultMaxFileBytes is the largest manifest file read when
// Options.MaxFileBytes is not set: 8 MiB, several times the largest object
// etcd stores (1.5 MiB) and room for big CRD bundles. A larger file is a
// problem on that file, and the rest is still read.
const DefaultMaxFileBytes = 8 << 20

// Reasons a file of the declared tree is not read.
var (
	errOutsideRoot = errors.New("leads outside the declared repository (symbolic links are not followed out of it): skipped")
	errLinkLoop    = errors.New("symbolic link loop: skipped")
	errBrokenLink  = errors.New("broken symbolic link: skipped")
	errNotRegular  = errors.New("not a regular file: skipped")
)

// fileReader reads the files of the declared tree: regular files inside the
// tree's root only (a symbolic link may point anywhere inside it, never out
// of it), and at most max bytes each.
type fileReader struct {
	root     string // as given, absolute
	realRoot string // with symbolic links resolved
	max      int64
}

func newFileReader(root string, maxBytes int64) (*fileReader, error) {
	real, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, err
	}
	if maxBytes <= 0 {
		maxBytes = DefaultMaxFileBytes
	}
	return &fileReader{root: root, realRoot: real, max: maxBytes}, nil
}

// resolve returns where p really is, or why it is not to be read.
func (r *fileReader) resolve(p string) (string, fs.FileInfo, error) {
	fi, err := os.Stat(p)
	switch {
	case errors.Is(err, syscall.ELOOP):
		return "", nil, errLinkLoop
	case errors.Is(err, fs.ErrNotExist):
		if _, lerr := os.Lstat(p); lerr == nil {
			return "", nil, errBrokenLink
		}
		return "", nil, fs.ErrNotExist
	case err != nil:
		return "", nil, r.scrub(err)
	}
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", nil, r.scrub(err)
	}
	if !r.inside(real) {
		return "", nil, errOutsideRoot
	}
	return real, fi, nil
}

// inside reports whether the resolved path p lies in the resolved root.
func (r *fileReader) inside(p string) bool {
	rel, err := filepath.Rel(r.realRoot, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// read returns the content of the file at p (a path below root).
func (r *fileReader) read(p string) ([]byte, error) {
	real, fi, err := r.resolve(p)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, errNotRegular
	}
	if fi.Size() > r.max {
		return nil, r.tooLarge(fi.Size())
	}
	f, err := os.Open(real)
	if err != nil {
		return nil, r.scrub(err)
	}
	defer func() { _ = f.Close() }()
	data, err := io.ReadAll(io.LimitReader(f, r.max+1))
	if err != nil {
		return nil, r.scrub(err)
	}
	if int64(len(data)) > r.max {
		return nil, r.tooLarge(int64(len(data)))
	}
	return data, nil
}

func (r *fileReader) tooLarge(size int64) error {
	return fmt.Errorf("file of %d bytes is larger than the limit of %d bytes: skipped", size, r.max)
}

// scrub removes the root from an error message: files are named relative
// to it, and a clone's temporary directory means nothing to a reader.
func (r *fileReader) scrub(err error) error {
	msg := err.Error()
	for _, root := range []string{r.root, r.realRoot} {
		msg = strings.ReplaceAll(msg, root+string(filepath.Separator), "")
	}
	return errors.New(msg)
}

// relName names p relative to the root, for messages.
func (r *fileReader) relName(p string) string {
	for _, root := range []string{r.root, r.realRoot} {
		if rel, err := filepath.Rel(root, p); err == nil && !strings.HasPrefix(rel, "..") {
			return filepath.ToSlash(rel)
		}
	}
	return filepath.Base(p)
}
