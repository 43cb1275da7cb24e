package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/audit/report"
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
	}
	cmd.AddCommand(newPolicyTestCommand(g), newPolicyListCommand(g))
	return cmd
}

type policyTestOptions struct {
	policies policies.Options
	format   string
	output   string
	renderer report.Renderer
}

func newPolicyTestCommand(g *globals) *cobra.Command {
	o := &policyTestOptions{}
	cmd := &cobra.Command{
		Use:   "test [--policies DIR]... [--no-bundled] [--format " + strings.Join(report.Formats(), "|") + "] [--output FILE] FILE|DIR|-...",
		Short: "Evaluate policies on manifests on disk, without a cluster (for CI)",
		Long: "policy test reads manifests (YAML or JSON files, directories of them, - for standard input),\n" +
			"evaluates every policy on every object it applies to and writes a report. Cross-object\n" +
			"policies (namespaces without a NetworkPolicy, Gatekeeper's data.inventory) see all the\n" +
			"objects read. Secret values are redacted before any policy sees them.\n\n" +
			"Exit status: 0 nothing failed, 1 a deny or violation fired (or a policy could not be\n" +
			"evaluated on an object), 2 error: policies that do not compile, unreadable manifests.",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return &exitError{code: exitPolicyError, err: errors.New("policy test needs manifest files or directories (- for standard input)")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := report.For(o.format)
			if err != nil {
				return &exitError{code: exitPolicyError, err: err}
			}
			o.renderer = r
			code, err := o.run(cmd, g, args)
			if err != nil || code != exitPolicyPass {
				return &exitError{code: code, err: err}
			}
			return nil
		},
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &exitError{code: exitPolicyError, err: err}
	})
	fs := cmd.Flags()
	o.policies.BindFlags(fs)
	fs.StringVar(&o.format, "format", "text", "report format: "+strings.Join(report.Formats(), ", "))
	fs.StringVarP(&o.output, "output", "o", "", "write the report to this file instead of standard output")
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
	}
	if err := writeReport(g.streams.Out, o.output, o.renderer, rep); err != nil {
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

// writeReport renders rep to path (written atomically: a temporary file
// renamed into place) or, without a path, to out.
func writeReport(out io.Writer, path string, r report.Renderer, rep *findings.Report) error {
	if path == "" {
		return r.Render(out, rep)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("--output: %w", err)
	}
	defer func() { _ = os.Remove(f.Name()) }()
	if err := r.Render(f, rep); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("--output: %w", err)
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return fmt.Errorf("--output: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("--output: %w", err)
	}
	return nil
}

func newPolicyListCommand(g *globals) *cobra.Command {
	var opts policies.Options
	var output string
	cmd := &cobra.Command{
		Use:   "list [--policies DIR]... [--no-bundled] [-o json]",
		Short: "List the policies that would be evaluated, with their severity and controls",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output != "" && output != "json" {
				return &exitError{code: exitPolicyError, err: fmt.Errorf("--output: %q is not one of json or empty", output)}
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
			if output == "json" {
				enc := json.NewEncoder(g.streams.Out)
				enc.SetIndent("", "  ")
				return enc.Encode(engine.Policies())
			}
			tw := tabwriter.NewWriter(g.streams.Out, 0, 4, 2, ' ', 0)
			if _, err := fmt.Fprintln(tw, "ID\tSEVERITY\tCONTROLS\tTITLE"); err != nil {
				return err
			}
			for _, p := range engine.Policies() {
				controls := make([]string, len(p.Controls))
				for i, c := range p.Controls {
					controls[i] = c.Framework + ":" + c.ID
				}
				if _, err := fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.ID, p.Severity, strings.Join(controls, ","), p.Title); err != nil {
					return err
				}
			}
			return tw.Flush()
		},
	}
	opts.BindFlags(cmd.Flags())
	cmd.Flags().StringVarP(&output, "output", "o", "", "output format: empty for a table, or json")
	return cmd
}
