package operate_test

import (
	"path/filepath"
	"testing"

	"github.com/clusterscribe/clusterscribe/internal/gittest"
	"github.com/clusterscribe/clusterscribe/internal/testcluster"
	"github.com/clusterscribe/clusterscribe/internal/testkit"
)

var cluster *testcluster.Cluster

func TestMain(m *testing.M) { testcluster.Main(m, &cluster) }

// patience bounds every wait (testkit.Patience).
const patience = testkit.Patience

type syncBuffer = testkit.SyncBuffer

func eventually(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	testkit.Eventually(t, what, cond)
}

// binary is the clusterscribe CLI, built once per test run.
func binary(t *testing.T) string { return testkit.CLI(t) }

// gitTry and gitOut run the real git binary in dir.
func gitTry(dir string, args ...string) (string, error) { return gittest.Try(dir, args...) }

func gitOut(t *testing.T, dir string, args ...string) string {
	t.Helper()
	return gittest.Out(t, dir, args...)
}

func newBareRemote(t *testing.T) string {
	t.Helper()
	return gittest.NewBareRemote(t, filepath.Join(t.TempDir(), "remote.git"))
}

const branchRef = "refs/heads/clusterscribe/backup"

// show returns a file at the branch tip; ok is false when it is not there.
func show(dir, path string) (string, bool) {
	out, err := gitTry(dir, "show", branchRef+":"+path)
	return out, err == nil
}

// nsPath is the backup file of a namespaced object of cluster "test".
func nsPath(ns, group, resource, name string) string {
	if group == "" {
		group = "core"
	}
	return "test/namespaces/" + ns + "/" + group + "/" + resource + "/" + name + ".yaml"
}
