package record_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"

	"github.com/clusterscribe/clusterscribe/internal/treecheck"
)

// TestWatchResumedAfterCompactionRelists makes the recorder's watches
// resume from a resource version etcd has compacted away. The recorder
// talks to a second kube-apiserver over the package's etcd that runs
// without watch cache (etcd serves every watch) and compacts etcd every
// second, while the workload churns through the first. The recorder is
// cut off its API server for a while, as by a network partition, its
// watches ending cleanly; meanwhile objects are created, changed and
// deleted, and etcd compacts past everything the recorder saw. When the
// partition heals the recorder resumes its watches from their last
// resource versions: etcd answers 410 Gone and the recorder must list
// again. The test sees the 410 and a second initial list on the wire, and
// the backup then equals a fresh LIST, deletions in the gap included.
func TestWatchResumedAfterCompactionRelists(t *testing.T) {
	peer := startPeer(t, map[string]string{"watch-cache": "false", "etcd-compaction-interval": "1s"})
	ns := cluster.Namespace(t, "compact")
	cs := clientsetFor(t, peer.Config)
	const gone = 5
	for i := range gone {
		setValue(t, cs, ns, "deleted-in-gap-"+strconv.Itoa(i), 1)
	}
	setValue(t, cs, ns, "changed-in-gap", 1)
	setValue(t, cs, ns, "kept", 1)
	setSecret(t, cs, ns, "creds", "one")
	work := startChurn(t, clientset(t), ns)

	traffic := &apiTraffic{}
	repo := filepath.Join(t.TempDir(), "backup")
	cfg, logs := newConfig(ns, repo, withChurn(faultKinds...)...)
	rec := startRecordOn(t, traffic.wrap(peer.Config), cfg, logs)
	rec.waitSynced(t)
	check := treecheck.Options{Record: cfg}
	treecheck.Await(t, peer.Config, check, patience, rec.Alive)
	// A change seen on the ConfigMap watch: cut off now, client-go resumes
	// it (a watch cut before any event counts as broken and is replaced by
	// a new list at once).
	setValue(t, cs, ns, "kept", 2)
	treecheck.Await(t, peer.Config, check, patience, rec.Alive)
	listsBefore := traffic.listsOf("configmaps")
	if listsBefore != 1 {
		t.Fatalf("%d initial lists of ConfigMaps before the fault, want 1", listsBefore)
	}

	traffic.partition()
	// Nothing the recorder saw is newer than this.
	list, err := cs.CoreV1().ConfigMaps(ns).List(t.Context(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	seen := list.ResourceVersion
	for i := range gone {
		deleteConfigMap(t, cs, ns, "deleted-in-gap-"+strconv.Itoa(i))
	}
	setValue(t, cs, ns, "changed-in-gap", 2)
	setValue(t, cs, ns, "born-in-gap", 1)
	setSecret(t, cs, ns, "creds", "two")
	waitCompacted(t, cs, ns, seen)
	if n := traffic.expiredWatches(); n != 0 {
		t.Fatalf("%d watches of the recorder ended with 410 before the partition healed", n)
	}
	traffic.heal()
	work.stop(t)

	res := treecheck.Await(t, peer.Config, check, 2*patience, rec.Alive)
	if want := 4 + churnObjects; res.Objects != want {
		t.Errorf("the backup holds %d objects, want %d (3 ConfigMaps, a Secret and the churn's): %s", res.Objects, want, res)
	}
	if n := traffic.expiredWatches(); n == 0 {
		t.Errorf("no watch of the recorder ended with 410 Gone: the test did not exercise a compacted resource version")
	}
	if n := traffic.listsOf("configmaps"); n <= listsBefore {
		t.Errorf("%d initial lists of ConfigMaps after the 410, want more than %d: the recorder did not list again", n, listsBefore)
	}
	requireQuiet(t, cs, ns, repo, rec.Alive)
	rec.stop(t)
	gitOut(t, repo, "fsck", "--full", "--strict", "--no-dangling")
}

// waitCompacted waits until etcd has compacted the revisions after rv: a
// watch from rv then fails with 410 Gone (the API server has no watch
// cache, so etcd serves it).
func waitCompacted(t *testing.T, cs kubernetes.Interface, ns, rv string) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for {
		expired, state := watchExpired(t, cs, ns, rv)
		if expired {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("etcd did not compact past resource version %s within %s: %s", rv, patience, state)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// watchExpired starts a watch at rv and reports whether it fails with 410.
func watchExpired(t *testing.T, cs kubernetes.Interface, ns, rv string) (bool, string) {
	t.Helper()
	w, err := cs.CoreV1().ConfigMaps(ns).Watch(t.Context(), metav1.ListOptions{ResourceVersion: rv})
	if err != nil {
		return apierrors.IsResourceExpired(err) || apierrors.IsGone(err), err.Error()
	}
	defer w.Stop()
	select {
	case ev, ok := <-w.ResultChan():
		if !ok {
			return false, "watch closed without an event"
		}
		if ev.Type != watch.Error {
			return false, fmt.Sprintf("watch from %s still replays history (%s event)", rv, ev.Type)
		}
		err := apierrors.FromObject(ev.Object)
		var status apierrors.APIStatus
		if errors.As(err, &status) && status.Status().Code == 410 {
			return true, ""
		}
		return false, err.Error()
	case <-time.After(5 * time.Second):
		return false, "no event within 5s"
	}
}
