//go:build linux

package committer

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// syncFS makes every write to the file system that holds dir durable,
// file data and directory entries (renames) alike, with one syncfs(2):
// what git's core.fsync=objects does file by file.
func syncFS(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer func() { _ = f.Close() }()
	if err := unix.Syncfs(int(f.Fd())); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
