package committer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/clusterscribe/clusterscribe/internal/gittest"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/google/go-cmp/cmp"
)

// addedLabels lists, oldest commit first, the objects that the branch's
// commits in repository dir report as added.
func addedLabels(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	for _, l := range lines(runGit(t, dir, "log", "--reverse", "--format=%b", "backup")) {
		if label, ok := strings.CutPrefix(l, "added   "); ok {
			out = append(out, label)
		}
	}
	return out
}

func pending(t testing.TB, c *Committer) int {
	t.Helper()
	n, err := c.Pending()
	if err != nil {
		t.Fatalf("Pending: %v", err)
	}
	return n
}

func head(t testing.TB, c *Committer) string {
	t.Helper()
	h, err := c.Head()
	if err != nil {
		t.Fatalf("Head: %v", err)
	}
	return h.String()
}

func TestPushToRemotes(t *testing.T) {
	const token = "push-token-7f3a9c"
	tests := []struct {
		name string
		// setup returns the Options.Repo to use for a bare remote at dir
		// inside root, and adjusts the options.
		setup func(t *testing.T, root, dir string, o *Options) string
	}{
		{name: "bare repository path", setup: func(_ *testing.T, _, dir string, _ *Options) string { return dir }},
		{name: "file URL", setup: func(_ *testing.T, _, dir string, _ *Options) string { return "file://" + dir }},
		{name: "http with token file", setup: func(t *testing.T, root, _ string, o *Options) string {
			o.Auth.TokenFile = writeToken(t, token)
			return gittest.StartHTTPServer(t, root, token).URL("remote.git")
		}},
		{name: "http with token variable", setup: func(t *testing.T, root, _ string, o *Options) string {
			t.Setenv("CLUSTERSCRIBE_TEST_TOKEN", token)
			o.Auth.TokenEnv = "CLUSTERSCRIBE_TEST_TOKEN"
			return gittest.StartHTTPServer(t, root, token).URL("remote.git")
		}},
		{name: "local working repository with origin", setup: func(t *testing.T, root, dir string, _ *Options) string {
			local := filepath.Join(root, "local")
			runGit(t, root, "clone", "--quiet", dir, local)
			return local
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			bare := newBareRemote(t, root, "remote.git")
			o := options(t, "", "prod")
			o.Repo = tt.setup(t, root, bare, &o)
			c := mustOpen(t, o)
			if n := pending(t, c); n != 0 {
				t.Errorf("Pending before any commit = %d, want 0", n)
			}

			for i := range 3 {
				mustCommit(t, c, file(fmt.Sprintf("prod/obj-%d.yaml", i), "v1\n"))
			}
			if n := pending(t, c); n != 3 {
				t.Errorf("Pending after 3 commits = %d, want 3", n)
			}
			if err := c.Push(t.Context()); err != nil {
				t.Fatalf("Push: %v", err)
			}
			if n := pending(t, c); n != 0 {
				t.Errorf("Pending after push = %d, want 0", n)
			}
			if got, want := runGit(t, bare, "rev-parse", "backup"), head(t, c); got != want {
				t.Errorf("remote branch at %s, want %s", got, want)
			}
			want := []string{"prod/obj-0.yaml", "prod/obj-1.yaml", "prod/obj-2.yaml"}
			if diff := cmp.Diff(want, addedLabels(t, bare)); diff != "" {
				t.Errorf("remote history (-want +got):\n%s", diff)
			}
			fsck(t, bare)

			// A second push with nothing new is a no-op.
			if err := c.Push(t.Context()); err != nil {
				t.Errorf("second Push: %v", err)
			}
			mustCommit(t, c, file("prod/obj-0.yaml", "v2\n"))
			if err := c.Push(t.Context()); err != nil {
				t.Fatalf("third Push: %v", err)
			}
			if got := runGit(t, bare, "show", "backup:prod/obj-0.yaml"); got != "v2" {
				t.Errorf("remote prod/obj-0.yaml = %q, want v2", got)
			}
		})
	}
}

func TestPushWithoutRemoteIsNoop(t *testing.T) {
	c := mustOpen(t, options(t, filepath.Join(t.TempDir(), "repo"), "p"))
	mustCommit(t, c, file("p/a.yaml", "a"))
	if err := c.Push(t.Context()); err != nil {
		t.Errorf("Push = %v, want nil", err)
	}
	if n := pending(t, c); n != 0 {
		t.Errorf("Pending = %d, want 0", n)
	}
}

