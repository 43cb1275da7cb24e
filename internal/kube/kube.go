// Package kube is where clusterscribe builds its clients of a cluster: one
// factory that turns a REST config into a dynamic client, a discovery
// client and a REST mapper, all behind one client-side rate limiter.
// Every package that talks to the API server gets its clients here, so
// there is one rate-limit policy and one place to change it.
package kube

import (
	"fmt"
	"log/slog"
	"net/http"

	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/util/flowcontrol"
)

// The client-side rate limit when none is given: gentle enough for a
// tool that runs next to production workloads.
const (
	DefaultQPS   = 20
	DefaultBurst = 30
)

// Limits is a client-side rate limit: requests per second and burst.
// Zero fields take DefaultQPS and DefaultBurst, or with Adaptive
// DefaultAdaptiveQPS and DefaultAdaptiveBurst.
type Limits struct {
	QPS   float32
	Burst int
	// Adaptive makes QPS and Burst a cap the rate starts at and falls from
	// when the API server answers 429 (see Adaptive).
	Adaptive bool
	// Logger receives an adaptive limiter's changes of rate; nil discards
	// them.
	Logger *slog.Logger
}

// withDefaults fills the zero fields.
func (l Limits) withDefaults() Limits {
	qps, burst := float32(DefaultQPS), DefaultBurst
	if l.Adaptive {
		qps, burst = DefaultAdaptiveQPS, DefaultAdaptiveBurst
	}
	if l.QPS <= 0 {
		l.QPS = qps
	}
	if l.Burst <= 0 {
		l.Burst = burst
	}
	return l
}

// Limited copies cfg with a rate limiter of l: every client built from the
// copy shares that one limiter. An adaptive limiter (an *Adaptive) also
// sees every response through the copy's transport.
func Limited(cfg *rest.Config, l Limits) (*rest.Config, flowcontrol.RateLimiter) {
	l = l.withDefaults()
	cfg = rest.CopyConfig(cfg)
	cfg.QPS, cfg.Burst = l.QPS, l.Burst
	if l.Adaptive {
		a := NewAdaptive(l.QPS, l.Burst, l.Logger)
		cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { return observer{next: rt, l: a} })
		cfg.RateLimiter = a
		return cfg, a
	}
	limiter := flowcontrol.NewTokenBucketRateLimiter(l.QPS, l.Burst)
	cfg.RateLimiter = limiter
	return cfg, limiter
}

// Clients are the clients of one cluster, sharing one rate limiter.
type Clients struct {
	// Config is the rate-limited copy of the config the clients use.
	Config    *rest.Config
	Limiter   flowcontrol.RateLimiter
	Dynamic   dynamic.Interface
	Discovery *discovery.DiscoveryClient
	// Mapper maps kinds to resources through discovery, cached in
	// memory and refreshed when a kind is not found.
	Mapper *restmapper.DeferredDiscoveryRESTMapper
}

// New builds the clients of the cluster cfg points to, limited by l.
func New(cfg *rest.Config, l Limits) (*Clients, error) {
	limited, limiter := Limited(cfg, l)
	dyn, err := dynamic.NewForConfig(limited)
	if err != nil {
		return nil, fmt.Errorf("dynamic client: %w", err)
	}
	dc, err := discovery.NewDiscoveryClientForConfig(limited)
	if err != nil {
		return nil, fmt.Errorf("discovery client: %w", err)
	}
	return &Clients{
		Config:    limited,
		Limiter:   limiter,
		Dynamic:   dyn,
		Discovery: dc,
		Mapper:    restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc)),
	}, nil
}
