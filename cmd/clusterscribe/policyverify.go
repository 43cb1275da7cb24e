package main

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/clusterscribe/clusterscribe/policies"
	"github.com/clusterscribe/clusterscribe/policies/suite"
)

// errSuitesFailed is what policy verify returns when an assertion failed.
var errSuitesFailed = errors.New("suites failed")

type policyVerifyOptions struct {
	out     *outputFlags
	verbose bool
	run     string
	timeout time.Duration
}

func newPolicyVerifyCommand(g *globals) *cobra.Command {
	o := &policyVerifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify [PATH]... [-o " + strings.Join(suite.Formats, "|") + "] [--output-file FILE] [-v] [--run REGEX]",
		Short: "Run gator Suite files: unit tests of ConstraintTemplates and Constraints",
		Long: "policy verify runs gator Suite files (apiVersion test.gatekeeper.sh/v1alpha1, kind Suite) as\n" +
			"gator verify does: each test loads a ConstraintTemplate and a Constraint, each case reviews\n" +
			"an object (or an AdmissionReview: operation, oldObject, userInfo) with its inventory in\n" +
			"data.inventory and checks the assertions (violations: yes, no or a count; message: a\n" +
			"regular expression). PATH is a Suite file or a directory searched for them (default .).\n\n" +
			"Exit status: 0 every assertion holds, 1 an assertion, template or constraint failed,\n" +
			"2 error: no Suite found, bad flags.",
		Example: "  clusterscribe policy verify library/\n" +
			"  clusterscribe policy verify -v --run 'unique-host' library/general/uniqueingresshost\n" +
			"  clusterscribe policy verify -o json --output-file verify.json suites/",
		RunE: func(cmd *cobra.Command, args []string) error {
			return exitWith(o.runVerify(cmd, g, args))
		},
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &exitError{code: exitPolicyError, err: err}
	})
	fs := cmd.Flags()
	o.out = addOutputFlags(cmd, suite.Formats...)
	fs.BoolVarP(&o.verbose, "verbose", "v", false, "text output: show every test and case run, not only failures")
	fs.StringVar(&o.run, "run", "", "run only the tests and cases whose name matches this regular expression")
	fs.DurationVar(&o.timeout, "policy-timeout", policies.DefaultTimeout, "time allowed to one policy on one object")
	return cmd
}

// runVerify runs the suites, writes the results and returns the exit code.
func (o *policyVerifyOptions) runVerify(cmd *cobra.Command, g *globals, args []string) (int, error) {
	format, err := o.out.validate()
	if err != nil {
		return exitPolicyError, err
	}
	opts := suite.Options{Timeout: o.timeout}
	if o.run != "" {
		re, err := regexp.Compile(o.run)
		if err != nil {
			return exitPolicyError, fmt.Errorf("--run: %w", err)
		}
		opts.Run = re
	}
	log, err := g.logger()
	if err != nil {
		return exitPolicyError, err
	}
	opts.Logger = log
	if len(args) == 0 {
		args = []string{"."}
	}
	files, err := suite.Find(args)
	if err != nil {
		return exitPolicyError, err
	}
	results, err := suite.Run(cmd.Context(), files, opts)
	if err != nil {
		return exitPolicyError, err
	}
	// suite.Write renders yaml itself: the output goes out as it is.
	err = o.out.send(g.streams.Out, func(w io.Writer) error { return suite.Write(w, format, results, o.verbose) })
	if err != nil {
		return exitPolicyError, err
	}
	if suite.Failed(results) {
		return exitPolicyFail, errSuitesFailed
	}
	return exitPolicyPass, nil
}
