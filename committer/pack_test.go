package committer

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLargeBatchIsOnePack: a batch of packMin files or more is written as
// one pack that git reads like any other objects, and the commits around
// it stay loose.
func TestLargeBatchIsOnePack(t *testing.T) {
	for _, kind := range []string{"worktree", "bare"} {
		t.Run(kind, func(t *testing.T) {
			c, o := openKind(t, kind, "prod")
			path := func(i int) string { return fmt.Sprintf("prod/namespaces/ns-%d/core/configmaps/cm-%d.yaml", i%7, i) }
			content := func(i, round int) string { return fmt.Sprintf("kind: ConfigMap\nindex: %d\nround: %d\n", i, round) }

			mustCommit(t, c, file("prod/cluster/core/namespaces/ns-0.yaml", "kind: Namespace\n"))
			n := packMin + 10
			batch := make([]Change, n)
			for i := range batch {
				batch[i] = file(path(i), content(i, 1))
			}
			big := mustCommit(t, c, batch...)
			last := mustCommit(t, c, file(path(3), content(3, 2)), gone(path(4)))

			dir := o.Repo
			if kind == "bare" {
				// The pack is in the committer's clone; the remote gets
				// the commits by a push.
				dir = o.Workdir
				if err := c.Push(t.Context()); err != nil {
					t.Fatalf("Push: %v", err)
				}
				fsck(t, o.Repo)
				if got := runGit(t, o.Repo, "rev-parse", "backup"); got != last {
					t.Errorf("remote branch at %s, want %s", got, last)
				}
			}
			packs, _ := filepath.Glob(filepath.Join(gitDirOf(t, dir), "objects", "pack", "pack-*.pack"))
			if len(packs) != 1 {
				t.Errorf("%d packs after one large batch, want 1: %v", len(packs), packs)
			}
			fsck(t, dir)
			if got := runGit(t, dir, "rev-list", "--count", "backup"); got != "3" {
				t.Errorf("%s commits on the branch, want 3", got)
			}
			if got := runGit(t, dir, "rev-parse", "backup"); got != last {
				t.Errorf("branch at %s, want %s", got, last)
			}
			files := lines(runGit(t, dir, "ls-tree", "-r", "--name-only", big))
			if len(files) != n+1 {
				t.Errorf("the large commit holds %d files, want %d", len(files), n+1)
			}
			for _, i := range []int{0, 3, 4, n - 1} {
				if got := runGit(t, dir, "show", big+":"+path(i)); got+"\n" != content(i, 1) {
					t.Errorf("%s at the large commit: %q", path(i), got)
				}
			}
			if got := runGit(t, dir, "show", "backup:"+path(3)); got+"\n" != content(3, 2) {
				t.Errorf("%s at the tip: %q", path(3), got)
			}
			// The committer reads its own pack back.
			data, err := c.ReadFile(path(n - 1))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(content(n-1, 1), string(data)); diff != "" {
				t.Errorf("ReadFile (-want +got):\n%s", diff)
			}
			if kind == "worktree" {
				if got := runGit(t, dir, "status", "--porcelain", "--untracked-files=all"); got != "" {
					t.Errorf("git status is not clean:\n%s", got)
				}
				onDisk, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(path(n-1))))
				if err != nil {
					t.Fatal(err)
				}
				if string(onDisk) != content(n-1, 1) {
					t.Errorf("working tree file: %q", onDisk)
				}
			}
		})
	}
}

// gitDirOf is the git directory of a working or bare repository.
func gitDirOf(t *testing.T, dir string) string {
	t.Helper()
	d := runGit(t, dir, "rev-parse", "--git-dir")
	if !filepath.IsAbs(d) {
		d = filepath.Join(dir, d)
	}
	return strings.TrimSpace(d)
}

// TestCrashRemainsOfAPackAreHarmless: a process killed while it writes a
// pack leaves a temporary pack file and maybe the pack's index, and the
// branch where it was. git fsck finds nothing wrong, and a committer
// opened on that repository commits and pushes the batch again.
func TestCrashRemainsOfAPackAreHarmless(t *testing.T) {
	root := t.TempDir()
	o := options(t, filepath.Join(root, "repo"), "prod")
	o.Repo = newBareRemote(t, root, "remote.git")
	c := mustOpen(t, o)
	first := mustCommit(t, c, file("prod/cluster/core/namespaces/a.yaml", "kind: Namespace\n"))
	batch := make([]Change, packMin)
	for i := range batch {
		batch[i] = file(fmt.Sprintf("prod/namespaces/a/core/configmaps/cm-%d.yaml", i), fmt.Sprintf("index: %d\n", i))
	}
	mustCommit(t, c, batch...)

	// What a kill before the pack was renamed into place leaves: the
	// index under its final name, the pack under a temporary one, and the
	// branch not moved.
	packDir := filepath.Join(gitDirOf(t, o.Workdir), "objects", "pack")
	packs, _ := filepath.Glob(filepath.Join(packDir, "pack-*.pack"))
	if len(packs) != 1 {
		t.Fatalf("%d packs, want 1", len(packs))
	}
	if err := os.Rename(packs[0], filepath.Join(packDir, "tmp_pack_4711")); err != nil {
		t.Fatal(err)
	}
	runGit(t, o.Workdir, "update-ref", "refs/heads/backup", first)
	fsck(t, o.Workdir)

	c = mustOpen(t, o)
	again := mustCommit(t, c, batch...)
	if err := c.Push(t.Context()); err != nil {
		t.Fatalf("Push: %v", err)
	}
	fsck(t, o.Workdir)
	fsck(t, o.Repo)
	if got := runGit(t, o.Repo, "rev-list", "--count", again); got != "2" {
		t.Errorf("%s commits on the remote branch, want 2", got)
	}
	if got := len(lines(runGit(t, o.Repo, "ls-tree", "-r", "--name-only", "backup"))); got != packMin+1 {
		t.Errorf("the remote branch holds %d files, want %d", got, packMin+1)
	}
}
