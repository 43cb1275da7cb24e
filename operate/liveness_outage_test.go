package operate_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestHealthzFollowsAPIServerOutage runs `run` in process against the
// package's kube-apiserver, recording, with leader election off (a single
// replica: with it on, an outage longer than the renew deadline loses the
// lease and Run returns ErrLeadershipLost, so the process exits and is
// restarted) and a short server.unhealthy-after. The API server is stopped
// for longer than that bound: /healthz turns 503 and names the failing
// requests, so that a kubelet's liveness probe would restart the process.
// Once the server is back /healthz recovers by itself (a success resets
// the bound: a probe that did not reach its failureThreshold meanwhile
// restarts nothing), and a change made then is recorded and pushed.
func TestHealthzFollowsAPIServerOutage(t *testing.T) {
	ns := cluster.Namespace(t, "liveness")
	cs := cluster.Clientset(t)
	setValue(t, cs, ns, "before", 1)
	cfg, remote := pushingConfig(t, ns)
	cfg.Filters.IncludeKinds = []string{"ConfigMap"}
	cfg.LeaderElection.Enabled = false
	cfg.Server.UnhealthyAfter.Duration = 3 * time.Second
	run := startRun(t, cfg)
	addr := run.address(t)
	healthz := func(code int, contains string) func() (bool, string) {
		return func() (bool, string) {
			if err := run.Alive(); err != nil {
				t.Fatalf("%v\n%s", err, run.logs)
			}
			got, body, err := get(addr, "/healthz")
			return err == nil && got == code && strings.Contains(body, contains), fmt.Sprintf("%d %q %v", got, body, err)
		}
	}
	eventually(t, "/readyz to answer ready", func() (bool, string) {
		code, body, err := get(addr, "/readyz")
		return err == nil && code == http.StatusOK, fmt.Sprintf("%d %q %v", code, body, err)
	})
	waitValues(t, remote, ns, map[string]int{"before": 1})
	eventually(t, "/healthz ok before the outage", healthz(http.StatusOK, "ok"))

	t.Cleanup(func() {
		if err := cluster.EnsureAPIServer(); err != nil {
			t.Errorf("start the package's kube-apiserver again: %v", err)
		}
	})
	if err := cluster.StopAPIServer(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "/healthz unhealthy while kube-apiserver is down",
		healthz(http.StatusServiceUnavailable, "unhealthy: requests to the API server failing since"))

	if err := cluster.StartAPIServer(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "/healthz ok once kube-apiserver is back", healthz(http.StatusOK, "ok"))
	setValue(t, cs, ns, "after", 1)
	waitValues(t, remote, ns, map[string]int{"before": 1, "after": 1})
	run.stop(t)
}
