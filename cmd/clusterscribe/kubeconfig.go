package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// errNoKubeconfig is returned when no source of a cluster configuration
// applies.
var errNoKubeconfig = errors.New("no Kubernetes cluster configured")

// restConfig loads the cluster configuration the way kubectl does:
// --kubeconfig, else the files in $KUBECONFIG, else ~/.kube/config, else
// the in-cluster service account. When none applies it fails at once and
// names what it tried, where client-go would fall back on
// http://localhost:8080 and talk to whatever listens there.
func restConfig(f *genericclioptions.ConfigFlags) (*rest.Config, error) {
	cfg, err := f.ToRESTConfig()
	if err != nil {
		return nil, kubeconfigError(err)
	}
	if cfg.Host != clientcmd.ClusterDefaults.Server || flagSet(f.APIServer) || flagSet(f.ClusterName) {
		return cfg, nil
	}
	// client-go's fallback, or a kubeconfig that names the same address:
	// only the latter is a choice of the user's.
	raw, err := f.ToRawKubeConfigLoader().RawConfig()
	if err == nil && (flagSet(f.Context) || raw.CurrentContext != "") && len(raw.Clusters) > 0 {
		return cfg, nil
	}
	return nil, fmt.Errorf("%w; tried %s: pass --kubeconfig, set KUBECONFIG, or run in a pod with a service account", errNoKubeconfig, strings.Join(kubeconfigSources(f), ", "))
}

// kubeconfigSources describes each source of a configuration and why it
// did not apply, in the order kubectl consults them.
func kubeconfigSources(f *genericclioptions.ConfigFlags) []string {
	explicit := "--kubeconfig (not given)"
	if flagSet(f.KubeConfig) {
		explicit = "--kubeconfig " + *f.KubeConfig + " (no current context)"
	}
	env := "$KUBECONFIG (not set)"
	if v := os.Getenv(clientcmd.RecommendedConfigPathEnvVar); v != "" {
		env = "$KUBECONFIG " + v + " (" + describeFiles(filepath.SplitList(v)) + ")"
	}
	home := clientcmd.RecommendedHomeFile + " (" + describeFiles([]string{clientcmd.RecommendedHomeFile}) + ")"
	if flagSet(f.KubeConfig) || os.Getenv(clientcmd.RecommendedConfigPathEnvVar) != "" {
		home = clientcmd.RecommendedHomeFile + " (not read: a kubeconfig was named)"
	}
	inCluster := "in-cluster config (KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT not set)"
	if os.Getenv("KUBERNETES_SERVICE_HOST") != "" && os.Getenv("KUBERNETES_SERVICE_PORT") != "" {
		if _, err := rest.InClusterConfig(); err != nil {
			inCluster = "in-cluster config (" + err.Error() + ")"
		}
	}
	return []string{explicit, env, home, inCluster}
}

// describeFiles says whether kubeconfig files exist.
func describeFiles(paths []string) string {
	for _, p := range paths {
		if _, err := os.Stat(p); err == nil {
			return "no current context"
		}
	}
	if len(paths) == 1 {
		return "no such file"
	}
	return "none of these files exists"
}

func flagSet(p *string) bool { return p != nil && *p != "" }
