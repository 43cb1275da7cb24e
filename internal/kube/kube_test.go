package kube

import (
	"testing"

	"k8s.io/client-go/rest"
)

func TestLimitedDefaultsAndCopies(t *testing.T) {
	orig := &rest.Config{Host: "https://example.invalid", QPS: 1, Burst: 2}
	tests := []struct {
		in        Limits
		qps       float32
		burst     int
		wantLimit bool
	}{
		{Limits{}, DefaultQPS, DefaultBurst, true},
		{Limits{QPS: 200, Burst: 400}, 200, 400, true},
		{Limits{QPS: 50}, 50, DefaultBurst, true},
	}
	for _, tt := range tests {
		cfg, limiter := Limited(orig, tt.in)
		if cfg.QPS != tt.qps || cfg.Burst != tt.burst {
			t.Errorf("Limited(%+v): QPS %v Burst %d, want %v %d", tt.in, cfg.QPS, cfg.Burst, tt.qps, tt.burst)
		}
		if cfg.RateLimiter == nil || cfg.RateLimiter != limiter || limiter.QPS() != tt.qps {
			t.Errorf("Limited(%+v): the config's limiter is not the one returned at %v QPS", tt.in, tt.qps)
		}
		if orig.QPS != 1 || orig.Burst != 2 || orig.RateLimiter != nil {
			t.Fatalf("Limited changed its input: %+v", orig)
		}
	}
}

func TestNewSharesOneLimiter(t *testing.T) {
	c, err := New(&rest.Config{Host: "https://example.invalid"}, Limits{QPS: 7, Burst: 9})
	if err != nil {
		t.Fatal(err)
	}
	if c.Config.RateLimiter != c.Limiter || c.Limiter.QPS() != 7 {
		t.Errorf("clients do not share the limiter of 7 QPS: %+v", c.Config)
	}
	if c.Dynamic == nil || c.Discovery == nil || c.Mapper == nil {
		t.Errorf("a client is missing: %+v", c)
	}
}
