package operate

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/internal/secretscan"
	"github.com/clusterscribe/clusterscribe/internal/testkit"
)

// receiverServer is a local HTTP receiver that records what it is sent and
// can be told to fail.
type receiverServer struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []string
	fail   bool
}

func newReceiverServer(t *testing.T) *receiverServer {
	t.Helper()
	r := &receiverServer{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		if req.Method != http.MethodPost || req.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "want a JSON POST", http.StatusBadRequest)
			return
		}
		if r.fail {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		r.bodies = append(r.bodies, string(body))
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiverServer) setFail(fail bool) {
	r.mu.Lock()
	r.fail = fail
	r.mu.Unlock()
}

// take returns what was received since the last call.
func (r *receiverServer) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.bodies
	r.bodies = nil
	return out
}

// webhookNames decodes webhook bodies to "Type name" (or "policy name").
func webhookNames(t *testing.T, bodies []string) []string {
	t.Helper()
	var out []string
	for _, b := range bodies {
		var a WebhookAlert
		if err := json.Unmarshal([]byte(b), &a); err != nil {
			t.Fatalf("webhook body %q: %v", b, err)
		}
		name := string(a.Type)
		if a.Policy != "" {
			name = a.Policy
		}
		out = append(out, name+" "+a.Object.Name)
	}
	return out
}

func drift(typ findings.Type, name string) findings.Finding {
	return findings.Finding{
		Type: typ, Message: "drifted", Paths: []string{"spec.replicas"},
		Object: findings.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: name},
	}
}

func policy(id string, sev findings.Severity, outcome findings.Outcome, name string) findings.Finding {
	return findings.Finding{
		Type: findings.Policy, Message: "violates " + id, Live: true,
		Object: findings.ObjectRef{APIVersion: "v1", Kind: "Pod", Namespace: "shop", Name: name},
		Policy: &findings.PolicyResult{ID: id, Title: id, Severity: sev, Outcome: outcome},
	}
}

// fakeClock is a clock the test moves.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func newTestAlerter(t *testing.T, edit func(c *Config)) (*alerter, *fakeClock, *metrics) {
	t.Helper()
	c := Default()
	c.ClusterName = "prod"
	edit(&c)
	if err := c.Validate(); err != nil && !strings.Contains(err.Error(), "nothing to run") {
		t.Fatal(err)
	}
	m := newMetrics()
	clock := &fakeClock{t: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	a, err := newAlerter(&c, m, slog.New(slog.DiscardHandler), &http.Client{})
	if err != nil {
		t.Fatal(err)
	}
	a.now = clock.now
	for _, rs := range a.receivers {
		rs.bucket = newTokenBucket(float64(c.Alerts.MaxPerHour)/3600, c.Alerts.Burst, clock.now)
	}
	return a, clock, m
}

// TestAlertsOnceUntilCleared: a finding alerts once while it persists, and
// again after it cleared and came back. Policy findings below the minimum
// severity, warnings, and drift when switched off do not alert.
func TestAlertsOnceUntilCleared(t *testing.T) {
	hook := newReceiverServer(t)
	a, _, _ := newTestAlerter(t, func(c *Config) { c.Alerts.WebhookURL = hook.URL })
	ctx := t.Context()
	rep := func(fs ...findings.Finding) *findings.Report { return &findings.Report{Findings: fs} }

	steps := []struct {
		name   string
		report *findings.Report
		drift  bool
		want   []string
	}{
		{
			"first", rep(drift(findings.Modified, "web"), policy("privileged", findings.Critical, findings.Fail, "db"),
				policy("latest-tag", findings.Low, findings.Fail, "db"), policy("no-probe", findings.High, findings.Warn, "db")), true,
			[]string{"privileged db", "Modified web"},
		},
		{"same again", rep(drift(findings.Modified, "web"), policy("privileged", findings.Critical, findings.Fail, "db")), true, nil},
		{
			"one more", rep(drift(findings.Modified, "web"), drift(findings.Unmanaged, "debug"), policy("privileged", findings.Critical, findings.Fail, "db")), true,
			[]string{"Unmanaged debug"},
		},
		{"policies only: drift stays alerted", rep(policy("privileged", findings.Critical, findings.Fail, "db")), false, nil},
		{"web cleared", rep(drift(findings.Unmanaged, "debug"), policy("privileged", findings.Critical, findings.Fail, "db")), true, nil},
		{
			"web back", rep(drift(findings.Modified, "web"), drift(findings.Unmanaged, "debug"), policy("privileged", findings.Critical, findings.Fail, "db")), true,
			[]string{"Modified web"},
		},
	}
	for _, s := range steps {
		a.notify(ctx, s.report, s.drift)
		if diff := cmp.Diff(s.want, webhookNames(t, hook.take())); diff != "" {
			t.Errorf("%s: alerts (-want +got):\n%s", s.name, diff)
		}
	}
}

