package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/clusterscribe/clusterscribe/audit"
	"github.com/clusterscribe/clusterscribe/audit/declared"
	"github.com/clusterscribe/clusterscribe/internal/kube"
	"github.com/clusterscribe/clusterscribe/policies"
	"github.com/clusterscribe/clusterscribe/restore"
	"github.com/clusterscribe/clusterscribe/serializer"
	"github.com/clusterscribe/clusterscribe/watcher"
)

// Exit codes of audit: a CI pipeline gates on them.
const (
	exitNoDrift = 0
	exitDrift   = 1
	exitFailed  = 2
)

// errDrift is what audit returns when it found drift.
var errDrift = errors.New("drift found")

type auditOptions struct {
	cfg          audit.Config
	qps          float64
	out          *outputFlags
	ignoreFile   string
	disableRules []string
	dropRules    []string
	policies     policies.Options
	withBundled  bool
	writeReports bool
	backupRepo   string
}

func (o *auditOptions) bindFlags(fs *pflag.FlagSet) {
	c := &o.cfg
	fs.StringVar(&c.Declared.Source, "declared", "", "the declared state: a directory, or a Git URL with an optional @ref (https://host/org/repo.git@main, file:///srv/repo.git@v1.2, git@host:org/repo.git)")
	fs.StringVar(&c.Declared.Path, "path", "", "sub-directory of the declared repo to audit against (e.g. clusters/prod)")
	fs.StringVar(&c.Declared.Workdir, "workdir", "", "where a Git URL is cloned, then removed (default: the system temporary directory)")
	bindGitAuthFlags(fs, &c.Declared.Auth, "")
	bindClusterName(fs, &c.Cluster, "the cluster's name in the report")

	fs.BoolVar(&c.Compare.Strict, "strict", false, "report every difference, also fields the server defaulted, controllers' fields and what the built-in ignore rules excuse")
	fs.BoolVar(&c.ServerSide, "server-side", false, "compare against a server-side dry-run apply of each declared object (exact defaults; one request per object, rate limited)")
	bindIgnoreRules(fs, &o.ignoreFile)
	fs.StringSliceVar(&c.Compare.Appliers, "applier", nil,
		"field managers that apply the declared repo with update operations (default: "+strings.Join(audit.DefaultAppliers(), ",")+")")
	fs.StringSliceVar(&c.Compare.Controllers, "controller", nil,
		"field managers whose fields are never drift (default: "+strings.Join(audit.DefaultControllers(), ",")+")")
	fs.StringSliceVar(&o.disableRules, "disable-rules", nil, "default normalization rules to switch off, by name")
	fs.StringSliceVar(&o.dropRules, "drop", nil, "extra fields to drop on both sides, as Kind.group:/json/pointer (or :/pointer for every kind); repeatable")

	fs.Float64Var(&o.qps, "qps", kube.DefaultQPS, "client-side limit of API requests per second")
	fs.IntVar(&c.Watcher.Burst, "burst", kube.DefaultBurst, "client-side burst of API requests")
	fs.Int64Var(&c.Watcher.PageSize, "page-size", watcher.DefaultPageSize, "objects per page of the lists")
	c.Filters.BindFlags(fs)
	bindBackupRepoFlag(fs, &o.backupRepo)
	fs.BoolVar(&o.withBundled, "bundled-policies", false, "also evaluate the bundled compliance policies over the live objects in scope (implied by --policies)")
	o.policies.BindFlags(fs)
	fs.BoolVar(&o.writeReports, "write-policy-reports", false,
		"apply the policy results to the cluster as wgpolicyk8s.io/v1alpha2 PolicyReports (implies --bundled-policies); the only write clusterscribe audit can make")
}

// complete turns flags into a checked configuration.
func (o *auditOptions) complete(g *globals) error {
	if o.cfg.Declared.Source == "" {
		return errors.New("--declared is required: a directory of manifests or a Git URL (e.g. --declared https://git.example.com/org/fleet.git@main)")
	}
	if _, err := declared.ParseSource(o.cfg.Declared.Source); err != nil {
		return err // it names --declared
	}
	if _, err := o.out.validate(); err != nil {
		return err
	}
	o.cfg.Watcher.QPS = float32(o.qps)
	var err error
	if o.cfg.Compare.Ignore, err = loadIgnoreRules(o.ignoreFile); err != nil {
		return err
	}
	o.cfg.Compare.Serializer.DisableRules = o.disableRules
	for _, s := range o.dropRules {
		rule, err := serializer.ParseRule(s)
		if err != nil {
			return fmt.Errorf("--drop %q: %w", s, err)
		}
		o.cfg.Compare.Serializer.ExtraRules = append(o.cfg.Compare.Serializer.ExtraRules, rule)
	}
	if ns, _, err := g.kube.ToRawKubeConfigLoader().Namespace(); err == nil {
		o.cfg.Namespace = ns
	}
	return nil
}

