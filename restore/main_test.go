package restore

import (
	"testing"

	"github.com/clusterscribe/clusterscribe/internal/testcluster"
	"github.com/clusterscribe/clusterscribe/internal/testkit"
)

// clusterA is recorded; clusterB starts empty and is restored into.
var clusterA, clusterB *testcluster.Cluster

// TestMain starts both control planes. Cluster B admits few requests at
// once from users that are not system:masters (API Priority and Fairness
// shares these seats among its priority levels; system:masters is
// exempt): a restore throttled by a FlowSchema of its own gets 429s
// (throttle_test.go).
func TestMain(m *testing.M) {
	b := testcluster.Options{APIServerArgs: map[string]string{
		"max-requests-inflight": "20", "max-mutating-requests-inflight": "10",
	}}
	testkit.Main(m, testcluster.Fixture(&clusterA, testcluster.Options{}), testcluster.Fixture(&clusterB, b))
}
