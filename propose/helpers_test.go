package propose_test

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"code.gitea.io/sdk/gitea"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"

	"github.com/clusterscribe/clusterscribe/internal/gittest"
	"github.com/clusterscribe/clusterscribe/internal/secretscan"
)

var (
	deployments = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	configMaps  = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
)

// fixture reads a file of testdata with NAMESPACE replaced.
func fixture(t *testing.T, name, ns string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(string(b), "NAMESPACE", ns)
}

// newRepo creates a Gitea repository holding files on main and returns
// its name and the commit.
func newRepo(t *testing.T, files map[string]string) (string, plumbing.Hash) {
	t.Helper()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := "declared-" + hex.EncodeToString(b)
	forgeSrv.CreateRepo(t, name)
	// What propose pushed is searched too, in the forge's own copy.
	secretscan.Guard(t).Dir(filepath.Join(forgeSrv.WorkDir, "repositories", strings.ToLower(forgeSrv.AdminUser), strings.ToLower(name)+".git"))
	local := gittest.Init(t, t.TempDir())
	if _, err := local.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{forgeSrv.RepoURL(name)}}); err != nil {
		t.Fatal(err)
	}
	h := gittest.CommitFiles(t, local, files, "declare the shop")
	if err := local.PushContext(t.Context(), &git.PushOptions{
		RefSpecs: []config.RefSpec{"refs/heads/main:refs/heads/main"}, Auth: forgeSrv.GitAuth(),
	}); err != nil {
		t.Fatalf("push: %v", err)
	}
	forgeSrv.WaitBranch(t, name, "main", h.String())
	return name, h
}

// apply server-side applies manifests as the GitOps tool would.
func apply(t *testing.T, manifests string) { cluster.ApplyYAML(t, "kustomize-controller", manifests) }

// patch changes a live object the way kubectl does: a strategic merge
// patch recorded under manager.
func patch(t *testing.T, gvr schema.GroupVersionResource, ns, name, manager, body string) {
	t.Helper()
	dyn, err := dynamic.NewForConfig(cluster.Config)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dyn.Resource(gvr).Namespace(ns).Patch(t.Context(), name, types.StrategicMergePatchType, []byte(body),
		metav1.PatchOptions{FieldManager: manager}); err != nil {
		t.Fatalf("patch %s %s: %v", gvr.Resource, name, err)
	}
}

// openPRs lists the repository's open pull requests.
func openPRs(t *testing.T, repo string) []*gitea.PullRequest {
	t.Helper()
	prs, _, err := forgeSrv.Client(t).ListRepoPullRequests(forgeSrv.AdminUser, repo, gitea.ListPullRequestsOptions{State: gitea.StateOpen})
	if err != nil {
		t.Fatalf("list pull requests: %v", err)
	}
	return prs
}

// fileAt reads a file of a branch through the API.
func fileAt(t *testing.T, repo, ref, path string) string {
	t.Helper()
	b, _, err := forgeSrv.Client(t).GetFile(forgeSrv.AdminUser, repo, ref, path)
	if err != nil {
		t.Fatalf("get %s at %s: %v", path, ref, err)
	}
	return string(b)
}
