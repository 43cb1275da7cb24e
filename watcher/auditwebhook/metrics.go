package auditwebhook

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metric names, under the clusterscribe_ namespace.
const (
	MetricRequests = "clusterscribe_audit_webhook_requests_total"
	MetricRejected = "clusterscribe_audit_webhook_rejected_requests_total"
	MetricReceived = "clusterscribe_audit_webhook_events_total"
	MetricDropped  = "clusterscribe_audit_webhook_dropped_events_total"
	MetricIndexed  = "clusterscribe_audit_webhook_indexed_events"
	MetricLookups  = "clusterscribe_audit_webhook_attributions_total"
)

// Reasons of rejected requests and dropped events.
const (
	rejectUnauthenticated = "unauthenticated"
	rejectTooLarge        = "too_large"
	rejectMalformed       = "malformed"
	rejectMethod          = "method"
	dropFull              = "full"  // the oldest, evicted before its age by newer events
	dropQueue             = "queue" // the index was behind: a request's events were not indexed
)

// Metrics are the receiver's collectors. Register them with a registry of
// your own (run's /metrics); the receiver also serves them at /metrics.
type Metrics struct {
	requests *prometheus.CounterVec
	rejected *prometheus.CounterVec
	received prometheus.Counter
	dropped  *prometheus.CounterVec
	indexed  prometheus.Gauge
	lookups  *prometheus.CounterVec
	reg      *prometheus.Registry
}

func newMetrics() *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: MetricRequests, Help: "Requests to the audit webhook receiver, by HTTP status code."}, []string{"code"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{Name: MetricRejected, Help: "Requests the audit webhook receiver refused, by reason (unauthenticated, too_large, malformed, method)."}, []string{"reason"}),
		received: prometheus.NewCounter(prometheus.CounterOpts{Name: MetricReceived, Help: "Audit events received in accepted requests."}),
		dropped:  prometheus.NewCounterVec(prometheus.CounterOpts{Name: MetricDropped, Help: "Audit events of writes not kept, by reason: full (evicted before their age by newer ones), queue (the index was behind)."}, []string{"reason"}),
		indexed:  prometheus.NewGauge(prometheus.GaugeOpts{Name: MetricIndexed, Help: "Audit events of writes the index holds."}),
		lookups:  prometheus.NewCounterVec(prometheus.CounterOpts{Name: MetricLookups, Help: "Changes looked up in the audit index, by result (hit: a person named; miss: managedFields only)."}, []string{"result"}),
		reg:      prometheus.NewRegistry(),
	}
	for _, l := range []string{rejectUnauthenticated, rejectTooLarge, rejectMalformed, rejectMethod} {
		m.rejected.WithLabelValues(l)
	}
	for _, l := range []string{dropFull, dropQueue} {
		m.dropped.WithLabelValues(l)
	}
	m.reg.MustRegister(m.Collectors()...)
	return m
}

// Collectors lists the collectors, for prometheus.Registerer.MustRegister.
func (m *Metrics) Collectors() []prometheus.Collector {
	return []prometheus.Collector{m.requests, m.rejected, m.received, m.dropped, m.indexed, m.lookups}
}

func (m *Metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}
