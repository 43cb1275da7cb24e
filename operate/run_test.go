package operate_test

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/clusterscribe/clusterscribe/internal/testcluster"
	"github.com/clusterscribe/clusterscribe/operate"
)

// TestRunEndpointsAndMetrics runs the leader in process: record, audit
// with the bundled policies, alerts to a local webhook, and a client-side
// limit low enough to throttle. It scrapes /metrics, checks the series
// a dashboard needs, changes the cluster, and checks the change is
// recorded and re-audited at once.
func TestRunEndpointsAndMetrics(t *testing.T) {
	ns := cluster.Namespace(t, "metrics")
	cs := cluster.Clientset(t)
	seed(t, cs, ns)
	sink, hookURL := newWebhookSink(t)
	cfg, remote := pushingConfig(t, ns)
	cfg.API.QPS, cfg.API.Burst = 5, 1
	cfg.Audit.Declared = declaredDir(t, ns)
	cfg.Audit.MinInterval.Duration = time.Second
	cfg.Audit.Output = filepath.Join(t.TempDir(), "report.json")
	cfg.Policies.BundledPolicies = true
	cfg.Alerts.WebhookURL = hookURL
	run := startRun(t, cfg)
	addr := run.address(t)

	if code, body, err := get(addr, "/healthz"); err != nil || code != http.StatusOK {
		t.Fatalf("/healthz: %d %q %v", code, body, err)
	}
	eventually(t, "/readyz to answer ready", func() (bool, string) {
		code, body, err := get(addr, "/readyz")
		return err == nil && code == http.StatusOK, fmt.Sprintf("%d %q %v", code, body, err)
	})
	eventually(t, "the first audit", func() (bool, string) {
		v, _ := sample(scrape(t, addr), operate.MetricAudits, "result", "success")
		return v >= 1, fmt.Sprintf("audits=%v", v)
	})
	eventually(t, "the initial snapshot pushed", func() (bool, string) {
		v, _ := sample(scrape(t, addr), operate.MetricPushes)
		return v >= 1, fmt.Sprintf("pushes=%v", v)
	})
	fams := scrape(t, addr)
	atLeast := []struct {
		name   string
		labels []string
		min    float64
	}{
		{operate.MetricWatchedObjects, []string{"kind", "ConfigMap"}, 1},
		{operate.MetricWatchedObjects, []string{"kind", "Deployment.apps"}, 1},
		{operate.MetricEvents, []string{"type", "upsert"}, 2},
		{operate.MetricEvents, []string{"type", "delete"}, 0},
		{operate.MetricCommits, nil, 1},
		{operate.MetricCommittedFiles, nil, 2},
		{operate.MetricPushes, nil, 1},
		{operate.MetricPushFailures, nil, 0},
		{operate.MetricLastPush, nil, float64(time.Now().Add(-time.Hour).Unix())},
		{operate.MetricRemoteReachable, nil, 1},
		{operate.MetricDriftFindings, []string{"type", "Modified"}, 1},
		{operate.MetricDriftFindings, []string{"type", "MissingLive"}, 0},
		{operate.MetricDriftFindings, []string{"type", "Unmanaged"}, 0},
		{operate.MetricPolicyViolations, []string{"severity", "critical"}, 1},
		{operate.MetricPolicyViolations, []string{"severity", "info"}, 0},
		{operate.MetricAuditDuration, nil, 1},
		{operate.MetricAudits, []string{"result", "success"}, 1},
		{operate.MetricAudits, []string{"result", "error"}, 0},
		{operate.MetricLastAudit, nil, float64(time.Now().Add(-time.Hour).Unix())},
		{operate.MetricAPIRequests, []string{"method", "GET", "code", "200"}, 1},
		{operate.MetricAPIThrottled, nil, 1},
		{operate.MetricAPIThrottleSeconds, nil, 0.1},
		{operate.MetricAlerts, []string{"receiver", "webhook", "result", "sent"}, 2},
		{operate.MetricLeader, nil, 1},
		{operate.MetricReady, nil, 1},
		{"go_goroutines", nil, 1},
	}
	for _, s := range atLeast {
		v, ok := sample(fams, s.name, s.labels...)
		if !ok {
			t.Errorf("series %s%v missing", s.name, s.labels)
			continue
		}
		if v < s.min {
			t.Errorf("%s%v = %v, want at least %v", s.name, s.labels, v, s.min)
		}
	}
	for name := range fams {
		if strings.HasPrefix(name, "clusterscribe_") && fams[name].GetType() == dto.MetricType_COUNTER && !strings.HasSuffix(name, "_total") {
			t.Errorf("counter %s does not end in _total", name)
		}
	}
	if diff := slices.Compare(sink.names(), []string{"Modified ConfigMap settings", "Unmanaged Deployment web", "privileged-container Deployment web"}); diff != 0 {
		t.Errorf("webhook alerts = %v", sink.names())
	}
	if data, err := os.ReadFile(cfg.Audit.Output); err != nil || !strings.Contains(string(data), `"type": "Modified"`) {
		t.Errorf("audit.output: %v\n%s", err, data)
	}

	// A change is recorded, and audited again without waiting for the
	// interval: the drift is gone.
	testcluster.UpdateConfigMap(t, cs, ns, "settings", func(data map[string]string) { data["mode"] = "declared" })
	eventually(t, "the change recorded and audited", func() (bool, string) {
		fams := scrape(t, addr)
		modified, _ := sample(fams, operate.MetricDriftFindings, "type", "Modified")
		audits, _ := sample(fams, operate.MetricAudits, "result", "success")
		file, _ := show(remote, nsPath(ns, "", "configmaps", "settings"))
		return modified == 0 && strings.Contains(file, "mode: declared"), fmt.Sprintf("modified=%v audits=%v file=%q", modified, audits, file)
	})
	run.stop(t)

	lease, err := cs.CoordinationV1().Leases(ns).Get(t.Context(), operate.DefaultLeaseName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d := lease.Spec.LeaseDurationSeconds; d == nil || *d != 1 {
		t.Errorf("lease not released on stop: %+v", lease.Spec)
	}
}

// TestRunPoliciesOnly evaluates policies without recording: a watch feeds
// them, nothing is committed, the results are written as PolicyReports,
// and a replica without leader election is ready after the sync.
func TestRunPoliciesOnly(t *testing.T) {
	installCRDs(t)
	ns := cluster.Namespace(t, "policies")
	cs := cluster.Clientset(t)
	seed(t, cs, ns)
	cfg := testConfig(ns, "")
	cfg.LeaderElection.Enabled = false
	cfg.Policies.WritePolicyReports = true
	cfg.Audit.MinInterval.Duration = time.Second
	run := startRun(t, cfg)
	addr := run.address(t)
	eventually(t, "a critical violation, reported", func() (bool, string) {
		fams := scrape(t, addr)
		v, _ := sample(fams, operate.MetricPolicyViolations, "severity", "critical")
		objs, _ := sample(fams, operate.MetricWatchedObjects, "kind", "Deployment.apps")
		policies := reportedPolicies(t, ns)
		return v == 1 && objs == 1 && slices.Contains(policies, "privileged-container"),
			fmt.Sprintf("critical=%v deployments=%v reported=%v", v, objs, policies)
	})
	if v, _ := sample(scrape(t, addr), operate.MetricCommits); v != 0 {
		t.Errorf("commits = %v without a recording", v)
	}
	if code, _, _ := get(addr, "/readyz"); code != http.StatusOK {
		t.Errorf("/readyz = %d", code)
	}
	// The privileged container is fixed: evaluated again at once.
	dep, err := cs.AppsV1().Deployments(ns).Get(t.Context(), "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dep.Spec.Template.Spec.Containers[0].SecurityContext = nil
	if _, err := cs.AppsV1().Deployments(ns).Update(t.Context(), dep, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the violation gone", func() (bool, string) {
		v, _ := sample(scrape(t, addr), operate.MetricPolicyViolations, "severity", "critical")
		return v == 0, fmt.Sprintf("critical=%v", v)
	})
	eventually(t, "the PolicyReport updated", func() (bool, string) {
		policies := reportedPolicies(t, ns)
		return len(policies) > 0 && !slices.Contains(policies, "privileged-container"), fmt.Sprint(policies)
	})
	run.stop(t)
}

// reportedPolicies lists the policies of the results in the PolicyReport
// clusterscribe wrote in ns.
func reportedPolicies(t *testing.T, ns string) []string {
	t.Helper()
	dyn, err := dynamic.NewForConfig(cluster.Config)
	if err != nil {
		t.Fatal(err)
	}
	gvr := schema.GroupVersionResource{Group: "wgpolicyk8s.io", Version: "v1alpha2", Resource: "policyreports"}
	rep, err := dyn.Resource(gvr).Namespace(ns).Get(t.Context(), "clusterscribe", metav1.GetOptions{})
	if err != nil {
		return []string{err.Error()}
	}
	results, _, _ := unstructured.NestedSlice(rep.Object, "results")
	var out []string
	for _, r := range results {
		res := r.(map[string]any)
		if res["result"] == "pass" { // pass results say what was checked, not what fired
			continue
		}
		if p, ok := res["policy"].(string); ok && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// TestRunProposeUnavailable: propose.enabled without a proposer is an
// error before anything starts.
func TestRunProposeUnavailable(t *testing.T) {
	cfg := testConfig("default", t.TempDir())
	cfg.Audit.Declared = t.TempDir()
	cfg.Propose.Enabled, cfg.Propose.PatchDir = true, t.TempDir()
	err := operate.Run(t.Context(), cluster.Config, cfg, operate.Options{})
	if !errors.Is(err, operate.ErrProposeUnavailable) {
		t.Fatalf("Run = %v, want ErrProposeUnavailable", err)
	}
}

// TestRunAuditFailureKeepsPolicies: a declared repo that cannot be read
// fails every audit (counted), and the policies are still evaluated.
func TestRunAuditFailureKeepsPolicies(t *testing.T) {
	ns := cluster.Namespace(t, "auditfail")
	seed(t, cluster.Clientset(t), ns)
	cfg := testConfig(ns, "")
	cfg.LeaderElection.Enabled = false
	cfg.Audit.Declared = filepath.Join(t.TempDir(), "missing")
	cfg.Policies.BundledPolicies = true
	run := startRun(t, cfg)
	addr := run.address(t)
	eventually(t, "a failed audit and a critical violation", func() (bool, string) {
		fams := scrape(t, addr)
		failed, _ := sample(fams, operate.MetricAudits, "result", "error")
		critical, _ := sample(fams, operate.MetricPolicyViolations, "severity", "critical")
		return failed >= 1 && critical == 1, fmt.Sprintf("failed=%v critical=%v", failed, critical)
	})
	if v, _ := sample(scrape(t, addr), operate.MetricAudits, "result", "success"); v != 0 {
		t.Errorf("audits succeeded %v times against a missing repo", v)
	}
	run.stop(t)
}
