package auditwebhook

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/clusterscribe/clusterscribe/committer"
)

// Receiver is a running audit webhook endpoint and its index.
type Receiver struct {
	cfg     Config
	auth    auth
	index   *index
	metrics *Metrics
	queue   chan []record
	ln      net.Listener
	srv     *http.Server
	now     func() time.Time
}

// New checks cfg, reads its files and binds the listener, so that a port
// in use or a missing certificate fails before anything else starts.
// Serve answers requests.
func New(cfg Config) (*Receiver, error) {
	cfg.withDefaults()
	a, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	r := &Receiver{cfg: cfg, auth: a, metrics: newMetrics(), queue: make(chan []record, cfg.QueueLength), now: time.Now}
	r.index = newIndex(cfg.MaxEvents, cfg.MaxAge, func() time.Time { return r.now() }, func(n int) {
		r.metrics.dropped.WithLabelValues(dropFull).Add(float64(n))
	})
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("audit webhook: listen on %s (%s): %w", cfg.Addr, flag("Addr"), err)
	}
	r.ln = ln
	mux := http.NewServeMux()
	mux.HandleFunc(Path, r.serveAudit)
	mux.Handle("/metrics", r.metrics.handler())
	r.srv = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      time.Minute,
		MaxHeaderBytes:    64 << 10,
		TLSConfig:         a.tls,
		// Failed handshakes and the like, at debug level.
		ErrorLog: slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelDebug),
	}
	return r, nil
}

// Addr is the address the receiver listens on (with the port chosen when
// the configuration asked for port 0).
func (r *Receiver) Addr() string { return r.ln.Addr().String() }

// Metrics are the receiver's Prometheus collectors.
func (r *Receiver) Metrics() *Metrics { return r.metrics }

// Serve answers requests and indexes their events until ctx is done.
func (r *Receiver) Serve(ctx context.Context) error {
	var wg sync.WaitGroup
	wg.Go(func() { r.indexLoop(ctx) })
	defer wg.Wait()
	go func() {
		<-ctx.Done()
		shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = r.srv.Shutdown(shutCtx)
	}()
	r.cfg.Logger.Info("audit webhook receiver listening", "address", r.Addr(), "path", Path, "tls", r.auth.tls != nil)
	var err error
	if r.auth.tls != nil {
		err = r.srv.ServeTLS(r.ln, "", "")
	} else {
		err = r.srv.Serve(r.ln)
	}
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("audit webhook: %w", err)
}

// indexLoop moves decoded events from the queue into the index.
func (r *Receiver) indexLoop(ctx context.Context) {
	for {
		select {
		case rs := <-r.queue:
			r.index.add(rs)
			r.metrics.indexed.Set(float64(r.index.len()))
		case <-ctx.Done():
			return
		}
	}
}

// ChangedBy returns who made the change q names, or nil when the index
// does not know.
func (r *Receiver) ChangedBy(q Query) *committer.Actor {
	a := r.index.lookup(q, r.cfg.Skew)
	if a == nil {
		r.metrics.lookups.WithLabelValues("miss").Inc()
	} else {
		r.metrics.lookups.WithLabelValues("hit").Inc()
	}
	return a
}

// Indexed is the number of events the index holds.
func (r *Receiver) Indexed() int { return r.index.len() }

// serveAudit authenticates, bounds and decodes one EventList, queues its
// writes for the index and answers at once.
func (r *Receiver) serveAudit(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost {
		r.refuse(w, http.StatusMethodNotAllowed, rejectMethod, "POST an audit.k8s.io/v1 EventList")
		return
	}
	if !r.authenticated(req) {
		r.cfg.Logger.Debug("audit webhook request refused: unauthenticated", "remote", req.RemoteAddr,
			"bearer", strings.HasPrefix(req.Header.Get("Authorization"), "Bearer "), "clientCertificate", req.TLS != nil && len(req.TLS.PeerCertificates) > 0)
		w.Header().Set("WWW-Authenticate", `Bearer realm="clusterscribe audit webhook"`)
		r.refuse(w, http.StatusUnauthorized, rejectUnauthenticated, "unauthenticated")
		return
	}
	if req.ContentLength > r.cfg.MaxBodyBytes {
		r.refuse(w, http.StatusRequestEntityTooLarge, rejectTooLarge, "request body too large")
		return
	}
	body := http.MaxBytesReader(w, req.Body, r.cfg.MaxBodyBytes)
	var list eventList
	err := json.NewDecoder(body).Decode(&list)
	if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
		r.refuse(w, http.StatusRequestEntityTooLarge, rejectTooLarge, "request body too large")
		return
	}
	if err != nil || list.Kind != "EventList" || !strings.HasPrefix(list.APIVersion, "audit.k8s.io/") {
		r.refuse(w, http.StatusBadRequest, rejectMalformed, "expected an audit.k8s.io/v1 EventList")
		return
	}
	received := r.now()
	r.metrics.received.Add(float64(len(list.Items)))
	var rs []record
	for i := range list.Items {
		if rec, ok := toRecord(&list.Items[i], received); ok {
			rs = append(rs, rec)
		}
	}
	list.Items = nil
	if len(rs) > 0 {
		select {
		case r.queue <- rs:
		default:
			r.metrics.dropped.WithLabelValues(dropQueue).Add(float64(len(rs)))
		}
	}
	r.metrics.requests.WithLabelValues("200").Inc()
	w.WriteHeader(http.StatusOK)
}

// authenticated checks every method the options ask for: the bearer
// token, the client certificate.
func (r *Receiver) authenticated(req *http.Request) bool {
	if r.auth.token != nil {
		got, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), r.auth.token) != 1 {
			return false
		}
	}
	if r.auth.tls != nil && r.auth.tls.ClientCAs != nil {
		if req.TLS == nil || len(req.TLS.VerifiedChains) == 0 {
			return false
		}
	}
	return true
}

func (r *Receiver) refuse(w http.ResponseWriter, code int, reason, msg string) {
	r.metrics.rejected.WithLabelValues(reason).Inc()
	r.metrics.requests.WithLabelValues(fmt.Sprint(code)).Inc()
	http.Error(w, msg, code)
}

// Start serves in the background until the returned stop is called (or
// ctx is done); stop waits until the receiver is down. An error of Serve
// is logged: without the receiver, attribution falls back to
// managedFields, and recording goes on.
func (r *Receiver) Start(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := r.Serve(ctx); err != nil {
			r.cfg.Logger.Error("audit webhook receiver stopped: changes are attributed from managedFields only", "error", err)
		}
	})
	return func() { cancel(); wg.Wait() }
}
