package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/clusterscribe/clusterscribe/restore"
)

// namespaceFlag returns -n's namespace (the kubeconfig's when -n is not
// given) and whether -n was given.
func namespaceFlag(cmd *cobra.Command, g *globals) (string, bool) {
	set := cmd.Flags().Changed("namespace")
	ns, _, err := g.kube.ToRawKubeConfigLoader().Namespace()
	if err != nil || ns == "" {
		ns = "default"
	}
	return ns, set
}

// parseRef reads a kubectl object reference (TYPE/NAME) resolved in -n's
// namespace.
func parseRef(g *globals, arg string) (restore.ObjectQuery, error) {
	ns := "default"
	if n, _, err := g.kube.ToRawKubeConfigLoader().Namespace(); err == nil && n != "" {
		ns = n
	}
	q, err := restore.ParseRef(arg, ns)
	if err != nil {
		return q, fmt.Errorf("%w (e.g. deploy/web -n shop, deployments.apps/web, clusterrole/view)", err)
	}
	return q, nil
}
