package audit_test

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/clusterscribe/clusterscribe/audit"
	"github.com/clusterscribe/clusterscribe/audit/declared"
	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/audit/report"
	"github.com/clusterscribe/clusterscribe/filters"
	"github.com/clusterscribe/clusterscribe/internal/gittest"
	"github.com/clusterscribe/clusterscribe/internal/secretscan"
)

func TestRunMalformedManifestStillAuditsTheRest(t *testing.T) {
	ns := cluster.Namespace(t, "malformed")
	dir := declaredDir(t, "malformed", ns)
	applyDeclared(t, declared.Options{Source: dir})
	if err := cluster.Clientset(t).CoreV1().ConfigMaps(ns).Delete(t.Context(), "after-the-break", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}

	rep, err := audit.Run(t.Context(), cluster.Config, audit.Config{Declared: declared.Options{Source: dir}})
	if err != nil {
		t.Fatal(err)
	}
	want := []summary{{Type: findings.MissingLive, Object: "ConfigMap " + ns + "/after-the-break", Source: "broken.yaml:18"}}
	if diff := cmp.Diff(want, summarize(rep.Findings)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	wantProblems := []findings.Problem{{
		Source:  findings.Source{File: "broken.yaml", Line: 16},
		Message: "malformed YAML: did not find expected key",
	}}
	if diff := cmp.Diff(wantProblems, rep.Problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

// bareRepo commits the files of dir to a new repository's main branch,
// tags the commit v1 and returns a bare clone's file:// URL and the commit.
func bareRepo(t *testing.T, dir string) (string, string) {
	t.Helper()
	repo := gittest.Init(t, dir)
	h := gittest.CommitAll(t, repo, "declared state")
	if _, err := repo.CreateTag("v1", h, nil); err != nil {
		t.Fatal(err)
	}
	return gittest.BareClone(t, dir), h.String()
}

func TestRunGitSourceWithKustomization(t *testing.T) {
	ns := cluster.Namespace(t, "git")
	url, commit := bareRepo(t, declaredDir(t, "gitrepo", ns))
	opts := declared.Options{Source: url + "@v1", Path: "clusters/test"}
	applyDeclared(t, opts)
	image := `{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"registry.example.com/web:1.0.1"}]}}}}`
	_, err := cluster.Clientset(t).AppsV1().Deployments(ns).Patch(t.Context(), "test-web", types.StrategicMergePatchType, []byte(image), metav1.PatchOptions{FieldManager: "kubectl-set"})
	if err != nil {
		t.Fatal(err)
	}

	rep, err := audit.Run(t.Context(), cluster.Config, audit.Config{Declared: opts})
	if err != nil {
		t.Fatal(err)
	}
	want := []summary{{
		Type: findings.Modified, Object: "Deployment.apps " + ns + "/test-web", Source: "base/deployment.yaml:1",
		Paths:    []string{"spec.template.spec.containers[name=web].image"},
		Managers: []string{"kubectl-set Update"},
	}}
	if diff := cmp.Diff(want, summarize(rep.Findings)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if len(rep.Problems) != 0 {
		t.Errorf("problems: %+v", rep.Problems)
	}
	if rep.DeclaredRevision != commit || rep.Declared != url+"@v1 (path clusters/test)" {
		t.Errorf("declared = %q at %q, want %q at %q", rep.Declared, rep.DeclaredRevision, url+"@v1 (path clusters/test)", commit)
	}
}

// demoSecretValue is the password of the demo's Secret
// (testdata/demo/live/10-shop.yaml).
const demoSecretValue = "demo-Sup3rS3cret-do-not-leak"

// TestRunDemoScenario audits the demo's declared repo against a cluster
// seeded like the demo's: exactly the drift its README describes, and no
// Secret value in any report format.
func TestRunDemoScenario(t *testing.T) {
	secretscan.Register(demoSecretValue)
	applyDir(t, filepath.Join("..", "testdata", "demo", "live"))
	rep, err := audit.Run(t.Context(), cluster.Config, audit.Config{
		Declared: declared.Options{Source: filepath.Join("..", "testdata", "demo", "declared")},
		// Other tests' namespaces are no concern of the demo's repo.
		Filters: filters.Options{Namespaces: []string{"shop", "payments", "monitoring"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []summary{
		{
			Type: findings.Modified, Object: "Deployment.apps payments/payments-api", Source: "20-payments.yaml:1",
			Paths:    []string{"spec.template.spec.containers[name=api].image"},
			Managers: []string{"gitops Apply"},
		},
		{
			Type: findings.Modified, Object: "ConfigMap shop/storefront-config", Source: "10-shop.yaml:1",
			Paths: []string{"data.FEATURE_CHECKOUT_V2"}, Managers: []string{"gitops Apply"},
		},
		{Type: findings.Unmanaged, Object: "Secret shop/storefront-db", Managers: []string{"gitops Apply"}},
	}
	if diff := cmp.Diff(want, summarize(rep.Findings)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	for _, format := range report.Formats() {
		r, err := report.For(format)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := r.Render(&buf, rep); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		secretscan.Check(t, format+" report", buf.String())
	}
}
