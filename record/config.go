package record

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/clusterscribe/clusterscribe/committer"
	"github.com/clusterscribe/clusterscribe/filters"
	"github.com/clusterscribe/clusterscribe/serializer"
	"github.com/clusterscribe/clusterscribe/watcher"
	"github.com/clusterscribe/clusterscribe/watcher/auditwebhook"
)

// Config is a checked description of one record run.
type Config struct {
	// Cluster names this cluster's subtree of the branch.
	Cluster string
	// Once takes one snapshot, commits, pushes and returns.
	Once bool
	// BatchWindow is how long changes gather before they are committed.
	BatchWindow time.Duration
	// ShutdownGrace bounds the final commit and push after ctx is done.
	ShutdownGrace time.Duration
	// CommitBackoff paces the retries of changes that could not be
	// committed (disk full, repository not writable): they stay pending and
	// are retried after Initial, then after growing delays up to Max.
	// Defaults: Initial = BatchWindow, Max = DefaultCommitRetryMax, Factor 2,
	// Jitter 0.2.
	CommitBackoff committer.Backoff

	Watcher    watcher.Options
	Filters    filters.Options
	Serializer serializer.Options
	Committer  committer.Options

	// AuditWebhook, when its Addr is set, starts an audit webhook receiver
	// whose index names the person behind each change in the commit
	// messages (see package auditwebhook). Ignored when Attributor is set.
	AuditWebhook auditwebhook.Options
	// Attributor, when set, names the person behind each change (run
	// passes the receiver it serves). Without either, changes are
	// attributed from managedFields only.
	Attributor Attributor

	// Observer, when set, is told about events, the initial snapshot,
	// commits and pushes (see Observer).
	Observer Observer
	// Abandon, when closed, ends Run at once with ErrAbandoned: no final
	// commit, no final push. A replica that lost its leader lease must not
	// write any more. Commits not pushed yet stay in the clone.
	Abandon <-chan struct{}

	Logger *slog.Logger
}

// Defaults.
const (
	DefaultBatchWindow   = 10 * time.Second
	DefaultShutdownGrace = 30 * time.Second
	DefaultCluster       = "default"
	DefaultBranch        = "clusterscribe/backup"
	// DefaultCommitRetryMax caps the delay between two attempts to commit
	// changes that failed to commit.
	DefaultCommitRetryMax = 5 * time.Minute
)

// validate fills defaults and checks what can be checked without the
// cluster or the repository.
func (c *Config) validate() error {
	if c.Cluster == "" {
		c.Cluster = DefaultCluster
	}
	if err := validateClusterName(c.Cluster); err != nil {
		return err
	}
	if c.BatchWindow <= 0 {
		c.BatchWindow = DefaultBatchWindow
	}
	if c.ShutdownGrace <= 0 {
		c.ShutdownGrace = DefaultShutdownGrace
	}
	if c.CommitBackoff.Initial == 0 {
		c.CommitBackoff.Initial = c.BatchWindow
	}
	if c.CommitBackoff.Max == 0 {
		c.CommitBackoff.Max = max(DefaultCommitRetryMax, c.CommitBackoff.Initial)
	}
	if err := c.CommitBackoff.Validate(); err != nil {
		return fmt.Errorf("commit retry: %w", err)
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Committer.Branch == "" {
		c.Committer.Branch = DefaultBranch
	}
	if c.Committer.Repo == "" {
		return errors.New("--repo is required")
	}
	c.Committer.Prefix = c.Cluster
	// An outage of the remote must not stop the recording: commits go on
	// locally and are pushed once it is back.
	c.Committer.StartUnreachable = true
	c.Committer.Logger = c.Logger
	if c.Observer == nil {
		c.Observer = noObserver{}
	} else {
		c.Committer.Logger = slog.New(pushTap{next: c.Logger.Handler(), obs: c.Observer})
	}
	c.Watcher.Logger = c.Logger
	return nil
}

// maxClusterName keeps the cluster's directory name well under the 255
// bytes file systems allow.
const maxClusterName = 128

func validateClusterName(name string) error {
	if name == "." || name == ".." {
		return fmt.Errorf("--cluster-name: %q is not a usable directory name", name)
	}
	if len(name) > maxClusterName {
		return fmt.Errorf("--cluster-name: %d bytes, at most %d (it is a directory name)", len(name), maxClusterName)
	}
	for _, r := range name {
		ok := r == '-' || r == '_' || r == '.' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
		if !ok {
			return fmt.Errorf("--cluster-name: %q may hold only letters, digits, '-', '_' and '.'", name)
		}
	}
	return nil
}
