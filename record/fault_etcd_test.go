package record_test

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/clusterscribe/clusterscribe/internal/testcluster"
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
	setValue(t, cs, ns, "born-before", 1)
	setValue(t, cs, ns, "changed-before", 2)
	deleteConfigMap(t, cs, ns, "deleted-before")
	if err := cluster.RestartEtcd(); err != nil {
		t.Fatal(err)
	}
	if err := rec.alive(); err != nil {
		t.Fatalf("while etcd was down: %v", err)
	}
	setValue(t, cs, ns, "born-after", 1)
	setValue(t, cs, ns, "changed-after", 2)
	deleteConfigMap(t, cs, ns, "deleted-after")
	setSecret(t, cs, ns, "creds", "two")
	if err := cs.AppsV1().Deployments(ns).Delete(t.Context(), "web", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	testcluster.CreateDeployment(t, cs, ns, "api")

	res := treecheck.Await(t, cluster.Config, check, 2*patience, rec.alive)
	if want := 7 + churnObjects; res.Objects != want {
		t.Errorf("the backup holds %d objects, want %d (5 ConfigMaps, a Secret, a Deployment and the churn's): %s", res.Objects, want, res)
	}
	// A second restart: the etcd started by the first is the one killed.
	if err := cluster.RestartEtcd(); err != nil {
		t.Fatal(err)
	}
	setValue(t, cs, ns, "kept", 2)
	sc.work.stop(t)
	treecheck.Await(t, cluster.Config, check, 2*patience, rec.alive)
	requireQuiet(t, cs, ns, repo, rec.alive)
	if err := cluster.ControllersRunning(); err != nil {
		t.Error(err)
	}
	rec.stop(t)
	fsckClean(t, "after etcd restarts", repo)
}
