package testcluster_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/clusterscribe/clusterscribe/internal/testcluster"
)

// TestKillAndStartAPIServer kills kube-apiserver, changes the cluster
// through a peer meanwhile, starts it again and checks that the first
// client works again and sees the change: same port, certificates and etcd.
// Then it restarts it twice more, once killed, once stopped gracefully.
func TestKillAndStartAPIServer(t *testing.T) {
	c := testcluster.New(t, testcluster.Options{})
	cs := c.Clientset(t)
	ns := c.Namespace(t, "restart")
	create := func(cs kubernetes.Interface, name string) {
		t.Helper()
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}}
		if _, err := cs.CoreV1().ConfigMaps(ns).Create(t.Context(), cm, metav1.CreateOptions{}); err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
	}
	create(cs, "before")

	if err := c.KillAPIServer(); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CoreV1().ConfigMaps(ns).Get(t.Context(), "before", metav1.GetOptions{}); err == nil {
		t.Fatal("the API answers after KillAPIServer")
	}
	peer, err := c.StartPeerAPIServer(nil)
	if err != nil {
		t.Fatal(err)
	}
	peerCS, err := kubernetes.NewForConfig(peer.Config)
	if err != nil {
		t.Fatal(err)
	}
	create(peerCS, "while-down")
	if err := peer.Kill(); err != nil {
		t.Fatal(err)
	}

	if err := c.StartAPIServer(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"before", "while-down"} {
		if _, err := cs.CoreV1().ConfigMaps(ns).Get(t.Context(), name, metav1.GetOptions{}); err != nil {
			t.Errorf("get %s after the restart: %v", name, err)
		}
	}
	if err := c.RestartAPIServer(); err != nil {
		t.Fatalf("a second restart: %v", err)
	}
	create(cs, "after")
	if err := c.StopAPIServer(); err != nil {
		t.Fatal(err)
	}
	if err := c.StartAPIServer(); err != nil {
		t.Fatalf("start after a graceful stop: %v", err)
	}
	create(cs, "after-stop")
}
