package record_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/clusterscribe/clusterscribe/internal/treecheck"
)

// faultKinds are the kinds the fault tests record: a plain kind, the one
// with secret handling and one of another group.
var faultKinds = []string{"ConfigMap", "Secret", "Deployment.apps"}

// TestAPIServerKilledMidWatch kills the package's kube-apiserver with
// SIGKILL while record runs and the workload churns (the controllers lose
// their server too), changes the cluster while it is down (through a
// second API server over the same etcd, as in an HA control plane) and
// right after it is back, and checks that the backup then equals a fresh
// LIST: created, changed and deleted objects, nothing missed, the
// recorder never exited, the controllers' churn of statuses and owned
// children committed nothing.
func TestAPIServerKilledMidWatch(t *testing.T) {
	sc := startFaultScene(t, "apikill", "kept", "changed-while-down", "deleted-while-down", "changed-after", "deleted-after")
	ns, cs, rec, repo := sc.ns, sc.cs, sc.rec, sc.repo

	apiServerDown(t, cluster.KillAPIServer)
	peer := startPeer(t, nil)
	down := clientsetFor(t, peer.Config)
	changeConfigMaps(t, down, ns, "while-down")
	changeWorkload(t, down, ns)
	if err := peer.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := rec.Alive(); err != nil {
		t.Fatalf("while kube-apiserver was down: %v", err)
	}

	if err := cluster.StartAPIServer(); err != nil {
		t.Fatal(err)
	}
	changeConfigMaps(t, cs, ns, "after")
	sc.work.stop(t)

	res := treecheck.Await(t, cluster.Config, sc.check, 2*patience, rec.Alive)
	if want := 7 + churnObjects; res.Objects != want {
		t.Errorf("the backup holds %d objects, want %d (5 ConfigMaps, a Secret, a Deployment and the churn's): %s", res.Objects, want, res)
	}
	requireQuiet(t, cs, ns, repo, rec.Alive)
	if err := cluster.ControllersRunning(); err != nil {
		t.Error(err)
	}
	rec.stop(t)
	gitOut(t, repo, "fsck", "--full", "--strict", "--no-dangling")
}

// setSecret creates or updates Secret name with {"password": v}.
func setSecret(t *testing.T, cs kubernetes.Interface, ns, name, v string) {
	t.Helper()
	secrets := cs.CoreV1().Secrets(ns)
	s, err := secrets.Get(t.Context(), name, metav1.GetOptions{})
	if err != nil {
		s = &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name}, Data: map[string][]byte{"password": []byte(v)}}
		if _, err := secrets.Create(t.Context(), s, metav1.CreateOptions{}); err != nil {
			t.Fatalf("create secret %s: %v", name, err)
		}
		return
	}
	s.Data = map[string][]byte{"password": []byte(v)}
	if _, err := secrets.Update(t.Context(), s, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("update secret %s: %v", name, err)
	}
}

func deleteConfigMap(t *testing.T, cs kubernetes.Interface, ns, name string) {
	t.Helper()
	if err := cs.CoreV1().ConfigMaps(ns).Delete(t.Context(), name, metav1.DeleteOptions{}); err != nil {
		t.Fatalf("delete configmap %s: %v", name, err)
	}
}
