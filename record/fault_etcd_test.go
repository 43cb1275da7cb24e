package record_test

import (
	"path/filepath"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/clusterscribe/clusterscribe/internal/treecheck"
)

// TestEtcdRestarted kills etcd with SIGKILL while record runs and starts
// it again with its data: kube-apiserver stays up, its requests fail
// meanwhile and watches may break off or expire. Changes made just before
// the kill and right after the restart must all be recorded: the backup
// then equals a fresh LIST, the recorder never exited, and git fsck
// --full --strict finds nothing wrong.
func TestEtcdRestarted(t *testing.T) {
	c := startCluster(t, nil)
	ns := c.Namespace(t, "etcdkill")
	cs := clientsetFor(t, c.Config)
	for _, name := range []string{"kept", "changed-before", "deleted-before", "changed-after", "deleted-after"} {
		setValue(t, cs, ns, name, 1)
	}
	setSecret(t, cs, ns, "creds", "one")
	createDeployment(t, cs, ns, "web")

	repo := filepath.Join(t.TempDir(), "backup")
	cfg, logs := newConfig(ns, repo, faultKinds...)
	rec := startRecordOn(t, c.Config, cfg, logs)
	rec.waitSynced(t)
	check := treecheck.Options{Record: cfg}
	treecheck.Await(t, c.Config, check, patience, rec.alive)

	// Changes the recorder may not have seen when etcd goes.
	setValue(t, cs, ns, "born-before", 1)
	setValue(t, cs, ns, "changed-before", 2)
	deleteConfigMap(t, cs, ns, "deleted-before")
	if err := c.RestartEtcd(); err != nil {
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
	createDeployment(t, cs, ns, "api")

	res := treecheck.Await(t, c.Config, check, 2*patience, rec.alive)
	if res.Objects != 7 {
		t.Errorf("the backup holds %d objects, want 7 (5 ConfigMaps, a Secret, a Deployment): %s", res.Objects, res)
	}
	// A second restart: the etcd started by the first is the one killed.
	if err := c.RestartEtcd(); err != nil {
		t.Fatal(err)
	}
	setValue(t, cs, ns, "kept", 2)
	treecheck.Await(t, c.Config, check, 2*patience, rec.alive)
	rec.stop(t)
	fsckClean(t, "after etcd restarts", repo)
}
