// Package atomicfile writes files so that a reader, a crash or a full disk
// never leaves half of one: the content goes to a temporary file in the
// same directory, is synced, and is renamed over the file; the directory
// is synced after the rename. It is the one way clusterscribe replaces a
// file it owns (reports, patches, the working tree of the backup).
package atomicfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Options tune Write.
type Options struct {
	// Perm is the file's mode; 0 means 0o644.
	Perm os.FileMode
	// NoSync skips the fsync of the file and of its directory, for files
	// that a later sync of the whole file system covers (the backup's
	// working tree, synced with its objects before the branch moves).
	NoSync bool
}

// Write replaces path with what write writes. On any error path is left as
// it was and the temporary file is removed.
func Write(path string, o Options, write func(io.Writer) error) (err error) {
	perm := o.Perm
	if perm == 0 {
		perm = 0o644
	}
	dir := filepath.Dir(path)
	// A short unique name: files may be written in parallel, and their
	// names can be as long as a file name may be.
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	if err := write(f); err != nil {
		return err
	}
	if err := f.Chmod(perm); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if !o.NoSync {
		if err := f.Sync(); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if o.NoSync {
		return nil
	}
	return syncDir(dir)
}

// WriteBytes replaces path with data.
func WriteBytes(path string, o Options, data []byte) error {
	return Write(path, o, func(w io.Writer) error {
		_, err := w.Write(data)
		if err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		return nil
	})
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
