package operate

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/clusterscribe/clusterscribe/audit/declared"
	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/audit/report"
	"github.com/clusterscribe/clusterscribe/filters"
	"github.com/clusterscribe/clusterscribe/internal/option"
	"github.com/clusterscribe/clusterscribe/serializer"
)

// Validate checks every value that can be checked without the cluster or
// a repository. The error wraps ErrInvalidConfig and names each bad key
// with its problem, one per line.
func (c *Config) Validate() error {
	v := &validator{}
	c.validateShared(v)
	c.validateRecord(v)
	c.validateAudit(v)
	c.validatePolicies(v)
	c.validatePropose(v)
	c.validateAlerts(v)
	c.validateLeaderElection(v)
	if _, _, err := splitAddress(c.Server.Address); err != nil {
		v.add("server.address", "%v", err)
	}
	v.positive("server.unhealthy-after", c.Server.UnhealthyAfter.Duration)
	if !c.recording() && !c.auditing() && !c.evaluating() {
		v.add("record.repo", "nothing to run: set record.repo, audit.declared or policies.bundled-policies (or policies.policies)")
	}
	if len(v.errs) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrInvalidConfig, errors.Join(v.errs...))
}

type validator struct{ errs []error }

// options adds the errors of a section's options, named as its keys.
func (v *validator) options(err error, section string) {
	v.errs = append(v.errs, option.Keyed(err, section)...)
}

