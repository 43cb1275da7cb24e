// Package deploy holds how clusterscribe runs: in-cluster manifests and the
// local control plane (deploy/local) used by make demo and the tests.
package deploy
