package operate_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
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

var cli struct {
	once sync.Once
	path string
	err  error
}

// binary builds the clusterscribe CLI once per test run, into the user
// cache directory (one binary, replaced by each run).
func binary(t *testing.T) string {
	t.Helper()
	cli.once.Do(func() {
		cache, err := os.UserCacheDir()
		if err != nil {
			cli.err = err
			return
		}
		dir := filepath.Join(cache, "clusterscribe", "operate-test")
		if cli.err = os.MkdirAll(dir, 0o755); cli.err != nil {
			return
		}
		cli.path = filepath.Join(dir, "clusterscribe")
		tmp := cli.path + ".tmp"
		cmd := exec.Command("go", "build", "-o", tmp, "github.com/clusterscribe/clusterscribe/cmd/clusterscribe")
		if out, err := cmd.CombinedOutput(); err != nil {
			cli.err = fmt.Errorf("go build: %w\n%s", err, out)
			return
		}
		cli.err = os.Rename(tmp, cli.path)
	})
	if cli.err != nil {
		t.Fatal(cli.err)
	}
	return cli.path
}

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
