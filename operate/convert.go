package operate

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/clusterscribe/clusterscribe/audit"
	"github.com/clusterscribe/clusterscribe/internal/option"
	"github.com/clusterscribe/clusterscribe/policies"
	"github.com/clusterscribe/clusterscribe/record"
)

// The configuration turned into the jobs' own options. These run after
// Validate and name keys in their errors too.

func (c *Config) recordConfig(log *slog.Logger) (record.Config, error) {
	cfg, err := c.ForRecord(c.Record)
	if err != nil {
		return cfg, invalid(err, "record")
	}
	cfg.Logger = log
	return cfg, nil
}

func (c *Config) auditConfig(log *slog.Logger) (audit.Config, error) {
	cfg, err := c.ForAudit(c.Audit.Options)
	if err != nil {
		return cfg, invalid(err, "audit")
	}
	cfg.Logger = log
	return cfg, nil
}

// invalid renders the errors of a section's options as the keys they
// name (Validate has checked the shared ones).
func invalid(err error, section string) error {
	return fmt.Errorf("%w: %w", ErrInvalidConfig, errors.Join(option.Keyed(err, section)...))
}

func (c *Config) policiesOptions(log *slog.Logger) policies.Options {
	o := c.Policies.Options
	o.Logger = log
	return o
}
