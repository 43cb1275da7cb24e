package operate

import (
	"github.com/clusterscribe/clusterscribe/audit"
	"github.com/clusterscribe/clusterscribe/filters"
	"github.com/clusterscribe/clusterscribe/record"
	"github.com/clusterscribe/clusterscribe/serializer"
	"github.com/clusterscribe/clusterscribe/watcher"
)

// Shared are the options every job that reads the cluster shares: the
// top-level keys of the configuration, and flags of record, audit and
// propose.
type Shared struct {
	ClusterName string                 `json:"cluster-name" help:"the cluster's name: its top directory in the backup branch (several clusters may share one branch), and its name in reports, pull requests and alerts"`
	API         watcher.Options        `json:",inline"`
	Filters     filters.Options        `json:",inline"`
	Rules       serializer.RuleOptions `json:",inline"`
}

// DefaultShared returns the shared options with their defaults.
func DefaultShared() Shared {
	return Shared{ClusterName: record.DefaultCluster, API: watcher.DefaultOptions()}
}

// ForAudit is the audit the shared options and a describe. A bad value is
// an option.Error (or filters.FlagError) that names its option.
func (s Shared) ForAudit(a audit.Options) (audit.Config, error) {
	cfg := audit.Config{Cluster: s.ClusterName, Filters: s.Filters, Watcher: s.API}
	var err error
	if cfg.Compare.Serializer, err = s.Rules.Options(); err != nil {
		return cfg, err
	}
	return cfg, a.Apply(&cfg)
}

// ForRecord is the recording the shared options and r describe. A bad value
// is an option.Error that names its option.
func (s Shared) ForRecord(r record.Options) (record.Config, error) {
	cfg := record.Config{Cluster: s.ClusterName, Filters: s.Filters, Watcher: s.API}
	var err error
	if cfg.Serializer, err = s.Rules.Options(); err != nil {
		return cfg, err
	}
	return cfg, r.Apply(&cfg)
}
