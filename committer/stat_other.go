//go:build !linux

package committer

import (
	"io/fs"

	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// fillStat copies the stat data Git compares to decide that an indexed file
// is unchanged without reading it. Git re-reads files whose device or inode
// it cannot match, so the working tree still reports clean.
func fillStat(e *index.Entry, fi fs.FileInfo) {
	e.ModifiedAt = fi.ModTime()
	e.CreatedAt = fi.ModTime()
	e.Size = uint32(fi.Size())
}
