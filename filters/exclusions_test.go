package filters

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/clusterscribe/clusterscribe/watcher"
)

// TestDefaultExclusionsDrop checks every default exclusion on objects it
// must drop, and that naming it in Include (or "all") keeps them.
func TestDefaultExclusionsDrop(t *testing.T) {
	tests := []struct {
		exclusion string
		r         watcher.Resource
		obj       *unstructured.Unstructured
	}{
		{"events", rEvent, object(rEvent, "web", "api.17a3")},
		{"events", rEventsV1, object(rEventsV1, "web", "api.17a3")},
		{"leases", rLease, object(rLease, "kube-node-lease", "node-1")},
		{"leases", rLeaseCandidate, object(rLeaseCandidate, "kube-system", "kube-scheduler-node-1")},
		{"endpoints", rEndpoints, object(rEndpoints, "web", "api")},
		{"endpointslices", rEndpointSlice, object(rEndpointSlice, "web", "api-x7b2k")},
		{"metrics", rPodMetrics, object(rPodMetrics, "web", "api-7d9f-x2")},
		{"metrics", rNodeMetrics, object(rNodeMetrics, "", "node-1")},
		{"reviews", rTokenReview, object(rTokenReview, "", "")},
		{"reviews", rSelfSubjectReview, object(rSelfSubjectReview, "", "")},
		{"reviews", rSubjectAccess, object(rSubjectAccess, "", "")},
		{"reviews", rSelfSubjectAccess, object(rSelfSubjectAccess, "", "")},
		{"reviews", rLocalSubjectAccess, object(rLocalSubjectAccess, "web", "")},
		{"reviews", rSelfSubjectRules, object(rSelfSubjectRules, "", "")},
		{"csrs", rCSR, object(rCSR, "", "csr-8xk2p")},
		{"nodes", rNode, object(rNode, "", "node-1")},
		{"controllerrevisions", rControllerRevision, object(rControllerRevision, "web", "db-5c8f")},
		{"componentstatuses", rComponentStatus, object(rComponentStatus, "", "etcd-0")},
		{"bindings", rBinding, object(rBinding, "web", "api-7d9f-x2")},
		{"owned", rPod, object(rPod, "web", "api-7d9f-x2", withOwner("ReplicaSet", true))},
		{"owned", rReplicaSet, object(rReplicaSet, "web", "api-7d9f", withOwner("Deployment", true))},
		{"owned", rJob, object(rJob, "web", "backup-2901", withOwner("CronJob", true))},
		{"sa-token-secrets", rSecret, object(rSecret, "web", "build-token", withType("kubernetes.io/service-account-token"))},
		{"helm-release-secrets", rSecret, object(rSecret, "web", "sh.helm.release.v1.api.v3", withType("helm.sh/release.v1"))},
		{"kube-root-ca", rConfigMap, object(rConfigMap, "web", "kube-root-ca.crt")},
		{"kube-root-ca", rConfigMap, object(rConfigMap, "kube-system", "kube-root-ca.crt")},
		{"ipaddresses", rIPAddress, object(rIPAddress, "", "10.0.0.1")},
		{"apiserver-defaults", rAPIService, object(rAPIService, "", "v1.apps", withLabel("kube-aggregator.kubernetes.io/automanaged", "onstart"))},
		{"apiserver-defaults", rClusterRole, object(rClusterRole, "", "admin", withLabel("kubernetes.io/bootstrapping", "rbac-defaults"))},
		{"apiserver-defaults", rFlowSchema, object(rFlowSchema, "", "exempt", withAnnotation("apf.kubernetes.io/autoupdate-spec", "true"))},
		{"apiserver-defaults", rService, object(rService, "default", "kubernetes")},
		{"apiserver-defaults", rConfigMap, object(rConfigMap, "kube-system", "extension-apiserver-authentication")},
	}

	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.exclusion] = true
		t.Run(tt.exclusion+"/"+tt.r.String(), func(t *testing.T) {
			kindLevel := kindLevelExclusion(t, tt.exclusion)

			f := mustNew(t, Options{})
			if got := f.WantResource(tt.r); got == kindLevel {
				t.Errorf("WantResource(%s) = %v, want %v", tt.r, got, !kindLevel)
			}
			ok, reason := f.Allow(tt.r, tt.obj)
			if diff := cmp.Diff([]any{false, tt.exclusion}, []any{ok, reason}); diff != "" {
				t.Errorf("Allow by default (-want +got):\n%s", diff)
			}

			other := "nodes"
			if tt.exclusion == other {
				other = "events"
			}
			f = mustNew(t, Options{Include: []string{other}})
			if ok, reason := f.Allow(tt.r, tt.obj); ok {
				t.Errorf("Allow with --include-excluded=%s = true, want false (%s)", other, tt.exclusion)
			} else if reason != tt.exclusion {
				t.Errorf("Allow with --include-excluded=%s reason = %q, want %q", other, reason, tt.exclusion)
			}

			for _, include := range [][]string{{tt.exclusion}, {"all"}, {other, tt.exclusion}} {
				f := mustNew(t, Options{Include: include})
				if !f.WantResource(tt.r) {
					t.Errorf("WantResource(%s) with --include-excluded=%v = false", tt.r, include)
				}
				ok, reason := f.Allow(tt.r, tt.obj)
				if diff := cmp.Diff([]any{true, ""}, []any{ok, reason}); diff != "" {
					t.Errorf("Allow with --include-excluded=%v (-want +got):\n%s", include, diff)
				}
			}
		})
	}

	for _, name := range exclusionNames() {
		if !covered[name] {
			t.Errorf("default exclusion %q has no case in this test", name)
		}
	}
}

