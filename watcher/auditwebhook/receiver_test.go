package auditwebhook

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/clusterscribe/clusterscribe/committer"
	"github.com/clusterscribe/clusterscribe/internal/secretscan"
)

var t0 = time.Date(2026, 11, 22, 3, 12, 0, 0, time.UTC)

func write(user, verb, name string, at time.Time) testEvent {
	return testEvent{
		User: user, Groups: []string{"devs", "system:authenticated"}, UA: "kubectl/v1.36.3 (linux/amd64) kubernetes/abc",
		Verb: verb, Group: "apps", Resource: "deployments", NS: "shop", Name: name, Code: 200, At: at,
	}
}

func TestAttributesWrites(t *testing.T) {
	r, token := startReceiver(t, Config{})
	url := "http://" + r.Addr() + Path
	rv := testEvent{
		User: "carol", Verb: "update", Resource: "configmaps", NS: "shop", Name: "cm", Code: 200, At: t0,
		ResponseObject: map[string]any{"metadata": map[string]any{"resourceVersion": "42"}},
	}
	later := rv
	later.User, later.At = "dave", t0.Add(time.Second)
	later.ResponseObject = map[string]any{"metadata": map[string]any{"resourceVersion": "43"}}
	events := []testEvent{
		write("alice", "patch", "web", t0),
		write("bob", "patch", "web", t0.Add(10*time.Second)),
		write("bob", "delete", "gone", t0),
		{User: "erin", As: "frank", Verb: "create", Resource: "secrets", NS: "shop", Name: "db", Code: 201, At: t0},
		// Not writes of an object, or not done: never attributed.
		{User: "mallory", Verb: "get", Resource: "secrets", NS: "shop", Name: "db", Code: 200, At: t0.Add(time.Second)},
		{User: "mallory", Verb: "update", Resource: "secrets", NS: "shop", Name: "db", Code: 409, At: t0.Add(time.Second)},
		{User: "kube-controller-manager", Verb: "update", Group: "apps", Resource: "deployments", Sub: "status", NS: "shop", Name: "web", Code: 200, At: t0.Add(time.Second)},
		rv, later,
	}
	body := eventListBody(t, events...)
	if code := post(t, http.DefaultClient, url, token, body); code != http.StatusOK {
		t.Fatalf("POST: %d", code)
	}
	eventually(t, "the events indexed", func() bool { return r.Indexed() == 6 })

	web := Key{Group: "apps", Resource: "deployments", Namespace: "shop", Name: "web"}
	cm := Key{Resource: "configmaps", Namespace: "shop", Name: "cm"}
	tests := []struct {
		name string
		q    Query
		want string // Actor.String(); "" for none
	}{
		{"latest write before the watch saw it", Query{Key: web, Seen: t0.Add(time.Second)}, "alice (groups devs, system:authenticated) via kubectl/v1.36.3"},
		{"a later write", Query{Key: web, Seen: t0.Add(11 * time.Second)}, "bob (groups devs, system:authenticated) via kubectl/v1.36.3"},
		{"no time: the latest", Query{Key: web}, "bob (groups devs, system:authenticated) via kubectl/v1.36.3"},
		{"deletion", Query{Key: Key{Group: "apps", Resource: "deployments", Namespace: "shop", Name: "gone"}, Deleted: true}, "bob (groups devs, system:authenticated) via kubectl/v1.36.3"},
		{"a write is not the deletion", Query{Key: web, Deleted: true}, ""},
		{"impersonation", Query{Key: Key{Resource: "secrets", Namespace: "shop", Name: "db"}}, "erin as frank"},
		{"resourceVersion wins over time", Query{Key: cm, ResourceVersion: "42", Seen: t0.Add(time.Hour)}, "carol"},
		{"the other version", Query{Key: cm, ResourceVersion: "43"}, "dave"},
		{"unknown object", Query{Key: Key{Resource: "configmaps", Namespace: "shop", Name: "nope"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, r.ChangedBy(tt.q).String()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	a := r.ChangedBy(Query{Key: web, Seen: t0.Add(time.Second)})
	want := &committer.Actor{User: "alice", Groups: []string{"devs", "system:authenticated"}, UserAgent: "kubectl/v1.36.3 (linux/amd64) kubernetes/abc", Verb: "patch", Time: t0}
	if diff := cmp.Diff(want, a); diff != "" {
		t.Errorf("actor (-want +got):\n%s", diff)
	}
	if got := metric(t, r, MetricLookups+`{result="hit"}`); got < 1 {
		t.Errorf("hits counted: %v", got)
	}
}

// TestKeepsNoBodies sends a Secret's value in the request and response
// objects, as the RequestResponse level does: only the resourceVersion of
// the response is kept.
func TestKeepsNoBodies(t *testing.T) {
	value := secretscan.Canary()
	r, token := startReceiver(t, Config{})
	e := testEvent{
		User: "alice", Verb: "update", Resource: "secrets", NS: "shop", Name: "db", Code: 200, At: t0,
		RequestObject:  map[string]any{"kind": "Secret", "stringData": map[string]any{"password": value}},
		ResponseObject: map[string]any{"kind": "Secret", "metadata": map[string]any{"resourceVersion": "7", "annotations": map[string]any{"a": value}}, "data": map[string]any{"password": value}},
	}
	if code := post(t, http.DefaultClient, "http://"+r.Addr()+Path, token, eventListBody(t, e)); code != http.StatusOK {
		t.Fatalf("POST: %d", code)
	}
	eventually(t, "the event indexed", func() bool { return r.Indexed() == 1 })
	if got := r.ChangedBy(Query{Key: Key{Resource: "secrets", Namespace: "shop", Name: "db"}, ResourceVersion: "7"}).Name(); got != "alice" {
		t.Errorf("by resourceVersion: %q, want alice", got)
	}
	r.index.mu.Lock()
	held := fmt.Sprintf("%#v %#v", r.index.ring, r.index.byKey)
	r.index.mu.Unlock()
	secretscan.Check(t, "the index", held)
	if !strings.Contains(held, `rv:"7"`) {
		t.Errorf("the index lacks the resourceVersion: %s", held)
	}
}

func TestRefusesAndCounts(t *testing.T) {
	r, token := startReceiver(t, Config{MaxBodyBytes: 4096})
	url := "http://" + r.Addr() + Path
	small := eventListBody(t, write("alice", "patch", "web", t0))
	var big []testEvent
	for i := range 100 {
		big = append(big, write("alice", "patch", fmt.Sprint("web-", i), t0))
	}
	tests := []struct {
		name   string
		token  string
		body   []byte
		code   int
		reason string
	}{
		{"no token", "", small, http.StatusUnauthorized, rejectUnauthenticated},
		{"wrong token", token + "x", small, http.StatusUnauthorized, rejectUnauthenticated},
		{"oversized", token, eventListBody(t, big...), http.StatusRequestEntityTooLarge, rejectTooLarge},
		{"not an EventList", token, []byte(`{"kind":"Pod","apiVersion":"v1"}`), http.StatusBadRequest, rejectMalformed},
		{"not JSON", token, []byte(`<xml/>`), http.StatusBadRequest, rejectMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			series := MetricRejected + `{reason="` + tt.reason + `"}`
			before := metric(t, r, series)
			if code := post(t, http.DefaultClient, url, tt.token, tt.body); code != tt.code {
				t.Errorf("status %d, want %d", code, tt.code)
			}
			if got := metric(t, r, series); got != before+1 {
				t.Errorf("%s = %v, want %v", series, got, before+1)
			}
		})
	}
	// An oversized body that does not say its length is cut off as well.
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, url, struct{ *bytes.Reader }{bytes.NewReader(eventListBody(t, big...))})
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked oversized body: status %d", resp.StatusCode)
	}
	resp, err = http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: status %d", resp.StatusCode)
	}
	if r.Indexed() != 0 {
		t.Errorf("refused requests were indexed: %d events", r.Indexed())
	}
}