func TestPushRebasesOntoMovedRemote(t *testing.T) {
	tests := []struct {
		name  string
		local bool // west records into a local working repository cloned from the remote
	}{
		{name: "bare clone"},
		{name: "local working repository", local: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			bare := newBareRemote(t, root, "remote.git")
			east := mustOpen(t, options(t, bare, "east"))
			westOpts := options(t, bare, "west")
			if tt.local {
				westOpts.Repo = filepath.Join(root, "west-local")
				runGit(t, root, "clone", "--quiet", bare, westOpts.Repo)
			}
			rec, logger := newLogRecorder(t)
			westOpts.Logger = logger
			west := mustOpen(t, westOpts)

			eastFirst := mustCommit(t, east, file("east/a.yaml", "a"))
			if err := east.Push(t.Context()); err != nil {
				t.Fatalf("east Push: %v", err)
			}
			westFirst := mustCommit(t, west, Change{Path: "west/b.yaml", Data: []byte("b"), Object: "v1/ConfigMap b"})
			before, err := west.repo.CommitObject(plumbing.NewHash(westFirst))
			if err != nil {
				t.Fatal(err)
			}

			if err := west.Push(t.Context()); err != nil {
				t.Fatalf("west Push: %v", err)
			}
			if rec.count("remote moved, rebased local commits") != 1 {
				t.Errorf("west did not report one rebase; log:\n%s", rec.all())
			}
			if got := runGit(t, bare, "rev-parse", "backup^"); got != eastFirst {
				t.Errorf("parent of the rebased commit = %s, want east's commit %s", got, eastFirst)
			}
			if got, want := runGit(t, bare, "log", "-1", "--format=%an <%ae> %at%n%B", "backup"),
				fmt.Sprintf("%s <%s> %d\n%s", before.Author.Name, before.Author.Email, before.Author.When.Unix(), before.Message); got != strings.TrimRight(want, "\n") {
				t.Errorf("rebased commit lost author or message:\n got %q\nwant %q", got, want)
			}

			// Now east is behind: its next push rebases onto west's commit.
			mustCommit(t, east, file("east/c.yaml", "c"))
			if err := east.Push(t.Context()); err != nil {
				t.Fatalf("east second Push: %v", err)
			}
			wantFiles := []string{"east/a.yaml", "east/c.yaml", "west/b.yaml"}
			if diff := cmp.Diff(wantFiles, lines(runGit(t, bare, "ls-tree", "-r", "--name-only", "backup"))); diff != "" {
				t.Errorf("remote tree (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"east/a.yaml", "v1/ConfigMap b", "east/c.yaml"}, addedLabels(t, bare)); diff != "" {
				t.Errorf("remote history (-want +got):\n%s", diff)
			}
			fsck(t, bare)

			if tt.local {
				// The working tree follows the rebased branch.
				dir := westOpts.Repo
				if got := runGit(t, dir, "status", "--porcelain", "--untracked-files=all"); got != "" {
					t.Errorf("west's git status is not clean:\n%s", got)
				}
				if _, err := os.Stat(filepath.Join(dir, "east", "a.yaml")); err != nil {
					t.Errorf("east's file missing from west's working tree: %v", err)
				}
				fsck(t, dir)
			}
		})
	}
}

func TestOpenResumesUnpushedCommits(t *testing.T) {
	root := t.TempDir()
	bare := newBareRemote(t, root, "remote.git")
	o := options(t, bare, "east")
	east := mustOpen(t, o)
	mustCommit(t, east, file("east/1.yaml", "1"))
	mustCommit(t, east, file("east/2.yaml", "2"))

	west := mustOpen(t, options(t, bare, "west"))
	mustCommit(t, west, file("west/w.yaml", "w"))
	if err := west.Push(t.Context()); err != nil {
		t.Fatalf("west Push: %v", err)
	}

	// A restart with the same work directory: the two commits are still
	// queued, now on top of west's.
	again := mustOpen(t, o)
	if n := pending(t, again); n != 2 {
		t.Errorf("Pending after reopen = %d, want 2", n)
	}
	files, err := again.Files()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"east/1.yaml": BlobHash([]byte("1")).String(), "east/2.yaml": BlobHash([]byte("2")).String()}
	got := map[string]string{}
	for p, h := range files {
		got[p] = h.String()
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Files() after reopen (-want +got):\n%s", diff)
	}
	if err := again.Push(t.Context()); err != nil {
		t.Fatalf("Push after reopen: %v", err)
	}
	if diff := cmp.Diff([]string{"west/w.yaml", "east/1.yaml", "east/2.yaml"}, addedLabels(t, bare)); diff != "" {
		t.Errorf("remote history (-want +got):\n%s", diff)
	}
	fsck(t, bare)

	other := newBareRemote(t, root, "other.git")
	o.Repo = other
	if _, err := Open(t.Context(), o); !errors.Is(err, ErrInvalidOptions) {
		t.Errorf("Open of another remote in the same workdir = %v, want ErrInvalidOptions", err)
	}
}

