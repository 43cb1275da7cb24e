package committer

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/storage"
)

// The branch ref and the index are replaced, never rewritten in place: a
// lock left by a killed process is taken over, a failed write leaves the
// old content, and a ref moved by someone else is not overwritten.
func TestRefAndIndexWritesAreAtomic(t *testing.T) {
	c, dir := newCommitter(t, "prod")
	first := mustCommit(t, c, file("prod/a.yaml", "a: 1\n"))
	refPath := filepath.Join(dir, ".git", filepath.FromSlash(c.branch.String()))

	// A process killed while holding the locks left them behind.
	for _, lock := range []string{refPath + ".lock", filepath.Join(dir, ".git", "index.lock")} {
		if err := os.WriteFile(lock, []byte("half-written"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	second := mustCommit(t, c, file("prod/a.yaml", "a: 2\n"))
	if got := strings.TrimSpace(runGit(t, dir, "rev-parse", c.branch.String())); got != second {
		t.Fatalf("branch at %s, want %s", got, second)
	}
	if st := runGit(t, dir, "status", "--porcelain"); st != "" {
		t.Fatalf("work tree or index not in step after taking over stale locks:\n%s", st)
	}
	fsck(t, dir)

	// A write that fails leaves the ref as it was, and no lock.
	err := writeLocked(refPath, func(f *os.File) error {
		_, _ = f.WriteString("0123")
		return errors.New("disk full")
	})
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("failed write: %v", err)
	}
	if data, _ := os.ReadFile(refPath); strings.TrimSpace(string(data)) != second {
		t.Fatalf("ref after a failed write = %q, want %s", data, second)
	}
	if _, err := os.Stat(refPath + ".lock"); !os.IsNotExist(err) {
		t.Fatalf("lock left after a failed write: %v", err)
	}

	// Someone else moved the branch: the check refuses to overwrite it.
	runGit(t, dir, "update-ref", c.branch.String(), first)
	err = c.setRef(c.branch, plumbing.NewHash(strings.Repeat("1", 40)), plumbing.NewHash(second))
	if !errors.Is(err, storage.ErrReferenceHasChanged) {
		t.Fatalf("setRef over a moved branch: %v, want ErrReferenceHasChanged", err)
	}
}
