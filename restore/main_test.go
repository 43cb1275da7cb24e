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
	// Cluster B admits few requests at once from users that are not
	// system:masters (API Priority and Fairness shares these seats among
	// its priority levels; system:masters is exempt): a restore throttled
	// by a FlowSchema of its own gets 429s (throttle_test.go).
	opts := testcluster.Options{APIServerArgs: map[string]string{
		"max-requests-inflight": "20", "max-mutating-requests-inflight": "10",
	}}
	if clusterB, err = testcluster.Start(opts); err != nil {
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