// TestAlertsRateLimit: a burst of new findings sends burst alerts, the
// rest wait for tokens, most severe first, and go out at later evaluations.
func TestAlertsRateLimit(t *testing.T) {
	hook := newReceiverServer(t)
	a, clock, m := newTestAlerter(t, func(c *Config) {
		c.Alerts.WebhookURL = hook.URL
		c.Alerts.Burst = 2
		c.Alerts.MaxPerHour = 60 // one a minute
		c.Alerts.MinSeverity = "low"
	})
	ctx := t.Context()
	rep := &findings.Report{Findings: []findings.Finding{
		policy("a-low", findings.Low, findings.Fail, "p1"),
		policy("b-medium", findings.Medium, findings.Fail, "p2"),
		policy("c-critical", findings.Critical, findings.Fail, "p3"),
		policy("d-high", findings.High, findings.Fail, "p4"),
		drift(findings.Modified, "web"),
	}}
	a.notify(ctx, rep, true)
	if diff := cmp.Diff([]string{"c-critical p3", "d-high p4"}, webhookNames(t, hook.take())); diff != "" {
		t.Errorf("first evaluation (-want +got):\n%s", diff)
	}
	a.notify(ctx, rep, true) // no time passed: no token
	if got := hook.take(); len(got) != 0 {
		t.Errorf("without a new token: sent %v", got)
	}
	clock.t = clock.t.Add(90 * time.Second) // one token and a half
	a.notify(ctx, rep, true)
	if diff := cmp.Diff([]string{"Modified web"}, webhookNames(t, hook.take())); diff != "" {
		t.Errorf("after 90s (-want +got):\n%s", diff)
	}
	clock.t = clock.t.Add(time.Hour) // the bucket refills to its burst only
	a.notify(ctx, rep, true)
	if diff := cmp.Diff([]string{"b-medium p2", "a-low p1"}, webhookNames(t, hook.take())); diff != "" {
		t.Errorf("after an hour (-want +got):\n%s", diff)
	}
	if got := counterValue(t, m.alerts.WithLabelValues("webhook", "sent")); got != 5 {
		t.Errorf("sent counter = %v, want 5", got)
	}
	if got := counterValue(t, m.alerts.WithLabelValues("webhook", "rate_limited")); got != 3+3+2 {
		t.Errorf("rate_limited counter = %v, want 8", got)
	}
}

// TestAlertsFailedSendRetried: a receiver that is down gets the alert at
// the next evaluation; the other receiver gets it once.
func TestAlertsFailedSendRetried(t *testing.T) {
	hook, slack := newReceiverServer(t), newReceiverServer(t)
	slackSecret := secretscan.Canary()
	a, _, m := newTestAlerter(t, func(c *Config) {
		c.Alerts.WebhookURL, c.Alerts.SlackURL = hook.URL, slack.URL+"/services/T000/B000/"+slackSecret
	})
	var logs testkit.SyncBuffer
	a.log = slog.New(slog.NewTextHandler(&logs, nil))
	ctx := t.Context()
	rep := &findings.Report{Findings: []findings.Finding{drift(findings.MissingLive, "cache")}}
	slack.setFail(true)
	a.notify(ctx, rep, true)
	if got := len(hook.take()); got != 1 {
		t.Errorf("webhook got %d alerts, want 1", got)
	}
	if got := slack.take(); len(got) != 0 {
		t.Errorf("slack was down but recorded %v", got)
	}
	slack.setFail(false)
	a.notify(ctx, rep, true)
	if got := hook.take(); len(got) != 0 {
		t.Errorf("webhook alerted twice: %v", got)
	}
	got := slack.take()
	if len(got) != 1 {
		t.Fatalf("slack got %d alerts after it came back, want 1", len(got))
	}
	var msg map[string]string
	if err := json.Unmarshal([]byte(got[0]), &msg); err != nil {
		t.Fatal(err)
	}
	want := "*clusterscribe* · cluster `prod`\n*MissingLive* `Deployment.apps shop/cache`\ndrifted\nfields: `spec.replicas`"
	if diff := cmp.Diff(want, msg["text"]); diff != "" {
		t.Errorf("slack text (-want +got):\n%s", diff)
	}
	if got := counterValue(t, m.alerts.WithLabelValues("slack", "failed")); got != 1 {
		t.Errorf("slack failed counter = %v, want 1", got)
	}
	if !strings.Contains(logs.String(), "503") {
		t.Errorf("the failure is not logged: %s", logs.String())
	}
	secretscan.Check(t, "the alerter's log", logs.String())
}

// TestAlertURLsNeverShown: errors about receivers, including transport
// errors, never carry their URL.
func TestAlertURLsNeverShown(t *testing.T) {
	secret := secretscan.Canary()
	t.Setenv("SLACK_URL_FOR_TEST", "not a url "+secret)
	c := Default()
	c.Alerts.SlackURLEnv = "SLACK_URL_FOR_TEST"
	_, err := newAlerter(&c, newMetrics(), slog.New(slog.DiscardHandler), &http.Client{})
	if err == nil || !strings.Contains(err.Error(), "alerts.slack-url-env: not an http(s) URL") {
		t.Errorf("error = %v", err)
	}
	secretscan.Check(t, "the error", err.Error())
	// Nothing listens on this port once the server is closed.
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL + "/hooks/" + secret
	srv.Close()
	err = postJSON(t.Context(), &http.Client{}, u, map[string]string{"text": "x"})
	if err == nil {
		t.Fatal("posting to a closed server succeeded")
	}
	secretscan.Check(t, "the error", err.Error())
}
