package auditwebhook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clusterscribe/clusterscribe/internal/testkit"
)

// testEvent is one audit.k8s.io/v1 Event as the API server sends it.
type testEvent struct {
	User, UA, Verb, Group, Resource, Sub, NS, Name string
	Groups                                         []string
	As                                             string
	Code                                           int
	At                                             time.Time
	// RequestObject and ResponseObject are sent as the RequestResponse
	// level would.
	RequestObject, ResponseObject map[string]any
}

func (e testEvent) json() map[string]any {
	m := map[string]any{
		"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata",
		"auditID": "0b1f", "stage": "ResponseComplete", "verb": e.Verb,
		"requestURI": "/api/v1/namespaces/" + e.NS + "/" + e.Resource + "/" + e.Name,
		"user":       map[string]any{"username": e.User, "groups": e.Groups},
		"userAgent":  e.UA,
		"objectRef": map[string]any{
			"resource": e.Resource, "namespace": e.NS, "name": e.Name, "apiGroup": e.Group, "apiVersion": "v1", "subresource": e.Sub,
		},
		"responseStatus":           map[string]any{"metadata": map[string]any{}, "code": e.Code},
		"requestReceivedTimestamp": e.At.Format(time.RFC3339Nano),
		"stageTimestamp":           e.At.Format(time.RFC3339Nano),
	}
	if e.As != "" {
		m["impersonatedUser"] = map[string]any{"username": e.As}
	}
	if e.RequestObject != nil {
		m["requestObject"] = e.RequestObject
	}
	if e.ResponseObject != nil {
		m["responseObject"] = e.ResponseObject
	}
	return m
}

func eventListBody(t testing.TB, events ...testEvent) []byte {
	t.Helper()
	items := make([]map[string]any, len(events))
	for i, e := range events {
		items[i] = e.json()
	}
	b, err := json.Marshal(map[string]any{"kind": "EventList", "apiVersion": "audit.k8s.io/v1", "metadata": map[string]any{}, "items": items})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// writeFile writes content into a new file of the test's and returns its
// path.
func writeFile(t testing.TB, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// startReceiver starts a receiver on a free loopback port with cfg (Addr
// and, without another method, a token file filled in) and returns it
// with its token.
func startReceiver(t testing.TB, cfg Config) (*Receiver, string) {
	t.Helper()
	token := "t0ken-" + strings.Repeat("x", 20)
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.TokenFile == "" && cfg.ClientCA == "" {
		cfg.TokenFile = writeFile(t, "token", token+"\n")
	}
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	stop := r.Start(t.Context())
	t.Cleanup(stop)
	return r, token
}

// post sends body to the receiver's /audit with the token and returns the
// status code.
func post(t testing.TB, c *http.Client, url, token string, body []byte) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode
}

// metric returns the value of one series of the receiver's /metrics,
// e.g. `clusterscribe_audit_webhook_rejected_requests_total{reason="too_large"}`.
func metric(t testing.TB, r *Receiver, series string) float64 {
	t.Helper()
	_, body := testkit.MustGet(t, "http://"+r.Addr()+"/metrics")
	for line := range strings.SplitSeq(body, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			var f float64
			if _, err := fmt.Sscan(v, &f); err != nil {
				t.Fatalf("metric %s: %q: %v", series, v, err)
			}
			return f
		}
	}
	t.Fatalf("metric %s not in /metrics:\n%s", series, body)
	return 0
}

func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	testkit.Until(t, what, cond)
}
