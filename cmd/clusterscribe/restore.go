package main

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"k8s.io/client-go/rest"

	"github.com/clusterscribe/clusterscribe/filters"
	"github.com/clusterscribe/clusterscribe/internal/kube"
	"github.com/clusterscribe/clusterscribe/internal/option"
	"github.com/clusterscribe/clusterscribe/restore"
)

type restoreOptions struct {
	cfg           restore.Config
	existing      string
	dryRun        string
	ageIdentities []string
	out           *outputFlags
}

// bindSourceFlags registers where a backup is read from; restore and
// history share them.
func bindSourceFlags(fs *pflag.FlagSet, s *restore.Source) {
	fs.StringVar(&s.Repo, "repo", "", "backup repository: a local directory (working or bare repository) or a remote URL (file://, https://, ssh://, user@host:path)")
	fs.StringVar(&s.Ref, "ref", restore.DefaultRef, "branch, tag or commit to read (as git rev-parse reads it; a ref wins over an abbreviated hash)")
	fs.StringVar(&s.Cluster, "cluster-name", "", "the cluster's top directory in the branch (default: the only one; record writes \"default\" unless told otherwise)")
	fs.StringVar(&s.Workdir, "workdir", "", "where a remote repository is cloned (default: the user cache directory)")
	bindGitAuthFlags(fs, &s.Auth, "")
}

// errRepoRequired is the error of restore and history without --repo.
var errRepoRequired = errors.New("--repo is required: the backup repository, a directory or a Git URL (e.g. --repo ./backup)")

// --dry-run values, as kubectl takes them.
const (
	dryRunNone   = "none"
	dryRunClient = "client"
	dryRunServer = "server"
)

func (o *restoreOptions) bindFlags(fs *pflag.FlagSet) {
	c := &o.cfg
	bindSourceFlags(fs, &c.Source)
	bindRestoreFilters(fs, &c.Filters)
	fs.StringVar(&o.dryRun, "dry-run", dryRunNone, `"server": send every write as a server-side dry run and report what would change, changing nothing; `+
		`"client": list what would be applied, in order, without contacting the cluster (no kubeconfig needed); "none": restore`)
	fs.Lookup("dry-run").NoOptDefVal = "unchanged"
	fs.StringVar(&o.existing, "existing", string(restore.ExistingSkip), "objects that already exist: skip (leave them) or update (apply the backup's version)")
	fs.StringSliceVar(&o.ageIdentities, "age-identity", nil, "age identity file that decrypts encrypted Secrets; repeatable (default: $"+envSOPSAgeKeyFile+", else sops' keys.txt when present)")
	fs.BoolVar(&c.IncludeControlPlane, "include-control-plane", false,
		"also restore what the API server makes and keeps for itself (its own Service and CA ConfigMaps, "+
			"Service IP allocations, automanaged APIServices); skipped by default")
	c.QPS, c.Burst = kube.DefaultAdaptiveQPS, kube.DefaultAdaptiveBurst
	option.Bind(fs, "", c) // qps, burst
	fs.DurationVar(&c.CRDTimeout, "crd-timeout", restore.DefaultCRDTimeout, "how long restored CRDs may take to be Established")
}

// restoreFilters are the filters restore takes: by kind, namespace and
// labels. The default exclusions do not apply to a backup (what is in it
// was chosen when it was recorded).
var restoreFilters = []string{
	option.NameOf[filters.Options]("IncludeKinds"),
	option.NameOf[filters.Options]("ExcludeKinds"),
	option.NameOf[filters.Options]("Namespaces"),
	option.NameOf[filters.Options]("ExcludeNamespaces"),
	option.NameOf[filters.Options]("Selector"),
}

// bindRestoreFilters binds restoreFilters, declared by filters.Options,
// their help worded for restore: "keep only" is "restore only" there.
func bindRestoreFilters(fs *pflag.FlagSet, f *filters.Options) {
	reword := strings.NewReplacer("keep only", "restore only", "drop", "do not restore")
	opts := slices.DeleteFunc(option.Walk(f, ""), func(o option.Option) bool { return !slices.Contains(restoreFilters, o.Path) })
	for i := range opts {
		opts[i].Help = reword.Replace(opts[i].Help)
	}
	option.BindOptions(fs, opts)
}

