package testcluster

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/clusterscribe/clusterscribe/internal/kubeapply"
)

// Apply server-side applies objs as fieldManager, as a GitOps tool would:
// in dependency order, CRDs waited for until they are served. A refused
// object fails the test.
func (c *Cluster) Apply(t testing.TB, fieldManager string, objs ...*unstructured.Unstructured) {
	t.Helper()
	a, err := kubeapply.New(c.Config, fieldManager)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.ApplyAll(t.Context(), objs); err != nil {
		t.Fatalf("apply as %s: %v", fieldManager, err)
	}
}

// ApplyYAML applies the objects of a YAML stream (see Apply).
func (c *Cluster) ApplyYAML(t testing.TB, fieldManager, manifests string) {
	t.Helper()
	objs, err := kubeapply.Decode([]byte(manifests))
	if err != nil {
		t.Fatal(err)
	}
	c.Apply(t, fieldManager, objs...)
}

// ApplyDir applies the objects of every YAML file below dir (see Apply).
func (c *Cluster) ApplyDir(t testing.TB, fieldManager, dir string) {
	t.Helper()
	manifests, err := kubeapply.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	objs := make([]*unstructured.Unstructured, len(manifests))
	for i, m := range manifests {
		objs[i] = m.Object
	}
	c.Apply(t, fieldManager, objs...)
}
