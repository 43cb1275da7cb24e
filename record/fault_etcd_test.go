package record_test

import (
	"testing"

	"github.com/clusterscribe/clusterscribe/internal/treecheck"
)

// TestEtcdRestarted kills the package's etcd with SIGKILL while record
// runs and the workload churns, and starts it again with its data:
// kube-apiserver stays up, its requests (the recorder's and the
// controllers') fail meanwhile and watches may break off or expire.
// Changes made just before the kill and right after the restart must all
// be recorded: the backup then equals a fresh LIST, the recorder never
// exited, the controllers' churn committed nothing, and git fsck --full
// --strict finds nothing wrong.
func TestEtcdRestarted(t *testing.T) {
	sc := startFaultScene(t, "etcdkill", "kept", "changed-before", "deleted-before", "changed-after", "deleted-after")
	ns, cs, rec, repo, check := sc.ns, sc.cs, sc.rec, sc.repo, sc.check

	// Changes the recorder may not have seen when etcd goes.
	changeConfigMaps(t, cs, ns, "before")
	if err := cluster.RestartEtcd(); err != nil {
		t.Fatal(err)
	}
	if err := rec.Alive(); err != nil {
		t.Fatalf("while etcd was down: %v", err)
	}
	changeConfigMaps(t, cs, ns, "after")
	changeWorkload(t, cs, ns)

	res := treecheck.Await(t, cluster.Config, check, 2*patience, rec.Alive)
	if want := 7 + churnObjects; res.Objects != want {
		t.Errorf("the backup holds %d objects, want %d (5 ConfigMaps, a Secret, a Deployment and the churn's): %s", res.Objects, want, res)
	}
	// A second restart: the etcd started by the first is the one killed.
	if err := cluster.RestartEtcd(); err != nil {
		t.Fatal(err)
	}
	setValue(t, cs, ns, "kept", 2)
	sc.work.stop(t)
	treecheck.Await(t, cluster.Config, check, 2*patience, rec.Alive)
	requireQuiet(t, cs, ns, repo, rec.Alive)
	if err := cluster.ControllersRunning(); err != nil {
		t.Error(err)
	}
	rec.stop(t)
	fsckClean(t, "after etcd restarts", repo)
}