// complete checks the flags and the object references in args.
func (o *restoreOptions) complete(cmd *cobra.Command, g *globals, args []string) error {
	if strings.TrimSpace(o.cfg.Source.Repo) == "" {
		return errRepoRequired
	}
	if _, err := filters.New(o.cfg.Filters); err != nil {
		return err
	}
	existing, err := restore.ParseExisting(o.existing)
	if err != nil {
		return err
	}
	o.cfg.Existing = existing
	switch o.dryRun {
	case dryRunNone:
	case dryRunServer:
		o.cfg.DryRun = restore.DryRunServer
	case dryRunClient:
		o.cfg.DryRun = restore.DryRunClient
	case "unchanged":
		return errors.New("--dry-run needs a value, as in kubectl: --dry-run=server (the cluster says what would change), --dry-run=client (the plan, without contacting the cluster) or --dry-run=none")
	default:
		return fmt.Errorf("--dry-run: %q is not one of none, client, server", o.dryRun)
	}
	if _, err := o.out.validate(); err != nil {
		return err
	}
	if err := o.namespaceScope(cmd, g, args); err != nil {
		return err
	}
	for _, a := range args {
		q, err := parseRef(g, a)
		if err != nil {
			return err
		}
		o.cfg.Objects = append(o.cfg.Objects, q)
	}
	if !cmd.Flags().Changed("age-identity") {
		if f := sopsAgeKeyFile(); f != "" {
			o.ageIdentities = []string{f}
		}
	}
	if len(o.ageIdentities) > 0 {
		if o.cfg.Identities, err = restore.LoadIdentities(o.ageIdentities...); err != nil {
			return fmt.Errorf("--age-identity: %w", err)
		}
	}
	return nil
}

// namespaceScope narrows a restore of the whole backup to -n's namespace.
func (o *restoreOptions) namespaceScope(cmd *cobra.Command, g *globals, args []string) error {
	ns, set := namespaceFlag(cmd, g)
	if !set || len(args) > 0 {
		return nil
	}
	if len(o.cfg.Filters.Namespaces) > 0 {
		return errors.New("-n/--namespace and --namespaces exclude each other: -n restores one namespace, --namespaces several")
	}
	o.cfg.Filters.Namespaces = []string{ns}
	return nil
}

func newRestoreCommand(g *globals) *cobra.Command {
	o := &restoreOptions{}
	cmd := &cobra.Command{
		Use:   "restore [TYPE/NAME]... --repo <path|URL> [--ref branch|tag|commit] [-n NS] [--dry-run=none|server|client] [--existing skip|update]",
		Short: "Rebuild a cluster from the backup branch",
		Long: "restore applies the objects of one commit of the backup branch to the current cluster with\n" +
			"server-side apply (field manager \"clusterscribe\"), in dependency order: CRDs (waited for until\n" +
			"Established), Namespaces, cluster RBAC, ServiceAccounts, Secrets and ConfigMaps, volumes,\n" +
			"workloads, Services, then everything else; the objects of one step at once, at the pace the API\n" +
			"server allows (--qps is a cap; the rate halves on 429 and recovers). It never deletes.\n" +
			"Redacted Secrets are skipped and listed; encrypted ones are decrypted with --age-identity.\n" +
			"An object that fails is reported and the rest continues; the exit status is non-zero when\n" +
			"any object failed.\n\n" +
			"Objects may be named as kubectl names them (TYPE/NAME, resolved in -n's namespace): only those\n" +
			"are restored. Without objects, -n restores one namespace, as --namespaces does (cluster-scoped\n" +
			"objects stay in scope).",
		Example: "  # what a restore of the latest backup would change, without changing anything\n" +
			"  clusterscribe restore --repo https://git.example.com/org/backup.git --dry-run=server\n\n" +
			"  # the plan (scope and order) of a restore, without a cluster\n" +
			"  clusterscribe restore --repo ./backup --dry-run=client -o wide\n\n" +
			"  # one namespace, from yesterday's commit, updating what exists\n" +
			"  clusterscribe restore --repo ./backup --ref 3f2a9c1d -n shop --existing update\n\n" +
			"  # one Deployment and its ConfigMap\n" +
			"  clusterscribe restore --repo ./backup -n shop deploy/web cm/web-config -o json",
		Annotations: map[string]string{annotationNamespaced: "the namespace objects are resolved in, or restored"},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.complete(cmd, g, args); err != nil {
				return usageError(err)
			}
			return o.run(cmd, g)
		},
	}
	o.bindFlags(cmd.Flags())
	o.out = addOutputFlags(cmd, string(restore.FormatTable), string(restore.FormatWide))
	return cmd
}

func (o *restoreOptions) run(cmd *cobra.Command, g *globals) error {
	log, err := g.logger()
	if err != nil {
		return err
	}
	var restCfg *rest.Config // a client-side dry run does not contact the cluster
	if o.cfg.DryRun != restore.DryRunClient {
		if restCfg, err = g.restConfig(cmd.Context()); err != nil {
			return err
		}
	}
	o.cfg.Logger = log
	p := g.progress(log, "restore")
	o.cfg.Progress = p.count
	sum, runErr := restore.Run(cmd.Context(), restCfg, o.cfg)
	p.done()
	if runErr != nil && !errors.Is(runErr, restore.ErrIncomplete) && len(sum.Results) == 0 {
		return runErr
	}
	format := restore.Format(strings.Replace(o.out.Format, formatYAML, formatJSON, 1))
	if err := o.out.write(g.streams.Out, func(w io.Writer) error { return restore.WriteReport(w, sum, format) }); err != nil {
		return errors.Join(runErr, fmt.Errorf("write report: %w", err))
	}
	return runErr
}
