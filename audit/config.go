package audit

import (
	"errors"
	"log/slog"
	"time"

	"github.com/clusterscribe/clusterscribe/audit/declared"
	"github.com/clusterscribe/clusterscribe/audit/ignore"
	"github.com/clusterscribe/clusterscribe/filters"
	"github.com/clusterscribe/clusterscribe/watcher"
)

// Config is a checked description of one audit run.
type Config struct {
	// Declared says where the declared state is.
	Declared declared.Options
	// Cluster names the cluster in the report (a kubeconfig context).
	Cluster string
	// Namespace is the namespace of declared namespaced objects that name
	// none, as kubectl apply would use; default "default".
	Namespace string
	// Filters narrow the audit like record's flags do. --include-kinds and
	// --namespaces, when set, also replace the declared kinds and
	// namespaces as the scope of Unmanaged findings.
	Filters filters.Options
	// Watcher bounds the load on the API server (QPS, burst, page size);
	// the same limits apply to the server-side dry-runs.
	Watcher watcher.Options
	// Compare tunes the comparison; InScope and DryRun are set by Run.
	Compare CompareOptions
	// ServerSide compares against a server-side dry-run apply of each
	// declared object.
	ServerSide bool
	// Policies, when set, are evaluated over the live objects in scope and
	// their results join the report.
	Policies PolicyEvaluator
	// ChangedBy, when set, names the person behind each Modified and
	// Unmanaged finding (findings.Finding.ChangedBy); without it findings
	// name field managers only.
	ChangedBy Attributor
	// Now stamps the report; default time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// DefaultNamespace is where declared namespaced objects without a
// namespace go.
const DefaultNamespace = "default"

// validate fills defaults and checks what can be checked without the
// cluster or the declared repo.
func (c *Config) validate() error {
	if c.Namespace == "" {
		c.Namespace = DefaultNamespace
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Compare.InScope != nil || c.Compare.DryRun != nil {
		return errors.New("audit config: Compare.InScope and Compare.DryRun are set by Run")
	}
	if _, err := declared.ParseSource(c.Declared.Source); err != nil {
		return err
	}
	if _, err := ignore.Compile(c.Compare.Ignore, true); err != nil {
		return err
	}
	c.Declared.Logger = c.Logger
	c.Watcher.Logger = c.Logger
	c.Watcher.KeepFieldSets = true
	return nil
}
