package operate

import (
	"context"
	"fmt"

	"github.com/clusterscribe/clusterscribe/audit"
	"github.com/clusterscribe/clusterscribe/restore"
	"github.com/clusterscribe/clusterscribe/watcher/auditwebhook"
)

// prepareReceiver binds the audit webhook receiver when
// record.audit-webhook-addr is set, registers its metrics and hands it to
// the recording and the audit; without it, both attribute from
// managedFields only.
func (o *operator) prepareReceiver() error {
	opts := o.cfg.Record.AuditWebhook
	if !opts.Enabled() {
		o.log.Info("changes and findings are attributed from managedFields only: record.audit-webhook-addr is not set")
		return nil
	}
	recv, err := auditwebhook.New(auditwebhook.Config{Options: opts, Logger: o.log})
	if err != nil {
		return fmt.Errorf("%w: record: %w", ErrInvalidConfig, err)
	}
	o.m.reg.MustRegister(recv.Metrics().Collectors()...)
	o.receiver = recv
	o.recCfg.Attributor = recv
	o.auditCfg.ChangedBy = recv
	return nil
}

// serveReceiver serves the receiver until the returned stop is called.
// Every replica serves it, so that the API server's webhook always finds
// one; only the leader's index is consulted.
func (o *operator) serveReceiver(ctx context.Context) (stop func()) {
	if o.receiver == nil {
		return func() {}
	}
	return o.receiver.Start(ctx)
}

// withPeople gives an audit the people of the backup branch's commit
// lines (audit.backup-repo), read afresh, when there is no receiver.
func (o *operator) withPeople(ctx context.Context, cfg audit.Config) audit.Config {
	if o.receiver != nil || o.cfg.Audit.BackupRepo == "" {
		return cfg
	}
	people, err := restore.ReadPeople(ctx, restore.Source{Repo: o.cfg.Audit.BackupRepo, Auth: o.cfg.Record.Auth})
	if err != nil {
		o.log.Warn("findings name field managers only: audit.backup-repo could not be read", "error", err)
		return cfg
	}
	cfg.ChangedBy = people
	return cfg
}
