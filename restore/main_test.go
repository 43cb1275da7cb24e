package restore

import (
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/clusterscribe/clusterscribe/internal/testcluster"
)

// clusterA is recorded; clusterB starts empty and is restored into.
var clusterA, clusterB *testcluster.Cluster

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	flag.Parse()
	var err error
	if clusterA, err = testcluster.Start(testcluster.Options{}); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: cluster A: %v\n", err)
		return 1
	}
	defer stop(clusterA)
	if clusterB, err = testcluster.Start(testcluster.Options{}); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: cluster B: %v\n", err)
		return 1
	}
	defer stop(clusterB)
	return m.Run()
}

func stop(c *testcluster.Cluster) {
	if err := c.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "warning: %v\n", err)
	}
}