// TestDefaultExclusionsKeep checks objects that look like excluded ones but
// must be kept.
func TestDefaultExclusionsKeep(t *testing.T) {
	tests := []struct {
		name string
		r    watcher.Resource
		obj  *unstructured.Unstructured
	}{
		{"opaque secret", rSecret, object(rSecret, "web", "db-password", withType("Opaque"))},
		{"secret without type", rSecret, object(rSecret, "web", "db-password")},
		{"tls secret", rSecret, object(rSecret, "web", "tls", withType("kubernetes.io/tls"))},
		{"secret named like the root CA", rSecret, object(rSecret, "web", "kube-root-ca.crt")},
		{"other configmap", rConfigMap, object(rConfigMap, "web", "settings")},
		{"configmap with a helm type field", rConfigMap, object(rConfigMap, "web", "x", withType("helm.sh/release.v1"))},
		{"root CA name in a custom kind", rWidget, object(rWidget, "web", "kube-root-ca.crt")},
		{"deployment", rDeployment, object(rDeployment, "web", "api")},
		{"service", rService, object(rService, "web", "api")},
		{"event kind of a CRD group", rWidgetEvent, object(rWidgetEvent, "web", "e")},
		{"review kind of a CRD group", rWidgetReview, object(rWidgetReview, "web", "r")},
		{"custom resource", rCertificate, object(rCertificate, "web", "tls")},
		{"namespace", rNamespace, object(rNamespace, "", "web")},
		{"cluster role", rClusterRole, object(rClusterRole, "", "admin")},
		{"user's APIService", rAPIService, object(rAPIService, "", "v1beta1.metrics.example.com")},
		{"flow schema a user tuned", rFlowSchema, object(rFlowSchema, "", "exempt", withAnnotation("apf.kubernetes.io/autoupdate-spec", "false"))},
		{"service named kubernetes elsewhere", rService, object(rService, "web", "kubernetes")},
	}
	f := mustNew(t, Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !f.WantResource(tt.r) {
				t.Errorf("WantResource(%s) = false", tt.r)
			}
			ok, reason := f.Allow(tt.r, tt.obj)
			if diff := cmp.Diff([]any{true, ""}, []any{ok, reason}); diff != "" {
				t.Errorf("Allow (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDefaultExclusionsTable(t *testing.T) {
	got := DefaultExclusions()
	seen := map[string]bool{}
	for _, e := range got {
		if e.Name == "" || e.Description == "" {
			t.Errorf("exclusion %+v needs a name and a description", e)
		}
		if e.Name == IncludeAll || seen[e.Name] {
			t.Errorf("exclusion name %q is reserved or used twice", e.Name)
		}
		seen[e.Name] = true
		if len(e.Kinds) == 0 && e.Object == nil {
			t.Errorf("exclusion %q would drop everything: no Kinds and no Object", e.Name)
		}
		for _, k := range e.Kinds {
			if _, err := parseKindPattern(k); err != nil {
				t.Errorf("exclusion %q kind %q: %v", e.Name, k, err)
			}
		}
	}
	if diff := cmp.Diff(exclusionNames(), names(got)); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}

	got[0].Name = "changed"
	got[0].Kinds[0] = "Deployment"
	again := DefaultExclusions()
	if again[0].Name == "changed" || again[0].Kinds[0] == "Deployment" {
		t.Errorf("DefaultExclusions returns the package table, not a copy")
	}
}

func names(es []Exclusion) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Name
	}
	return out
}

func kindLevelExclusion(t *testing.T, name string) bool {
	t.Helper()
	i := slices.IndexFunc(defaultExclusions, func(e Exclusion) bool { return e.Name == name })
	if i < 0 {
		t.Fatalf("no default exclusion %q", name)
	}
	return defaultExclusions[i].Object == nil
}
