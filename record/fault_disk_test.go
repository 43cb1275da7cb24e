package record_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/clusterscribe/clusterscribe/committer"
	"github.com/clusterscribe/clusterscribe/internal/treecheck"
	"github.com/clusterscribe/clusterscribe/record"
)

// commitFailed is the log message of a failed commit attempt.
const commitFailed = "changes not committed; kept pending, retrying with backoff"

// failedAttempt is one commitFailed log record.
type failedAttempt struct {
	What    string        `json:"what"`
	Repo    string        `json:"repo"`
	Pending int           `json:"pending"`
	Attempt int           `json:"attempt"`
	RetryIn time.Duration `json:"retryIn"`
	Error   string        `json:"error"`
}

// failedAttempts parses the commitFailed records of a JSON log.
func failedAttempts(t *testing.T, logs string) []failedAttempt {
	t.Helper()
	var out []failedAttempt
	for _, line := range strings.Split(logs, "\n") {
		if !strings.Contains(line, `"msg":"`+commitFailed+`"`) {
			continue
		}
		var a failedAttempt
		if err := json.Unmarshal([]byte(line), &a); err != nil {
			t.Fatalf("parse log record %s: %v", line, err)
		}
		out = append(out, a)
	}
	return out
}

// breakObjectStore replaces .git/objects/pack, where go-git writes every
// new object first, with a regular file: each write fails with ENOTDIR, as
// on a repository that cannot be written (tests run as root, so file modes
// would not stop them). It returns the function that repairs it.
func breakObjectStore(t *testing.T, repo string) (string, func()) {
	t.Helper()
	pack := filepath.Join(repo, ".git", "objects", "pack")
	if err := os.Rename(pack, pack+".away"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pack, []byte("not a directory\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return pack, func() {
		t.Helper()
		if err := os.Remove(pack); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(pack+".away", pack); err != nil {
			t.Fatal(err)
		}
	}
}

// checkBackoff checks the failed attempts of one outage: numbered from 1,
// each naming the repository and the path that failed, the delays doubling
// up to the cap and staying there.
func checkBackoff(t *testing.T, attempts []failedAttempt, what, repo, path string, b committer.Backoff) {
	t.Helper()
	for i, a := range attempts {
		if a.What != what || a.Attempt != i+1 || a.Repo != repo || !strings.Contains(a.Error, path) {
			t.Errorf("failed attempt %d: %+v; want what=%q, attempt %d, repo %s and an error naming %s", i+1, a, what, i+1, repo, path)
		}
		want := b.Initial << i
		if want > b.Max || want <= 0 {
			want = b.Max
		}
		if lo, hi := time.Duration(float64(want)*(1-b.Jitter)), time.Duration(float64(want)*(1+b.Jitter)); a.RetryIn < lo || a.RetryIn > min(hi, b.Max) {
			t.Errorf("failed attempt %d waits %s, want about %s (capped at %s)", i+1, a.RetryIn, want, b.Max)
		}
	}
}

// TestUnwritableRepositoryRetriesWithBackoff makes the repository's object
// store unwritable, first before the initial snapshot, then between
// batches. Each time the recorder must keep running, log each failed
// attempt with the path that failed and retry with exponential backoff up
// to its cap; once the store is writable again one commit records every
// change made meanwhile, and the branch equals a fresh LIST.
func TestUnwritableRepositoryRetriesWithBackoff(t *testing.T) {
	// The workload churns in the namespace; its kinds are not recorded
	// here, so that the commits counted are the ConfigMaps'.
	ns, cs, work := churningNamespace(t, "unwritable", "kept", "changed", "deleted")
	repo := filepath.Join(t.TempDir(), "backup")
	cfg, _ := newConfig(ns, repo, "ConfigMap")
	cfg.Once = true
	if err := record.Run(t.Context(), cluster.Config, cfg); err != nil {
		t.Fatalf("record.Run --once: %v", err)
	}
	check := treecheck.Options{Record: cfg}
	treecheck.Require(t, cluster.Config, check)

	// Unwritable before the recorder starts: the initial snapshot waits.
	setValue(t, cs, ns, "changed", 2)
	setValue(t, cs, ns, "born-while-stopped", 1)
	pack, repair := breakObjectStore(t, repo)
	cfg, logs := newConfig(ns, repo, "ConfigMap")
	backoff := committer.Backoff{Initial: 50 * time.Millisecond, Max: 400 * time.Millisecond, Jitter: 0.01}
	cfg.CommitBackoff = backoff
	rec := startRecordOn(t, cluster.Config, cfg, logs)
	const failures = 6
	eventually(t, rec, fmt.Sprintf("%d failed attempts at the initial snapshot", failures), func() (bool, string) {
		n := len(failedAttempts(t, logs.String()))
		return n >= failures, fmt.Sprintf("%d failed attempts", n)
	})
	// Changes while it fails are kept pending too.
	deleteConfigMap(t, cs, ns, "deleted")
	setValue(t, cs, ns, "born-while-failing", 1)
	// The creation comes after the deletion on the same watch: once an
	// attempt holds one path more, the recorder has seen both.
	eventually(t, rec, "a failed attempt holding the changes made while failing", func() (bool, string) {
		attempts := failedAttempts(t, logs.String())
		last := attempts[len(attempts)-1]
		return last.Pending > attempts[0].Pending, fmt.Sprintf("%d pending at first, %d now", attempts[0].Pending, last.Pending)
	})
	if n := logs.Count("initial snapshot recorded"); n != 0 {
		t.Fatalf("the initial snapshot is reported recorded %d times while the store is unwritable", n)
	}
	repair()
	treecheck.Await(t, cluster.Config, check, patience, rec.Alive)
	attempts := failedAttempts(t, logs.String())
	checkBackoff(t, attempts, "initial snapshot", repo, pack, backoff)
	if n := commitCount(t, repo); n != 2 {
		t.Errorf("%d commits, want 2: the first run's and one with every change made while the store was unwritable", n)
	}
	got := gitOut(t, repo, "show", "--no-renames", "--format=", "--name-status", branchRef)
	want := "A\t" + nsPath(ns, "", "configmaps", "born-while-failing") + "\n" +
		"A\t" + nsPath(ns, "", "configmaps", "born-while-stopped") + "\n" +
		"M\t" + nsPath(ns, "", "configmaps", "changed") + "\n" +
		"D\t" + nsPath(ns, "", "configmaps", "deleted") + "\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("files of the commit after the repair (-want +got):\n%s", diff)
	}
	if logs.Count("committing works again; pending changes recorded") != 1 {
		t.Errorf("the recovery is not logged once:\n%s", logs)
	}

	// Unwritable between batches.
	_, repair = breakObjectStore(t, repo)
	setValue(t, cs, ns, "kept", 2)
	before := len(attempts)
	eventually(t, rec, "failed batch attempts", func() (bool, string) {
		n := len(failedAttempts(t, logs.String())) - before
		return n >= failures, fmt.Sprintf("%d failed attempts", n)
	})
	setValue(t, cs, ns, "born-while-failing", 2)
	eventually(t, rec, "a failed attempt holding both changes", func() (bool, string) {
		attempts := failedAttempts(t, logs.String())
		last := attempts[len(attempts)-1]
		return last.Pending >= 2, fmt.Sprintf("%d pending", last.Pending)
	})
	repair()
	treecheck.Await(t, cluster.Config, check, patience, rec.Alive)
	checkBackoff(t, failedAttempts(t, logs.String())[before:], "batch", repo, pack, backoff)
	if n := commitCount(t, repo); n != 3 {
		t.Errorf("%d commits, want 3", n)
	}
	work.stop(t)
	rec.stop(t)
	gitOut(t, repo, "fsck", "--full", "--strict")
	if out := gitOut(t, repo, "status", "--porcelain"); out != "" {
		t.Errorf("working tree not in step with the branch:\n%s", out)
	}
}

