package gittest

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/clusterscribe/clusterscribe/internal/testkit"
)

// Signature is the author and committer of the commits tests make in the
// repositories they declare: a fixed time, so that nothing depends on
// the clock.
var Signature = object.Signature{Name: "gitops", Email: "gitops@example.invalid", When: time.Date(2026, 3, 1, 3, 0, 0, 0, time.UTC)}

// Init creates a repository with a work tree at dir, default branch main,
// with go-git.
func Init(t testing.TB, dir string) *git.Repository {
	t.Helper()
	repo, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{InitOptions: git.InitOptions{DefaultBranch: plumbing.Main}})
	if err != nil {
		t.Fatalf("init %s: %v", dir, err)
	}
	return repo
}

// CommitAll stages everything in repo's work tree, removals included, and
// commits it as Signature with msg.
func CommitAll(t testing.TB, repo *git.Repository, msg string) plumbing.Hash {
	t.Helper()
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		t.Fatalf("add: %v", err)
	}
	sig := Signature
	h, err := wt.Commit(msg, &git.CommitOptions{Author: &sig, Committer: &sig, All: true})
	if err != nil {
		t.Fatalf("commit %q: %v", msg, err)
	}
	return h
}

// CommitFiles writes files (slash-separated path -> content) into repo's
// work tree and commits everything there with msg.
func CommitFiles(t testing.TB, repo *git.Repository, files map[string]string, msg string) plumbing.Hash {
	t.Helper()
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	testkit.WriteFiles(t, wt.Filesystem.Root(), files)
	return CommitAll(t, repo, msg)
}

// NewRepo creates a repository at dir holding files in one commit on main,
// and returns it and the commit.
func NewRepo(t testing.TB, dir string, files map[string]string) (*git.Repository, plumbing.Hash) {
	t.Helper()
	repo := Init(t, dir)
	return repo, CommitFiles(t, repo, files, "declare")
}

// BareClone clones the repository at src, with its tags, into a new bare
// repository and returns that one's file:// URL.
func BareClone(t testing.TB, src string) string {
	t.Helper()
	bare := filepath.Join(t.TempDir(), "declared.git")
	if _, err := git.PlainClone(bare, true, &git.CloneOptions{URL: src, Tags: git.AllTags}); err != nil {
		t.Fatalf("clone %s: %v", src, err)
	}
	return "file://" + bare
}
