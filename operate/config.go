package operate

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/clusterscribe/clusterscribe/audit"
	"github.com/clusterscribe/clusterscribe/policies"
	"github.com/clusterscribe/clusterscribe/propose"
	"github.com/clusterscribe/clusterscribe/record"
)

// The configuration file's type.
const (
	APIVersion = "clusterscribe.io/v1alpha1"
	Kind       = "Config"
)

// Config is the configuration of `clusterscribe run`, as a file:
//
//	apiVersion: clusterscribe.io/v1alpha1
//	kind: Config
//	cluster-name: prod
//	record:
//	  repo: https://git.example.com/platform/backup.git
//	audit:
//	  declared: https://git.example.com/platform/gitops.git@main
//
// Its keys are not declared here but by the packages whose options they
// are (package internal/option): the ones every job shares (Shared: the
// cluster's name, the API limits, the filters, the normalization rules)
// sit at the top, the others in the section of their job, where they are
// the flags of `clusterscribe record`, `audit` and `propose`. Every key is
// also a flag of `run`, named by its path (--record.batch-window, --qps);
// a flag given on the command line wins over the file.
type Config struct {
	APIVersion string `json:"apiVersion" help:"-"`
	Kind       string `json:"kind" help:"-"`

	Shared `json:",inline"`

	Record         record.Options       `json:"record"`
	Audit          AuditConfig          `json:"audit"`
	Policies       PoliciesConfig       `json:"policies"`
	Propose        ProposeConfig        `json:"propose"`
	Alerts         AlertsConfig         `json:"alerts"`
	LeaderElection LeaderElectionConfig `json:"leader-election"`
	Server         ServerConfig         `json:"server"`
}

// AuditConfig is the audit job: drift against the declared repo, when
// Declared is set. Interval and MinInterval also pace policy evaluation.
type AuditConfig struct {
	audit.Options `json:",inline"`
	Format        string          `json:"format" help:"format of the report written to output"`
	Output        string          `json:"output" help:"file the latest report is written to after every audit (atomically)"`
	Interval      metav1.Duration `json:"interval" help:"audit and evaluate policies at least this often"`
	MinInterval   metav1.Duration `json:"min-interval" help:"after a recorded change, audit again, but not more often than this"`
}

// PoliciesConfig is compliance evaluation over the live objects in scope.
// It is on when BundledPolicies or WritePolicyReports is true, or Dirs
// (policies) is not empty. Its keys are the flags of `clusterscribe audit`.
type PoliciesConfig struct {
	Evaluation         `json:",inline"`
	WritePolicyReports bool `json:"write-policy-reports" help:"apply the policy results to the cluster as wgpolicyk8s.io/v1alpha2 PolicyReports after every evaluation (implies bundled-policies; needs their CRDs and write access); the only write audit can make"`
}

// Evaluation says whether policies are evaluated, and how: the flags of
// `clusterscribe propose`, which shows the findings on what it proposes.
type Evaluation struct {
	BundledPolicies  bool `json:"bundled-policies" help:"evaluate the bundled compliance policies over the live objects in scope (implied by policies)"`
	policies.Options `json:",inline"`
}

// Evaluating reports whether the options ask for policies.
func (e Evaluation) Evaluating() bool { return e.BundledPolicies || len(e.Dirs) > 0 }

// ProposeConfig is the propose job: pull requests against the declared
// repo (audit.declared, with audit's credentials and scope) for drift,
// after every audit. Its keys are the flags of `clusterscribe propose`. It
// needs a build whose run wires a proposer in (Options.NewProposer).
type ProposeConfig struct {
	Enabled         bool `json:"enabled" help:"open or update pull requests for drift after every audit"`
	propose.Options `json:",inline"`
}

// AlertsConfig are the alert receivers. A finding alerts once, until it
// clears; alerts are rate limited per receiver.
type AlertsConfig struct {
	SlackURL       string          `json:"slack-url" help:"Slack incoming webhook URL (prefer slack-url-file: the URL is a credential)"`
	SlackURLFile   string          `json:"slack-url-file" help:"file holding the Slack incoming webhook URL"`
	SlackURLEnv    string          `json:"slack-url-env" help:"environment variable holding the Slack incoming webhook URL"`
	WebhookURL     string          `json:"webhook-url" help:"URL findings are POSTed to as JSON"`
	WebhookURLFile string          `json:"webhook-url-file" help:"file holding the JSON webhook URL"`
	WebhookURLEnv  string          `json:"webhook-url-env" help:"environment variable holding the JSON webhook URL"`
	Drift          bool            `json:"drift" help:"alert on drift findings (Modified, MissingLive, Unmanaged)"`
	MinSeverity    string          `json:"min-severity" help:"alert on failed policies of this severity or worse: critical, high, medium, low, info"`
	MaxPerHour     int             `json:"max-per-hour" help:"alerts per receiver and hour at most; the rest wait for the next evaluation"`
	Burst          int             `json:"burst" help:"alerts a receiver may get at once"`
	Timeout        metav1.Duration `json:"timeout" help:"time allowed to one webhook request"`
}

