package testgitea

import (
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"code.gitea.io/sdk/gitea"
	"github.com/clusterscribe/clusterscribe/internal/testkit"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
)

// Main runs a test package against one server: it starts it, runs the
// tests, stops it and exits. A missing binary fails the package with the
// command that builds it; it never skips.
//
//	var forge *testgitea.Server
//	func TestMain(m *testing.M) { testgitea.Main(m, &forge) }
func Main(m *testing.M, into **Server) {
	testkit.Main(m, Fixture(into))
}

// Fixture starts a server into *into, for testkit.Main in a package that
// needs more than a forge.
func Fixture(into **Server) testkit.Fixture {
	return func() (func() error, error) {
		s, err := Start(Options{})
		if err != nil {
			return nil, err
		}
		*into = s
		return s.Stop, nil
	}
}

// New starts a server for one test and stops it when the test ends. When
// the test failed, the end of the server's log is logged.
func New(t testing.TB) *Server {
	t.Helper()
	s, err := Start(Options{WorkDir: t.TempDir()})
	if err != nil {
		t.Fatalf("start gitea: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("gitea log, last lines:\n%s", s.LogTail(40))
		}
		if err := s.Stop(); err != nil {
			t.Errorf("stop gitea: %v", err)
		}
	})
	return s
}

// Client is an API client acting as AdminUser, bound to the test's context.
func (s *Server) Client(t testing.TB) *gitea.Client {
	t.Helper()
	c, err := gitea.NewClient(s.URL, gitea.SetToken(s.Token), gitea.SetContext(t.Context()))
	if err != nil {
		t.Fatalf("gitea client: %v", err)
	}
	return c
}

// CreateRepo creates an empty repository (no initial commit, default branch
// main) owned by AdminUser.
func (s *Server) CreateRepo(t testing.TB, name string) *gitea.Repository {
	t.Helper()
	repo, _, err := s.Client(t).CreateRepo(gitea.CreateRepoOption{Name: name, DefaultBranch: "main"})
	if err != nil {
		t.Fatalf("create repository %s: %v", name, err)
	}
	return repo
}

// WaitBranch waits until the API shows branch of AdminUser's repository
// name at commit sha. Gitea records a push asynchronously, in a queue: until
// it has, the API may still call the repository empty (and answer 500 for
// its branches) or show the branch's previous commit.
func (s *Server) WaitBranch(t testing.TB, name, branch, sha string) {
	t.Helper()
	client := s.Client(t)
	deadline := time.Now().Add(time.Minute)
	for {
		var got string
		repo, _, err := client.GetRepo(s.AdminUser, name)
		if err == nil && !repo.Empty {
			var b *gitea.Branch
			if b, _, err = client.GetRepoBranch(s.AdminUser, name, branch); err == nil {
				got = b.Commit.ID
			}
		}
		if got == sha {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("branch %s of %s is at %q, want %s (last error: %v)", branch, name, got, sha, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// RepoURL is the clone and push URL of AdminUser's repository name, without
// credentials; use GitAuth with it.
func (s *Server) RepoURL(name string) string {
	return s.URL + "/" + url.PathEscape(s.AdminUser) + "/" + url.PathEscape(name) + ".git"
}

// CredentialURL is RepoURL with AdminUser and Token in it, for tools that take
// only a URL. It holds the token: keep it out of logs and messages.
func (s *Server) CredentialURL(name string) string {
	u, err := url.Parse(s.RepoURL(name))
	if err != nil {
		panic(err) // RepoURL always parses
	}
	u.User = url.UserPassword(s.AdminUser, s.Token)
	return u.String()
}

// GitAuth authenticates go-git's HTTP transport as AdminUser with Token.
func (s *Server) GitAuth() *githttp.BasicAuth {
	return &githttp.BasicAuth{Username: s.AdminUser, Password: s.Token}
}

// TokenFile writes Token to a file of the test's own (mode 0600) and returns
// its path, for commands that read a token from a file.
func (s *Server) TokenFile(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "gitea-token")
	if err := os.WriteFile(path, []byte(s.Token+"\n"), 0o600); err != nil {
		t.Fatalf("write token file: %v", err)
	}
	return path
}

// WaitPullHead waits until the API shows pull request index of AdminUser's
// repository name at commit sha, and returns it: Gitea updates a pull
// request's head asynchronously, in a queue, after a push to its branch.
func (s *Server) WaitPullHead(t testing.TB, name string, index int64, sha string) *gitea.PullRequest {
	t.Helper()
	client := s.Client(t)
	deadline := time.Now().Add(time.Minute)
	for {
		pr, _, err := client.GetPullRequest(s.AdminUser, name, index)
		if err != nil {
			t.Fatalf("get pull request %d of %s: %v", index, name, err)
		}
		if pr.Head.Sha == sha {
			return pr
		}
		if time.Now().After(deadline) {
			t.Fatalf("pull request %d of %s is at %s, want %s", index, name, pr.Head.Sha, sha)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
