package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clusterscribe/clusterscribe/committer"
)

// fakeKubeconfig points at an address nothing listens on: commands that
// fail their checks never get to use it.
func fakeKubeconfig(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "kubeconfig")
	const cfg = `apiVersion: v1
kind: Config
clusters:
- name: none
  cluster:
    server: https://127.0.0.1:1
contexts:
- name: none
  context:
    cluster: none
    user: none
current-context: none
users:
- name: none
  user:
    token: none
`
	if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRestoreFlagErrors(t *testing.T) {
	kc := fakeKubeconfig(t)
	_, live := clusterKubeconfig(t) // the backup is read once the cluster answers
	checkCommandErrors(t, anyExitCode, []commandError{
		{"no repo", []string{"restore", "--kubeconfig", kc}, "--repo is required"},
		{"bad existing", []string{"restore", "--kubeconfig", kc, "--repo", t.TempDir(), "--existing", "replace"}, `--existing: "replace" is not one of skip, update`},
		{"bad output", []string{"restore", "--kubeconfig", kc, "--repo", t.TempDir(), "-o", "csv"}, `--output: "csv"`},
		{"missing identity file", []string{"restore", "--kubeconfig", kc, "--repo", t.TempDir(), "--age-identity", filepath.Join(t.TempDir(), "none")}, "--age-identity"},
		{"bad kind pattern", []string{"restore", "--kubeconfig", kc, "--repo", t.TempDir(), "--include-kinds", ".apps"}, "--include-kinds"},
		{"not a repository", []string{"restore", "--kubeconfig", live, "--repo", t.TempDir()}, "not a Git repository (give the backup repository record wrote, or its Git URL)"},
		{"history without object", []string{"history", "--repo", t.TempDir()}, "accepts 1 arg"},
		{"history bad object", []string{"history", "web", "--repo", t.TempDir()}, "want TYPE/NAME (or TYPE/NAMESPACE/NAME)"},
	})
}

func TestHistoryCommand(t *testing.T) {
	dir := t.TempDir()
	c, err := committer.Open(t.Context(), committer.Options{Repo: dir, Branch: "clusterscribe/backup", Prefix: "prod"})
	if err != nil {
		t.Fatal(err)
	}
	const p = "prod/namespaces/shop/apps/deployments/web.yaml"
	for _, replicas := range []string{"1", "2"} {
		_, err := c.Commit(t.Context(), []committer.Change{{
			Path: p, Data: []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: " + replicas + "\n"),
			Object: "Deployment.apps shop/web", Attribution: &committer.Attribution{Manager: "kubectl-edit", Operation: "Update"},
		}})
		if err != nil {
			t.Fatal(err)
		}
	}
	out, _, err := runCommand(t, "history", "deployment.apps/shop/web", "--repo", dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"changed Deployment.apps shop/web (kubectl-edit Update)", "added   Deployment.apps shop/web (kubectl-edit Update)", "clusterscribe <clusterscribe@localhost>"} {
		if !strings.Contains(out, want) {
			t.Errorf("history output lacks %q:\n%s", want, out)
		}
	}
	if strings.Index(out, "changed") > strings.Index(out, "added") {
		t.Errorf("history is not newest first:\n%s", out)
	}
}

// TestRestoreClientDryRun plans a restore from a backup with no kubeconfig
// anywhere, naming a custom resource by the short name its CRD declares in
// the backup.
func TestRestoreClientDryRun(t *testing.T) {
	dir := t.TempDir()
	c, err := committer.Open(t.Context(), committer.Options{Repo: dir, Branch: "clusterscribe/backup", Prefix: "prod"})
	if err != nil {
		t.Fatal(err)
	}
	files := []committer.Change{
		{Path: "prod/cluster/apiextensions.k8s.io/customresourcedefinitions/widgets.example.com.yaml", Object: "CustomResourceDefinition.apiextensions.k8s.io widgets.example.com", Data: []byte(
			"apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\n" +
				"spec:\n  group: example.com\n  names: {kind: Widget, plural: widgets, singular: widget, shortNames: [wdg]}\n  scope: Namespaced\n")},
		{Path: "prod/cluster/core/namespaces/shop.yaml", Object: "Namespace shop", Data: []byte("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n")},
		{Path: "prod/namespaces/shop/example.com/widgets/blue.yaml", Object: "Widget.example.com shop/blue", Data: []byte("apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: blue\n  namespace: shop\n")},
		{Path: "prod/namespaces/shop/core/configmaps/settings.yaml", Object: "ConfigMap shop/settings", Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: shop\n")},
	}
	if _, err := c.Commit(t.Context(), files); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "none"))
	t.Setenv("HOME", t.TempDir())

	out, _, err := runCommand(t, "restore", "--repo", dir, "--dry-run=client", "-o", "wide")
	if err != nil {
		t.Fatalf("restore --dry-run=client: %v\n%s", err, out)
	}
	order := []string{"CustomResourceDefinition.apiextensions.k8s.io widgets.example.com", "Namespace shop", "ConfigMap shop/settings", "Widget.example.com shop/blue"}
	last := -1
	for _, o := range order {
		i := strings.Index(out, "planned  "+o)
		if i < last {
			t.Errorf("%q is not planned after the objects before it:\n%s", o, out)
		}
		last = i
	}
	if !strings.Contains(out, "client dry run: the cluster was not contacted") {
		t.Errorf("the report does not say the cluster was not contacted:\n%s", out)
	}

	out, _, err = runCommand(t, "restore", "wdg/blue", "-n", "shop", "--repo", dir, "--dry-run=client")
	if err != nil {
		t.Fatalf("restore wdg/blue --dry-run=client: %v\n%s", err, out)
	}
	if !strings.Contains(out, "planned  Widget.example.com shop/blue") || strings.Contains(out, "settings") {
		t.Errorf("wdg/blue -n shop does not plan the Widget alone:\n%s", out)
	}
	out, _, err = runCommand(t, "history", "wdg/blue", "-n", "shop", "--repo", dir)
	if err != nil || !strings.Contains(out, "added   Widget.example.com shop/blue") {
		t.Errorf("history wdg/blue -n shop: %v\n%s", err, out)
	}
}