func TestPushRereadsTokenAndHidesIt(t *testing.T) {
	const token = "good-token-5d1e"
	const wrong = "stale-token-9b2c"
	bare, srv := httpRemote(t, token)
	o := options(t, srv.URL("remote.git"), "prod")
	o.Auth.TokenFile = writeToken(t, token)
	c := mustOpen(t, o)
	mustCommit(t, c, file("prod/a.yaml", "a"))

	if err := os.WriteFile(o.Auth.TokenFile, []byte(wrong), 0o600); err != nil {
		t.Fatal(err)
	}
	err := c.Push(t.Context())
	if !errors.Is(err, ErrPushFailed) {
		t.Fatalf("Push with a rejected token = %v, want ErrPushFailed", err)
	}
	if strings.Contains(err.Error(), wrong) || strings.Contains(err.Error(), token) {
		t.Errorf("push error shows a token: %v", err)
	}
	if n := pending(t, c); n != 1 {
		t.Errorf("Pending after the failed push = %d, want 1", n)
	}

	if err := os.WriteFile(o.Auth.TokenFile, []byte(token), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := c.Push(t.Context()); err != nil {
		t.Fatalf("Push after the token was rotated back: %v", err)
	}
	if got, want := runGit(t, bare, "rev-parse", "backup"), head(t, c); got != want {
		t.Errorf("remote branch at %s, want %s", got, want)
	}
}

func TestConcurrentRecorders(t *testing.T) {
	const perRecorder = 6
	bare, srv := httpRemote(t, "")
	recorders := map[string]*Committer{
		"east": mustOpen(t, options(t, bare, "east")),                  // over the file transport
		"west": mustOpen(t, options(t, srv.URL("remote.git"), "west")), // over HTTP
	}

	var wg sync.WaitGroup
	errs := make(chan error, 2*perRecorder)
	for prefix, c := range recorders {
		wg.Go(func() {
			for i := range perRecorder {
				p := fmt.Sprintf("%s/obj-%d.yaml", prefix, i)
				if _, err := c.Commit(t.Context(), []Change{file(p, p)}); err != nil {
					errs <- fmt.Errorf("%s commit %d: %w", prefix, i, err)
					return
				}
				if err := c.Push(t.Context()); err != nil {
					errs <- fmt.Errorf("%s push %d: %w", prefix, i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	labels := addedLabels(t, bare)
	if len(labels) != 2*perRecorder {
		t.Errorf("remote has %d commits adding objects, want %d: %v", len(labels), 2*perRecorder, labels)
	}
	for prefix, c := range recorders {
		var want, got []string
		for i := range perRecorder {
			want = append(want, fmt.Sprintf("%s/obj-%d.yaml", prefix, i))
		}
		for _, l := range labels {
			if strings.HasPrefix(l, prefix+"/") {
				got = append(got, l)
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s's commits on the remote, in order (-want +got):\n%s", prefix, diff)
		}
		if n := pending(t, c); n != 0 {
			t.Errorf("%s Pending = %d, want 0", prefix, n)
		}
	}
	if got := len(lines(runGit(t, bare, "ls-tree", "-r", "--name-only", "backup"))); got != 2*perRecorder {
		t.Errorf("remote tree has %d files, want %d", got, 2*perRecorder)
	}
	if got := runGit(t, bare, "rev-list", "--count", "backup"); got != fmt.Sprint(2*perRecorder) {
		t.Errorf("remote has %s commits, want %d", got, 2*perRecorder)
	}
	fsck(t, bare)
}
