package testkit

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/clusterscribe/clusterscribe/internal/toolcache"
)

var cli struct {
	once sync.Once
	path string
	err  error
}

// CLI builds the clusterscribe command once per test binary, for tests
// that run it as a user would, and returns its path. The binary is kept in
// the tools cache and replaced atomically by each build, so packages that
// test at the same time never run a half-written file.
func CLI(t testing.TB) string {
	t.Helper()
	cli.once.Do(func() {
		dir := toolcache.Dir("test-cli")
		if cli.err = os.MkdirAll(dir, 0o755); cli.err != nil {
			return
		}
		cli.path = filepath.Join(dir, "clusterscribe")
		tmp := cli.path + "." + strconv.Itoa(os.Getpid()) + ".tmp"
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
