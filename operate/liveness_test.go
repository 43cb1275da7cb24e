package operate

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/clusterscribe/clusterscribe/internal/testkit"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
)

// failingLock is a lease lock whose every call fails, as against a server
// that has no Lease API.
type failingLock struct{ resourcelock.Interface }

var errNoLeases = errors.New("the server could not find the requested resource")

func (failingLock) Get(context.Context) (*resourcelock.LeaderElectionRecord, []byte, error) {
	return nil, nil, errNoLeases
}

func (failingLock) Create(context.Context, resourcelock.LeaderElectionRecord) error {
	return errNoLeases
}

// TestHealthzTurnsUnhealthy checks /healthz against a clock the test
// moves: a failure shorter than the bound is healthy, one that lasts
// longer is not and says what fails, and a success heals it. The API
// requests and the leader lease are followed apart.
func TestHealthzTurnsUnhealthy(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	live := newLiveness(time.Minute)
	live.api.now = func() time.Time { return now }
	live.election.now = func() time.Time { return now }
	m := newMetrics()
	srv, err := newServer("127.0.0.1:0", &health{m: m, live: live}, m, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.serve() }()
	t.Cleanup(srv.shutdown)
	expect := func(step string, code int, contains string) {
		t.Helper()
		got, body := testkit.MustGet(t, "http://"+srv.Addr()+"/healthz")
		if got != code || !strings.Contains(body, contains) {
			t.Errorf("%s: /healthz = %d %q, want %d with %q", step, got, body, code, contains)
		}
	}
	expect("at start", http.StatusOK, "ok")

	refused := errors.New("dial tcp 127.0.0.1:6443: connect: connection refused")
	live.apiResult(nil, refused)
	now = now.Add(30 * time.Second)
	live.apiResult(nil, refused)
	expect("API requests failing for 30s", http.StatusOK, "ok")
	now = now.Add(31 * time.Second)
	expect("API requests failing for 61s", http.StatusServiceUnavailable, "requests to the API server failing since 2026-01-01T00:00:00Z: dial tcp")
	live.apiResult(&http.Response{StatusCode: http.StatusOK}, nil)
	expect("after a success", http.StatusOK, "ok")
	live.apiResult(&http.Response{StatusCode: http.StatusServiceUnavailable, Status: "503 Service Unavailable"}, nil)
	now = now.Add(2 * time.Minute)
	expect("API answering 503 for 2m", http.StatusServiceUnavailable, "503 Service Unavailable")
	live.apiResult(&http.Response{StatusCode: http.StatusNotFound}, nil)
	expect("an answer, even 404, is progress", http.StatusOK, "ok")

	lock := observedLock{Interface: failingLock{}, s: live.election}
	if _, _, err := lock.Get(t.Context()); !errors.Is(err, errNoLeases) {
		t.Fatalf("Get = %v", err)
	}
	_ = lock.Create(t.Context(), resourcelock.LeaderElectionRecord{})
	now = now.Add(2 * time.Minute)
	expect("leader election failing for 2m", http.StatusServiceUnavailable, "leader election failing since")
}
