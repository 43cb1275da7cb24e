package testcluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"testing"

	"github.com/clusterscribe/clusterscribe/internal/testkit"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Main runs a test package against one control plane: it starts it, runs
// the tests, stops it and exits. Missing binaries fail the package with the
// command that builds them; it never skips.
//
//	var cluster *testcluster.Cluster
//	func TestMain(m *testing.M) { testcluster.Main(m, &cluster) }
func Main(m *testing.M, into **Cluster) {
	testkit.Main(m, Fixture(into, Options{}))
}

// MainWith is Main with a control plane started with opts, e.g. with
// controllers:
//
//	func TestMain(m *testing.M) {
//		testcluster.MainWith(m, &cluster, testcluster.Options{Controllers: true})
//	}
func MainWith(m *testing.M, into **Cluster, opts Options) {
	testkit.Main(m, Fixture(into, opts))
}

// Fixture starts a control plane with opts into *into, for testkit.Main
// in a package that needs more than a cluster.
func Fixture(into **Cluster, opts Options) testkit.Fixture {
	return func() (func() error, error) {
		c, err := Start(opts)
		if err != nil {
			return nil, err
		}
		*into = c
		return c.Stop, nil
	}
}

// New starts a control plane with opts for one test (one with API server
// flags of its own) and stops it when the test ends.
func New(t testing.TB, opts Options) *Cluster {
	t.Helper()
	c, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Errorf("stop the control plane: %v", err)
		}
	})
	return c
}

// Namespace creates a namespace of its own for one test and deletes it when
// the test ends. Its name starts with prefix.
func (c *Cluster) Namespace(t testing.TB, prefix string) string {
	t.Helper()
	cs := c.Clientset(t)
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := prefix + "-" + hex.EncodeToString(b)
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if _, err := cs.CoreV1().Namespaces().Create(t.Context(), ns, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create namespace %s: %v", name, err)
	}
	t.Cleanup(func() {
		// Without controllers the namespace stays Terminating; that is
		// harmless: every test has its own.
		_ = cs.CoreV1().Namespaces().Delete(context.WithoutCancel(t.Context()), name, metav1.DeleteOptions{})
	})
	return name
}

// Clientset is a typed client for the cluster.
func (c *Cluster) Clientset(t testing.TB) kubernetes.Interface {
	t.Helper()
	cs, err := kubernetes.NewForConfig(c.Config)
	if err != nil {
		t.Fatalf("clientset: %v", err)
	}
	return cs
}

// SetValue creates or updates ConfigMap ns/name with data {"value": v}:
// the change the tests make and then look for in a backup.
func SetValue(t testing.TB, cs kubernetes.Interface, ns, name string, v int) {
	t.Helper()
	UpdateConfigMap(t, cs, ns, name, func(data map[string]string) {
		clear(data)
		data["value"] = strconv.Itoa(v)
	})
}

// UpdateConfigMap creates ConfigMap ns/name, or updates it, with its data
// as change leaves it.
func UpdateConfigMap(t testing.TB, cs kubernetes.Interface, ns, name string, change func(data map[string]string)) {
	t.Helper()
	cms := cs.CoreV1().ConfigMaps(ns)
	cm, err := cms.Get(t.Context(), name, metav1.GetOptions{})
	if err != nil {
		cm = &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}, Data: map[string]string{}}
		change(cm.Data)
		if _, err := cms.Create(t.Context(), cm, metav1.CreateOptions{}); err != nil {
			t.Fatalf("create configmap %s: %v", name, err)
		}
		return
	}
	if cm.Data == nil {
		cm.Data = map[string]string{}
	}
	change(cm.Data)
	if _, err := cms.Update(t.Context(), cm, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("update configmap %s: %v", name, err)
	}
}
