package propose

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/internal/golden"
)

// TestBodyGolden renders a pull request body with everything it can hold:
// attribution, edited files, notes, objects missing live, policy findings
// on the proposed object (and not on others) and the diff, with
// cluster-controlled text escaped.
func TestBodyGolden(t *testing.T) {
	at := time.Date(2026, 3, 2, 3, 14, 0, 0, time.UTC)
	web := findings.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: "web"}
	modified := findings.Finding{
		Type: findings.Modified, Object: web, Source: &findings.Source{File: "apps/web.yaml", Line: 2},
		Paths:       []string{"spec.replicas", "spec.template.spec.containers[name=web].image"},
		Attribution: []findings.Attribution{{Manager: "kubectl-set", Operation: "Update", Time: at}, {Manager: "kubectl|scale", Operation: "Update", Time: at.Add(-time.Hour)}},
		Diff:        "--- declared apps/web.yaml:2\n+++ live Deployment.apps shop/web\n@@ -5 +5 @@\n-  replicas: 2\n+  replicas: 5\n",
	}
	rep := &findings.Report{
		Findings: []findings.Finding{
			modified,
			{Type: findings.MissingLive, Object: findings.ObjectRef{APIVersion: "v1", Kind: "ConfigMap", Namespace: "shop", Name: "retired"}, Source: &findings.Source{File: "apps/missing.yaml", Line: 1}},
			{
				Type: findings.Policy, Object: web, Live: true, Message: "container web runs as root <script>",
				Policy: &findings.PolicyResult{ID: "run-as-non-root", Title: "Containers run as non-root", Severity: findings.High, Outcome: findings.Fail},
			},
			{
				Type: findings.Policy, Object: findings.ObjectRef{APIVersion: "v1", Kind: "Service", Namespace: "shop", Name: "web"},
				Policy: &findings.PolicyResult{ID: "other", Title: "Not about the proposed object", Severity: findings.Low, Outcome: findings.Warn},
			},
		},
		Policies: []findings.PolicyStat{{ID: "run-as-non-root"}},
	}
	b := &branch{
		name:    "clusterscribe/propose/prod-eu/shop/deployment.apps/web",
		changes: []*change{{finding: modified, notes: []string{"spec.replicas is set by the JSON patch overlays/prod/replicas.yaml: not edited"}}},
		files:   map[string][]byte{"overlays/prod/kustomization.yaml": nil},
	}
	got := prBody(rep, b, "main", "prod-eu")
	golden.CheckString(t, filepath.Join("testdata", "body.golden.md"), got)
	if diff := cmp.Diff("Memorialize: Deployment.apps shop/web changed live in prod-eu", b.title("prod-eu")); diff != "" {
		t.Errorf("title (-want +got):\n%s", diff)
	}
}

func TestTrailersRoundTrip(t *testing.T) {
	refs := []findings.Finding{
		{Type: findings.Modified, Object: findings.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: "web"}},
		{Type: findings.Unmanaged, Object: findings.ObjectRef{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRole", Name: "hotfix"}},
	}
	b := &branch{}
	var want []trailer
	for i := range refs {
		b.changes = append(b.changes, &change{finding: refs[i]})
		want = append(want, trailer{typ: refs[i].Type, ref: refs[i].Object})
	}
	got := parseTrailers(commitMessage(b, "prod"))
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(trailer{})); diff != "" {
		t.Errorf("trailers (-want +got):\n%s", diff)
	}
}

func TestBranchName(t *testing.T) {
	tests := []struct {
		cluster string
		ref     findings.ObjectRef
		want    string
	}{
		{"prod-eu", findings.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: "web"}, "p/prod-eu/shop/deployment.apps/web"},
		{"", findings.ObjectRef{APIVersion: "v1", Kind: "Namespace", Name: "shop"}, "p/cluster/_cluster/namespace/shop"},
		{"kind:admin@prod cluster", findings.ObjectRef{APIVersion: "v1", Kind: "ConfigMap", Namespace: "a", Name: "x..lock"}, "p/kind-admin-prod-cluster/a/configmap/x--lock"},
	}
	for _, tt := range tests {
		if got := branchName("p", tt.cluster, tt.ref); got != tt.want {
			t.Errorf("branchName(%q, %v) = %q, want %q", tt.cluster, tt.ref, got, tt.want)
		}
	}
}
