package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/clusterscribe/clusterscribe/restore"
	"github.com/clusterscribe/clusterscribe/watcher"
)

type restoreOptions struct {
	cfg           restore.Config
	qps           float64
	existing      string
	ageIdentities []string
	output        string
}

// bindSourceFlags registers where a backup is read from; restore and
// history share them.
func bindSourceFlags(fs *pflag.FlagSet, s *restore.Source) {
	fs.StringVar(&s.Repo, "repo", "", "backup repository: a local directory (working or bare repository) or a remote URL (file://, https://, ssh://, user@host:path)")
	fs.StringVar(&s.Ref, "ref", restore.DefaultRef, "branch, tag or commit to read (as git rev-parse reads it; a ref wins over an abbreviated hash)")
	fs.StringVar(&s.Cluster, "cluster-name", "", "the cluster's top directory in the branch (default: the only one)")
	fs.StringVar(&s.Workdir, "workdir", "", "where a remote repository is cloned (default: the user cache directory)")
	bindGitAuthFlags(fs, &s.Auth, "")
}

func (o *restoreOptions) bindFlags(fs *pflag.FlagSet) {
	c := &o.cfg
	bindSourceFlags(fs, &c.Source)
	fs.StringSliceVar(&c.Filters.IncludeKinds, "include-kinds", nil,
		`restore only these kinds: "kind", "kind.group" or "*.group" (e.g. Deployment,widget.example.com,*.apps; "kind.core" for the core group only)`)
	fs.StringSliceVar(&c.Filters.ExcludeKinds, "exclude-kinds", nil, "do not restore these kinds (same syntax as --include-kinds; wins over it)")
	fs.StringSliceVar(&c.Filters.Namespaces, "namespaces", nil,
		"restore only these namespaces, as globs (e.g. team-*); applies to namespaced objects and to Namespace objects by name")
	fs.StringSliceVar(&c.Filters.ExcludeNamespaces, "exclude-namespaces", nil, "do not restore these namespaces, as globs; wins over --namespaces")
	fs.StringVarP(&c.Filters.Selector, "selector", "l", "", "restore only objects whose labels match this selector (e.g. app=web)")
	fs.BoolVar(&c.DryRun, "dry-run", false, "report what would be created or changed (server-side dry run); change nothing")
	fs.StringVar(&o.existing, "existing", string(restore.ExistingSkip), "objects that already exist: skip (leave them) or update (apply the backup's version)")
	fs.StringSliceVar(&o.ageIdentities, "age-identity", nil, "age identity file that decrypts encrypted Secrets; repeatable")
	fs.BoolVar(&c.IncludeControlPlane, "include-control-plane", false,
		"also restore what the API server makes and keeps for itself (its own Service and CA ConfigMaps, "+
			"Service IP allocations, automanaged APIServices); skipped by default")
	fs.Float64Var(&o.qps, "qps", watcher.DefaultQPS, "client-side limit of API requests per second")
	fs.IntVar(&c.Burst, "burst", watcher.DefaultBurst, "client-side burst of API requests")
	fs.DurationVar(&c.CRDTimeout, "crd-timeout", restore.DefaultCRDTimeout, "how long restored CRDs may take to be Established")
	fs.StringVarP(&o.output, "output", "o", string(restore.FormatTable), "report format: table, wide (every object) or json")
}

func (o *restoreOptions) complete() (restore.Format, error) {
	o.cfg.QPS = float32(o.qps)
	existing, err := restore.ParseExisting(o.existing)
	if err != nil {
		return "", err
	}
	o.cfg.Existing = existing
	format, err := restore.ParseFormat(o.output)
	if err != nil {
		return "", err
	}
	if len(o.ageIdentities) > 0 {
		if o.cfg.Identities, err = restore.LoadIdentities(o.ageIdentities...); err != nil {
			return "", fmt.Errorf("--age-identity: %w", err)
		}
	}
	return format, nil
}

func newRestoreCommand(g *globals) *cobra.Command {
	o := &restoreOptions{}
	cmd := &cobra.Command{
		Use:   "restore --repo <path|URL> [--ref branch|tag|commit] [--cluster-name X] [--dry-run] [--existing skip|update]",
		Short: "Rebuild a cluster from the backup branch",
		Long: "restore applies the objects of one commit of the backup branch to the current cluster with\n" +
			"server-side apply (field manager \"clusterscribe\"), in dependency order: CRDs (waited for until\n" +
			"Established), Namespaces, cluster RBAC, ServiceAccounts, Secrets and ConfigMaps, volumes,\n" +
			"workloads, Services, then everything else. It never deletes. Redacted Secrets are skipped and\n" +
			"listed; encrypted ones are decrypted with --age-identity. An object that fails is reported and\n" +
			"the rest continues; the exit status is non-zero when any object failed.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, err := o.complete()
			if err != nil {
				return err
			}
			log, err := g.logger()
			if err != nil {
				return err
			}
			restCfg, err := g.kube.ToRESTConfig()
			if err != nil {
				return fmt.Errorf("kubeconfig: %w", err)
			}
			o.cfg.Logger = log
			sum, runErr := restore.Run(cmd.Context(), restCfg, o.cfg)
			if runErr != nil && !errors.Is(runErr, restore.ErrIncomplete) && len(sum.Results) == 0 {
				return runErr
			}
			if err := restore.WriteReport(g.streams.Out, sum, format); err != nil {
				return errors.Join(runErr, fmt.Errorf("write report: %w", err))
			}
			return runErr
		},
	}
	o.bindFlags(cmd.Flags())
	return cmd
}
