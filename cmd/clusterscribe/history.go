package main

import (
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/clusterscribe/clusterscribe/restore"
)

func newHistoryCommand(g *globals) *cobra.Command {
	var cfg restore.HistoryConfig
	var out *outputFlags
	cmd := &cobra.Command{
		Use:   "history TYPE/NAME [-n NS] --repo <path|URL>",
		Short: "List the commits of the backup branch that changed one object",
		Long: "history lists, newest first, the commits that changed one object's file in the backup branch,\n" +
			"with their date, author and the lines of the commit message about the object (what changed,\n" +
			"and who changed it in the cluster, and when). Any commit listed can be restored with restore --ref.\n\n" +
			"The object is named as kubectl names it: TYPE/NAME in -n's namespace (the kubeconfig's by default;\n" +
			"it does not count for cluster-scoped kinds). TYPE is a kind, a resource (plural or singular) or a\n" +
			"short name, optionally with its group: deploy, deployments, deployments.apps, Deployment.apps,\n" +
			"kind.core for the core group. TYPE/NAMESPACE/NAME is read too.",
		Example: "  clusterscribe history deploy/web -n shop --repo ./backup\n" +
			"  clusterscribe history deployments.apps/web -n shop --repo https://git.example.com/org/backup.git\n" +
			"  clusterscribe history clusterrole/view --repo ./backup -o json",
		Annotations: map[string]string{annotationNamespaced: "the namespace the object is in"},
		Args:        cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if strings.TrimSpace(cfg.Source.Repo) == "" {
				return usageError(errRepoRequired)
			}
			q, err := parseRef(g, args[0])
			if err != nil {
				return usageError(err)
			}
			if _, err := out.validate(); err != nil {
				return err
			}
			cfg.Object = q
			changes, err := restore.History(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			format := restore.Format(strings.Replace(out.Format, formatYAML, formatJSON, 1))
			return out.write(g.streams.Out, func(w io.Writer) error { return restore.WriteHistory(w, changes, format) })
		},
	}
	bindSourceFlags(cmd.Flags(), &cfg.Source)
	cmd.Flags().IntVar(&cfg.MaxCount, "max-count", 0, "show at most this many commits (0: all)")
	out = addOutputFlags(cmd, string(restore.FormatTable), string(restore.FormatWide))
	return cmd
}
