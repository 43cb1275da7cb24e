package propose_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/clusterscribe/clusterscribe/internal/testcluster"
	"github.com/clusterscribe/clusterscribe/internal/testgitea"
)

// One control plane and one Gitea server for the package; each test has a
// namespace and a repository of its own.
var (
	cluster  *testcluster.Cluster
	forgeSrv *testgitea.Server
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	c, err := testcluster.Start(testcluster.Options{})
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: %v\n", err)
		return 1
	}
	defer func() {
		if err := c.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "warning: %v\n", err)
		}
	}()
	s, err := testgitea.Start(testgitea.Options{})
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: %v\n", err)
		return 1
	}
	defer func() {
		if err := s.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "warning: %v\n", err)
		}
	}()
	cluster, forgeSrv = c, s
	return m.Run()
}
