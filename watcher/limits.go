package watcher

import "github.com/clusterscribe/clusterscribe/internal/kube"

// Limits is the client-side rate limit of o, for kube.New.
func (o Options) Limits() kube.Limits {
	return kube.Limits{QPS: o.QPS, Burst: o.Burst}
}

// DefaultOptions are the options a user gives, with their defaults: the
// rate limit of kube.DefaultQPS and kube.DefaultBurst, and DefaultPageSize.
func DefaultOptions() Options {
	return Options{QPS: kube.DefaultQPS, Burst: kube.DefaultBurst, PageSize: DefaultPageSize}
}
