package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/policies"
)

// Exit codes of policy test: a CI pipeline gates on them.
const (
	exitPolicyPass  = 0
	exitPolicyFail  = 1
	exitPolicyError = 2
)

// errPolicyFailed is what policy test returns when a policy failed.
var errPolicyFailed = errors.New("policies failed")

func newPolicyCommand(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Evaluate compliance policies (OPA/Rego) on manifests",
		Long: "policy evaluates the bundled policy set (CIS Kubernetes Benchmark, NSA/CISA hardening guide,\n" +
			"Pod Security Standards) and user policies (conftest-style Rego, Gatekeeper ConstraintTemplates\n" +
			"and Constraints) on Kubernetes manifests.",
		Example: "  clusterscribe policy list\n" +
			"  clusterscribe policy test manifests/\n" +
			"  kubectl kustomize deploy/ | clusterscribe policy test -o sarif --output-file policy.sarif -",
	}
	cmd.AddCommand(newPolicyTestCommand(g), newPolicyListCommand(g), newPolicyVerifyCommand(g))
	return cmd
}

type policyTestOptions struct {
	policies policies.Options
	out      *outputFlags
}

func newPolicyTestCommand(g *globals) *cobra.Command {
	o := &policyTestOptions{}
	cmd := &cobra.Command{
		Use:   "test [--policies DIR]... [--no-bundled] [-o " + strings.Join(reportFormats(), "|") + "] [--output-file FILE] FILE|DIR|-...",
		Short: "Evaluate policies on manifests on disk, without a cluster (for CI)",
		Long: "policy test reads manifests (YAML or JSON files, directories of them, - for standard input),\n" +
			"evaluates every policy on every object it applies to and writes a report. Cross-object\n" +
			"policies (namespaces without a NetworkPolicy, Gatekeeper's data.inventory) see all the\n" +
			"objects read. Secret values are redacted before any policy sees them.\n\n" +
			"Exit status: 0 nothing failed, 1 a deny or violation fired (or a policy could not be\n" +
			"evaluated on an object), 2 error: policies that do not compile, unreadable manifests, usage errors.",
		Example: "  clusterscribe policy test manifests/ deploy.yaml\n" +
			"  helm template ./chart | clusterscribe policy test -\n" +
			"  clusterscribe policy test --policies policy/ --no-bundled -o junit --output-file policy.xml manifests/",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return errors.New("policy test needs manifest files or directories (- for standard input)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := o.out.validate(); err != nil {
				return err
			}
			return exitWith(o.run(cmd, g, args))
		},
	}
	o.policies = policies.DefaultOptions()
	o.policies.BindFlags(cmd.Flags())
	o.out = addOutputFlags(cmd, reportFormats()...)
	o.out.bindFormatAlias(cmd)
	return cmd
}

// run evaluates, writes the report and returns the exit code.
func (o *policyTestOptions) run(cmd *cobra.Command, g *globals, args []string) (int, error) {
	log, err := g.logger()
	if err != nil {
		return exitPolicyError, err
	}
	o.policies.Logger = log
	ctx := cmd.Context()
	engine, err := policies.Load(ctx, o.policies)
	if err != nil {
		return exitPolicyError, err
	}
	manifests, problems, err := policies.ReadManifests(args, g.streams.In)
	if err != nil {
		return exitPolicyError, err
	}
	fs, stats, evalProblems, err := engine.EvaluateManifests(ctx, manifests)
	if err != nil {
		return exitPolicyError, err
	}
	rep := &findings.Report{
		GeneratedAt: time.Now().UTC(),
		Findings:    fs,
		Problems:    append(problems, evalProblems...),
		Policies:    stats,
		PolicySet:   engine.PolicySet(fmt.Sprintf("manifests %s: %d objects", strings.Join(args, ", "), len(manifests))),
	}
	if err := writeFindings(g, o.out, rep); err != nil {
		return exitPolicyError, err
	}
	failed := 0
	for _, f := range rep.Findings {
		if f.Policy != nil && f.Policy.Outcome.Failing() {
			failed++
		}
	}
	switch {
	case len(problems) > 0:
		return exitPolicyError, fmt.Errorf("%d manifest(s) could not be read (see the report)", len(problems))
	case rep.HasFailures():
		return exitPolicyFail, fmt.Errorf("%w: %d finding(s) on %d object(s)", errPolicyFailed, failed, len(manifests))
	}
	return exitPolicyPass, nil
}

func newPolicyListCommand(g *globals) *cobra.Command {
	opts := policies.DefaultOptions()
	var out *outputFlags
	cmd := &cobra.Command{
		Use:     "list [--policies DIR]... [--no-bundled] [-o table|json|yaml]",
		Short:   "List the policies that would be evaluated, with their severity and controls",
		Example: "  clusterscribe policy list\n  clusterscribe policy list --policies policy/ -o yaml",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := out.validate(); err != nil {
				return err
			}
			log, err := g.logger()
			if err != nil {
				return &exitError{code: exitPolicyError, err: err}
			}
			opts.Logger = log
			engine, err := policies.Load(cmd.Context(), opts)
			if err != nil {
				return &exitError{code: exitPolicyError, err: err}
			}
			list := engine.Policies()
			return out.show(g.streams.Out, list, func(w io.Writer) error { return writePolicyTable(w, list) })
		},
	}
	opts.BindFlags(cmd.Flags())
	out = addOutputFlags(cmd, "table")
	return cmd
}

// writePolicyTable lists policies one a line.
func writePolicyTable(w io.Writer, list []policies.Policy) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if _, err := fmt.Fprintln(tw, "ID\tSEVERITY\tCONTROLS\tTITLE"); err != nil {
		return err
	}
	for _, p := range list {
		controls := make([]string, len(p.Controls))
		for i, c := range p.Controls {
			controls[i] = c.Framework + ":" + c.ID
		}
		if _, err := fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.ID, p.Severity, strings.Join(controls, ","), p.Title); err != nil {
			return err
		}
	}
	return tw.Flush()
}
