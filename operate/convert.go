package operate

import (
	"fmt"
	"log/slog"

	"github.com/clusterscribe/clusterscribe/audit"
	"github.com/clusterscribe/clusterscribe/audit/ignore"
	"github.com/clusterscribe/clusterscribe/committer"
	"github.com/clusterscribe/clusterscribe/filters"
	"github.com/clusterscribe/clusterscribe/policies"
	"github.com/clusterscribe/clusterscribe/record"
	"github.com/clusterscribe/clusterscribe/serializer"
	"github.com/clusterscribe/clusterscribe/watcher"
)

// The configuration turned into the jobs' own options. These run after
// Validate and name keys in their errors too.

func (c *Config) filterOptions() filters.Options {
	return filters.Options{
		IncludeKinds:      c.IncludeKinds,
		ExcludeKinds:      c.ExcludeKinds,
		Namespaces:        c.Namespaces,
		ExcludeNamespaces: c.ExcludeNamespaces,
		Selector:          c.Selector,
		IncludeOwned:      c.IncludeOwned,
		Include:           c.IncludeExcluded,
	}
}

func (c *Config) watcherOptions() watcher.Options {
	return watcher.Options{QPS: float32(c.QPS), Burst: c.Burst, PageSize: c.PageSize}
}

func (c *Config) serializerOptions() (serializer.Options, error) {
	o := serializer.Options{DisableRules: c.DisableRules}
	for i, s := range c.Drop {
		rule, err := serializer.ParseRule(s)
		if err != nil {
			return o, fmt.Errorf("%w: drop[%d]: %w", ErrInvalidConfig, i, err)
		}
		o.ExtraRules = append(o.ExtraRules, rule)
	}
	return o, nil
}

func gitAuth(a GitAuth) committer.Auth {
	return committer.Auth{
		Username:      a.GitUsername,
		TokenFile:     a.GitTokenFile,
		TokenEnv:      a.GitTokenEnv,
		SSHKeyFile:    a.GitSSHKey,
		SSHKnownHosts: a.GitKnownHosts,
	}
}

func (c *Config) recordConfig(log *slog.Logger) (record.Config, error) {
	r := c.Record
	ser, err := c.serializerOptions()
	if err != nil {
		return record.Config{}, err
	}
	ser.Secrets = serializer.SecretMode(r.Secrets)
	ser.AgeRecipients = r.AgeRecipient
	return record.Config{
		Cluster:       c.ClusterName,
		BatchWindow:   r.BatchWindow.Duration,
		ShutdownGrace: r.ShutdownGrace.Duration,
		Watcher:       c.watcherOptions(),
		Filters:       c.filterOptions(),
		Serializer:    ser,
		Committer: committer.Options{
			Repo:        r.Repo,
			Branch:      r.Branch,
			Workdir:     r.Workdir,
			AuthorName:  r.AuthorName,
			AuthorEmail: r.AuthorEmail,
			Auth:        gitAuth(r.GitAuth),
		},
		Logger: log,
	}, nil
}

func (c *Config) auditConfig(log *slog.Logger) (audit.Config, error) {
	a := c.Audit
	ser, err := c.serializerOptions()
	if err != nil {
		return audit.Config{}, err
	}
	cfg := audit.Config{
		Cluster:    c.ClusterName,
		Filters:    c.filterOptions(),
		Watcher:    c.watcherOptions(),
		ServerSide: a.ServerSide,
		Compare: audit.CompareOptions{
			Strict:      a.Strict,
			Serializer:  ser,
			Appliers:    a.Applier,
			Controllers: a.Controller,
		},
		Logger: log,
	}
	cfg.Declared.Source = a.Declared
	cfg.Declared.Path = a.Path
	cfg.Declared.Workdir = a.Workdir
	cfg.Declared.Auth = gitAuth(a.GitAuth)
	if a.IgnoreRules != "" {
		if cfg.Compare.Ignore, err = ignore.LoadFile(a.IgnoreRules); err != nil {
			return cfg, fmt.Errorf("%w: audit.ignore-rules: %w", ErrInvalidConfig, err)
		}
	}
	return cfg, nil
}

func (c *Config) policiesOptions(log *slog.Logger) (policies.Options, error) {
	p := c.Policies
	o := policies.Options{
		Dirs:        p.Policies,
		NoBundled:   p.NoBundled,
		Timeout:     p.PolicyTimeout.Duration,
		Parallelism: p.PolicyParallelism,
		OmitPasses:  !p.PolicyReportPasses,
		Logger:      log,
		Params: policies.Params{
			AllowedRegistries:   p.AllowedRegistries,
			AllowedCapabilities: p.AllowedCapabilities,
			ExcludedNamespaces:  p.PolicyExcludeNamespaces,
			Disable:             p.DisablePolicies,
		},
	}
	for i, s := range p.RequiredLabels {
		l, err := policies.ParseLabelRequirement(s)
		if err != nil {
			return o, fmt.Errorf("%w: policies.required-labels[%d]: %w", ErrInvalidConfig, i, err)
		}
		o.Params.RequiredLabels = append(o.Params.RequiredLabels, l)
	}
	return o, nil
}

// AuditConfig is the audit configuration the file describes, for callers
// that run an audit of their own (propose).
func (c *Config) AuditConfig(log *slog.Logger) (audit.Config, error) {
	return c.auditConfig(log)
}
