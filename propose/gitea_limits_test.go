package propose_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/clusterscribe/clusterscribe/internal/secretscan"
	"github.com/clusterscribe/clusterscribe/propose"
)

// TestProposeMaxPRs: with two drifted objects and --max-prs 1, one pull
// request is opened and the other deferred; the next run opens it.
func TestProposeMaxPRs(t *testing.T) {
	ns := cluster.Namespace(t, "maxprs")
	web := fixture(t, "web.yaml", ns)
	repo, _ := newRepo(t, map[string]string{"apps/web.yaml": web})
	apply(t, web)
	patch(t, deployments, ns, "web", "kubectl-scale", `{"spec":{"replicas":4}}`)
	patch(t, configMaps, ns, "settings", "kubectl-edit", `{"data":{"MODE":"maintenance"}}`)

	prefix := "clusterscribe/propose/prod-eu/" + ns
	deployment, configMap := prefix+"/deployment.apps/web", prefix+"/configmap/settings"
	one := func(c *propose.Config) { c.MaxPRs = 1 }
	res := runPropose(t, runConfig(t, repo, ns, one))
	want := []summary{{Branch: configMap, Action: propose.Opened}, {Branch: deployment, Action: propose.Deferred}}
	if diff := cmp.Diff(want, summarize(res)); diff != "" {
		t.Errorf("first run (-want +got):\n%s", diff)
	}
	if n := len(openPRs(t, repo)); n != 1 {
		t.Errorf("%d open pull requests, want 1", n)
	}
	res = runPropose(t, runConfig(t, repo, ns, one))
	want = []summary{{Branch: configMap, Action: propose.Unchanged}, {Branch: deployment, Action: propose.Opened}}
	if diff := cmp.Diff(want, summarize(res)); diff != "" {
		t.Errorf("second run (-want +got):\n%s", diff)
	}
	var heads []string
	for _, pr := range openPRs(t, repo) {
		heads = append(heads, pr.Head.Ref)
	}
	slices.Sort(heads)
	if diff := cmp.Diff([]string{configMap, deployment}, heads); diff != "" {
		t.Errorf("open pull requests (-want +got):\n%s", diff)
	}
}

// TestProposeGroupAdopt: --group puts all drift on one branch, and
// --adopt-unmanaged adds a file for an object declared nowhere, but never
// for a Secret.
func TestProposeGroupAdopt(t *testing.T) {
	ns := cluster.Namespace(t, "group")
	web := fixture(t, "web.yaml", ns)
	// A declared Secret makes Secrets a declared kind: the live one nobody
	// declared is Unmanaged.
	repo, _ := newRepo(t, map[string]string{
		"apps/web.yaml":    web,
		"apps/secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: " + ns + "\ntype: Opaque\n",
	})
	apply(t, web)
	apply(t, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hotfix\n  namespace: "+ns+"\ndata:\n  PATCHED: \"yes\"\n"+
		"---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: hotfix-creds\n  namespace: "+ns+"\nstringData:\n  password: "+secretscan.Canary()+"\n")
	patch(t, configMaps, ns, "settings", "kubectl-edit", `{"data":{"MODE":"maintenance"}}`)

	res := runPropose(t, runConfig(t, repo, ns, func(c *propose.Config) {
		c.Group, c.AdoptUnmanaged, c.AdoptDir = true, true, "clusters/prod-eu/adopted"
	}))
	branch := "clusterscribe/propose/prod-eu/_all"
	want := []summary{{Branch: branch, Action: propose.Opened, Notes: []string{
		"Secret " + ns + "/hotfix-creds: Secrets are not adopted: their values never leave the cluster",
	}}}
	if diff := cmp.Diff(want, summarize(res)); diff != "" {
		t.Fatalf("run (-want +got):\n%s", diff)
	}
	adopted := "clusters/prod-eu/adopted/" + ns + "/configmap-hotfix.yaml"
	if diff := cmp.Diff([]string{"apps/web.yaml", adopted}, res.Proposals[0].Files); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	prs := openPRs(t, repo)
	if len(prs) != 1 {
		t.Fatalf("%d open pull requests, want 1", len(prs))
	}
	forgeSrv.WaitPullHead(t, repo, prs[0].Index, res.Proposals[0].Commit)
	got := fileAt(t, repo, branch, adopted)
	for _, want := range []string{"kind: ConfigMap", "name: hotfix", "PATCHED: \"yes\""} {
		if !strings.Contains(got, want) {
			t.Errorf("%s lacks %q:\n%s", adopted, want, got)
		}
	}
	if strings.Contains(got, "uid:") || strings.Contains(got, "managedFields") {
		t.Errorf("%s is not normalized:\n%s", adopted, got)
	}
	if !strings.Contains(fileAt(t, repo, branch, "apps/web.yaml"), `MODE: "maintenance"   # "maintenance" during incidents only`) {
		t.Errorf("apps/web.yaml does not hold the live MODE with its comment")
	}
	secretscan.Check(t, "the pull request body", prs[0].Body)
}

// TestProposeNoForge: without a forge the branch is still pushed, and a
// patch file is written; no pull request is opened.
func TestProposeNoForge(t *testing.T) {
	ns := cluster.Namespace(t, "noforge")
	web := fixture(t, "web.yaml", ns)
	repo, _ := newRepo(t, map[string]string{"apps/web.yaml": web})
	apply(t, web)
	patch(t, configMaps, ns, "settings", "kubectl-edit", `{"data":{"MODE":"maintenance"}}`)
	patches := t.TempDir()
	res := runPropose(t, runConfig(t, repo, ns, func(c *propose.Config) { c.Forge, c.PatchDir = nil, patches }))
	branch := "clusterscribe/propose/prod-eu/" + ns + "/configmap/settings"
	if diff := cmp.Diff([]summary{{Branch: branch, Action: propose.Written}}, summarize(res)); diff != "" {
		t.Fatalf("run (-want +got):\n%s", diff)
	}
	forgeSrv.WaitBranch(t, repo, branch, res.Proposals[0].Commit)
	if n := len(openPRs(t, repo)); n != 0 {
		t.Errorf("%d pull requests, want none", n)
	}
	data, err := os.ReadFile(res.Proposals[0].Patch)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `+  MODE: "maintenance"   # "maintenance" during incidents only`) {
		t.Errorf("patch does not hold the edit:\n%s", data)
	}
	if filepath.Dir(res.Proposals[0].Patch) != patches {
		t.Errorf("patch written to %s, want %s", res.Proposals[0].Patch, patches)
	}
}
