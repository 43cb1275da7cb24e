package main

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/clusterscribe/clusterscribe/internal/logging"
)

// globals are the flags every command shares.
type globals struct {
	kube    *genericclioptions.ConfigFlags
	logging logging.Options
	streams genericiooptions.IOStreams
	// pprofAddr serves Go's profiling endpoints when set (loopback only).
	pprofAddr string
	// quiet silences progress; color is auto, always or never.
	quiet bool
	color string
}

func (g *globals) logger() (*slog.Logger, error) {
	return g.logging.New(g.streams.ErrOut)
}

func newRootCommand(streams genericiooptions.IOStreams) *cobra.Command {
	g := &globals{kube: genericclioptions.NewConfigFlags(true), streams: streams}
	cmd := &cobra.Command{
		Use:   "clusterscribe",
		Short: "Reverse GitOps: turn a live Kubernetes cluster into Git",
		Long: "clusterscribe watches a live cluster and turns what it sees into Git: a backup branch it can\n" +
			"restore from, drift findings against the declared GitOps repo, pull requests that memorialize\n" +
			"emergency changes, and compliance reports — with strict limits on API server load.",
		Example: "  clusterscribe record --repo ./backup --once\n" +
			"  clusterscribe audit --declared https://git.example.com/org/fleet.git@main --path clusters/prod\n" +
			"  clusterscribe policy test -o sarif --output-file policy.sarif manifests/",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	cmd.SetIn(streams.In)
	cmd.SetOut(streams.Out)
	cmd.SetErr(streams.ErrOut)
	g.kube.AddFlags(cmd.PersistentFlags())
	g.logging.BindFlags(cmd.PersistentFlags())
	pf := cmd.PersistentFlags()
	pf.StringVar(&g.pprofAddr, "pprof-addr", "", "serve Go profiles (/debug/pprof/) on this loopback address, e.g. 127.0.0.1:6060")
	pf.BoolVarP(&g.quiet, "quiet", "q", false, "show no progress")
	pf.StringVar(&g.color, "color", colorAuto, "colour in text reports and diffs: auto (on a terminal, unless NO_COLOR is set), always or never")
	cmd.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if err := g.validate(cmd); err != nil {
			return err
		}
		if g.pprofAddr == "" {
			return nil
		}
		log, err := g.logger()
		if err != nil {
			return err
		}
		return startPprof(cmd.Context(), g.pprofAddr, log)
	}
	cmd.AddCommand(newVersionCommand(g), newRecordCommand(g), newRestoreCommand(g), newHistoryCommand(g), newAuditCommand(g), newPolicyCommand(g), newRunCommand(g), newProposeCommand(g))
	conventions(cmd, g)
	return cmd
}

// validate checks the global flags.
func (g *globals) validate(cmd *cobra.Command) error {
	if _, err := parseColor(g.color); err != nil {
		return err
	}
	if ns := cmd.Flags().Lookup("namespace"); ns != nil && ns.Changed && cmd.Annotations[annotationNamespaced] == "" {
		return usageErrorf("%s works on no namespace: drop -n/--namespace", cmd.CommandPath())
	}
	return nil
}

// annotationNamespaced marks the commands -n/--namespace means something to.
const annotationNamespaced = "clusterscribe.io/namespaced"

// conventions applies what every command shares, after they are all added:
// usage errors exit with exitUsage, and a command group given an unknown
// subcommand says so instead of printing its help.
func conventions(root *cobra.Command, g *globals) {
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		// "clusterscribe recrod --once": the command is what is unknown.
		if isGroup(c) && len(c.Flags().Args()) > 0 {
			return unknownSubcommand(c, c.Flags().Args())
		}
		return usageError(err)
	})
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if isGroup(c) {
			c.Args = unknownSubcommand
			if c.Annotations == nil {
				c.Annotations = map[string]string{}
			}
			c.Annotations[annotationGroup] = "true"
			c.RunE = func(c *cobra.Command, _ []string) error { return c.Help() }
		} else if c.Args != nil {
			args := c.Args
			c.Args = func(c *cobra.Command, a []string) error {
				if err := args(c, a); err != nil {
					return usageError(err)
				}
				return nil
			}
		}
		registerCompletions(c, g)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// isGroup reports whether c only groups subcommands.
func isGroup(c *cobra.Command) bool {
	return c.HasSubCommands() && (c.Run == nil && c.RunE == nil || c.Annotations[annotationGroup] != "")
}

// annotationGroup marks the command groups conventions made runnable.
const annotationGroup = "clusterscribe.io/group"

// unknownSubcommand rejects any argument given to a command group.
func unknownSubcommand(c *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], c.CommandPath())
	if c.SuggestionsMinimumDistance <= 0 {
		c.SuggestionsMinimumDistance = 2
	}
	if s := c.SuggestionsFor(args[0]); len(s) > 0 {
		msg += "; did you mean " + strings.Join(s, " or ") + "?"
	}
	return usageErrorf("%s (run '%s --help' for the list)", msg, c.CommandPath())
}

// exitUsage is the exit status of every usage error on every command: an
// unknown command or flag, a bad flag value, wrong arguments.
const exitUsage = 2

// exitError carries a specific exit code (e.g. audit's "drift found").
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// exitWith is the error of a command that ends with exit status code:
// nil when it is 0 and there is no error.
func exitWith(code int, err error) error {
	if err == nil && code == 0 {
		return nil
	}
	return &exitError{code: code, err: err}
}

// usageError marks err as a usage error.
func usageError(err error) error {
	var ee *exitError
	if err == nil || errors.As(err, &ee) {
		return err
	}
	return &exitError{code: exitUsage, err: err}
}

func usageErrorf(format string, a ...any) error {
	return usageError(fmt.Errorf(format, a...))
}

func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return 1
}
