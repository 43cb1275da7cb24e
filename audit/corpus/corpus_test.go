package corpus_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/clusterscribe/clusterscribe/audit"
	"github.com/clusterscribe/clusterscribe/audit/declared"
	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/internal/testcluster"
)

// The corpus runs on a control plane of its own, with controllers and
// kwok Nodes: its installs roll out, its Jobs run, and its admission
// webhooks (whose pods are kwok's and serve nothing) would reject other
// tests' requests.
var cluster *testcluster.Cluster

func TestMain(m *testing.M) {
	testcluster.MainWith(m, &cluster, testcluster.Options{Controllers: true, Nodes: 2})
}

// corpus is the stock install manifests of widely used projects: CRD-heavy
// operators, admission webhooks, an aggregated API, Jobs (Helm hooks),
// plain YAML, kustomize overlays and components, and a rendered Helm chart.
var corpus = []project{
	{name: "gatekeeper", module: "github.com/open-policy-agent/gatekeeper/v3", version: "v3.17.0", paths: []string{"deploy/gatekeeper.yaml"}},
	{name: "kube-state-metrics", module: "k8s.io/kube-state-metrics/v2", version: "v2.20.0", paths: []string{"examples/standard"}},
	{name: "prometheus-operator", module: "github.com/prometheus-operator/prometheus-operator", version: "v0.80.1", paths: []string{"bundle.yaml"}},
	{name: "metrics-server", module: "sigs.k8s.io/metrics-server", version: "v0.8.0", paths: []string{"manifests"}, sub: "0/overlays/release"},
	{name: "argo-cd", module: "github.com/argoproj/argo-cd/v2", version: "v2.14.21", paths: []string{"manifests/install.yaml"}},
	{
		name: "cert-manager", module: "github.com/cert-manager/cert-manager", version: "v1.21.2",
		paths: []string{"deploy/manifests/01-namespace.yaml"},
		chart: "deploy/charts/cert-manager", chartRelease: "cert-manager", chartNamespace: "cert-manager",
		// The Job that checks the API is a Helm hook; with a TTL it is
		// also removed once it has finished, as with Helm.
		chartValues: []string{"crds.enabled=true", "startupapicheck.ttlSecondsAfterFinished=0"},
	},
}

// TestCorpusInstallsAuditClean installs each project, one at a time, the
// ways users do, waits for the controllers to settle, and audits the
// cluster against the same manifests: no finding. Server-side applied, it
// is audited offline and server-side alike (the oracle), then recorded,
// deleted, restored into the same control plane and recorded again: the
// same tree. Applied and created with kubectl, it is audited offline (the
// server-side audit adds tens of seconds per install of a CRD-heavy
// project on a small machine). Between the installs the project is
// deleted whole, so that each starts from a clean state.
func TestCorpusInstallsAuditClean(t *testing.T) {
	for _, p := range corpus {
		t.Run(p.name, func(t *testing.T) {
			src := p.declaredRepo(t)
			in := newInstall(t, src)
			t.Run("server-side apply", func(t *testing.T) {
				in.serverSideApply(t)
				in.settle(t)
				auditClean(t, src, len(in.objs), in.goneAsMeant(), true)
				roundTrip(t, in)
			})
			for _, verb := range []string{"apply", "create"} {
				t.Run("kubectl "+verb, func(t *testing.T) {
					in.remove(t)
					in.kubectl(t, verb)
					in.settle(t)
					auditClean(t, src, len(in.objs), in.goneAsMeant(), false)
				})
			}
			// Not a Cleanup: t.Context() is done by then.
			in.remove(t)
		})
	}
}

// auditClean audits the cluster against the declared repo, offline and,
// with serverSide, with server-side dry-runs: no finding, no problem,
// every one of the n declared objects in sync but the gone ones that are
// meant to go away (skipped, with that reason), and the same coverage
// both ways.
func auditClean(t *testing.T, src declared.Options, n, gone int, serverSide bool) {
	t.Helper()
	modes := []bool{false}
	if serverSide {
		modes = append(modes, true)
	}
	var sums []findings.Summary
	for _, ss := range modes {
		rep, err := audit.Run(t.Context(), cluster.Config, audit.Config{Declared: src, ServerSide: ss})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range rep.Findings {
			t.Errorf("server-side %v: %s %s %v: %s", ss, f.Type, f.Object, f.Paths, f.Message)
		}
		for _, pr := range rep.Problems {
			t.Errorf("server-side %v: problem %s: %s", ss, pr.Source, pr.Message)
		}
		sums = append(sums, *rep.Summary)
	}
	if serverSide {
		if diff := cmp.Diff(sums[0], sums[1], cmp.AllowUnexported(findings.Summary{})); diff != "" {
			t.Errorf("offline and server-side coverage differ (-offline +server-side):\n%s", diff)
		}
	}
	s := sums[0]
	for _, sk := range s.SkippedObjects {
		if !strings.HasPrefix(sk.Reason, "not in the cluster, as meant: ") {
			t.Errorf("skipped %s: %s", sk.Object, sk.Reason)
		}
	}
	if s.Declared != n || s.InSync+s.Skipped != s.Declared || s.Skipped != gone {
		t.Errorf("want %d declared objects in sync and %d gone as meant: %d declared, %d in sync, %d skipped", n-gone, gone, s.Declared, s.InSync, s.Skipped)
	}
}