// LeaderElectionConfig makes several replicas safe: only the holder of the
// Lease records, audits, alerts and proposes.
type LeaderElectionConfig struct {
	Enabled        bool            `json:"enabled" help:"elect a leader on a coordination.k8s.io Lease"`
	LeaseName      string          `json:"lease-name" help:"name of the Lease"`
	LeaseNamespace string          `json:"lease-namespace" help:"namespace of the Lease (default: the pod's namespace, else the kubeconfig's)"`
	Identity       string          `json:"identity" help:"this replica's name in the Lease (default: host name and a random suffix)"`
	LeaseDuration  metav1.Duration `json:"lease-duration" help:"how long a standby waits after the last renewal before it takes over"`
	RenewDeadline  metav1.Duration `json:"renew-deadline" help:"how long the leader retries renewing before it gives up"`
	RetryPeriod    metav1.Duration `json:"retry-period" help:"time between attempts to acquire or renew"`
}

// ServerConfig is the HTTP endpoint: /healthz, /readyz and /metrics.
type ServerConfig struct {
	Address string `json:"address" help:"address of /healthz, /readyz and /metrics (host:port; port 0 picks one)"`
	// UnhealthyAfter bounds how long requests to the API server or the
	// leader election may keep failing before /healthz reports unhealthy.
	UnhealthyAfter metav1.Duration `json:"unhealthy-after" help:"how long requests to the API server (a watch that cannot resume) or the leader election may keep failing before /healthz answers unhealthy"`
}

// Defaults.
const (
	DefaultAuditInterval    = 10 * time.Minute
	DefaultAuditMinInterval = 30 * time.Second
	DefaultLeaseName        = "clusterscribe"
	DefaultLeaseDuration    = 15 * time.Second
	DefaultRenewDeadline    = 10 * time.Second
	DefaultRetryPeriod      = 2 * time.Second
	DefaultAddress          = ":8081"
	DefaultUnhealthyAfter   = 2 * time.Minute
	DefaultAlertsPerHour    = 30
	DefaultAlertBurst       = 10
	DefaultAlertTimeout     = 10 * time.Second
	DefaultMinSeverity      = "high"
	DefaultReportFormat     = "json"
)

// Default returns a configuration with every default filled in; a file is
// decoded on top of it.
func Default() Config {
	d := func(v time.Duration) metav1.Duration { return metav1.Duration{Duration: v} }
	return Config{
		APIVersion: APIVersion,
		Kind:       Kind,
		Shared:     DefaultShared(),
		Record:     record.DefaultOptions(),
		Audit: AuditConfig{
			Format:      DefaultReportFormat,
			Interval:    d(DefaultAuditInterval),
			MinInterval: d(DefaultAuditMinInterval),
		},
		Policies: PoliciesConfig{Evaluation: Evaluation{Options: policies.DefaultOptions()}},
		Propose:  ProposeConfig{Options: propose.DefaultOptions()},
		Alerts: AlertsConfig{
			Drift:       true,
			MinSeverity: DefaultMinSeverity,
			MaxPerHour:  DefaultAlertsPerHour,
			Burst:       DefaultAlertBurst,
			Timeout:     d(DefaultAlertTimeout),
		},
		LeaderElection: LeaderElectionConfig{
			Enabled:       true,
			LeaseName:     DefaultLeaseName,
			LeaseDuration: d(DefaultLeaseDuration),
			RenewDeadline: d(DefaultRenewDeadline),
			RetryPeriod:   d(DefaultRetryPeriod),
		},
		Server: ServerConfig{Address: DefaultAddress, UnhealthyAfter: d(DefaultUnhealthyAfter)},
	}
}

// recording, auditing and evaluating say which jobs the configuration
// turns on.
func (c *Config) recording() bool { return c.Record.Repo != "" }
func (c *Config) auditing() bool  { return c.Audit.Declared != "" }
func (c *Config) evaluating() bool {
	return c.Policies.Evaluating() || c.Policies.WritePolicyReports
}
