package gitremote

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"

	"github.com/clusterscribe/clusterscribe/internal/gittest"
	"github.com/clusterscribe/clusterscribe/internal/secretscan"
)

// seeded is a bare remote root/remote.git holding main (two commits), dev
// (one more) and the tag v1 on the first commit, pushed by the real git.
type seeded struct {
	root, bare, work string
	first, main, dev string
}

func seedRemote(t *testing.T) *seeded {
	t.Helper()
	s := &seeded{root: t.TempDir()}
	s.bare = gittest.NewBareRemote(t, filepath.Join(s.root, "remote.git"))
	s.work = filepath.Join(t.TempDir(), "work")
	gittest.Out(t, filepath.Dir(s.work), "init", "--quiet", "--initial-branch=main", s.work)
	s.first = s.commit(t, "one")
	s.main = s.commit(t, "two")
	gittest.Out(t, s.work, "checkout", "--quiet", "-b", "dev")
	s.dev = s.commit(t, "three")
	gittest.Out(t, s.work, "checkout", "--quiet", "main")
	gittest.Out(t, s.work, "tag", "v1", s.first)
	gittest.Out(t, s.work, "push", "--quiet", s.bare, "main", "dev", "v1")
	return s
}

// commit commits a file named after msg in the work repository.
func (s *seeded) commit(t *testing.T, msg string) string {
	t.Helper()
	if err := os.WriteFile(filepath.Join(s.work, msg+".txt"), []byte(msg), 0o644); err != nil {
		t.Fatal(err)
	}
	gittest.Out(t, s.work, "add", ".")
	gittest.Out(t, s.work, "-c", "user.name=Test", "-c", "user.email=test@example.com", "commit", "--quiet", "-m", msg)
	return rev(t, s.work, "HEAD")
}

func rev(t *testing.T, dir, ref string) string {
	t.Helper()
	return strings.TrimSpace(gittest.Out(t, dir, "rev-parse", ref))
}

func resolve(t *testing.T, url string, a Auth) *Access {
	t.Helper()
	acc, err := Resolve(url, a)
	if err != nil {
		t.Fatal(err)
	}
	return acc
}

func wantKind(t *testing.T, what string, err, kind error) {
	t.Helper()
	var re *Error
	if !errors.Is(err, kind) || !errors.As(err, &re) {
		t.Fatalf("%s: %v, want an Error of kind %v", what, err, kind)
	}
	if !strings.HasPrefix(err.Error(), re.Op+" "+re.URL+": "+kind.Error()+": ") {
		t.Errorf("%s: message %q does not start with what was done, where and the kind", what, err)
	}
}

