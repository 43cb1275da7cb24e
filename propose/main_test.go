package propose_test

import (
	"testing"

	"github.com/clusterscribe/clusterscribe/internal/testcluster"
	"github.com/clusterscribe/clusterscribe/internal/testgitea"
	"github.com/clusterscribe/clusterscribe/internal/testkit"
)

// One control plane and one Gitea server for the package; each test has a
// namespace and a repository of its own.
var (
	cluster  *testcluster.Cluster
	forgeSrv *testgitea.Server
)

func TestMain(m *testing.M) {
	testkit.Main(m, testcluster.Fixture(&cluster, testcluster.Options{}), testgitea.Fixture(&forgeSrv))
}
