package testcluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"testing"

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
	os.Exit(run(m, into, Options{}))
}

// MainWith is Main with a control plane started with opts, e.g. with
// controllers:
//
//	func TestMain(m *testing.M) {
//		testcluster.MainWith(m, &cluster, testcluster.Options{Controllers: true})
//	}
func MainWith(m *testing.M, into **Cluster, opts Options) {
	os.Exit(run(m, into, opts))
}

func run(m *testing.M, into **Cluster, opts Options) int {
	c, err := Start(opts)
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: %v\n", err)
		return 1
	}
	defer func() {
		if err := c.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "warning: %v\n", err)
		}
	}()
	*into = c
	return m.Run()
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
