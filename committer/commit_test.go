package committer

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/google/go-cmp/cmp"
)

func TestCommitLocalRepository(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "backup")
	c := mustOpen(t, options(t, dir, "prod"))

	first := mustCommit(t, c,
		file("prod/namespaces/shop/apps/deployments/web.yaml", "kind: Deployment\n"),
		file("prod/namespaces/shop/core/configmaps/cfg.yaml", "kind: ConfigMap\n"),
		file("prod/cluster/core/namespaces/shop.yaml", "kind: Namespace\n"),
	)
	second := mustCommit(t, c, file("prod/namespaces/shop/apps/deployments/web.yaml", "kind: Deployment\nspec: {}\n"))

	if got := runGit(t, dir, "rev-parse", "HEAD"); got != second {
		t.Errorf("HEAD = %s, want the last commit %s", got, second)
	}
	if diff := cmp.Diff([]string{second, first}, lines(runGit(t, dir, "log", "--format=%H", "backup"))); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	// Plumbing that trusts the index's stat data must find nothing to
	// re-read (checked before git status, which refreshes the index). Full
	// stat data is filled on Linux only.
	if got := runGit(t, dir, "diff-files", "--name-only"); runtime.GOOS == "linux" && got != "" {
		t.Errorf("git diff-files reports stale index entries:\n%s", got)
	}
	if got := runGit(t, dir, "status", "--porcelain", "--untracked-files=all"); got != "" {
		t.Errorf("git status is not clean:\n%s", got)
	}
	fsck(t, dir)

	onDisk, err := os.ReadFile(filepath.Join(dir, "prod/namespaces/shop/apps/deployments/web.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("kind: Deployment\nspec: {}\n", string(onDisk)); diff != "" {
		t.Errorf("working tree file (-want +got):\n%s", diff)
	}

	want := map[string]Hash{}
	for _, l := range lines(runGit(t, dir, "ls-tree", "-r", "backup")) {
		// "<mode> blob <hash>\t<path>"
		meta, path, _ := strings.Cut(l, "\t")
		want[path] = Hash(plumbing.NewHash(strings.Fields(meta)[2]))
	}
	got, err := c.Files()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Files() (-want +got):\n%s", diff)
	}

	data, err := c.ReadFile("prod/cluster/core/namespaces/shop.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("kind: Namespace\n", string(data)); diff != "" {
		t.Errorf("ReadFile (-want +got):\n%s", diff)
	}
	if _, err := c.ReadFile("prod/missing.yaml"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadFile of a missing file: got %v, want fs.ErrNotExist", err)
	}
	if _, err := c.ReadFile("prod/cluster"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadFile of a directory: got %v, want fs.ErrNotExist", err)
	}
}

func TestCommitNothingToCommit(t *testing.T) {
	tests := []struct {
		name    string
		changes []Change
	}{
		{name: "no changes", changes: nil},
		{name: "same content", changes: []Change{file("p/a.yaml", "a\n")}},
		{name: "delete of an absent file", changes: []Change{gone("p/missing.yaml")}},
		{name: "delete under an absent directory", changes: []Change{gone("p/nowhere/x.yaml")}},
		{name: "delete of a directory", changes: []Change{gone("p/dir")}},
		{name: "same content and absent delete", changes: []Change{file("p/dir/b.yaml", "b\n"), gone("p/zzz.yaml")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, dir := newCommitter(t, "p")
			tip := mustCommit(t, c, file("p/a.yaml", "a\n"), file("p/dir/b.yaml", "b\n"))

			h, err := c.Commit(t.Context(), tt.changes)
			if !errors.Is(err, ErrNothingToCommit) {
				t.Fatalf("Commit = %v, %v; want ErrNothingToCommit", h, err)
			}
			if got := runGit(t, dir, "rev-parse", "backup"); got != tip {
				t.Errorf("branch moved to %s, want it still at %s", got, tip)
			}
		})
	}
}

