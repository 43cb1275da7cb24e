package committer

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"
)

// lowerPackLimits makes every batch of at least min files a pack and
// consolidates past max packs, for the test's duration.
func lowerPackLimits(t *testing.T, minFiles, maxPacks int) {
	t.Helper()
	oldMin, oldMax := packMin, packMax
	packMin, packMax = minFiles, maxPacks
	t.Cleanup(func() { packMin, packMax = oldMin, oldMax })
}

func packCount(t *testing.T, dir string) int {
	t.Helper()
	return objectFiles(t, dir, "pack", "pack-*.pack")
}

// objectFiles counts the files matching pattern under the objects
// directory of the repository in dir.
func objectFiles(t *testing.T, dir string, pattern ...string) int {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(append([]string{gitDirOf(t, dir), "objects"}, pattern...)...))
	if err != nil {
		t.Fatal(err)
	}
	return len(m)
}

// packedBatch is a batch of n files whose content names the round.
func packedBatch(n, round int) []Change {
	out := make([]Change, n)
	for i := range out {
		out[i] = file(fmt.Sprintf("prod/cm-%d.yaml", i), fmt.Sprintf("index: %d\nround: %d\n", i, round))
	}
	return out
}

// TestPacksAreConsolidated commits large batches until more than packMax
// packs exist: the next large commit packs every object into one pack
// and removes the loose objects and packs it replaced. The repository
// stays whole for git fsck --full --strict, every commit's files read
// back, and committing goes on.
func TestPacksAreConsolidated(t *testing.T) {
	lowerPackLimits(t, 5, 3)
	for _, kind := range []string{"worktree", "bare"} {
		t.Run(kind, func(t *testing.T) {
			c, o, dir := openKindObjects(t, kind, "prod")
			var commits []string
			mustCommit(t, c, file("prod/loose.yaml", "small batches stay loose\n"))
			for round := 1; round <= packMax; round++ {
				commits = append(commits, mustCommit(t, c, packedBatch(8, round)...))
			}
			if n := packCount(t, dir); n != packMax {
				t.Fatalf("%d packs before the limit is passed, want %d", n, packMax)
			}
			commits = append(commits, mustCommit(t, c, packedBatch(8, packMax+1)...))
			if n := packCount(t, dir); n != 1 {
				t.Errorf("%d packs once the limit is passed, want 1", n)
			}
			if n := looseObjectCount(t, dir); n != 0 {
				t.Errorf("%d loose objects left after consolidation", n)
			}
			runGit(t, dir, "fsck", "--full", "--strict", "--no-dangling")
			for i, h := range commits {
				if got, want := runGit(t, dir, "show", h+":prod/cm-7.yaml"), fmt.Sprintf("index: 7\nround: %d", i+1); got != want {
					t.Errorf("prod/cm-7.yaml at commit %d: %q, want %q", i+1, got, want)
				}
			}
			// The committer reads from the new pack, and goes on.
			if data, err := c.ReadFile("prod/loose.yaml"); err != nil || string(data) != "small batches stay loose\n" {
				t.Errorf("ReadFile after consolidation: %q, %v", data, err)
			}
			mustCommit(t, c, file("prod/after.yaml", "after\n"))
			if kind == "bare" {
				if err := c.Push(t.Context()); err != nil {
					t.Fatalf("Push: %v", err)
				}
				runGit(t, o.Repo, "fsck", "--full", "--strict", "--no-dangling")
			}
			runGit(t, dir, "fsck", "--full", "--strict", "--no-dangling")
		})
	}
}

// TestConsolidationCutShortLosesNothing stops a consolidation after its
// new pack is written and before anything old is removed, as a crash
// would (the sync that must come first fails): every object is then in
// two places, which git accepts, and the next large commit finishes the
// job.
func TestConsolidationCutShortLosesNothing(t *testing.T) {
	lowerPackLimits(t, 5, 2)
	c, o := openKind(t, "bare", "prod")
	dir := o.Workdir
	for round := 1; round <= packMax; round++ {
		mustCommit(t, c, packedBatch(8, round)...)
	}
	failSync := errors.New("sync refused by the test")
	realSync := syncObjects
	calls := 0
	syncObjects = func(c *Committer) error {
		calls++
		if calls == 2 { // the first syncs the commit, the second the new pack
			return failSync
		}
		return realSync(c)
	}
	t.Cleanup(func() { syncObjects = realSync })
	last := mustCommit(t, c, packedBatch(8, packMax+1)...)
	if n := packCount(t, dir); n != packMax+2 {
		t.Fatalf("%d packs after a cut-short consolidation, want the %d old ones and the new one", n, packMax+1)
	}
	runGit(t, dir, "fsck", "--full", "--strict", "--no-dangling")
	if got := runGit(t, dir, "rev-parse", "backup"); got != last {
		t.Errorf("branch at %s, want %s", got, last)
	}
	syncObjects = realSync
	mustCommit(t, c, packedBatch(8, packMax+2)...)
	if n := packCount(t, dir); n != 1 {
		t.Errorf("%d packs after the next large commit, want 1", n)
	}
	runGit(t, dir, "fsck", "--full", "--strict", "--no-dangling")
}

// TestRefMovesOnlyAfterObjectsAreDurable: when the objects of a commit
// cannot be made durable, the branch does not move, and the next commit
// records the change.
func TestRefMovesOnlyAfterObjectsAreDurable(t *testing.T) {
	for _, kind := range []string{"worktree", "bare"} {
		t.Run(kind, func(t *testing.T) {
			c, _, dir := openKindObjects(t, kind, "prod")
			first := mustCommit(t, c, file("prod/a.yaml", "1\n"))
			realSync := syncObjects
			syncObjects = func(*Committer) error { return errors.New("no space left on device") }
			t.Cleanup(func() { syncObjects = realSync })
			if _, err := c.Commit(t.Context(), []Change{file("prod/a.yaml", "2\n")}); err == nil {
				t.Fatal("Commit succeeded although its objects could not be made durable")
			}
			if got := runGit(t, dir, "rev-parse", "backup"); got != first {
				t.Errorf("branch moved to %s without durable objects", got)
			}
			syncObjects = realSync
			mustCommit(t, c, file("prod/a.yaml", "2\n"))
			if got := runGit(t, dir, "show", "backup:prod/a.yaml"); got != "2" {
				t.Errorf("prod/a.yaml at the tip: %q", got)
			}
			runGit(t, dir, "fsck", "--full", "--strict")
		})
	}
}

func looseObjectCount(t *testing.T, dir string) int {
	t.Helper()
	return objectFiles(t, dir, "??", "*")
}
