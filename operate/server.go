package operate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// role is what a replica is doing, as /readyz reports it.
type role int

const (
	// starting: nothing decided yet.
	starting role = iota
	// standby: another replica holds the lease; this one is ready to take
	// over.
	standby
	// syncing: leading, the initial sync not done yet.
	syncing
	// leading: leading, initial sync done.
	leading
	// stopping: shutting down.
	stopping
)

func (r role) String() string {
	return [...]string{"starting", "standby", "syncing", "leading", "stopping"}[r]
}

// ready tells whether a replica in this role can serve: a standby is ready
// (it can take over at once; a rolling update waits for it), a leader once
// its initial sync is done.
func (r role) ready() bool { return r == standby || r == leading }

// health is the state the endpoints report.
type health struct {
	m    *metrics
	mu   sync.Mutex
	role role
	// live, when set, turns /healthz unhealthy once the process stopped
	// making progress.
	live *liveness
	// remoteDown is when the current outage of the backup remote started;
	// zero while it is reachable.
	remoteDown time.Time
}

// setRemote notes whether the backup remote is reachable. /readyz reports
// an outage in its body, not in its status: the recording goes on locally.
func (h *health) setRemote(reachable bool, now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case reachable:
		h.remoteDown = time.Time{}
	case h.remoteDown.IsZero():
		h.remoteDown = now
	}
}

// readyz is the body of /readyz: the role, then the remote's outage if
// there is one.
func (h *health) readyz() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.role.String() + "\n"
	if !h.remoteDown.IsZero() {
		s += "remote unreachable since " + h.remoteDown.UTC().Format(time.RFC3339) + "; recording locally, pushing once it is back\n"
	}
	return s
}

func (h *health) set(r role) {
	h.mu.Lock()
	h.role = r
	h.mu.Unlock()
	leader := 0.0
	if r == syncing || r == leading {
		leader = 1
	}
	h.m.leader.Set(leader)
	ready := 0.0
	if r.ready() {
		ready = 1
	}
	h.m.ready.Set(ready)
}

func (h *health) get() role {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.role
}

// server serves /healthz, /readyz and /metrics.
type server struct {
	srv *http.Server
	ln  net.Listener
	log *slog.Logger
}

func newServer(addr string, h *health, m *metrics, log *slog.Logger) (*server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("server.address: listen: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		if h.live != nil {
			if problem := h.live.problem(); problem != "" {
				w.WriteHeader(http.StatusServiceUnavailable)
				_, _ = fmt.Fprintln(w, "unhealthy: "+problem)
				return
			}
		}
		_, _ = fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		body := h.readyz()
		if !h.get().ready() {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_, _ = fmt.Fprint(w, body)
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg}))
	return &server{
		srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second},
		ln:  ln,
		log: log,
	}, nil
}

// Addr is where the server listens.
func (s *server) Addr() string { return s.ln.Addr().String() }

// serve runs until shutdown is called.
func (s *server) serve() error {
	s.log.Info("serving /healthz, /readyz and /metrics", "address", s.Addr())
	if err := s.srv.Serve(s.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("server: %w", err)
	}
	return nil
}

func (s *server) shutdown() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		_ = s.srv.Close()
	}
}
