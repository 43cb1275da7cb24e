package main

import (
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/clusterscribe/clusterscribe/operate"
)

func newRunCommand(g *globals) *cobra.Command {
	flags := operate.Default()
	var configFile string
	cmd := &cobra.Command{
		Use:   "run --config config.yaml [--<key> value]...",
		Short: "Run as a service: record, audit, evaluate policies and alert, with leader election and metrics",
		Long: "run is what a cluster deploys: one process that records the cluster continuously, audits it\n" +
			"against the declared repo and evaluates compliance policies on an interval and after every\n" +
			"recorded change, and alerts (Slack, JSON webhooks) on new findings, once each until they clear.\n\n" +
			"Replicas elect a leader on a coordination.k8s.io Lease: only the leader writes to Git, alerts\n" +
			"or opens pull requests; a standby takes over within the lease duration. Every replica serves\n" +
			"/healthz, /readyz (ready once the leader's initial sync is done; a standby is ready) and /metrics.\n" +
			"SIGTERM commits and pushes what is pending within record.shutdown-grace, then releases the lease.\n\n" +
			"The configuration file (apiVersion " + operate.APIVersion + ", kind " + operate.Kind + ") uses the flag names of\n" +
			"record and audit as keys; every key is also a flag named by its path (--record.batch-window,\n" +
			"--qps), and a flag given on the command line wins over the file.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := operate.Load(configFile, &flags, cmd.Flags())
			if err != nil {
				return err
			}
			if err := cfg.Validate(); err != nil {
				return err
			}
			log, err := g.logger()
			if err != nil {
				return err
			}
			restCfg, err := restConfig(g.kube)
			if err != nil {
				return err
			}
			// In a pod this is the pod's namespace ($POD_NAMESPACE or the
			// service account's); outside, the kubeconfig's.
			ns, _, err := g.kube.ToRawKubeConfigLoader().Namespace()
			if err != nil {
				return fmt.Errorf("kubeconfig: %w", err)
			}
			return operate.Run(cmd.Context(), restCfg, cfg, operate.Options{
				Logger:    log,
				Namespace: ns,
				NewProposer: func(cfg *operate.Config, log *slog.Logger) (operate.Proposer, error) {
					return newRunProposer(restCfg, cfg, log)
				},
			})
		},
	}
	cmd.Flags().StringVar(&configFile, "config", "", "configuration file (apiVersion "+operate.APIVersion+", kind "+operate.Kind+")")
	operate.BindFlags(cmd.Flags(), &flags)
	return cmd
}
