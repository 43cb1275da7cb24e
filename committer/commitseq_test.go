package committer

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
)

// TestCommitSeqRejectsBadBatches: a large batch streamed into CommitSeq
// with a path given twice, or a path outside the prefix after good ones,
// fails and leaves the branch and the working tree as they were, and no
// spool behind; the same batch without the bad change commits.
func TestCommitSeqRejectsBadBatches(t *testing.T) {
	c, o := openKind(t, "worktree", "prod")
	first := mustCommit(t, c, file("prod/cluster/core/namespaces/a.yaml", "kind: Namespace\n"))
	good := make([]Change, packMin)
	for i := range good {
		good[i] = file(fmt.Sprintf("prod/namespaces/ns-%d/core/configmaps/cm-%d.yaml", i%7, i), fmt.Sprintf("index: %d\n", i))
	}
	for name, bad := range map[string]Change{
		"twice":          good[3],
		"outside prefix": file("other/cluster/core/namespaces/b.yaml", "kind: Namespace\n"),
	} {
		t.Run(name, func(t *testing.T) {
			batch := slices.Insert(slices.Clone(good), len(good)-1, bad)
			_, err := c.CommitSeq(t.Context(), len(batch), slices.Values(batch))
			if err == nil {
				t.Fatal("CommitSeq accepted the batch")
			}
			if name == "outside prefix" && !errors.Is(err, ErrPathOutsidePrefix) {
				t.Errorf("error %v, want ErrPathOutsidePrefix", err)
			}
			if got := runGit(t, o.Repo, "rev-parse", "backup"); got != first {
				t.Errorf("branch moved to %s, want %s", got, first)
			}
			if got := runGit(t, o.Repo, "status", "--porcelain", "--untracked-files=all"); got != "" {
				t.Errorf("git status is not clean:\n%s", got)
			}
			if left, _ := filepath.Glob(filepath.Join(gitDirOf(t, o.Repo), "objects", "tmp_spool_*")); len(left) > 0 {
				t.Errorf("spool left behind: %v", left)
			}
		})
	}
	h, err := c.CommitSeq(t.Context(), len(good), slices.Values(good))
	if err != nil {
		t.Fatalf("CommitSeq: %v", err)
	}
	fsck(t, o.Repo)
	if got := len(lines(runGit(t, o.Repo, "ls-tree", "-r", "--name-only", h.String()))); got != packMin+1 {
		t.Errorf("the commit holds %d files, want %d", got, packMin+1)
	}
	if got := runGit(t, o.Repo, "show", "backup:"+good[5].Path); got+"\n" != string(good[5].Data) {
		t.Errorf("%s at the tip: %q", good[5].Path, got)
	}
}
