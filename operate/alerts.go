package operate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/clusterscribe/clusterscribe/audit/findings"
)

// WebhookAlert is the JSON body POSTed to alerts.webhook-url, one per
// finding.
type WebhookAlert struct {
	Cluster string             `json:"cluster"`
	Time    time.Time          `json:"time"`
	Type    findings.Type      `json:"type"`
	Object  findings.ObjectRef `json:"object"`
	Message string             `json:"message"`
	// Severity is set on policy findings.
	Severity findings.Severity `json:"severity,omitempty"`
	// Policy is the policy's id and Rule its rule (policy findings).
	Policy string `json:"policy,omitempty"`
	Rule   string `json:"rule,omitempty"`
	// Paths are the drifted fields (Modified findings).
	Paths []string `json:"paths,omitempty"`
	// Attribution names the field managers, ChangedBy the person who made
	// the last change when the audit webhook named them (drift findings).
	Attribution []findings.Attribution `json:"attribution,omitempty"`
	ChangedBy   *findings.ChangedBy    `json:"changedBy,omitempty"`
}

// receiver is one alert destination.
type receiver interface {
	name() string
	send(ctx context.Context, a WebhookAlert) error
}

// alerter sends each finding once per receiver until it clears (is absent
// from an evaluation), under a token bucket per receiver. A finding that
// is rate limited or fails to send is tried again at the next evaluation
// while it persists, most severe first.
type alerter struct {
	log       *slog.Logger
	m         *metrics
	cluster   string
	drift     bool
	minRank   int
	timeout   time.Duration
	now       func() time.Time
	receivers []*receiverState
}

type receiverState struct {
	r      receiver
	bucket *tokenBucket
	sent   map[string]bool // findings alerted that have not cleared
}

func newAlerter(c *Config, m *metrics, log *slog.Logger, client *http.Client) (*alerter, error) {
	a := c.Alerts
	sev, _ := parseSeverity(a.MinSeverity)
	al := &alerter{
		log: log, m: m, cluster: c.ClusterName, drift: a.Drift, minRank: sev.Rank(),
		timeout: a.Timeout.Duration, now: time.Now,
	}
	add := func(r receiver) {
		al.receivers = append(al.receivers, &receiverState{
			r:      r,
			bucket: newTokenBucket(float64(a.MaxPerHour)/3600, a.Burst, func() time.Time { return al.now() }),
			sent:   map[string]bool{},
		})
	}
	if u, err := secretURL("alerts.slack-url", a.SlackURL, a.SlackURLFile, a.SlackURLEnv); err != nil {
		return nil, err
	} else if u != "" {
		add(&slackReceiver{url: u, client: client})
	}
	if u, err := secretURL("alerts.webhook-url", a.WebhookURL, a.WebhookURLFile, a.WebhookURLEnv); err != nil {
		return nil, err
	} else if u != "" {
		add(&webhookReceiver{url: u, client: client})
	}
	return al, nil
}

// secretURL reads a receiver's URL from the key, its file or its
// environment variable. Errors never show the URL.
func secretURL(key, value, file, env string) (string, error) {
	switch {
	case file != "":
		data, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("%w: %s-file: %w", ErrInvalidConfig, key, err)
		}
		value = strings.TrimSpace(string(data))
		key += "-file"
	case env != "":
		value = strings.TrimSpace(os.Getenv(env))
		if value == "" {
			return "", fmt.Errorf("%w: %s-env: environment variable %s is empty", ErrInvalidConfig, key, env)
		}
		key += "-env"
	}
	if value != "" && checkURL(value) != nil {
		return "", fmt.Errorf("%w: %s: not an http(s) URL", ErrInvalidConfig, key)
	}
	return value, nil
}

// alertKey identifies a finding across evaluations.
func alertKey(f findings.Finding) string {
	k := strings.Join([]string{string(f.Type), f.Object.Group(), f.Object.Kind, f.Object.Namespace, f.Object.Name}, "|")
	if f.Policy != nil {
		k += "|" + f.Policy.ID + "|" + f.Policy.Rule
	}
	return k
}

// wants tells whether a finding alerts at all.
func (a *alerter) wants(f findings.Finding) bool {
	switch f.Type {
	case findings.Modified, findings.MissingLive, findings.Unmanaged:
		return a.drift
	case findings.Policy:
		return f.Policy != nil && f.Policy.Outcome == findings.Fail && f.Policy.Severity.Rank() <= a.minRank
	}
	return false
}

