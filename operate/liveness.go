package operate

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
)

// stall follows work that must keep succeeding to make progress: requests
// to the API server, calls on the leader lease. It notes when the work
// started failing; a success resets it.
type stall struct {
	what string
	now  func() time.Time

	mu    sync.Mutex
	since time.Time // first failure after the last success; zero when fine
	last  error
}

func (s *stall) observe(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil {
		s.since, s.last = time.Time{}, nil
		return
	}
	if s.since.IsZero() {
		s.since = s.now()
	}
	s.last = err
}

// stalled describes the failure when it has lasted longer than bound.
func (s *stall) stalled(bound time.Duration) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.since.IsZero() || s.now().Sub(s.since) <= bound {
		return "", false
	}
	return fmt.Sprintf("%s failing since %s: %v", s.what, s.since.UTC().Format(time.RFC3339), s.last), true
}

// liveness tells whether the process still makes progress: /healthz turns
// unhealthy when requests to the API server (a watch that cannot resume)
// or the leader election keep failing for longer than bound, so that the
// kubelet restarts the process rather than leave it stuck.
type liveness struct {
	bound    time.Duration
	api      *stall
	election *stall
}

func newLiveness(bound time.Duration) *liveness {
	return &liveness{
		bound:    bound,
		api:      &stall{what: "requests to the API server", now: time.Now},
		election: &stall{what: "leader election", now: time.Now},
	}
}

// problem is "" while the process makes progress.
func (l *liveness) problem() string {
	for _, s := range []*stall{l.api, l.election} {
		if msg, bad := s.stalled(l.bound); bad {
			return msg
		}
	}
	return ""
}

// apiResult sorts the outcome of one API request: a transport error or a
// server error is a failure, any other answer a success.
func (l *liveness) apiResult(resp *http.Response, err error) {
	switch {
	case err != nil && !errors.Is(err, context.Canceled):
		l.api.observe(err)
	case err == nil && resp.StatusCode >= http.StatusInternalServerError:
		l.api.observe(fmt.Errorf("%s", resp.Status))
	case err == nil:
		l.api.observe(nil)
	}
}

// observedLock is the lease lock with every call's outcome noted.
type observedLock struct {
	resourcelock.Interface
	s *stall
}

func (l observedLock) Get(ctx context.Context) (*resourcelock.LeaderElectionRecord, []byte, error) {
	rec, raw, err := l.Interface.Get(ctx)
	if !apierrors.IsNotFound(err) {
		// A lease not created yet is no progress either way: Create tells.
		l.s.observe(err)
	}
	return rec, raw, err
}

func (l observedLock) Create(ctx context.Context, ler resourcelock.LeaderElectionRecord) error {
	err := l.Interface.Create(ctx, ler)
	l.s.observe(err)
	return err
}

func (l observedLock) Update(ctx context.Context, ler resourcelock.LeaderElectionRecord) error {
	err := l.Interface.Update(ctx, ler)
	l.s.observe(err)
	return err
}
