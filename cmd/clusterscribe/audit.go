package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/clusterscribe/clusterscribe/audit"
	"github.com/clusterscribe/clusterscribe/audit/declared"
	"github.com/clusterscribe/clusterscribe/internal/option"
	"github.com/clusterscribe/clusterscribe/operate"
	"github.com/clusterscribe/clusterscribe/policies"
	"github.com/clusterscribe/clusterscribe/restore"
)

// Exit codes of audit: a CI pipeline gates on them.
const (
	exitNoDrift = 0
	exitDrift   = 1
	exitFailed  = 2
)

// errDrift is what audit returns when it found drift.
var errDrift = errors.New("drift found")

// auditFlags are the options of the audit that audit and propose both run
// (propose audits first, so the two agree on what drifted): audit's own,
// the scope it shares with record, and -o.
type auditFlags struct {
	shared operate.Shared
	audit  audit.Options
	out    *outputFlags
}

// bindFlags binds the options of the audit, as their packages declare
// them.
func (a *auditFlags) bindFlags(fs *pflag.FlagSet) {
	a.shared = operate.DefaultShared()
	option.Bind(fs, "", &a.audit)
	option.Bind(fs, "", &a.shared)
}

// check checks --declared (what says what it takes when it is missing)
// and -o.
func (a *auditFlags) check(what string) error {
	if a.audit.Declared == "" {
		return errors.New("--declared is required: " + what)
	}
	if _, err := declared.ParseSource(a.audit.Declared); err != nil {
		return err // it names --declared
	}
	_, err := a.out.validate()
	return err
}

// inNamespace sets the namespace of declared objects that name none: the
// kubeconfig's (or -n's).
func inNamespace(cfg *audit.Config, g *globals) {
	if ns, _, err := g.kube.ToRawKubeConfigLoader().Namespace(); err == nil {
		cfg.Namespace = ns
	}
}

// ready gives cfg, the audit the flags describe, what it needs to run:
// the logger, the policy engine when evaluate, and who changed what from
// --backup-repo.
func (a *auditFlags) ready(ctx context.Context, cfg *audit.Config, log *slog.Logger, pol policies.Options, evaluate bool) error {
	cfg.Logger = log
	if evaluate {
		pol.Logger = log
		engine, err := policies.Load(ctx, pol)
		if err != nil {
			return err
		}
		cfg.Policies = engine
	}
	var err error
	cfg.ChangedBy, err = readPeople(ctx, a.audit.BackupRepo)
	return err
}

type auditOptions struct {
	auditFlags
	cfg      audit.Config
	policies operate.PoliciesConfig
}

// bindFlags binds the options audit shares with record and propose, and
// its own, as their packages declare them.
func (o *auditOptions) bindFlags(fs *pflag.FlagSet) {
	o.auditFlags.bindFlags(fs)
	o.policies.Options = policies.DefaultOptions()
	option.Bind(fs, "", &o.policies)
}

// complete turns flags into a checked configuration.
func (o *auditOptions) complete(g *globals) error {
	if err := o.check("a directory of manifests or a Git URL (e.g. --declared https://git.example.com/org/fleet.git@main)"); err != nil {
		return err
	}
	var err error
	if o.cfg, err = o.shared.ForAudit(o.audit); err != nil {
		return err
	}
	inNamespace(&o.cfg, g)
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
			return exitWith(o.run(cmd, g))
		},
	}
	o.bindFlags(cmd.Flags())
	o.out = addOutputFlags(cmd, reportFormats()...)
	o.out.bindFormatAlias(cmd)
	return cmd
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
	evaluate := o.policies.Evaluating() || o.policies.WritePolicyReports
	if err := o.ready(cmd.Context(), &o.cfg, log, o.policies.Options, evaluate); err != nil {
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
	if o.policies.WritePolicyReports {
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
