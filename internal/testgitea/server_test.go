package testgitea

import (
	"strings"
	"testing"

	"code.gitea.io/sdk/gitea"
	"github.com/clusterscribe/clusterscribe/internal/gittest"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/google/go-cmp/cmp"
)

const (
	deployment = "apps/web/deployment.yaml"
	driftRef   = plumbing.ReferenceName("refs/heads/clusterscribe/drift-web")
)

// manifest is a Deployment with the given replica count.
func manifest(replicas string) string {
	return "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\n" +
		"spec:\n  replicas: " + replicas + " # scaled by hand during the incident\n"
}

// TestServer proves the forge propose is tested against: an empty
// repository, a push over HTTP with the token, a branch and a pull request
// through the SDK, the pull request and its diff read back, and the branch
// force-pushed with a lease, which updates the same pull request.
func TestServer(t *testing.T) {
	srv := New(t)
	client := srv.Client(t)

	repo := srv.CreateRepo(t, "declared")
	if !repo.Empty {
		t.Fatalf("repository %s is not empty after creation without auto-init", repo.FullName)
	}

	local := initRepo(t, srv)
	base := gittest.CommitFiles(t, local, map[string]string{deployment: manifest("2")}, "declare web")
	push(t, srv, local, &git.PushOptions{RefSpecs: []config.RefSpec{"refs/heads/main:refs/heads/main"}})

	srv.WaitBranch(t, "declared", "main", base.String())

	// The branch is created through the API, then receives the change.
	if _, _, err := client.CreateBranch(srv.AdminUser, "declared", gitea.CreateBranchOption{
		BranchName: driftRef.Short(), OldBranchName: "main",
	}); err != nil {
		t.Fatalf("create branch: %v", err)
	}
	checkout(t, local, driftRef, base)
	first := gittest.CommitFiles(t, local, map[string]string{deployment: manifest("5")}, "web: replicas 2 -> 5")
	push(t, srv, local, &git.PushOptions{RefSpecs: []config.RefSpec{config.RefSpec(driftRef + ":" + driftRef)}})

	created, _, err := client.CreatePullRequest(srv.AdminUser, "declared", gitea.CreatePullRequestOption{
		Head: driftRef.Short(), Base: "main", Title: "drift: shop/web", Body: "Changed live by kubectl-edit.",
	})
	if err != nil {
		t.Fatalf("create pull request: %v", err)
	}
	got := readPull(t, srv, created.Index)
	want := pull{
		Title: "drift: shop/web", Body: "Changed live by kubectl-edit.", State: gitea.StateOpen,
		Head: driftRef.Short(), Base: "main", HeadSHA: first.String(),
		Changed: []string{"-  replicas: 2 # scaled by hand during the incident", "+  replicas: 5 # scaled by hand during the incident"},
		Open:    1,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pull request as read back (-want +got):\n%s", diff)
	}

	// The same drift seen again with another value: the branch is rewritten
	// with a lease on its old head, and the open pull request follows it.
	checkout(t, local, driftRef, base)
	second := gittest.CommitFiles(t, local, map[string]string{deployment: manifest("7")}, "web: replicas 2 -> 7")
	push(t, srv, local, &git.PushOptions{
		RefSpecs:       []config.RefSpec{config.RefSpec(driftRef + ":" + driftRef)},
		ForceWithLease: &git.ForceWithLease{RefName: driftRef, Hash: first},
	})
	srv.WaitPullHead(t, "declared", created.Index, second.String())
	want.HeadSHA = second.String()
	want.Changed = []string{"-  replicas: 2 # scaled by hand during the incident", "+  replicas: 7 # scaled by hand during the incident"}
	if diff := cmp.Diff(want, readPull(t, srv, created.Index)); diff != "" {
		t.Errorf("pull request after the force push (-want +got):\n%s", diff)
	}

	// A stale lease is refused and leaves the branch alone.
	checkout(t, local, driftRef, base)
	gittest.CommitFiles(t, local, map[string]string{deployment: manifest("9")}, "web: replicas 2 -> 9")
	err = local.PushContext(t.Context(), &git.PushOptions{
		RefSpecs:       []config.RefSpec{config.RefSpec(driftRef + ":" + driftRef)},
		ForceWithLease: &git.ForceWithLease{RefName: driftRef, Hash: first},
		Auth:           srv.GitAuth(),
	})
	if err == nil || !strings.Contains(err.Error(), "non-fast-forward update") {
		t.Fatalf("push with a stale lease: got error %v, want a non-fast-forward refusal", err)
	}
	branch, _, err := client.GetRepoBranch(srv.AdminUser, "declared", driftRef.Short())
	if err != nil {
		t.Fatalf("get branch: %v", err)
	}
	if diff := cmp.Diff(second.String(), branch.Commit.ID); diff != "" {
		t.Errorf("branch after a refused push (-want +got):\n%s", diff)
	}
}

// pull is what a reviewer sees of a pull request.
type pull struct {
	Title, Body string
	State       gitea.StateType
	Head, Base  string
	HeadSHA     string
	Changed     []string // removed and added lines of the diff
	Open        int      // open pull requests in the repository
}

func readPull(t *testing.T, srv *Server, index int64) pull {
	t.Helper()
	client := srv.Client(t)
	pr, _, err := client.GetPullRequest(srv.AdminUser, "declared", index)
	if err != nil {
		t.Fatalf("get pull request: %v", err)
	}
	diff, _, err := client.GetPullRequestDiff(srv.AdminUser, "declared", index, gitea.PullRequestDiffOptions{})
	if err != nil {
		t.Fatalf("get pull request diff: %v", err)
	}
	if !strings.Contains(string(diff), "+++ b/"+deployment) {
		t.Errorf("diff does not touch %s:\n%s", deployment, diff)
	}
	open, _, err := client.ListRepoPullRequests(srv.AdminUser, "declared", gitea.ListPullRequestsOptions{State: gitea.StateOpen})
	if err != nil {
		t.Fatalf("list pull requests: %v", err)
	}
	return pull{
		Title: pr.Title, Body: pr.Body, State: pr.State,
		Head: pr.Head.Ref, Base: pr.Base.Ref, HeadSHA: pr.Head.Sha,
		Changed: gittest.ChangedLines(string(diff)), Open: len(open),
	}
}

func initRepo(t *testing.T, srv *Server) *git.Repository {
	t.Helper()
	local := gittest.Init(t, t.TempDir())
	if _, err := local.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{srv.RepoURL("declared")}}); err != nil {
		t.Fatalf("add remote: %v", err)
	}
	return local
}

// checkout points branch at commit, creating or resetting it, and checks it out.
func checkout(t *testing.T, local *git.Repository, branch plumbing.ReferenceName, commit plumbing.Hash) {
	t.Helper()
	wt, err := local.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	if err := local.Storer.SetReference(plumbing.NewHashReference(branch, commit)); err != nil {
		t.Fatalf("set %s: %v", branch, err)
	}
	if err := wt.Checkout(&git.CheckoutOptions{Branch: branch, Force: true}); err != nil {
		t.Fatalf("checkout %s: %v", branch, err)
	}
}

func push(t *testing.T, srv *Server, local *git.Repository, opts *git.PushOptions) {
	t.Helper()
	opts.Auth = srv.GitAuth()
	if err := local.PushContext(t.Context(), opts); err != nil {
		t.Fatalf("push %v: %v", opts.RefSpecs, err)
	}
}
