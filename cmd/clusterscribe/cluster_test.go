package main

import (
	"path/filepath"
	"testing"

	"github.com/clusterscribe/clusterscribe/internal/testcluster"
)

// cluster is the package's control plane: the commands run against it.
var cluster *testcluster.Cluster

func TestMain(m *testing.M) { testcluster.Main(m, &cluster) }

// clusterKubeconfig writes the control plane's admin kubeconfig into a new
// temporary directory and returns the directory and the file.
func clusterKubeconfig(t *testing.T) (dir, kubeconfig string) {
	t.Helper()
	dir = t.TempDir()
	kubeconfig = filepath.Join(dir, "kubeconfig")
	if err := cluster.WriteKubeconfig(kubeconfig); err != nil {
		t.Fatal(err)
	}
	return dir, kubeconfig
}

// applyManifest applies the objects of a YAML manifest to the control
// plane as the field manager "gitops", as a GitOps tool would.
func applyManifest(t *testing.T, manifest string) { cluster.ApplyYAML(t, "gitops", manifest) }
