package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/clusterscribe/clusterscribe/internal/version"
)

func newVersionCommand(g *globals) *cobra.Command {
	var out *outputFlags
	cmd := &cobra.Command{
		Use:     "version [-o text|json|yaml]",
		Short:   "Print the version, commit, Go version and client-go version",
		Example: "  clusterscribe version\n  clusterscribe version -o json",
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if _, err := out.validate(); err != nil {
				return err
			}
			info := version.Get()
			return out.show(g.streams.Out, info, func(w io.Writer) error {
				_, err := fmt.Fprintln(w, info.String())
				return err
			})
		},
	}
	out = addOutputFlags(cmd, "text")
	return cmd
}
