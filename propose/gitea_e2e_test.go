package propose_test

import (
	"strings"
	"testing"
	"time"

	"code.gitea.io/sdk/gitea"
	"github.com/google/go-cmp/cmp"

	"github.com/clusterscribe/clusterscribe/audit"
	"github.com/clusterscribe/clusterscribe/audit/declared"
	"github.com/clusterscribe/clusterscribe/committer"
	"github.com/clusterscribe/clusterscribe/filters"
	"github.com/clusterscribe/clusterscribe/internal/gittest"
	"github.com/clusterscribe/clusterscribe/internal/secretscan"
	"github.com/clusterscribe/clusterscribe/propose"
	"github.com/clusterscribe/clusterscribe/propose/forge"
	giteaforge "github.com/clusterscribe/clusterscribe/propose/forge/gitea"
)

// config is a propose run against repo in Gitea, scoped to ns.
func runConfig(t *testing.T, repo, ns string, tune func(*propose.Config)) propose.Config {
	t.Helper()
	token := forgeSrv.TokenFile(t)
	secretscan.Register(forgeSrv.Token)
	secretscan.Guard(t).Input(token)
	f, err := giteaforge.New(forge.Options{URL: forgeSrv.URL, Repo: forgeSrv.AdminUser + "/" + repo, Token: forge.Token{File: token}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := propose.Config{
		Audit: audit.Config{
			Declared: declared.Options{Source: forgeSrv.RepoURL(repo), Auth: committer.Auth{TokenFile: token}},
			Cluster:  "prod-eu",
			Filters:  filters.Options{Namespaces: []string{ns}},
		},
		Forge:   f,
		Workdir: t.TempDir(),
		Now:     func() time.Time { return time.Date(2026, 3, 2, 4, 0, 0, 0, time.UTC) },
	}
	if tune != nil {
		tune(&cfg)
	}
	return cfg
}

func runPropose(t *testing.T, cfg propose.Config) propose.Result {
	t.Helper()
	res, err := propose.Run(t.Context(), cluster.Config, cfg)
	if err != nil {
		t.Fatalf("propose: %v", err)
	}
	return res
}

type summary struct {
	Branch string
	Action propose.Action
	Notes  []string
}

func summarize(res propose.Result) []summary {
	var out []summary
	for _, p := range res.Proposals {
		out = append(out, summary{Branch: p.Branch, Action: p.Action, Notes: p.Notes})
	}
	return out
}

// TestProposeGitea is the whole life of a pull request against a real
// Gitea and a real API server: drift is proposed with a minimal edit of
// the commented manifest, the same drift again changes nothing, changed
// drift updates the same pull request, and drift that went away closes it.
func TestProposeGitea(t *testing.T) {
	ns := cluster.Namespace(t, "propose")
	web := fixture(t, "web.yaml", ns)
	repo, base := newRepo(t, map[string]string{
		"apps/web.yaml":     web,
		"apps/missing.yaml": fixture(t, "missing.yaml", ns),
	})
	apply(t, web)

	// The incident: a hot-fixed image, a label, a scale-up.
	patch(t, deployments, ns, "web", "kubectl-set", `{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"registry.example.com/shop/web:1.4.1"}]}}}}`)
	patch(t, deployments, ns, "web", "kubectl-label", `{"metadata":{"labels":{"incident":"INC-4711"}}}`)
	patch(t, deployments, ns, "web", "kubectl-scale", `{"spec":{"replicas":5}}`)

	branch := "clusterscribe/propose/prod-eu/" + ns + "/deployment.apps/web"
	res := runPropose(t, runConfig(t, repo, ns, nil))
	if diff := cmp.Diff([]summary{{Branch: branch, Action: propose.Opened}}, summarize(res)); diff != "" {
		t.Fatalf("first run (-want +got):\n%s", diff)
	}
	if res.BaseCommit != base.String() || res.Base != "main" {
		t.Errorf("base = %s @ %s, want main @ %s", res.Base, res.BaseCommit, base)
	}

	prs := openPRs(t, repo)
	if len(prs) != 1 {
		t.Fatalf("%d open pull requests, want 1", len(prs))
	}
	pr := forgeSrv.WaitPullHead(t, repo, prs[0].Index, res.Proposals[0].Commit)
	if pr.Head.Ref != branch || pr.Base.Ref != "main" || !strings.Contains(pr.Title, "Deployment.apps "+ns+"/web") {
		t.Errorf("pull request %q: %s -> %s", pr.Title, pr.Head.Ref, pr.Base.Ref)
	}
	for _, want := range []string{
		"kubectl-set", "kubectl-label", "kubectl-scale", // attribution
		"`spec.replicas`", "`metadata.labels.incident`", // drifted fields
		"ConfigMap " + ns + "/retired", "never deletes", // MissingLive, listed only
		"```diff", "apps/web.yaml",
	} {
		if !strings.Contains(pr.Body, want) {
			t.Errorf("pull request body lacks %q:\n%s", want, pr.Body)
		}
	}
	diff, _, err := forgeSrv.Client(t).GetPullRequestDiff(forgeSrv.AdminUser, repo, pr.Index, gitea.PullRequestDiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantChanged := []string{
		"+    incident: INC-4711",
		"-  replicas: 2",
		"+  replicas: 5",
		"-          image: registry.example.com/shop/web:1.4.0 # pinned by release 2026.03",
		"+          image: registry.example.com/shop/web:1.4.1 # pinned by release 2026.03",
	}
	if d := cmp.Diff(wantChanged, gittest.ChangedLines(string(diff))); d != "" {
		t.Errorf("pull request diff (-want +got):\n%s\nfull diff:\n%s", d, diff)
	}
	edited := strings.NewReplacer(
		"    app: web   # selector label: never change it\n", "    app: web   # selector label: never change it\n    incident: INC-4711\n",
		"  replicas: 2\n", "  replicas: 5\n",
		"web:1.4.0 #", "web:1.4.1 #",
	).Replace(web)
	if d := cmp.Diff(edited, fileAt(t, repo, branch, "apps/web.yaml")); d != "" {
		t.Errorf("apps/web.yaml on the branch (-want +got):\n%s", d)
	}
	commit, _, err := forgeSrv.Client(t).GetSingleCommit(forgeSrv.AdminUser, repo, pr.Head.Sha)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"changed by kubectl-label (Update) at ", "Clusterscribe-Object: Modified apps/v1 Deployment " + ns + "/web"} {
		if !strings.Contains(commit.RepoCommit.Message, want) {
			t.Errorf("commit message lacks %q:\n%s", want, commit.RepoCommit.Message)
		}
	}

	// The same drift again: nothing moves.
	res = runPropose(t, runConfig(t, repo, ns, nil))
	if diff := cmp.Diff([]summary{{Branch: branch, Action: propose.Unchanged}}, summarize(res)); diff != "" {
		t.Errorf("second run (-want +got):\n%s", diff)
	}
	if n := len(openPRs(t, repo)); n != 1 {
		t.Errorf("%d open pull requests after the second run, want 1", n)
	}

	// The drift changes: the branch is replaced, the same pull request
	// follows it.
	patch(t, deployments, ns, "web", "kubectl-set", `{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"registry.example.com/shop/web:1.4.2"}]}}}}`)
	res = runPropose(t, runConfig(t, repo, ns, nil))
	if diff := cmp.Diff([]summary{{Branch: branch, Action: propose.Updated}}, summarize(res)); diff != "" {
		t.Errorf("third run (-want +got):\n%s", diff)
	}
	prs = openPRs(t, repo)
	if len(prs) != 1 || prs[0].Index != pr.Index {
		t.Fatalf("open pull requests after the drift changed: %d, want the same one (#%d)", len(prs), pr.Index)
	}
	forgeSrv.WaitPullHead(t, repo, pr.Index, res.Proposals[0].Commit)
	if got := fileAt(t, repo, branch, "apps/web.yaml"); !strings.Contains(got, "web:1.4.2 # pinned by release 2026.03") {
		t.Errorf("apps/web.yaml on the branch does not hold the new image:\n%s", got)
	}

	// The drift goes away: a comment, the pull request closed, the branch
	// deleted.
	patch(t, deployments, ns, "web", "kubectl-set", `{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"registry.example.com/shop/web:1.4.0"}]}}}}`)
	patch(t, deployments, ns, "web", "kubectl-label", `{"metadata":{"labels":{"incident":null}}}`)
	patch(t, deployments, ns, "web", "kubectl-scale", `{"spec":{"replicas":2}}`)
	res = runPropose(t, runConfig(t, repo, ns, nil))
	if diff := cmp.Diff([]summary{{Branch: branch, Action: propose.Resolved}}, summarize(res)); diff != "" {
		t.Errorf("run after the fix (-want +got):\n%s", diff)
	}
	if n := len(openPRs(t, repo)); n != 0 {
		t.Errorf("%d open pull requests after the fix, want 0", n)
	}
	closed, _, err := forgeSrv.Client(t).GetPullRequest(forgeSrv.AdminUser, repo, pr.Index)
	if err != nil {
		t.Fatal(err)
	}
	if closed.State != gitea.StateClosed || closed.HasMerged {
		t.Errorf("pull request state %s (merged %v), want closed unmerged", closed.State, closed.HasMerged)
	}
	comments, _, err := forgeSrv.Client(t).ListIssueComments(forgeSrv.AdminUser, repo, pr.Index, gitea.ListIssueCommentOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(comments) != 1 || !strings.Contains(comments[0].Body, "drift this pull request records is gone") {
		t.Errorf("comments on the closed pull request: %+v", comments)
	}
	// Nothing is left to do.
	res = runPropose(t, runConfig(t, repo, ns, nil))
	if len(res.Proposals) != 0 {
		t.Errorf("run after the close: %+v, want nothing", summarize(res))
	}
}