func newAuditCommand(g *globals) *cobra.Command {
	o := &auditOptions{}
	cmd := &cobra.Command{
		Use:   "audit --declared <dir | git URL>[@ref] [--path sub/dir] [-o " + strings.Join(reportFormats(), "|") + "] [--output-file FILE]",
		Short: "Report drift between the live cluster and the declared GitOps repo",
		Long: "audit compares the live cluster with the declared repo (plain YAML, multi-document files and\n" +
			"kustomizations): Modified objects with a diff, the changed fields and who changed them,\n" +
			"MissingLive objects and Unmanaged ones (live, of a declared kind and namespace — or anywhere in a\n" +
			"declared Namespace — and declared nowhere).\n" +
			"Fields the server defaulted are not drift; fields someone set by hand are, even when the\n" +
			"declaration leaves them out.\n\n" +
			"Exit status: 0 no drift, 1 drift found, 2 error (including unreadable manifests when there is no drift,\n" +
			"and usage errors).",
		Example: "  # drift of the whole cluster against a Git repo, as text on the terminal\n" +
			"  clusterscribe audit --declared https://git.example.com/org/fleet.git@main --path clusters/prod\n\n" +
			"  # one namespace against a local checkout, SARIF for code scanning\n" +
			"  clusterscribe audit --declared ./fleet --namespaces shop -o sarif --output-file audit.sarif\n\n" +
			"  # with the bundled policies, ignoring what an Argo CD Application ignores\n" +
			"  clusterscribe audit --declared ./fleet --bundled-policies --ignore-rules argocd/app.yaml -o json",
		Annotations: map[string]string{annotationNamespaced: "the default namespace of declared objects that name none"},
		Args:        cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.complete(g); err != nil {
				return usageError(err)
			}
			code, err := o.run(cmd, g)
			if err != nil || code != exitNoDrift {
				return &exitError{code: code, err: err}
			}
			return nil
		},
	}
	o.bindFlags(cmd.Flags())
	o.out = addOutputFlags(cmd, reportFormats()...)
	o.out.bindFormatAlias(cmd)
	return cmd
}

// bindBackupRepoFlag adds --backup-repo: where audit and propose learn who
// changed an object.
func bindBackupRepoFlag(fs *pflag.FlagSet, repo *string) {
	fs.StringVar(repo, "backup-repo", "", "backup repository (record's --repo, branch "+restore.DefaultRef+"): findings name the person who last changed each object, "+
		"from the commit lines a recorder with --audit-webhook-addr writes (without it, only field managers)")
}

// readPeople reads who changed what from the backup branch; nil without a
// repository.
func readPeople(ctx context.Context, repo string) (audit.Attributor, error) {
	if repo == "" {
		return nil, nil
	}
	people, err := restore.ReadPeople(ctx, restore.Source{Repo: repo})
	if err != nil {
		return nil, fmt.Errorf("--backup-repo: %w", err)
	}
	return people, nil
}

// run audits, writes the report and returns the exit code.
func (o *auditOptions) run(cmd *cobra.Command, g *globals) (int, error) {
	log, restCfg, err := g.connect(cmd.Context())
	if err != nil {
		return exitFailed, err
	}
	o.cfg.Logger = log
	if o.withBundled || o.writeReports || len(o.policies.Dirs) > 0 {
		o.policies.Logger = log
		engine, err := policies.Load(cmd.Context(), o.policies)
		if err != nil {
			return exitFailed, err
		}
		o.cfg.Policies = engine
	}
	if o.cfg.ChangedBy, err = readPeople(cmd.Context(), o.backupRepo); err != nil {
		return exitFailed, err
	}
	p := g.progress(log, "audit listing")
	o.cfg.Watcher.Progress = p.listed
	rep, err := audit.Run(cmd.Context(), restCfg, o.cfg)
	p.done()
	if err != nil {
		return exitFailed, err
	}
	if err := writeFindings(g, o.out, rep); err != nil {
		return exitFailed, err
	}
	if o.writeReports {
		n, err := audit.WritePolicyReports(cmd.Context(), restCfg, rep, o.cfg.Watcher.QPS, o.cfg.Watcher.Burst)
		if err != nil {
			return exitFailed, err
		}
		log.Info("policy reports written", "reports", n)
	}
	c := rep.Count()
	switch {
	case rep.HasDrift():
		return exitDrift, fmt.Errorf("%w: %d modified, %d missing live, %d unmanaged", errDrift, c.Modified, c.MissingLive, c.Unmanaged)
	case rep.HasFailures():
		return exitDrift, errors.New("no drift, but policies failed (see the report)")
	case c.Problems > 0:
		return exitFailed, fmt.Errorf("no drift, but %d declared manifest(s) could not be audited (see the report)", c.Problems)
	}
	return exitNoDrift, nil
}
