package operate

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"k8s.io/client-go/rest"
	clientmetrics "k8s.io/client-go/tools/metrics"

	"github.com/clusterscribe/clusterscribe/audit/findings"
)

// Metric names, all under the clusterscribe_ namespace.
const (
	MetricWatchedObjects     = "clusterscribe_watched_objects"
	MetricEvents             = "clusterscribe_events_total"
	MetricCommits            = "clusterscribe_commits_total"
	MetricCommittedFiles     = "clusterscribe_committed_files_total"
	MetricPushes             = "clusterscribe_pushes_total"
	MetricPushFailures       = "clusterscribe_push_failures_total"
	MetricLastPush           = "clusterscribe_last_successful_push_timestamp_seconds"
	MetricRemoteReachable    = "clusterscribe_remote_reachable"
	MetricDriftFindings      = "clusterscribe_drift_findings"
	MetricPolicyViolations   = "clusterscribe_policy_violations"
	MetricAuditDuration      = "clusterscribe_audit_duration_seconds"
	MetricAudits             = "clusterscribe_audits_total"
	MetricLastAudit          = "clusterscribe_last_audit_timestamp_seconds"
	MetricAPIRequests        = "clusterscribe_api_requests_total"
	MetricAPIThrottled       = "clusterscribe_api_requests_throttled_total"
	MetricAPIThrottleSeconds = "clusterscribe_api_throttle_wait_seconds_total"
	MetricAlerts             = "clusterscribe_alerts_total"
	MetricLeader             = "clusterscribe_leader"
	MetricReady              = "clusterscribe_ready"
)

// throttledAfter is the wait in client-go's rate limiter above which a
// request counts as throttled: a free token is taken in microseconds.
const throttledAfter = 5 * time.Millisecond

// metrics are one process's Prometheus metrics, in their own registry.
type metrics struct {
	reg            *prometheus.Registry
	watched        *prometheus.GaugeVec
	events         *prometheus.CounterVec
	commits        prometheus.Counter
	committedFiles prometheus.Counter
	pushes         prometheus.Counter
	pushFailures   prometheus.Counter
	lastPush       prometheus.Gauge
	remoteUp       prometheus.Gauge
	drift          *prometheus.GaugeVec
	violations     *prometheus.GaugeVec
	auditDuration  prometheus.Histogram
	audits         *prometheus.CounterVec
	lastAudit      prometheus.Gauge
	apiRequests    *prometheus.CounterVec
	throttled      prometheus.Counter
	throttleWait   prometheus.Counter
	alerts         *prometheus.CounterVec
	leader         prometheus.Gauge
	ready          prometheus.Gauge
}

func newMetrics() *metrics {
	m := &metrics{
		reg:            prometheus.NewRegistry(),
		watched:        prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: MetricWatchedObjects, Help: "Objects in scope the leader follows, per kind (Kind.group)."}, []string{"kind"}),
		events:         prometheus.NewCounterVec(prometheus.CounterOpts{Name: MetricEvents, Help: "Watch events processed, by type (upsert, delete)."}, []string{"type"}),
		commits:        prometheus.NewCounter(prometheus.CounterOpts{Name: MetricCommits, Help: "Commits made to the backup branch."}),
		committedFiles: prometheus.NewCounter(prometheus.CounterOpts{Name: MetricCommittedFiles, Help: "Files changed by the commits to the backup branch."}),
		pushes:         prometheus.NewCounter(prometheus.CounterOpts{Name: MetricPushes, Help: "Successful pushes of the backup branch."}),
		pushFailures:   prometheus.NewCounter(prometheus.CounterOpts{Name: MetricPushFailures, Help: "Failed pushes of the backup branch (each is retried)."}),
		lastPush:       prometheus.NewGauge(prometheus.GaugeOpts{Name: MetricLastPush, Help: "Unix time of the last successful push; 0 before the first."}),
		remoteUp:       prometheus.NewGauge(prometheus.GaugeOpts{Name: MetricRemoteReachable, Help: "1 while the last contact with the backup remote succeeded; 0 during an outage (commits go on locally and are pushed once it is back)."}),
		drift:          prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: MetricDriftFindings, Help: "Drift findings of the last audit, by type."}, []string{"type"}),
		violations:     prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: MetricPolicyViolations, Help: "Failed policies of the last evaluation, by severity."}, []string{"severity"}),
		auditDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: MetricAuditDuration, Help: "Time one audit and policy evaluation took.",
			Buckets: []float64{0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300},
		}),
		audits:       prometheus.NewCounterVec(prometheus.CounterOpts{Name: MetricAudits, Help: "Audits and policy evaluations run, by result (success, error)."}, []string{"result"}),
		lastAudit:    prometheus.NewGauge(prometheus.GaugeOpts{Name: MetricLastAudit, Help: "Unix time the last successful audit finished; 0 before the first."}),
		apiRequests:  prometheus.NewCounterVec(prometheus.CounterOpts{Name: MetricAPIRequests, Help: "Requests made to the Kubernetes API, by method and status code."}, []string{"method", "code"}),
		throttled:    prometheus.NewCounter(prometheus.CounterOpts{Name: MetricAPIThrottled, Help: "Requests to the Kubernetes API held back by the client-side rate limit."}),
		throttleWait: prometheus.NewCounter(prometheus.CounterOpts{Name: MetricAPIThrottleSeconds, Help: "Time requests waited for the client-side rate limit."}),
		alerts:       prometheus.NewCounterVec(prometheus.CounterOpts{Name: MetricAlerts, Help: "Alerts by receiver and result (sent, failed, rate_limited)."}, []string{"receiver", "result"}),
		leader:       prometheus.NewGauge(prometheus.GaugeOpts{Name: MetricLeader, Help: "1 while this replica holds the leader lease (or runs without election)."}),
		ready:        prometheus.NewGauge(prometheus.GaugeOpts{Name: MetricReady, Help: "1 when /readyz answers ready."}),
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.watched, m.events, m.commits, m.committedFiles, m.pushes, m.pushFailures, m.lastPush, m.remoteUp,
		m.drift, m.violations, m.auditDuration, m.audits, m.lastAudit,
		m.apiRequests, m.throttled, m.throttleWait, m.alerts, m.leader, m.ready,
	)
	// Series that exist from the start, at zero.
	for _, t := range []string{"upsert", "delete"} {
		m.events.WithLabelValues(t)
	}
	for _, t := range []findings.Type{findings.Modified, findings.MissingLive, findings.Unmanaged} {
		m.drift.WithLabelValues(string(t))
	}
	for _, s := range severities {
		m.violations.WithLabelValues(string(s))
	}
	for _, r := range []string{"success", "error"} {
		m.audits.WithLabelValues(r)
	}
	return m
}

