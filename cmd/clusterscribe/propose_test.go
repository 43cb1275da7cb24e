package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clusterscribe/clusterscribe/internal/gittest"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes"
)

func TestProposeFlagErrors(t *testing.T) {
	dir := t.TempDir()
	checkCommandErrors(t, exitFailed, []commandError{
		{"no declared", []string{"propose"}, "--declared is required"},
		{"unknown forge", []string{"propose", "--declared", "https://git.example.com/shop/declared.git", "--forge", "bitbucket", "--token-env", "HOME"}, `--forge: "bitbucket" is not one of`},
		{"forge with a directory", []string{"propose", "--declared", dir, "--forge", "gitea"}, "needs --declared to be a Git URL"},
		{"two tokens", []string{"propose", "--declared", dir, "--token-file", "a", "--token-env", "B"}, "exclude each other"},
		{"forge without a token", []string{"propose", "--declared", "https://git.example.com/shop/declared.git", "--forge", "gitlab"}, "no forge token"},
		{"arguments", []string{"propose", "--declared", dir, "extra"}, `unknown command "extra" for "clusterscribe propose"`},
	})
}

const proposeManifest = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: %NS%
data:
  MODE: normal # the incident runbook flips this
`

// TestProposeNone runs propose without a forge against a local Git work
// tree: a local branch and a .patch file, the work tree untouched.
func TestProposeNone(t *testing.T) {
	d := newDriftedSettings(t, "propose")
	dir, kubeconfig, ns, declaredDir, repo, manifest := d.dir, d.kubeconfig, d.ns, d.declaredDir, d.repo, d.manifest

	patches := filepath.Join(dir, "patches")
	out, _, err := runCommand(t, "propose", "--kubeconfig", kubeconfig, "--declared", declaredDir, "--forge", "none",
		"--patch-dir", patches, "--cluster-name", "demo", "--namespaces", ns)
	if err != nil {
		t.Fatalf("propose: %v\n%s", err, out)
	}
	branch := "clusterscribe/propose/demo/" + ns + "/configmap/settings"
	patchFile := filepath.Join(patches, "demo_"+ns+"_configmap_settings.patch")
	if !strings.Contains(out, "written") || !strings.Contains(out, branch) || !strings.Contains(out, patchFile) {
		t.Errorf("output does not name the branch and the patch:\n%s", out)
	}
	p, err := os.ReadFile(patchFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Subject: [PATCH] Memorialize: ConfigMap " + ns + "/settings changed live in demo",
		"-  MODE: normal # the incident runbook flips this", "+  MODE: maintenance # the incident runbook flips this", "changed by kubectl-edit",
	} {
		if !strings.Contains(string(p), want) {
			t.Errorf("patch lacks %q:\n%s", want, p)
		}
	}
	if _, err := repo.Reference(plumbing.NewBranchReferenceName(branch), true); err != nil {
		t.Errorf("branch %s: %v", branch, err)
	}
	if got, _ := os.ReadFile(filepath.Join(declaredDir, "settings.yaml")); string(got) != manifest {
		t.Errorf("the work tree changed:\n%s", got)
	}

	// The same proposal made by the service: `run` with propose enabled
	// audits, then proposes after its first audit.
	runPatches := filepath.Join(dir, "run-patches")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		cmd := newRootCommand(genericiooptions.NewTestIOStreamsDiscard())
		cmd.SetArgs([]string{
			"run", "--kubeconfig", kubeconfig, "--cluster-name", "demo", "--namespaces", ns,
			"--audit.declared", declaredDir, "--propose.enabled", "--propose.forge", "none",
			"--propose.patch-dir", runPatches, "--leader-election.enabled=false", "--server.address", "127.0.0.1:0",
		})
		done <- cmd.ExecuteContext(ctx)
	}()
	runPatch := filepath.Join(runPatches, "demo_"+ns+"_configmap_settings.patch")
	deadline := time.Now().Add(90 * time.Second)
	for {
		if p, err := os.ReadFile(runPatch); err == nil && strings.Contains(string(p), "+  MODE: maintenance") {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("run ended before proposing: %v", err)
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("run wrote no patch %s", runPatch)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run after SIGTERM-like cancel: %v", err)
	}
}

// driftedSettings is a declared repo in a local Git work tree declaring
// proposeManifest, and its ConfigMap live in a namespace of its own with
// MODE changed by hand (kubectl-edit).
type driftedSettings struct {
	dir, kubeconfig, ns, declaredDir, manifest string
	repo                                       *git.Repository
}

func newDriftedSettings(t *testing.T, prefix string) driftedSettings {
	t.Helper()
	d := driftedSettings{ns: cluster.Namespace(t, prefix)}
	d.dir, d.kubeconfig = clusterKubeconfig(t)
	d.manifest = strings.ReplaceAll(proposeManifest, "%NS%", d.ns)
	d.declaredDir = filepath.Join(d.dir, "declared")
	d.repo, _ = gittest.NewRepo(t, d.declaredDir, map[string]string{"settings.yaml": d.manifest})
	applyManifest(t, d.manifest)
	cs := kubernetes.NewForConfigOrDie(cluster.Config)
	if _, err := cs.CoreV1().ConfigMaps(d.ns).Patch(t.Context(), "settings", types.MergePatchType,
		[]byte(`{"data":{"MODE":"maintenance"}}`), metav1.PatchOptions{FieldManager: "kubectl-edit"}); err != nil {
		t.Fatal(err)
	}
	return d
}
