package watcher

import (
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/flowcontrol"
)

// Limited copies cfg with the client-side rate limit of o (QPS and Burst,
// DefaultQPS and DefaultBurst when unset): the one limit every client of
// the cluster goes through.
func Limited(cfg *rest.Config, o Options) *rest.Config {
	cfg = rest.CopyConfig(cfg)
	qps, burst := o.QPS, o.Burst
	if qps <= 0 {
		qps = DefaultQPS
	}
	if burst <= 0 {
		burst = DefaultBurst
	}
	cfg.QPS, cfg.Burst = qps, burst
	cfg.RateLimiter = flowcontrol.NewTokenBucketRateLimiter(qps, burst)
	return cfg
}