func TestOptionsErrors(t *testing.T) {
	token := writeFile(t, "token", "s3cret-token\n")
	empty := writeFile(t, "empty", "\n")
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"no authentication", Options{Addr: "127.0.0.1:0"}, "--audit-webhook-addr needs --audit-webhook-token-file or --audit-webhook-client-ca"},
		{"plain HTTP off loopback", Options{Addr: "0.0.0.0:0", TokenFile: token}, "plain HTTP is allowed on loopback only"},
		{"plain HTTP on all interfaces", Options{Addr: ":0", TokenFile: token}, "plain HTTP is allowed on loopback only"},
		{"bad address", Options{Addr: "nope", TokenFile: token}, "--audit-webhook-addr \"nope\""},
		{"cert without key", Options{Addr: "127.0.0.1:0", TokenFile: token, TLSCert: token}, "set both --audit-webhook-tls-cert and --audit-webhook-tls-key"},
		{"client CA without TLS", Options{Addr: "127.0.0.1:0", ClientCA: token}, "--audit-webhook-client-ca needs --audit-webhook-tls-cert"},
		{"missing token file", Options{Addr: "127.0.0.1:0", TokenFile: token + ".nope"}, "--audit-webhook-token-file"},
		{"empty token file", Options{Addr: "127.0.0.1:0", TokenFile: empty}, "is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(Config{Options: tt.o})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want it to contain %q", err, tt.want)
			}
			secretscan.Check(t, "error", err.Error())
		})
	}
}
