package main

import (
	"github.com/spf13/cobra"

	"github.com/clusterscribe/clusterscribe/restore"
)

func newHistoryCommand(g *globals) *cobra.Command {
	var (
		cfg    restore.HistoryConfig
		output string
	)
	cmd := &cobra.Command{
		Use:   "history <kind>/<namespace>/<name> | <kind>/<name> --repo <path|URL>",
		Short: "List the commits of the backup branch that changed one object",
		Long: "history lists, newest first, the commits that changed one object's file in the backup branch,\n" +
			"with their date, author and the lines of the commit message about the object (what changed,\n" +
			"and who changed it in the cluster, and when). The kind may be kind.group (\"kind.core\" for the\n" +
			"core group) or the plural resource name. Any commit listed can be restored with restore --ref.",
		Example: "  clusterscribe history deployment.apps/shop/web --repo ./backup\n" +
			"  clusterscribe history clusterrole/view --repo ./backup -o json",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			q, err := restore.ParseObject(args[0])
			if err != nil {
				return err
			}
			format, err := restore.ParseFormat(output)
			if err != nil {
				return err
			}
			cfg.Object = q
			changes, err := restore.History(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			return restore.WriteHistory(g.streams.Out, changes, format)
		},
	}
	bindSourceFlags(cmd.Flags(), &cfg.Source)
	cmd.Flags().IntVar(&cfg.MaxCount, "max-count", 0, "show at most this many commits (0: all)")
	cmd.Flags().StringVarP(&output, "output", "o", string(restore.FormatTable), "output format: table, wide (full hashes and the file) or json")
	return cmd
}
