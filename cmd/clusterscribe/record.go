package main

import (
	"errors"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/clusterscribe/clusterscribe/internal/option"
	"github.com/clusterscribe/clusterscribe/operate"
	"github.com/clusterscribe/clusterscribe/record"
)

type recordOptions struct {
	shared operate.Shared
	opts   record.Options
	once   bool
	cfg    record.Config
}

// bindFlags binds the options record shares with audit and propose, and
// its own, as their packages declare them; --once is the command's.
func (o *recordOptions) bindFlags(fs *pflag.FlagSet) {
	o.shared, o.opts = operate.DefaultShared(), record.DefaultOptions()
	option.Bind(fs, "", &o.opts)
	fs.BoolVar(&o.once, "once", false, "take one snapshot, commit, push and exit")
	option.Bind(fs, "", &o.shared)
}

func (o *recordOptions) complete(cmd *cobra.Command, g *globals) error {
	if strings.TrimSpace(o.opts.Repo) == "" {
		return errors.New("--repo is required: where the backup goes, a directory (created when missing) or a Git URL (e.g. --repo ./backup)")
	}
	if ns, set := namespaceFlag(cmd, g); set {
		if len(o.shared.Filters.Namespaces) > 0 {
			return errors.New("-n/--namespace and --namespaces exclude each other: -n records one namespace, --namespaces several")
		}
		o.shared.Filters.Namespaces = []string{ns}
	}
	cfg, err := o.shared.ForRecord(o.opts)
	if err != nil {
		return err
	}
	cfg.Once = o.once
	o.cfg = cfg
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
