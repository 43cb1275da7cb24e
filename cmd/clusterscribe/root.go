package main

import (
	"errors"
	"log/slog"

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
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	cmd.SetIn(streams.In)
	cmd.SetOut(streams.Out)
	cmd.SetErr(streams.ErrOut)
	g.kube.AddFlags(cmd.PersistentFlags())
	g.logging.BindFlags(cmd.PersistentFlags())
	cmd.PersistentFlags().StringVar(&g.pprofAddr, "pprof-addr", "", "serve Go profiles (/debug/pprof/) on this loopback address, e.g. 127.0.0.1:6060")
	cmd.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
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
	return cmd
}

// exitError carries a specific exit code (e.g. audit's "drift found").
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return 1
}
