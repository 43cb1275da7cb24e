package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/clusterscribe/clusterscribe/restore"
)

// namespace is -n's namespace, else the kubeconfig context's, else
// "default", as kubectl resolves it.
func (g *globals) namespace() string {
	ns, _, err := g.kube.ToRawKubeConfigLoader().Namespace()
	if err != nil || ns == "" {
		return "default"
	}
	return ns
}

// namespaceFlag returns the namespace and whether -n was given.
func namespaceFlag(cmd *cobra.Command, g *globals) (string, bool) {
	return g.namespace(), cmd.Flags().Changed("namespace")
}

// parseRef reads a kubectl object reference (TYPE/NAME) resolved in the
// namespace.
func parseRef(g *globals, arg string) (restore.ObjectQuery, error) {
	q, err := restore.ParseRef(arg, g.namespace())
	if err != nil {
		return q, fmt.Errorf("%w (e.g. deploy/web -n shop, deployments.apps/web, clusterrole/view)", err)
	}
	return q, nil
}
