package restore

import (
	"testing"

	"github.com/clusterscribe/clusterscribe/internal/testcluster"
	"github.com/clusterscribe/clusterscribe/internal/testkit"
)

// clusterA is recorded; clusterB starts empty and is restored into.
var clusterA, clusterB *testcluster.Cluster

func TestMain(m *testing.M) {
	testkit.Main(m, testcluster.Fixture(&clusterA, testcluster.Options{}), testcluster.Fixture(&clusterB, testcluster.Options{}))
}
