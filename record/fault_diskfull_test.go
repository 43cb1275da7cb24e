package record_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/clusterscribe/clusterscribe/committer"
	"github.com/clusterscribe/clusterscribe/internal/treecheck"
)

// mountTmpfs mounts a tmpfs of the given size at a new directory and
// unmounts it when the test ends. It needs root; without it the test
// fails rather than pretend.
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "small-disk")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("this test needs root to mount a small tmpfs (run the tests as root, or in a container with CAP_SYS_ADMIN): mount: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v\n%s", dir, err, out)
		}
	})
	return dir
}

// fillDisk writes a file into dir until the file system is full and
// returns its path.
func fillDisk(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "filler")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	buf := make([]byte, 64<<10)
	for {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("fill %s: %v", dir, err)
			}
			return p
		}
	}
}

// TestDiskFullThenFreed records onto a real, small file system (a tmpfs)
// and fills it while changes wait for their batch, the workload churning:
// the recorder keeps
// running, logs each failed attempt with the cause, and once space is
// freed commits every change made meanwhile. The branch then equals a
// fresh LIST, and git fsck --full --strict finds nothing wrong.
func TestDiskFullThenFreed(t *testing.T) {
	ns, cs, work := churningNamespace(t, "diskfull", "kept", "changed", "deleted")
	disk := mountTmpfs(t, "16m")
	repo := filepath.Join(disk, "backup")
	cfg, logs := newConfig(ns, repo, withChurn("ConfigMap")...)
	cfg.CommitBackoff = committer.Backoff{Initial: 50 * time.Millisecond, Max: 400 * time.Millisecond, Jitter: 0.01}
	rec := startRecordOn(t, cluster.Config, cfg, logs)
	rec.waitSynced(t)
	check := treecheck.Options{Record: cfg}
	treecheck.Await(t, cluster.Config, check, patience, rec.Alive)
	commits := commitCount(t, repo)

	// Changes arrive, and the disk fills before their batch is written.
	setValue(t, cs, ns, "changed", 2)
	filler := fillDisk(t, disk)
	setValue(t, cs, ns, "born-while-full", 1)
	deleteConfigMap(t, cs, ns, "deleted")
	eventually(t, rec, "failed attempts that name the full disk", func() (bool, string) {
		attempts := failedAttempts(t, logs.String())
		full := 0
		for _, a := range attempts {
			if strings.Contains(a.Error, "no space left on device") {
				full++
			}
		}
		return full >= 3, fmt.Sprintf("%d failed attempts, %d naming the full disk", len(attempts), full)
	})
	setValue(t, cs, ns, "born-while-full", 2)
	if err := rec.Alive(); err != nil {
		t.Fatal(err)
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	work.stop(t)
	treecheck.Await(t, cluster.Config, check, patience, rec.Alive)
	eventually(t, rec, "the recovery logged", func() (bool, string) {
		return logs.Count("committing works again; pending changes recorded") >= 1, "no recovery in the log"
	})
	if n := commitCount(t, repo) - commits; n < 1 {
		t.Errorf("%d commits after the disk was freed, want at least one", n)
	}
	requireQuiet(t, cs, ns, repo, rec.Alive)
	rec.stop(t)
	fsckClean(t, "after the disk was full", repo)
	if out := gitOut(t, repo, "status", "--porcelain"); out != "" {
		t.Errorf("working tree not in step with the branch:\n%s", out)
	}
}
