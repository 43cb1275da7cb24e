package main

import (
	"context"
	"log/slog"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/clusterscribe/clusterscribe/policies"
	"github.com/clusterscribe/clusterscribe/watcher"
)

// registerCompletions makes the values of c's flags complete in the shell:
// fixed choices, the kubeconfig's contexts, and namespaces, kinds and
// policy ids read when the user presses tab.
func registerCompletions(c *cobra.Command, g *globals) {
	fixed := map[string][]string{
		"color":      colorValues,
		"log-level":  {"debug", "info", "warn", "error"},
		"log-format": {"text", "json"},
		"dry-run":    {dryRunNone, dryRunClient, dryRunServer},
		"existing":   {"skip", "update"},
		"secrets":    {"redact", "encrypt", "omit"},
		"forge":      {"gitea", "github", "gitlab", "none"},
	}
	dynamic := map[string]cobra.CompletionFunc{
		"context":          g.completeContexts,
		"namespace":        g.completeNamespaces,
		"namespaces":       g.completeNamespaces,
		"include-kinds":    g.completeKinds,
		"exclude-kinds":    g.completeKinds,
		"disable-policies": completePolicies,
	}
	flags := c.LocalNonPersistentFlags()
	if !c.HasParent() {
		flags = c.PersistentFlags()
	}
	for name, values := range fixed {
		if flags.Lookup(name) != nil {
			_ = c.RegisterFlagCompletionFunc(name, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
		}
	}
	for name, f := range dynamic {
		if flags.Lookup(name) != nil {
			_ = c.RegisterFlagCompletionFunc(name, f)
		}
	}
}

func (g *globals) completeContexts(_ *cobra.Command, _ []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
	raw, err := g.kube.ToRawKubeConfigLoader().RawConfig()
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for name := range raw.Contexts {
		out = append(out, name)
	}
	slices.Sort(out)
	return out, cobra.ShellCompDirectiveNoFileComp
}

func (g *globals) completeNamespaces(cmd *cobra.Command, _ []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
	cfg, err := g.toRESTConfig()
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	ctx, cancel := context.WithTimeout(completionContext(cmd), reachTimeout)
	defer cancel()
	list, err := cs.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	out := make([]string, 0, len(list.Items))
	for _, ns := range list.Items {
		out = append(out, ns.Name)
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// completeKinds offers kind.group of every resource the cluster serves.
func (g *globals) completeKinds(_ *cobra.Command, _ []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
	dc, err := g.kube.ToDiscoveryClient()
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	resources, err := watcher.Discover(dc, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for _, r := range resources {
		k := r.Kind
		if r.GVR.Group != "" {
			k += "." + r.GVR.Group
		}
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out, cobra.ShellCompDirectiveNoFileComp
}

// completePolicies offers the ids of the bundled policies.
func completePolicies(cmd *cobra.Command, _ []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
	engine, err := policies.Load(completionContext(cmd), policies.Options{})
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for _, p := range engine.Policies() {
		out = append(out, p.ID+"\t"+strings.TrimSpace(p.Title))
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

func completionContext(cmd *cobra.Command) context.Context {
	if ctx := cmd.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}
