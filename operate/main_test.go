package operate_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/clusterscribe/clusterscribe/internal/gittest"
	"github.com/clusterscribe/clusterscribe/internal/testcluster"
)

var cluster *testcluster.Cluster

func TestMain(m *testing.M) { testcluster.Main(m, &cluster) }

// patience bounds every wait: generous, the machine is small and shared.
const patience = 90 * time.Second

// syncBuffer collects output written from several goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// eventually polls cond until it holds, failing after patience.
func eventually(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: gave up after %s; last state: %s", what, patience, state)
		}
		time.Sleep(100 * time.Millisecond)
	}
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

// newBareRemote creates an empty bare repository with the real git.
func newBareRemote(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "remote.git")
	if out, err := gitTry(filepath.Dir(dir), "init", "--bare", "--initial-branch=main", dir); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return dir
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
