package operate

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/clusterscribe/clusterscribe/internal/kube"
	"github.com/clusterscribe/clusterscribe/policies"
	"github.com/clusterscribe/clusterscribe/propose"
	"github.com/clusterscribe/clusterscribe/record"
	"github.com/clusterscribe/clusterscribe/watcher"
	"github.com/clusterscribe/clusterscribe/watcher/auditwebhook"
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
// Keys are named like the flags of `clusterscribe record` and `clusterscribe
// audit`; keys both commands share (the cluster's name, the API limits, the
// filters, the normalization rules) sit at the top, the others in the
// section of their job. Every key is also a flag of `run`, named by its path
// (--record.batch-window, --qps); a flag given on the command line wins
// over the file. The help tags are the flags' help.
type Config struct {
	APIVersion string `json:"apiVersion" help:"-"`
	Kind       string `json:"kind" help:"-"`

	ClusterName string  `json:"cluster-name" help:"this cluster's top directory in the backup branch and its name in reports and alerts"`
	QPS         float64 `json:"qps" help:"client-side limit of API requests per second (watches, lists, audits)"`
	Burst       int     `json:"burst" help:"client-side burst of API requests"`
	PageSize    int64   `json:"page-size" help:"objects per page of the initial lists"`

	IncludeKinds      []string `json:"include-kinds" help:"keep only these kinds: \"kind\", \"kind.group\" or \"*.group\""`
	ExcludeKinds      []string `json:"exclude-kinds" help:"drop these kinds (same syntax as include-kinds; wins over it)"`
	Namespaces        []string `json:"namespaces" help:"keep only these namespaces, as globs (e.g. team-*)"`
	ExcludeNamespaces []string `json:"exclude-namespaces" help:"drop these namespaces, as globs (e.g. kube-*)"`
	Selector          string   `json:"selector" help:"keep only objects whose labels match this selector"`
	IncludeOwned      bool     `json:"include-owned" help:"keep controller-owned children (Pods, ReplicaSets, Jobs, ...)"`
	IncludeExcluded   []string `json:"include-excluded" help:"default exclusions to keep anyway, by name, or all"`
	DisableRules      []string `json:"disable-rules" help:"default normalization rules to switch off, by name"`
	Drop              []string `json:"drop" help:"extra fields to drop, as Kind.group:/json/pointer (or :/pointer for every kind)"`

	Record         RecordConfig         `json:"record"`
	Audit          AuditConfig          `json:"audit"`
	Policies       PoliciesConfig       `json:"policies"`
	Propose        ProposeConfig        `json:"propose"`
	Alerts         AlertsConfig         `json:"alerts"`
	LeaderElection LeaderElectionConfig `json:"leader-election"`
	Server         ServerConfig         `json:"server"`
}

// GitAuth are the credentials of one Git remote, as files or environment
// variables: never the secret itself.
type GitAuth struct {
	GitUsername   string `json:"git-username" help:"user name for https remotes"`
	GitTokenFile  string `json:"git-token-file" help:"file holding the https token"`
	GitTokenEnv   string `json:"git-token-env" help:"environment variable holding the https token"`
	GitSSHKey     string `json:"git-ssh-key" help:"private key file for ssh remotes"`
	GitKnownHosts string `json:"git-known-hosts" help:"known_hosts file for ssh remotes"`
}

// RecordConfig is the record job: the backup branch. It runs when Repo is
// set.
type RecordConfig struct {
	Repo          string          `json:"repo" help:"backup repository: a local directory or a remote URL; recording is on when set"`
	Branch        string          `json:"branch" help:"backup branch, created when missing"`
	Workdir       string          `json:"workdir" help:"where a remote repository is cloned (default: the user cache directory)"`
	BatchWindow   metav1.Duration `json:"batch-window" help:"how long changes gather before one commit"`
	ShutdownGrace metav1.Duration `json:"shutdown-grace" help:"time allowed for the last commit and push on SIGTERM"`
	AuthorName    string          `json:"author-name" help:"commit author name"`
	AuthorEmail   string          `json:"author-email" help:"commit author email"`
	GitAuth       `json:",inline"`
	Secrets       string   `json:"secrets" help:"how Secret values are written: redact, encrypt (needs age-recipient) or omit"`
	AgeRecipient  []string `json:"age-recipient" help:"age recipients (age1…) Secrets are encrypted to"`
	// The audit webhook receiver: every replica serves it, the leader's
	// commits, audits and alerts name the people it learns of.
	auditwebhook.Options `json:",inline"`
}

// AuditConfig is the audit job: drift against the declared repo, when
// Declared is set. Interval and MinInterval also pace policy evaluation.
type AuditConfig struct {
	Declared    string `json:"declared" help:"the declared state: a directory or a Git URL with an optional @ref; drift auditing is on when set"`
	Path        string `json:"path" help:"sub-directory of the declared repo to audit against"`
	Workdir     string `json:"workdir" help:"where the declared repo is cloned for each audit (default: the system temporary directory)"`
	GitAuth     `json:",inline"`
	Format      string          `json:"format" help:"format of the report written to output"`
	Output      string          `json:"output" help:"file the latest report is written to after every audit (atomically)"`
	Strict      bool            `json:"strict" help:"report every difference, also fields the server defaulted"`
	ServerSide  bool            `json:"server-side" help:"compare against a server-side dry-run apply of each declared object"`
	IgnoreRules string          `json:"ignore-rules" help:"file of Argo CD-style ignoreDifferences"`
	Applier     []string        `json:"applier" help:"field managers that apply the declared repo with update operations"`
	Controller  []string        `json:"controller" help:"field managers whose fields are never drift"`
	BackupRepo  string          `json:"backup-repo" help:"backup repository whose commit lines name who changed each object, read before each audit when record.audit-webhook-addr is not set (the receiver is used when it is)"`
	Interval    metav1.Duration `json:"interval" help:"audit and evaluate policies at least this often"`
	MinInterval metav1.Duration `json:"min-interval" help:"after a recorded change, audit again, but not more often than this"`
}

