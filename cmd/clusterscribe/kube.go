package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// reachTimeout bounds the first request to the cluster.
const reachTimeout = 15 * time.Second

// connect returns the logger and the REST config of a command that works
// on the cluster, once the cluster has answered.
func (g *globals) connect(ctx context.Context) (*slog.Logger, *rest.Config, error) {
	log, err := g.logger()
	if err != nil {
		return nil, nil, err
	}
	cfg, err := g.restConfig(ctx)
	if err != nil {
		return nil, nil, err
	}
	return log, cfg, nil
}

// restConfig returns the kubeconfig's REST config once the cluster has
// answered one request, so a command against a cluster it cannot use stops
// at once with one message saying what to fix.
func (g *globals) restConfig(ctx context.Context) (*rest.Config, error) {
	cfg, err := g.toRESTConfig()
	if err != nil {
		return nil, err
	}
	probe := rest.CopyConfig(cfg)
	probe.Timeout = reachTimeout
	dc, err := discovery.NewDiscoveryClientForConfig(probe)
	if err != nil {
		return nil, kubeconfigError(err)
	}
	done := make(chan error, 1)
	go func() { _, err := dc.ServerVersion(); done <- err }()
	select {
	case err = <-done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if err != nil {
		return nil, unreachableError(cfg.Host, g.contextName(), err)
	}
	return cfg, nil
}

// contextName is the kubeconfig context in use.
func (g *globals) contextName() string {
	if g.kube.Context != nil && *g.kube.Context != "" {
		return *g.kube.Context
	}
	raw, err := g.kube.ToRawKubeConfigLoader().RawConfig()
	if err != nil {
		return ""
	}
	return raw.CurrentContext
}

// toRESTConfig is the kubeconfig's REST config, or an error that says
// which flag or file to fix.
func (g *globals) toRESTConfig() (*rest.Config, error) {
	if f := g.kube.KubeConfig; f != nil && *f != "" {
		if _, err := os.Stat(*f); err != nil {
			return nil, fmt.Errorf("--kubeconfig: %s does not exist", *f)
		}
	}
	if c := g.kube.Context; c != nil && *c != "" {
		raw, err := g.kube.ToRawKubeConfigLoader().RawConfig()
		if err == nil && raw.Contexts[*c] == nil {
			return nil, fmt.Errorf("--context: no context %q in the kubeconfig (kubectl config get-contexts lists them)", *c)
		}
	}
	return restConfig(g.kube)
}

// kubeconfigError says what to do about a kubeconfig that names no usable
// cluster.
func kubeconfigError(err error) error {
	if clientcmd.IsEmptyConfig(err) {
		return errors.New("no cluster configured: pass --kubeconfig FILE, set KUBECONFIG, or create ~/.kube/config")
	}
	return fmt.Errorf("kubeconfig: %s (check --kubeconfig and --context)", strings.TrimPrefix(err.Error(), "invalid configuration: "))
}

// unreachableError turns the failure of the first request into one line:
// where the cluster is, what went wrong in words, and what to check.
func unreachableError(host, ctxName string, err error) error {
	where := host
	if ctxName != "" {
		where = fmt.Sprintf("%s (context %q)", host, ctxName)
	}
	var dnsErr *net.DNSError
	var opErr *net.OpError
	var urlErr *url.Error
	reason := "no answer"
	switch {
	case apierrors.IsUnauthorized(err):
		return fmt.Errorf("the cluster at %s refused the credentials: log in again or pick another --context", where)
	case apierrors.IsForbidden(err):
		return fmt.Errorf("the cluster at %s forbids this user to read /version: ask for read access or pick another --context", where)
	case errors.As(err, &dnsErr):
		reason = "unknown host " + dnsErr.Name
	case strings.Contains(err.Error(), "connection refused"):
		reason = "connection refused"
	case strings.Contains(err.Error(), "x509") || strings.Contains(err.Error(), "certificate"):
		reason = "its TLS certificate is not trusted by the kubeconfig"
	case errors.As(err, &opErr) || errors.As(err, &urlErr) && urlErr.Timeout():
		reason = "no answer within " + reachTimeout.String()
	}
	return fmt.Errorf("cannot reach the cluster at %s: %s; check --kubeconfig and --context, and that the API server is up", where, reason)
}