var severities = []findings.Severity{findings.Critical, findings.High, findings.Medium, findings.Low, findings.Info}

// observeReport sets the finding gauges from a report.
func (m *metrics) observeReport(rep *findings.Report, drift bool) {
	c := rep.Count()
	if drift {
		m.drift.WithLabelValues(string(findings.Modified)).Set(float64(c.Modified))
		m.drift.WithLabelValues(string(findings.MissingLive)).Set(float64(c.MissingLive))
		m.drift.WithLabelValues(string(findings.Unmanaged)).Set(float64(c.Unmanaged))
	}
	failed := map[findings.Severity]int{}
	for _, f := range rep.Findings {
		if f.Type == findings.Policy && f.Policy != nil && f.Policy.Outcome == findings.Fail {
			failed[f.Policy.Severity]++
		}
	}
	for _, s := range severities {
		m.violations.WithLabelValues(string(s)).Set(float64(failed[s]))
	}
}

// instrument returns a copy of cfg whose requests are counted. Every
// client built from it (watchers, audits, the leader election) shares the
// counters.
// result, when set, is told the outcome of every request.
func (m *metrics) instrument(cfg *rest.Config, result func(*http.Response, error)) *rest.Config {
	cfg = rest.CopyConfig(cfg)
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper {
		return &countingTransport{next: rt, m: m, result: result}
	})
	return cfg
}

type countingTransport struct {
	next   http.RoundTripper
	m      *metrics
	result func(*http.Response, error)
}

func (t *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if t.result != nil {
		t.result(resp, err)
	}
	code := "error"
	if err == nil {
		code = strconv.Itoa(resp.StatusCode)
	}
	t.m.apiRequests.WithLabelValues(req.Method, code).Inc()
	return resp, err
}

// client-go measures the wait in its rate limiter through a process-wide
// hook only; the hook is set once, before any client exists, and hands the
// measurements to the metrics of every Run in progress.
var throttleSinks struct {
	sync.Mutex
	sinks map[*metrics]struct{}
}

func init() {
	clientmetrics.RateLimiterLatency = throttleObserver{}
}

type throttleObserver struct{}

func (throttleObserver) Observe(_ context.Context, _ string, _ url.URL, latency time.Duration) {
	if latency < throttledAfter {
		return
	}
	throttleSinks.Lock()
	defer throttleSinks.Unlock()
	for m := range throttleSinks.sinks {
		m.throttled.Inc()
		m.throttleWait.Add(latency.Seconds())
	}
}

// observeThrottling starts counting throttled requests into m until the
// returned function is called.
func (m *metrics) observeThrottling() func() {
	throttleSinks.Lock()
	defer throttleSinks.Unlock()
	if throttleSinks.sinks == nil {
		throttleSinks.sinks = map[*metrics]struct{}{}
	}
	throttleSinks.sinks[m] = struct{}{}
	return func() {
		throttleSinks.Lock()
		defer throttleSinks.Unlock()
		delete(throttleSinks.sinks, m)
	}
}