// TestWorktreeWriteFailureLosesNothing makes the working tree unwritable
// under one directory: commits still land on the branch (the object store
// is fine) but the files can't be written. A deletion of an object whose
// file only that commit added must still be recorded, and once the
// directory is writable again the next commit brings the working tree back
// in step.
func TestWorktreeWriteFailureLosesNothing(t *testing.T) {
	ns, cs, work := churningNamespace(t, "worktree", "kept")
	repo := filepath.Join(t.TempDir(), "backup")
	cfg, logs := newConfig(ns, repo, withChurn("ConfigMap")...)
	rec := startRecordOn(t, cluster.Config, cfg, logs)
	rec.waitSynced(t)
	check := treecheck.Options{Record: cfg}
	treecheck.Await(t, cluster.Config, check, patience, rec.Alive)

	dir := filepath.Join(repo, filepath.FromSlash(filepath.Dir(nsPath(ns, "", "configmaps", "kept"))))
	if err := os.Rename(dir, dir+".away"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	setValue(t, cs, ns, "short-lived", 1)
	waitFiles(t, rec, repo, true, nsPath(ns, "", "configmaps", "short-lived"))
	deleteConfigMap(t, cs, ns, "short-lived")
	setValue(t, cs, ns, "kept", 2)
	treecheck.Await(t, cluster.Config, check, patience, rec.Alive)
	if logs.Count("committed, but the working tree was not updated; it is with the next commit") == 0 {
		t.Fatal("no commit reported a working tree it could not update: the fault did not fire")
	}

	if err := os.Remove(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(dir+".away", dir); err != nil {
		t.Fatal(err)
	}
	setValue(t, cs, ns, "after-repair", 1)
	work.stop(t)
	treecheck.Await(t, cluster.Config, check, patience, rec.Alive)
	eventually(t, rec, "the working tree back in step", func() (bool, string) {
		out, err := gitTry(repo, "status", "--porcelain")
		return err == nil && out == "", fmt.Sprintf("git status: %s %v", out, err)
	})
	requireQuiet(t, cs, ns, repo, rec.Alive)
	rec.stop(t)
	gitOut(t, repo, "fsck", "--full", "--strict")
}