func TestCommitDeletes(t *testing.T) {
	c, dir := newCommitter(t, "p")
	mustCommit(t, c,
		file("p/namespaces/a/core/configmaps/one.yaml", "1\n"),
		file("p/namespaces/a/core/configmaps/two.yaml", "2\n"),
		file("p/namespaces/b/core/configmaps/three.yaml", "3\n"),
	)
	// A hand-made file outside the branch must survive pruning of empty
	// directories.
	if err := os.WriteFile(filepath.Join(dir, "p", "namespaces", "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}

	mustCommit(t, c,
		gone("p/namespaces/a/core/configmaps/one.yaml"),
		gone("p/namespaces/b/core/configmaps/three.yaml"),
	)

	want := []string{"p/namespaces/a/core/configmaps/two.yaml"}
	if diff := cmp.Diff(want, lines(runGit(t, dir, "ls-tree", "-r", "--name-only", "backup"))); diff != "" {
		t.Errorf("tree (-want +got):\n%s", diff)
	}
	for _, p := range []string{"p/namespaces/a/core/configmaps/one.yaml", "p/namespaces/b"} {
		if _, err := os.Stat(filepath.Join(dir, p)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s still in the working tree (stat: %v)", p, err)
		}
	}
	if got := runGit(t, dir, "status", "--porcelain"); got != "?? p/namespaces/notes.txt" {
		t.Errorf("git status = %q, want only the untracked hand-made file", got)
	}
	fsck(t, dir)

	// Deleting the last file leaves an empty tree, still a valid commit.
	mustCommit(t, c, gone("p/namespaces/a/core/configmaps/two.yaml"))
	if got := runGit(t, dir, "ls-tree", "-r", "backup"); got != "" {
		t.Errorf("tree after deleting everything = %q, want empty", got)
	}
	files, err := c.Files()
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 0 {
		t.Errorf("Files() = %v, want none", files)
	}
	fsck(t, dir)
}

func TestCommitRejectsPathsOutsidePrefix(t *testing.T) {
	c, dir := newCommitter(t, "east")
	for _, p := range []string{
		"west/a.yaml",
		"east",
		"eastern/a.yaml",
		"/east/a.yaml",
		"east/../west/a.yaml",
		"east//a.yaml",
		"east/./a.yaml",
		"east/.git/config",
		"east/a\nb.yaml",
		"east/dir/",
		"",
	} {
		t.Run(p, func(t *testing.T) {
			_, err := c.Commit(t.Context(), []Change{file(p, "x")})
			if !errors.Is(err, ErrPathOutsidePrefix) {
				t.Errorf("Commit(%q) = %v, want ErrPathOutsidePrefix", p, err)
			}
		})
	}
	if _, err := tryGit(t, dir, "rev-parse", "--verify", "--quiet", "backup"); err == nil {
		t.Error("a rejected batch created the branch")
	}
}

func TestCommitLastChangeForAPathWins(t *testing.T) {
	c, dir := newCommitter(t, "p")
	mustCommit(t, c, file("p/a.yaml", "first"), file("p/b.yaml", "b"), file("p/a.yaml", "second"), gone("p/b.yaml"))
	if got := runGit(t, dir, "show", "backup:p/a.yaml"); got != "second" {
		t.Errorf("p/a.yaml = %q, want the last change", got)
	}
	if got := runGit(t, dir, "ls-tree", "-r", "--name-only", "backup"); got != "p/a.yaml" {
		t.Errorf("tree = %q, want only p/a.yaml", got)
	}
}

func TestCommitFileAndDirectoryConflict(t *testing.T) {
	c, _ := newCommitter(t, "p")
	mustCommit(t, c, file("p/x/y.yaml", "y"))
	if _, err := c.Commit(t.Context(), []Change{file("p/x", "file over a directory")}); err == nil {
		t.Error("writing a file over a directory succeeded")
	}
	if _, err := c.Commit(t.Context(), []Change{file("p/x/y.yaml/z", "directory over a file")}); err == nil {
		t.Error("writing below a file succeeded")
	}
}

func TestBlobHashMatchesGit(t *testing.T) {
	dir := t.TempDir()
	for _, data := range []string{"", "a", "kind: ConfigMap\ndata:\n  k: v\n", strings.Repeat("x", 70000)} {
		p := filepath.Join(dir, "blob")
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		want := runGit(t, dir, "hash-object", p)
		if got := BlobHash([]byte(data)).String(); got != want {
			t.Errorf("BlobHash(%d bytes) = %s, git says %s", len(data), got, want)
		}
	}
}

func TestCommitHonoursContext(t *testing.T) {
	c, dir := newCommitter(t, "p")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := c.Commit(ctx, []Change{file("p/a.yaml", "a")}); !errors.Is(err, context.Canceled) {
		t.Errorf("Commit with a canceled context = %v, want context.Canceled", err)
	}
	if _, err := tryGit(t, dir, "rev-parse", "--verify", "--quiet", "backup"); err == nil {
		t.Error("a canceled commit created the branch")
	}
}
