package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/clusterscribe/clusterscribe/audit"
	"github.com/clusterscribe/clusterscribe/audit/declared"
	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/audit/ignore"
	"github.com/clusterscribe/clusterscribe/audit/report"
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
	format       string
	output       string
	ignoreFile   string
	disableRules []string
	dropRules    []string
	renderer     report.Renderer
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
	fs.StringVar(&c.Cluster, "cluster-name", "", "the cluster's name in the report (default: the kubeconfig context)")

	fs.StringVar(&o.format, "format", "text", "report format: "+strings.Join(report.Formats(), ", "))
	fs.StringVarP(&o.output, "output", "o", "", "write the report to this file instead of standard output")
	fs.BoolVar(&c.Compare.Strict, "strict", false, "report every difference, also fields the server defaulted, controllers' fields and what the built-in ignore rules excuse")
	fs.BoolVar(&c.ServerSide, "server-side", false, "compare against a server-side dry-run apply of each declared object (exact defaults; one request per object, rate limited)")
	fs.StringVar(&o.ignoreFile, "ignore-rules", "", "file of Argo CD-style ignoreDifferences (group, kind, name, namespace, jsonPointers, managedFieldsManagers)")
	fs.StringSliceVar(&c.Compare.Appliers, "applier", nil,
		"field managers that apply the declared repo with update operations (default: "+strings.Join(audit.DefaultAppliers(), ",")+")")
	fs.StringSliceVar(&c.Compare.Controllers, "controller", nil,
		"field managers whose fields are never drift (default: "+strings.Join(audit.DefaultControllers(), ",")+")")
	fs.StringSliceVar(&o.disableRules, "disable-rules", nil, "default normalization rules to switch off, by name")
	fs.StringSliceVar(&o.dropRules, "drop", nil, "extra fields to drop on both sides, as Kind.group:/json/pointer (or :/pointer for every kind); repeatable")

	fs.Float64Var(&o.qps, "qps", watcher.DefaultQPS, "client-side limit of API requests per second")
	fs.IntVar(&c.Watcher.Burst, "burst", watcher.DefaultBurst, "client-side burst of API requests")
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
		return errors.New("--declared is required")
	}
	if _, err := declared.ParseSource(o.cfg.Declared.Source); err != nil {
		return err
	}
	r, err := report.For(o.format)
	if err != nil {
		return err
	}
	o.renderer = r
	o.cfg.Watcher.QPS = float32(o.qps)
	if o.ignoreFile != "" {
		if o.cfg.Compare.Ignore, err = ignore.LoadFile(o.ignoreFile); err != nil {
			return fmt.Errorf("--ignore-rules: %w", err)
		}
	}
	o.cfg.Compare.Serializer.DisableRules = o.disableRules
	for _, s := range o.dropRules {
		rule, err := serializer.ParseRule(s)
		if err != nil {
			return fmt.Errorf("--drop %q: %w", s, err)
		}
		o.cfg.Compare.Serializer.ExtraRules = append(o.cfg.Compare.Serializer.ExtraRules, rule)
	}
	loader := g.kube.ToRawKubeConfigLoader()
	if ns, _, err := loader.Namespace(); err == nil {
		o.cfg.Namespace = ns
	}
	if o.cfg.Cluster == "" {
		if g.kube.Context != nil && *g.kube.Context != "" {
			o.cfg.Cluster = *g.kube.Context
		} else if raw, err := loader.RawConfig(); err == nil {
			o.cfg.Cluster = raw.CurrentContext
		}
	}
	return nil
}

func newAuditCommand(g *globals) *cobra.Command {
	o := &auditOptions{}
	cmd := &cobra.Command{
		Use:   "audit --declared <dir | git URL>[@ref] [--path sub/dir] [--format " + strings.Join(report.Formats(), "|") + "] [--output FILE]",
		Short: "Report drift between the live cluster and the declared GitOps repo",
		Long: "audit compares the live cluster with the declared repo (plain YAML, multi-document files and\n" +
			"kustomizations): Modified objects with a diff, the changed fields and who changed them,\n" +
			"MissingLive objects and Unmanaged ones (live, of a declared kind and namespace — or anywhere in a\n" +
			"declared Namespace — and declared nowhere).\n" +
			"Fields the server defaulted are not drift; fields someone set by hand are, even when the\n" +
			"declaration leaves them out.\n\n" +
			"Exit status: 0 no drift, 1 drift found, 2 error (including unreadable manifests when there is no drift).",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return &exitError{code: exitFailed, err: fmt.Errorf("audit takes no arguments, got %q", args)}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.complete(g); err != nil {
				return &exitError{code: exitFailed, err: err}
			}
			code, err := o.run(cmd, g)
			if err != nil || code != exitNoDrift {
				return &exitError{code: code, err: err}
			}
			return nil
		},
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &exitError{code: exitFailed, err: err}
	})
	o.bindFlags(cmd.Flags())
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
	log, err := g.logger()
	if err != nil {
		return exitFailed, err
	}
	restCfg, err := g.kube.ToRESTConfig()
	if err != nil {
		return exitFailed, fmt.Errorf("kubeconfig: %w", err)
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
	rep, err := audit.Run(cmd.Context(), restCfg, o.cfg)
	if err != nil {
		return exitFailed, err
	}
	if err := o.write(g.streams.Out, rep); err != nil {
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

// write renders the report to --output (written atomically) or out.
func (o *auditOptions) write(out io.Writer, rep *findings.Report) error {
	if o.output == "" {
		return o.renderer.Render(out, rep)
	}
	dir := filepath.Dir(o.output)
	f, err := os.CreateTemp(dir, "."+filepath.Base(o.output)+".*")
	if err != nil {
		return fmt.Errorf("--output: %w", err)
	}
	defer func() { _ = os.Remove(f.Name()) }()
	if err := o.renderer.Render(f, rep); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("--output: %w", err)
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return fmt.Errorf("--output: %w", err)
	}
	if err := os.Rename(f.Name(), o.output); err != nil {
		return fmt.Errorf("--output: %w", err)
	}
	return nil
}
