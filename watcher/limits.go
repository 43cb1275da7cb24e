package watcher

import "github.com/clusterscribe/clusterscribe/internal/kube"

// Limits is the client-side rate limit of o, for kube.New.
func (o Options) Limits() kube.Limits {
	return kube.Limits{QPS: o.QPS, Burst: o.Burst}
}