func (v *validator) add(key, format string, args ...any) {
	v.errs = append(v.errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
}

func (v *validator) positive(key string, d time.Duration) {
	if d <= 0 {
		v.add(key, "must be positive, got %s", d)
	}
}

// oneOf checks that at most one of the keys is set.
func (v *validator) atMostOne(keys []string, values ...string) {
	var set []string
	for i, s := range values {
		if s != "" {
			set = append(set, keys[i])
		}
	}
	if len(set) > 1 {
		v.add(set[0], "set only one of %s", strings.Join(set, ", "))
	}
}

func (c *Config) validateShared(v *validator) {
	if err := checkClusterName(c.ClusterName); err != nil {
		v.add("cluster-name", "%v", err)
	}
	if c.API.QPS <= 0 {
		v.add("qps", "must be positive, got %v", c.API.QPS)
	}
	if c.API.Burst <= 0 {
		v.add("burst", "must be positive, got %d", c.API.Burst)
	}
	if c.API.PageSize <= 0 {
		v.add("page-size", "must be positive, got %d", c.API.PageSize)
	}
	if _, err := filters.New(c.Filters); err != nil {
		v.options(err, "")
	}
	if _, err := c.Rules.Options(); err != nil {
		v.options(err, "")
	}
}

func (c *Config) validateRecord(v *validator) {
	r := c.Record
	if !c.recording() {
		return
	}
	if r.Branch == "" {
		v.add("record.branch", "must not be empty")
	}
	v.positive("record.batch-window", r.BatchWindow)
	v.positive("record.shutdown-grace", r.ShutdownGrace)
	if mode, err := r.SecretMode(); err != nil {
		v.options(err, "record")
	} else if mode == serializer.SecretsEncrypt && len(r.AgeRecipient) == 0 {
		v.add("record.age-recipient", "secrets: encrypt needs at least one age recipient")
	}
	if _, err := serializer.New(serializer.Options{Secrets: serializer.SecretsRedact, AgeRecipients: r.AgeRecipient}); err != nil {
		v.add("record.age-recipient", "%v", err)
	}
	v.atMostOne([]string{"record.git-token-file", "record.git-token-env"}, r.TokenFile, r.TokenEnv)
}

func (c *Config) validateAudit(v *validator) {
	a := c.Audit
	if c.auditing() {
		if _, err := declared.ParseSource(a.Declared); err != nil {
			v.options(err, "audit")
		}
		v.atMostOne([]string{"audit.git-token-file", "audit.git-token-env"}, a.TokenFile, a.TokenEnv)
	} else {
		for _, k := range []struct{ key, value string }{{"audit.path", a.Path}, {"audit.output", a.Output}, {"audit.ignore-rules", a.IgnoreRules}} {
			if k.value != "" {
				v.add(k.key, "needs audit.declared")
			}
		}
	}
	if _, err := report.For(a.Format); err != nil {
		v.add("audit.format", "%q is not one of %s", a.Format, strings.Join(report.Formats(), ", "))
	}
	v.positive("audit.interval", a.Interval.Duration)
	v.positive("audit.min-interval", a.MinInterval.Duration)
	if a.MinInterval.Duration > a.Interval.Duration {
		v.add("audit.min-interval", "%s is longer than audit.interval (%s)", a.MinInterval.Duration, a.Interval.Duration)
	}
}

func (c *Config) validatePolicies(v *validator) {
	p := c.Policies
	if p.Timeout < 0 {
		v.add("policies.policy-timeout", "must not be negative, got %s", p.Timeout)
	}
	if p.Parallelism < 0 {
		v.add("policies.policy-parallelism", "must not be negative, got %d", p.Parallelism)
	}
	if p.NoBundled && len(p.Dirs) == 0 {
		v.add("policies.no-bundled", "needs at least one directory in policies.policies")
	}
}

// proposeForges are the values of propose.forge.
var proposeForges = []string{"gitea", "github", "gitlab", "none"}

func (c *Config) validatePropose(v *validator) {
	p := c.Propose
	if !p.Enabled {
		return
	}
	if !c.auditing() {
		v.add("propose.enabled", "needs audit.declared: pull requests go to the declared repo")
	}
	switch p.Forge {
	case "gitea", "github", "gitlab":
		if p.TokenFile == "" && p.TokenEnv == "" {
			v.add("propose.token-file", "forge %s needs a token: set propose.token-file or propose.token-env", p.Forge)
		}
	case "none":
		if p.PatchDir == "" {
			v.add("propose.patch-dir", "forge none writes .patch files: set a writable directory")
		}
	default:
		v.add("propose.forge", "%q is not one of %s", p.Forge, strings.Join(proposeForges, ", "))
	}
	v.atMostOne([]string{"propose.token-file", "propose.token-env"}, p.TokenFile, p.TokenEnv)
	if p.BranchPrefix == "" {
		v.add("propose.branch-prefix", "must not be empty")
	}
	if p.ForgeURL != "" {
		if err := checkURL(p.ForgeURL); err != nil {
			v.add("propose.forge-url", "%v", err)
		}
	}
}

func (c *Config) validateAlerts(v *validator) {
	a := c.Alerts
	v.atMostOne([]string{"alerts.slack-url", "alerts.slack-url-file", "alerts.slack-url-env"}, a.SlackURL, a.SlackURLFile, a.SlackURLEnv)
	v.atMostOne([]string{"alerts.webhook-url", "alerts.webhook-url-file", "alerts.webhook-url-env"}, a.WebhookURL, a.WebhookURLFile, a.WebhookURLEnv)
	// The URL itself is a credential: the error never shows it.
	if a.SlackURL != "" && checkURL(a.SlackURL) != nil {
		v.add("alerts.slack-url", "not an http(s) URL")
	}
	if a.WebhookURL != "" && checkURL(a.WebhookURL) != nil {
		v.add("alerts.webhook-url", "not an http(s) URL")
	}
	if _, ok := parseSeverity(a.MinSeverity); !ok {
		v.add("alerts.min-severity", "%q is not one of critical, high, medium, low, info", a.MinSeverity)
	}
	if a.MaxPerHour <= 0 {
		v.add("alerts.max-per-hour", "must be positive, got %d", a.MaxPerHour)
	}
	if a.Burst <= 0 {
		v.add("alerts.burst", "must be positive, got %d", a.Burst)
	}
	v.positive("alerts.timeout", a.Timeout.Duration)
}

func (c *Config) validateLeaderElection(v *validator) {
	l := c.LeaderElection
	if !l.Enabled {
		return
	}
	for _, msg := range validation.IsDNS1123Subdomain(l.LeaseName) {
		v.add("leader-election.lease-name", "%q: %s", l.LeaseName, msg)
	}
	if l.LeaseNamespace != "" {
		for _, msg := range validation.IsDNS1123Label(l.LeaseNamespace) {
			v.add("leader-election.lease-namespace", "%q: %s", l.LeaseNamespace, msg)
		}
	}
	v.positive("leader-election.retry-period", l.RetryPeriod.Duration)
	if l.LeaseDuration.Duration <= l.RenewDeadline.Duration {
		v.add("leader-election.lease-duration", "%s must be longer than leader-election.renew-deadline (%s)", l.LeaseDuration.Duration, l.RenewDeadline.Duration)
	}
	// client-go's own rule: the leader must be able to retry within the deadline.
	if float64(l.RenewDeadline.Duration) <= 1.2*float64(l.RetryPeriod.Duration) {
		v.add("leader-election.renew-deadline", "%s must be longer than 1.2 × leader-election.retry-period (%s)", l.RenewDeadline.Duration, l.RetryPeriod.Duration)
	}
}

// checkClusterName accepts what record accepts as a directory name.
func checkClusterName(name string) error {
	if name == "" || name == "." || name == ".." {
		return fmt.Errorf("%q is not a usable directory name", name)
	}
	for _, r := range name {
		ok := r == '-' || r == '_' || r == '.' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
		if !ok {
			return fmt.Errorf("%q may hold only letters, digits, '-', '_' and '.'", name)
		}
	}
	return nil
}

func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("not an http(s) URL")
	}
	return nil
}

// splitAddress parses host:port; port 0 picks a free one.
func splitAddress(addr string) (string, int, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("%q is not host:port", addr)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return "", 0, fmt.Errorf("%q: port must be a number from 0 to 65535", addr)
	}
	return host, n, nil
}

func parseSeverity(s string) (findings.Severity, bool) {
	switch sev := findings.Severity(strings.ToLower(s)); sev {
	case findings.Critical, findings.High, findings.Medium, findings.Low, findings.Info:
		return sev, true
	}
	return "", false
}