func TestCloneAt(t *testing.T) {
	s := seedRemote(t)
	a := resolve(t, s.bare, Auth{})
	tests := []struct {
		ref     string
		want    string
		commits string // how many commits the clone holds
		fault   string // the cause of ErrRefNotFound
	}{
		{ref: "", want: s.main, commits: "1"},
		{ref: "dev", want: s.dev, commits: "1"},
		{ref: "v1", want: s.first, commits: "1"},
		{ref: "refs/heads/dev", want: s.dev, commits: "1"},
		{ref: s.first, want: s.first, commits: "1"}, // the full history, at the first commit
		{ref: "nope", fault: `ref "nope": no such branch or tag`},
		{ref: "refs/heads/nope", fault: `ref "refs/heads/nope": no such ref`},
		{ref: strings.Repeat("e", 40), fault: `ref "` + strings.Repeat("e", 40) + `": no such commit`},
	}
	for _, tt := range tests {
		t.Run("ref "+tt.ref, func(t *testing.T) {
			dir := t.TempDir()
			repo, err := CloneAt(t.Context(), a, dir, tt.ref)
			if tt.fault != "" {
				wantKind(t, "CloneAt", err, ErrRefNotFound)
				if !strings.HasSuffix(err.Error(), ": "+tt.fault) {
					t.Errorf("CloneAt: %v, want it to end with %q", err, tt.fault)
				}
				if tt.ref == "nope" {
					if left, _ := os.ReadDir(dir); len(left) > 0 {
						t.Errorf("a failed clone left %d entries in the directory", len(left))
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			head, err := repo.Head()
			if err != nil || head.Hash().String() != tt.want {
				t.Fatalf("HEAD = %v, %v; want %s", head, err, tt.want)
			}
			if got := strings.TrimSpace(gittest.Out(t, dir, "rev-list", "--count", "HEAD")); got != tt.commits {
				t.Errorf("the clone holds %s commits, want %s", got, tt.commits)
			}
		})
	}
}

var mirrorSpecs = []config.RefSpec{"+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"}

func TestMirrorCloneAndFetch(t *testing.T) {
	s := seedRemote(t)
	a := resolve(t, s.bare, Auth{})
	dir := filepath.Join(t.TempDir(), "mirror")
	repo, err := Clone(t.Context(), a, dir, CloneOptions{Mirror: true})
	if err != nil {
		t.Fatal(err)
	}
	for ref, want := range map[string]string{"refs/heads/main": s.main, "refs/heads/dev": s.dev, "refs/tags/v1": s.first} {
		if got := rev(t, dir, ref); got != want {
			t.Errorf("%s = %s, want %s", ref, got, want)
		}
	}

	next := s.commit(t, "four")
	gittest.Out(t, s.work, "push", "--quiet", s.bare, "main")
	if err := Fetch(t.Context(), a, repo, FetchOptions{RefSpecs: mirrorSpecs, Force: true, AllTags: true}); err != nil {
		t.Fatal(err)
	}
	if got := rev(t, dir, "refs/heads/main"); got != next {
		t.Errorf("main after the fetch = %s, want %s", got, next)
	}
	if err := Fetch(t.Context(), a, repo, FetchOptions{RefSpecs: mirrorSpecs, Force: true}); err != nil {
		t.Errorf("a fetch with nothing new: %v, want nil", err)
	}
	err = Fetch(t.Context(), a, repo, FetchOptions{RefSpecs: []config.RefSpec{"+refs/heads/nope:refs/remotes/origin/nope"}})
	wantKind(t, "fetch of a missing branch", err, ErrRefNotFound)

	empty := resolve(t, gittest.NewBareRemote(t, filepath.Join(t.TempDir(), "empty.git")), Auth{})
	_, err = Clone(t.Context(), empty, filepath.Join(t.TempDir(), "c"), CloneOptions{})
	wantKind(t, "clone of an empty remote", err, ErrRefNotFound)
	_, err = Clone(t.Context(), resolve(t, filepath.Join(s.root, "missing.git"), Auth{}), t.TempDir(), CloneOptions{})
	wantKind(t, "clone of a missing repository", err, ErrUnreachable)
}

// commitFile commits one file on the checked-out branch of repo.
func commitFile(t *testing.T, repo *git.Repository, name string) plumbing.Hash {
	t.Helper()
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(wt.Filesystem.Root(), name), []byte(name), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := wt.Add(name); err != nil {
		t.Fatal(err)
	}
	sig := &object.Signature{Name: "Test", Email: "test@example.com", When: time.Unix(1_700_000_000, 0)}
	h, err := wt.Commit(name, &git.CommitOptions{Author: sig, Committer: sig})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestPush(t *testing.T) {
	s := seedRemote(t)
	a := resolve(t, s.bare, Auth{})
	repo, err := Clone(t.Context(), a, t.TempDir(), CloneOptions{Ref: "refs/heads/main", SingleBranch: true})
	if err != nil {
		t.Fatal(err)
	}
	main := plumbing.NewBranchReferenceName("main")
	spec := []config.RefSpec{config.RefSpec(main + ":" + main)}
	local := commitFile(t, repo, "pushed.txt")

	err = Push(t.Context(), a, repo, PushOptions{RefSpecs: spec, Require: []config.RefSpec{config.RefSpec(s.first + ":" + main.String())}})
	wantKind(t, "push requiring a stale commit", err, ErrRefMoved)
	if err := Push(t.Context(), a, repo, PushOptions{RefSpecs: spec, Require: []config.RefSpec{config.RefSpec(s.main + ":" + main.String())}}); err != nil {
		t.Fatal(err)
	}
	if got := rev(t, s.bare, "main"); got != local.String() {
		t.Fatalf("remote main = %s, want the pushed %s", got, local)
	}
	if err := Push(t.Context(), a, repo, PushOptions{RefSpecs: spec}); err != nil {
		t.Errorf("a push with nothing new: %v, want nil", err)
	}

	// Back to the first commit: not a fast-forward, unless leased.
	if err := repo.Storer.SetReference(plumbing.NewHashReference(main, plumbing.NewHash(s.first))); err != nil {
		t.Fatal(err)
	}
	wantKind(t, "a push that is not a fast-forward", Push(t.Context(), a, repo, PushOptions{RefSpecs: spec}), ErrRefMoved)
	stale := &git.ForceWithLease{RefName: main, Hash: plumbing.NewHash(s.main)}
	wantKind(t, "a push with a broken lease", Push(t.Context(), a, repo, PushOptions{RefSpecs: spec, Lease: stale}), ErrRefMoved)
	if err := Push(t.Context(), a, repo, PushOptions{RefSpecs: spec, Lease: &git.ForceWithLease{RefName: main, Hash: local}}); err != nil {
		t.Fatalf("a push with a lease that holds: %v", err)
	}
	if got := rev(t, s.bare, "main"); got != s.first {
		t.Errorf("remote main = %s, want %s after the leased push", got, s.first)
	}

	if err := Push(t.Context(), a, repo, PushOptions{RefSpecs: []config.RefSpec{":refs/heads/dev"}}); err != nil {
		t.Fatalf("delete dev: %v", err)
	}
	if _, err := gittest.Try(s.bare, "rev-parse", "--verify", "--quiet", "refs/heads/dev"); err == nil {
		t.Error("dev is still on the remote after its deletion")
	}
}

func TestFaultsOverHTTP(t *testing.T) {
	s := seedRemote(t)
	token, wrong := secretscan.Canary(), secretscan.Canary()
	secretscan.Guard(t)
	srv := gittest.StartHTTPServer(t, s.root, token)
	t.Setenv("CLUSTERSCRIBE_TEST_TOKEN", token)
	t.Setenv("CLUSTERSCRIBE_TEST_WRONG", wrong)
	good := resolve(t, srv.URL("remote.git"), Auth{TokenEnv: "CLUSTERSCRIBE_TEST_TOKEN"})
	bad := resolve(t, srv.URL("remote.git"), Auth{TokenEnv: "CLUSTERSCRIBE_TEST_WRONG"})

	refs, err := ListPushRefs(t.Context(), good)
	if err != nil || refs["refs/heads/main"].String() != s.main {
		t.Fatalf("ListPushRefs = %v, %v; want main at %s", refs, err, s.main)
	}
	if _, err := CloneAt(t.Context(), good, t.TempDir(), "dev"); err != nil {
		t.Fatalf("clone with the token: %v", err)
	}
	var errs []string
	check := func(what string, err, kind error) {
		t.Helper()
		wantKind(t, what, err, kind)
		errs = append(errs, err.Error())
	}
	_, err = ListPushRefs(t.Context(), bad)
	check("list refs with a wrong token", err, ErrAuthRejected)
	_, err = CloneAt(t.Context(), bad, t.TempDir(), "")
	check("clone with a wrong token", err, ErrAuthRejected)
	if !errors.Is(err, transport.ErrAuthenticationRequired) {
		t.Errorf("the cause is not kept: %v", err)
	}
	_, err = Clone(t.Context(), resolve(t, srv.URL("missing.git"), Auth{TokenEnv: "CLUSTERSCRIBE_TEST_TOKEN"}), t.TempDir(), CloneOptions{})
	check("clone of a missing repository", err, ErrUnreachable)

	srv.Stop()
	_, err = ListPushRefs(t.Context(), good)
	check("list refs of a stopped server", err, ErrUnreachable)
	_, err = CloneAt(t.Context(), good, t.TempDir(), "")
	check("clone from a stopped server", err, ErrUnreachable)
	secretscan.Check(t, "errors", strings.Join(errs, "\n"))
}

func TestFaultsOverSSH(t *testing.T) {
	s := seedRemote(t)
	key, pub := gittest.SSHKey(t)
	other, _ := gittest.SSHKey(t)
	srv := gittest.StartSSHServer(t, s.root, pub)
	good := resolve(t, srv.URL("remote.git"), Auth{SSHKeyFile: key, SSHKnownHosts: srv.KnownHosts})
	bad := resolve(t, srv.URL("remote.git"), Auth{SSHKeyFile: other, SSHKnownHosts: srv.KnownHosts})

	repo, err := CloneAt(t.Context(), good, t.TempDir(), "")
	if err != nil {
		t.Fatalf("clone with the key: %v", err)
	}
	if err := Fetch(t.Context(), good, repo, FetchOptions{RefSpecs: []config.RefSpec{"+refs/heads/dev:refs/remotes/origin/dev"}}); err != nil {
		t.Fatalf("fetch with the key: %v", err)
	}
	_, err = ListPushRefs(t.Context(), bad)
	wantKind(t, "list refs with another key", err, ErrAuthRejected)
	_, err = CloneAt(t.Context(), bad, t.TempDir(), "")
	wantKind(t, "clone with another key", err, ErrAuthRejected)
	err = Fetch(t.Context(), bad, repo, FetchOptions{RefSpecs: []config.RefSpec{"+refs/heads/dev:refs/remotes/origin/dev"}})
	wantKind(t, "fetch with another key", err, ErrAuthRejected)
}
