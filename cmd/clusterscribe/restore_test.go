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
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no repo", []string{"restore", "--kubeconfig", kc}, "--repo is required"},
		{"bad existing", []string{"restore", "--kubeconfig", kc, "--repo", t.TempDir(), "--existing", "replace"}, `--existing: "replace" is not one of skip, update`},
		{"bad output", []string{"restore", "--kubeconfig", kc, "--repo", t.TempDir(), "-o", "csv"}, `--output: "csv"`},
		{"missing identity file", []string{"restore", "--kubeconfig", kc, "--repo", t.TempDir(), "--age-identity", filepath.Join(t.TempDir(), "none")}, "--age-identity"},
		{"bad kind pattern", []string{"restore", "--kubeconfig", kc, "--repo", t.TempDir(), "--include-kinds", ".apps"}, "--include-kinds"},
		{"not a repository", []string{"restore", "--kubeconfig", live, "--repo", t.TempDir()}, "not a Git repository (give the backup repository record wrote, or its Git URL)"},
		{"history without object", []string{"history", "--repo", t.TempDir()}, "accepts 1 arg"},
		{"history bad object", []string{"history", "web", "--repo", t.TempDir()}, "want TYPE/NAME (or TYPE/NAMESPACE/NAME)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runCommand(t, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
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
