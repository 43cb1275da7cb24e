package record_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clusterscribe/clusterscribe/internal/gittest"
	"github.com/clusterscribe/clusterscribe/internal/treecheck"
	"github.com/clusterscribe/clusterscribe/record"
)

// TestRemoteOutageAtStart starts the recorder while its remote is away:
// first with a workdir that holds no clone yet, then restarted with the
// clone of that run while the remote is away again. Each time it must
// start, record into the clone (treecheck equality with the clone), log
// the outage, and once the remote is back push one line of history on
// top of what the remote branch holds by then: another cluster's
// commits, pushed during the outage, stay; this cluster's paths are what
// the cluster holds. The workload churns meanwhile.
func TestRemoteOutageAtStart(t *testing.T) {
	ns, cs, work := churningNamespace(t, "outage-start", "kept", "changed", "doomed")
	dir := t.TempDir()
	bare := gittest.NewBareRemote(t, filepath.Join(dir, "remote.git"))
	// What an earlier recorder left on the remote.
	earlier, _ := newConfig(ns, "file://"+bare, "ConfigMap")
	earlier.Committer.Workdir = filepath.Join(dir, "earlier")
	earlier.Once = true
	if err := record.Run(t.Context(), cluster.Config, earlier); err != nil {
		t.Fatalf("record --once: %v", err)
	}
	away := bare + ".away"
	clone := filepath.Join(dir, "clone")
	for round, what := range []string{"no clone in the workdir", "the clone of the run before"} {
		t.Logf("round %d: %s", round+1, what)
		if err := os.Rename(bare, away); err != nil {
			t.Fatal(err)
		}
		setValue(t, cs, ns, "changed", round+2)
		if round == 0 {
			deleteConfigMap(t, cs, ns, "doomed") // its file is on the remote
		}
		setValue(t, cs, ns, "born-"+string(rune('a'+round)), 1)

		cfg, logs := newConfig(ns, "file://"+bare, withChurn("ConfigMap")...)
		cfg.Committer.Workdir = clone
		rec := startRecord(t, cfg, logs)
		rec.waitSynced(t)
		treecheck.Await(t, cluster.Config, treecheck.Options{Record: cfg, Repo: clone}, patience, rec.Alive)
		eventually(t, rec, "the outage logged", func() (bool, string) {
			return logs.Count("remote unreachable; recording locally, pushing once it is back") == 1, "no outage in the log"
		})
		// Another cluster pushes meanwhile: the remote branch moves.
		other, _ := newConfig(ns, "file://"+away, "ConfigMap")
		other.Cluster = "other-" + string(rune('a'+round))
		other.Committer.Workdir = filepath.Join(dir, other.Cluster)
		other.Once = true
		if err := record.Run(t.Context(), cluster.Config, other); err != nil {
			t.Fatalf("record --once of another cluster: %v", err)
		}
		setValue(t, cs, ns, "kept", round+2) // a batch during the outage

		if err := os.Rename(away, bare); err != nil {
			t.Fatal(err)
		}
		if round == 1 {
			work.stop(t)
		}
		waitPushed(t, rec, clone, bare)
		treecheck.Await(t, cluster.Config, treecheck.Options{Record: cfg, Repo: bare}, patience, rec.Alive)
		eventually(t, rec, "the end of the outage logged", func() (bool, string) {
			return strings.Contains(logs.String(), `"msg":"remote reachable"`) && strings.Contains(logs.String(), `"outage":`), "no end of the outage in the log"
		})
		if round == 1 {
			requireQuiet(t, cs, ns, clone, rec.Alive)
		}
		rec.stop(t)
		for c := 0; c <= round; c++ {
			if got := gitOut(t, bare, "ls-tree", "--name-only", branchRef, "other-"+string(rune('a'+c))); got == "" {
				t.Errorf("round %d: the other cluster's files of round %d are gone from the remote", round+1, c+1)
			}
		}
		if got := gitOut(t, bare, "rev-list", "--merges", branchRef); got != "" {
			t.Errorf("round %d: merge commits on the remote:\n%s", round+1, got)
		}
		fsckClean(t, "after an outage at start", clone, bare)
	}
}