// notify alerts on the findings of rep that are new to each receiver.
// Drift findings clear only when driftAudited: a report without a drift
// audit says nothing about drift.
func (a *alerter) notify(ctx context.Context, rep *findings.Report, driftAudited bool) {
	current := map[string]findings.Finding{}
	var order []string
	for _, f := range rep.Findings {
		if !a.wants(f) {
			continue
		}
		k := alertKey(f)
		if _, dup := current[k]; !dup {
			order = append(order, k)
		}
		current[k] = f
	}
	rank := func(f findings.Finding) int {
		if f.Policy != nil {
			return f.Policy.Severity.Rank()
		}
		return findings.High.Rank()
	}
	slices.SortStableFunc(order, func(x, y string) int { return rank(current[x]) - rank(current[y]) })
	for _, rs := range a.receivers {
		for k := range rs.sent {
			isDrift := !strings.HasPrefix(k, string(findings.Policy)+"|")
			if _, still := current[k]; !still && (driftAudited || !isDrift) {
				delete(rs.sent, k)
			}
		}
		limited := 0
		for _, k := range order {
			if rs.sent[k] {
				continue
			}
			if !rs.bucket.take() {
				limited++
				continue
			}
			if err := a.send(ctx, rs.r, current[k]); err != nil {
				a.m.alerts.WithLabelValues(rs.r.name(), "failed").Inc()
				a.log.Warn("alert not sent; retried at the next evaluation", "receiver", rs.r.name(), "finding", current[k].Object.String(), "error", err)
				continue
			}
			rs.sent[k] = true
			a.m.alerts.WithLabelValues(rs.r.name(), "sent").Inc()
		}
		if limited > 0 {
			a.m.alerts.WithLabelValues(rs.r.name(), "rate_limited").Add(float64(limited))
			a.log.Warn("alerts held back by the rate limit; retried at the next evaluation", "receiver", rs.r.name(), "findings", limited)
		}
	}
}

func (a *alerter) send(ctx context.Context, r receiver, f findings.Finding) error {
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	w := WebhookAlert{
		Cluster: a.cluster, Time: a.now().UTC(), Type: f.Type, Object: f.Object, Message: f.Message, Paths: f.Paths,
		Attribution: f.Attribution, ChangedBy: f.ChangedBy,
	}
	if p := f.Policy; p != nil {
		w.Severity, w.Policy, w.Rule = p.Severity, p.ID, p.Rule
	}
	return r.send(ctx, w)
}

type webhookReceiver struct {
	url    string
	client *http.Client
}

func (*webhookReceiver) name() string { return "webhook" }

func (r *webhookReceiver) send(ctx context.Context, a WebhookAlert) error {
	return postJSON(ctx, r.client, r.url, a)
}

type slackReceiver struct {
	url    string
	client *http.Client
}

func (*slackReceiver) name() string { return "slack" }

func (r *slackReceiver) send(ctx context.Context, a WebhookAlert) error {
	return postJSON(ctx, r.client, r.url, map[string]string{"text": slackText(a)})
}

// slackText renders one finding as a Slack message (mrkdwn).
func slackText(a WebhookAlert) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*clusterscribe* · cluster `%s`\n", slackEscape(a.Cluster))
	switch a.Type {
	case findings.Policy:
		fmt.Fprintf(&b, "*Policy %s* (%s) failed on `%s`\n", slackEscape(a.Policy), a.Severity, slackEscape(a.Object.String()))
	default:
		fmt.Fprintf(&b, "*%s* `%s`\n", a.Type, slackEscape(a.Object.String()))
	}
	b.WriteString(slackEscape(a.Message))
	if len(a.Paths) > 0 {
		fmt.Fprintf(&b, "\nfields: `%s`", slackEscape(strings.Join(a.Paths, "`, `")))
	}
	if who := a.ChangedBy.String(); who != "" {
		fmt.Fprintf(&b, "\nchanged by %s", slackEscape(who))
	} else if len(a.Attribution) > 0 {
		fmt.Fprintf(&b, "\nfield manager `%s`", slackEscape(a.Attribution[0].Manager))
	}
	return b.String()
}

// slackEscape escapes what Slack reads as markup.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// postJSON POSTs v as JSON. Errors never show the URL (it holds the
// credential of an incoming webhook).
func postJSON(ctx context.Context, client *http.Client, u string, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode alert: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return errors.New("build request: bad URL")
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("post: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("post: receiver answered %s", resp.Status)
	}
	return nil
}

// tokenBucket allows burst events at once and rate per second after that.
type tokenBucket struct {
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
	now    func() time.Time
}

func newTokenBucket(rate float64, burst int, now func() time.Time) *tokenBucket {
	return &tokenBucket{rate: rate, burst: float64(burst), tokens: float64(burst), last: now(), now: now}
}

func (b *tokenBucket) take() bool {
	t := b.now()
	b.tokens = min(b.burst, b.tokens+t.Sub(b.last).Seconds()*b.rate)
	b.last = t
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
