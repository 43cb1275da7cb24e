package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/clusterscribe/clusterscribe/internal/kube"
	"github.com/clusterscribe/clusterscribe/record"
	"github.com/clusterscribe/clusterscribe/serializer"
	"github.com/clusterscribe/clusterscribe/watcher"
)

type recordOptions struct {
	cfg          record.Config
	qps          *float64
	secrets      string
	disableRules []string
	dropRules    []string
}

func (o *recordOptions) bindFlags(fs *pflag.FlagSet) {
	c := &o.cfg
	fs.StringVar(&c.Committer.Repo, "repo", "", "backup repository: a local directory (created when missing) or a remote URL (file://, https://, ssh://, user@host:path)")
	fs.StringVar(&c.Committer.Branch, "branch", record.DefaultBranch, "backup branch, created when missing")
	fs.StringVar(&c.Committer.Workdir, "workdir", "", "where a remote repository is cloned (default: the user cache directory)")
	bindClusterName(fs, &c.Cluster, "this cluster's top directory in the branch; several clusters may share one branch")
	fs.BoolVar(&c.Once, "once", false, "take one snapshot, commit, push and exit")
	fs.DurationVar(&c.BatchWindow, "batch-window", record.DefaultBatchWindow, "how long changes gather before one commit")
	fs.DurationVar(&c.ShutdownGrace, "shutdown-grace", record.DefaultShutdownGrace, "time allowed for the last commit and push on exit")
	fs.StringVar(&c.Committer.AuthorName, "author-name", "clusterscribe", "commit author name")
	fs.StringVar(&c.Committer.AuthorEmail, "author-email", "clusterscribe@localhost", "commit author email")
	bindGitAuthFlags(fs, &c.Committer.Auth, "")

	var qps float64
	fs.Float64Var(&qps, "qps", kube.DefaultQPS, "client-side limit of API requests per second")
	fs.IntVar(&c.Watcher.Burst, "burst", kube.DefaultBurst, "client-side burst of API requests")
	fs.Int64Var(&c.Watcher.PageSize, "page-size", watcher.DefaultPageSize, "objects per page of the initial lists")
	o.qps = &qps

	fs.StringVar(&o.secrets, "secrets", string(serializer.SecretsRedact), "how Secret values are written: redact, encrypt (age; needs --age-recipient) or omit")
	fs.StringSliceVar(&c.Serializer.AgeRecipients, "age-recipient", nil, "age recipient (age1…) Secrets are encrypted to; repeatable")
	fs.StringSliceVar(&o.disableRules, "disable-rules", nil, "default normalization rules to switch off, by name")
	fs.StringSliceVar(&o.dropRules, "drop", nil, "extra fields to drop, as Kind.group:/json/pointer (or :/pointer for every kind); repeatable")
	c.Filters.BindFlags(fs)
	c.AuditWebhook.BindFlags(fs)
}

func (o *recordOptions) complete(cmd *cobra.Command, g *globals) error {
	if strings.TrimSpace(o.cfg.Committer.Repo) == "" {
		return errors.New("--repo is required: where the backup goes, a directory (created when missing) or a Git URL (e.g. --repo ./backup)")
	}
	if ns, set := namespaceFlag(cmd, g); set {
		if len(o.cfg.Filters.Namespaces) > 0 {
			return errors.New("-n/--namespace and --namespaces exclude each other: -n records one namespace, --namespaces several")
		}
		o.cfg.Filters.Namespaces = []string{ns}
	}
	o.cfg.Watcher.QPS = float32(*o.qps)
	switch mode := serializer.SecretMode(strings.ToLower(o.secrets)); mode {
	case serializer.SecretsRedact, serializer.SecretsEncrypt, serializer.SecretsOmit:
		o.cfg.Serializer.Secrets = mode
	default:
		return fmt.Errorf("--secrets: %q is not one of redact, encrypt, omit", o.secrets)
	}
	o.cfg.Serializer.DisableRules = o.disableRules
	for _, s := range o.dropRules {
		rule, err := serializer.ParseRule(s)
		if err != nil {
			return fmt.Errorf("--drop %q: %w", s, err)
		}
		o.cfg.Serializer.ExtraRules = append(o.cfg.Serializer.ExtraRules, rule)
	}
	return nil
}

func newRecordCommand(g *globals) *cobra.Command {
	o := &recordOptions{}
	cmd := &cobra.Command{
		Use:   "record --repo <path|URL> [--branch B] [--cluster-name X] [-n NS] [--once]",
		Short: "Keep a backup branch in step with the live cluster",
		Long: "record watches the cluster (one LIST and one WATCH per kind, rate limited) and commits one clean,\n" +
			"normalized YAML file per object to the backup branch, one commit per batch window.\n" +
			"Secrets are redacted by default. With --once it takes one snapshot, commits, pushes and exits.\n" +
			"-n records one namespace, as --namespaces does (cluster-scoped objects stay in scope); without\n" +
			"it, every namespace.",
		Example: "  # one snapshot into a local repository\n" +
			"  clusterscribe record --repo ./backup --once\n\n" +
			"  # keep a remote branch in step, Secrets encrypted for age recipients\n" +
			"  clusterscribe record --repo https://git.example.com/org/backup.git --git-token-env GIT_TOKEN \\\n" +
			"    --secrets encrypt --age-recipient age1...\n\n" +
			"  # one namespace only\n" +
			"  clusterscribe record --repo ./backup -n shop --once",
		Annotations: map[string]string{annotationNamespaced: "the one namespace recorded"},
		Args:        cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.complete(cmd, g); err != nil {
				return usageError(err)
			}
			log, restCfg, err := g.connect(cmd.Context())
			if err != nil {
				return err
			}
			o.cfg.Logger = log
			p := g.progress(log, "initial sync")
			o.cfg.Watcher.Progress = p.listed
			defer p.done()
			return record.Run(cmd.Context(), restCfg, o.cfg)
		},
	}
	o.bindFlags(cmd.Flags())
	return cmd
}