// PoliciesConfig is compliance evaluation over the live objects in scope.
// It is on when BundledPolicies or WritePolicyReports is true, or Policies
// is not empty.
type PoliciesConfig struct {
	BundledPolicies         bool            `json:"bundled-policies" help:"evaluate the bundled compliance policies (implied by policies)"`
	Policies                []string        `json:"policies" flag:"array" help:"directories (or files) of user policies: conftest-style Rego, Gatekeeper templates and constraints"`
	NoBundled               bool            `json:"no-bundled" help:"evaluate only the user policies"`
	AllowedRegistries       []string        `json:"allowed-registries" help:"registries (or registry/path prefixes) images may come from"`
	RequiredLabels          []string        `json:"required-labels" flag:"array" help:"labels workloads must carry, as key or key=regex"`
	AllowedCapabilities     []string        `json:"allowed-capabilities" help:"capabilities containers may add without a finding"`
	PolicyExcludeNamespaces []string        `json:"policy-exclude-namespaces" help:"namespaces the bundled policies skip (globs with a leading or trailing *)"`
	DisablePolicies         []string        `json:"disable-policies" help:"bundled policies to switch off, by id"`
	PolicyTimeout           metav1.Duration `json:"policy-timeout" help:"time allowed to one policy on one object"`
	PolicyParallelism       int             `json:"policy-parallelism" help:"objects evaluated at once (default: number of CPUs)"`
	PolicyReportPasses      bool            `json:"policy-report-passes" help:"record the objects each policy passed, so PolicyReports carry pass results and a true summary.pass"`
	WritePolicyReports      bool            `json:"write-policy-reports" help:"apply the results to the cluster as wgpolicyk8s.io PolicyReports after every evaluation (implies bundled-policies; needs their CRDs and write access)"`
}

// ProposeConfig is the propose job: pull requests against the declared
// repo (audit.declared, with audit's credentials and scope) for drift,
// after every audit. Its keys are named like the flags of `clusterscribe
// propose`. It needs a build whose run wires a proposer in
// (Options.NewProposer).
type ProposeConfig struct {
	Enabled        bool   `json:"enabled" help:"open or update pull requests for drift after every audit"`
	Forge          string `json:"forge" help:"where pull requests are opened: gitea, github, gitlab, or none (branches and .patch files only)"`
	ForgeURL       string `json:"forge-url" help:"the forge's URL (default: derived from audit.declared)"`
	ForgeRepo      string `json:"forge-repo" help:"the repository on the forge, owner/name (default: from audit.declared)"`
	TokenFile      string `json:"token-file" help:"file holding the forge's access token"`
	TokenEnv       string `json:"token-env" help:"environment variable holding the forge's access token"`
	BranchPrefix   string `json:"branch-prefix" help:"branches propose writes (and only these) live under this prefix"`
	Group          bool   `json:"group" help:"one branch and pull request for all drift of a run instead of one per object"`
	MaxPRs         int    `json:"max-prs" help:"pull requests opened at most per run (updates are not capped); negative: no cap"`
	AdoptUnmanaged bool   `json:"adopt-unmanaged" help:"propose a new file for each Unmanaged object (Secrets excepted)"`
	AdoptDir       string `json:"adopt-dir" help:"directory of the declared repo adopted objects are written to"`
	PatchDir       string `json:"patch-dir" help:"where .patch files are written with forge none"`
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
		APIVersion:  APIVersion,
		Kind:        Kind,
		ClusterName: record.DefaultCluster,
		QPS:         kube.DefaultQPS,
		Burst:       kube.DefaultBurst,
		PageSize:    watcher.DefaultPageSize,
		Record: RecordConfig{
			Branch:        record.DefaultBranch,
			BatchWindow:   d(record.DefaultBatchWindow),
			ShutdownGrace: d(record.DefaultShutdownGrace),
			AuthorName:    "clusterscribe",
			AuthorEmail:   "clusterscribe@localhost",
			Secrets:       "redact",
		},
		Audit: AuditConfig{
			Format:      DefaultReportFormat,
			Interval:    d(DefaultAuditInterval),
			MinInterval: d(DefaultAuditMinInterval),
		},
		Policies: PoliciesConfig{PolicyTimeout: d(policies.DefaultTimeout), PolicyReportPasses: true},
		Propose: ProposeConfig{
			Forge:        "none",
			BranchPrefix: propose.DefaultBranchPrefix,
			MaxPRs:       propose.DefaultMaxPRs,
			AdoptDir:     propose.DefaultAdoptDir,
		},
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
	p := c.Policies
	return p.BundledPolicies || p.WritePolicyReports || len(p.Policies) > 0
}
