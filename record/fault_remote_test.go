package record_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/clusterscribe/clusterscribe/internal/gittest"
	"github.com/clusterscribe/clusterscribe/internal/treecheck"
)

// TestRemoteOutageLosesNothing takes the remote away (an empty directory
// stands where the repository was) while objects are created, changed and
// deleted over several batches, then brings it back. Every batch must reach
// the remote, in order (the remote's history is the clone's), and the
// remote's branch must then equal a fresh LIST of the cluster. It adds to
// TestRemoteDownThenUp, which follows one object's values through the
// commits, the comparison of the whole tree with the cluster, while the
// workload churns.
func TestRemoteOutageLosesNothing(t *testing.T) {
	ns := cluster.Namespace(t, "outage")
	cs := clientset(t)
	const batches = 4
	for i := 1; i <= batches; i++ {
		setValue(t, cs, ns, "doomed-"+strconv.Itoa(i), 0)
	}
	setValue(t, cs, ns, "changed", 0)
	work := startChurn(t, cs, ns)
	dir := t.TempDir()
	bare := gittest.NewBareRemote(t, filepath.Join(dir, "remote.git"))
	clone := filepath.Join(dir, "clone")
	cfg, logs := newConfig(ns, "file://"+bare, withChurn("ConfigMap")...)
	cfg.Committer.Workdir = clone
	rec := startRecord(t, cfg, logs)
	rec.waitSynced(t)
	waitPushed(t, rec, clone, bare)
	check := treecheck.Options{Record: cfg, Repo: bare}
	treecheck.Await(t, cluster.Config, check, patience, rec.Alive)

	away := bare + ".away"
	if err := os.Rename(bare, away); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(bare, 0o755); err != nil {
		t.Fatal(err)
	}
	commits := commitCount(t, clone)
	for i := 1; i <= batches; i++ {
		setValue(t, cs, ns, "born-"+strconv.Itoa(i), i)
		deleteConfigMap(t, cs, ns, "doomed-"+strconv.Itoa(i))
		setValue(t, cs, ns, "changed", i)
		waitContent(t, rec, clone, nsPath(ns, "", "configmaps", "changed"), fmt.Sprintf("value %d committed locally", i), hasValue(i))
	}
	eventually(t, rec, "a failed push", func() (bool, string) {
		return logs.Count("push failed, will retry") > 0, "no failed push logged"
	})
	if n := commitCount(t, clone) - commits; n < batches {
		t.Fatalf("%d commits during the outage, want at least %d (one per batch)", n, batches)
	}
	// What the clone holds now equals the cluster; only the remote lags.
	treecheck.Await(t, cluster.Config, treecheck.Options{Record: cfg, Repo: clone}, patience, rec.Alive)

	if err := os.Remove(bare); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(away, bare); err != nil {
		t.Fatal(err)
	}
	work.stop(t)
	waitPushed(t, rec, clone, bare)
	res := treecheck.Await(t, cluster.Config, check, patience, rec.Alive)
	if want := batches + 1 + churnObjects; res.Objects != want {
		t.Errorf("the remote holds %d objects, want %d: %s", res.Objects, want, res)
	}
	requireQuiet(t, cs, ns, clone, rec.Alive)
	waitPushed(t, rec, clone, bare)
	if diff := cmp.Diff(history(t, clone), history(t, bare)); diff != "" {
		t.Errorf("git log of the clone and of the remote differ (-clone +remote):\n%s", diff)
	}
	if got := gitOut(t, bare, "rev-list", "--merges", branchRef); got != "" {
		t.Errorf("the remote branch has merge commits:\n%s", got)
	}
	rec.stop(t)
	gitOut(t, bare, "fsck", "--full", "--strict", "--no-dangling")
	gitOut(t, clone, "fsck", "--full", "--strict", "--no-dangling")
}
