package committer

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/clusterscribe/clusterscribe/internal/gittest"
	"github.com/google/go-cmp/cmp"
)

func TestOpenErrors(t *testing.T) {
	root := t.TempDir()
	notADir := filepath.Join(root, "file")
	if err := os.WriteFile(notADir, []byte("a regular file"), 0o644); err != nil {
		t.Fatal(err)
	}
	const token = "s3cret-token-never-shown"
	const wrong = "wrong-token-never-shown"
	newBareRemote(t, root, "remote.git")
	srv := gittest.StartHTTPServer(t, root, token)
	t.Setenv("CLUSTERSCRIBE_TEST_WRONG_TOKEN", wrong)
	wrongFile := filepath.Join(root, "wrong-token")
	if err := os.WriteFile(wrongFile, []byte(wrong+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "http://" + ln.Addr().String() + "/remote.git"
	_ = ln.Close()

	tests := []struct {
		name   string
		modify func(*Options)
		want   error
	}{
		{name: "repo under a regular file", want: ErrRepoNotWritable, modify: func(o *Options) {
			o.Repo = filepath.Join(notADir, "repo")
		}},
		{name: "workdir under a regular file", want: ErrRepoNotWritable, modify: func(o *Options) {
			o.Repo = filepath.Join(root, "remote.git")
			o.Workdir = filepath.Join(notADir, "clone")
		}},
		{name: "url without host", want: ErrInvalidURL, modify: func(o *Options) { o.Repo = "https:///org/repo.git" }},
		{name: "url without path", want: ErrInvalidURL, modify: func(o *Options) { o.Repo = "https://example.com" }},
		{name: "unknown scheme", want: ErrInvalidURL, modify: func(o *Options) { o.Repo = "htps://example.com/org/repo.git" }},
		{name: "unparsable url", want: ErrInvalidURL, modify: func(o *Options) { o.Repo = "http://exa mple.com/repo.git" }},
		{name: "bad port", want: ErrInvalidURL, modify: func(o *Options) { o.Repo = "https://example.com:99999x/repo.git" }},
		{name: "ssh url without host", want: ErrInvalidURL, modify: func(o *Options) { o.Repo = "ssh://git@/org/repo.git" }},
		{name: "repo is a regular file", want: ErrRepoNotWritable, modify: func(o *Options) { o.Repo = notADir }},
		{name: "ssh without key or agent", want: ErrInvalidOptions, modify: func(o *Options) {
			t.Setenv("SSH_AUTH_SOCK", "")
			o.Repo = "git@example.com:org/repo.git"
		}},
		{name: "empty branch", want: ErrInvalidBranch, modify: func(o *Options) { o.Branch = "" }},
		{name: "branch with dots", want: ErrInvalidBranch, modify: func(o *Options) { o.Branch = "a..b" }},
		{name: "branch with space", want: ErrInvalidBranch, modify: func(o *Options) { o.Branch = "my branch" }},
		{name: "branch ending in .lock", want: ErrInvalidBranch, modify: func(o *Options) { o.Branch = "backup.lock" }},
		{name: "empty prefix", want: ErrInvalidOptions, modify: func(o *Options) { o.Prefix = "" }},
		{name: "prefix escaping", want: ErrInvalidOptions, modify: func(o *Options) { o.Prefix = "../other" }},
		{name: "prefix into .git", want: ErrInvalidOptions, modify: func(o *Options) { o.Prefix = ".git/hooks" }},
		{name: "token for a local repo", want: ErrInvalidOptions, modify: func(o *Options) { o.Auth.TokenEnv = "CLUSTERSCRIBE_TEST_WRONG_TOKEN" }},
		{name: "token for ssh", want: ErrInvalidOptions, modify: func(o *Options) {
			o.Repo = "git@example.com:org/repo.git"
			o.Auth.TokenEnv = "CLUSTERSCRIBE_TEST_WRONG_TOKEN"
		}},
		{name: "missing token file", want: ErrInvalidOptions, modify: func(o *Options) {
			o.Repo = srv.URL("remote.git")
			o.Auth.TokenFile = filepath.Join(root, "no-such-token")
		}},
		{name: "unset token variable", want: ErrInvalidOptions, modify: func(o *Options) {
			o.Repo = srv.URL("remote.git")
			o.Auth.TokenEnv = "CLUSTERSCRIBE_TEST_UNSET_VARIABLE"
		}},
		{name: "bad backoff", want: ErrInvalidOptions, modify: func(o *Options) { o.PushBackoff.Factor = 0.5 }},
		{name: "no credentials", want: ErrAuthRejected, modify: func(o *Options) { o.Repo = srv.URL("remote.git") }},
		{name: "rejected token from env", want: ErrAuthRejected, modify: func(o *Options) {
			o.Repo = srv.URL("remote.git")
			o.Auth.TokenEnv = "CLUSTERSCRIBE_TEST_WRONG_TOKEN"
		}},
		{name: "rejected token from file", want: ErrAuthRejected, modify: func(o *Options) {
			o.Repo = srv.URL("remote.git")
			o.Auth.TokenFile = wrongFile
		}},
		{name: "rejected token in url", want: ErrAuthRejected, modify: func(o *Options) {
			o.Repo = strings.Replace(srv.URL("remote.git"), "http://", "http://user:"+wrong+"@", 1)
		}},
		{name: "server down", want: ErrRemoteUnreachable, modify: func(o *Options) { o.Repo = closedURL }},
		{name: "no repository at url", want: ErrRemoteUnreachable, modify: func(o *Options) {
			o.Repo = srv.URL("missing.git")
			o.Auth.TokenFile = writeToken(t, token)
		}},
		{name: "no repository at file url", want: ErrRemoteUnreachable, modify: func(o *Options) {
			o.Repo = "file://" + filepath.Join(root, "missing.git")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			localRepo := filepath.Join(t.TempDir(), "local")
			o := options(t, localRepo, "prod")
			tt.modify(&o)
			c, err := Open(t.Context(), o)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Open = %v, %v; want an error wrapping %q", c, err, tt.want)
			}
			for _, secret := range []string{token, wrong} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error shows a token: %v", err)
				}
			}
			t.Log(err)
			if !slices.Contains([]error{ErrAuthRejected, ErrRemoteUnreachable, ErrRepoNotWritable}, tt.want) {
				// Validation errors come before anything touches the disk.
				for _, p := range []string{localRepo, o.Workdir} {
					if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
						t.Errorf("%s exists after a validation error", p)
					}
				}
			}
		})
	}
}

func writeToken(t *testing.T, token string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(p, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestOpenLocalRepositoryWithOtherBranches(t *testing.T) {
	// seed makes a repository whose HEAD is main with a README; withBackup
	// also gives it a backup branch holding prod/a.yaml.
	seed := func(t *testing.T, withBackup bool) string {
		dir := filepath.Join(t.TempDir(), "repo")
		runGit(t, filepath.Dir(dir), "init", "--quiet", "-b", "main", dir)
		if err := os.WriteFile(filepath.Join(dir, "README"), []byte("hello\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		runGit(t, dir, "add", "README")
		runGit(t, dir, "commit", "--quiet", "-m", "readme")
		if withBackup {
			runGit(t, dir, "switch", "--quiet", "--orphan", "backup")
			if err := os.MkdirAll(filepath.Join(dir, "prod"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "prod", "a.yaml"), []byte("a\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			runGit(t, dir, "add", "prod/a.yaml")
			runGit(t, dir, "commit", "--quiet", "-m", "a")
			runGit(t, dir, "switch", "--quiet", "main")
		}
		return dir
	}
	tests := []struct {
		name       string
		withBackup bool
		wantFiles  []string // in the working tree after Open
		wantCount  string   // commits on backup after one more
	}{
		{name: "branch missing: orphan", withBackup: false, wantFiles: nil, wantCount: "1"},
		{name: "branch exists: switch", withBackup: true, wantFiles: []string{"prod/a.yaml"}, wantCount: "2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := seed(t, tt.withBackup)
			c := mustOpen(t, options(t, dir, "prod"))

			if got := runGit(t, dir, "symbolic-ref", "HEAD"); got != "refs/heads/backup" {
				t.Errorf("HEAD = %s, want refs/heads/backup", got)
			}
			if diff := cmp.Diff(tt.wantFiles, lines(runGit(t, dir, "ls-files"))); diff != "" {
				t.Errorf("index (-want +got):\n%s", diff)
			}
			if _, err := os.Stat(filepath.Join(dir, "README")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("README of main still in the working tree (stat: %v)", err)
			}
			mustCommit(t, c, file("prod/b.yaml", "b\n"))
			if got := runGit(t, dir, "status", "--porcelain", "--untracked-files=all"); got != "" {
				t.Errorf("git status is not clean:\n%s", got)
			}
			if got := runGit(t, dir, "show", "main:README"); got != "hello" {
				t.Errorf("main lost its README: %q", got)
			}
			if got := runGit(t, dir, "rev-list", "--count", "backup"); got != tt.wantCount {
				t.Errorf("backup has %s commits, want %s", got, tt.wantCount)
			}
			if base, err := tryGit(t, dir, "merge-base", "main", "backup"); err == nil {
				t.Errorf("backup shares history with main (merge base %s)", base)
			}
			fsck(t, dir)
		})
	}

	t.Run("uncommitted changes block the switch", func(t *testing.T) {
		dir := seed(t, true)
		if err := os.WriteFile(filepath.Join(dir, "README"), []byte("edited\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Open(t.Context(), options(t, dir, "prod"))
		if !errors.Is(err, ErrDirtyWorktree) {
			t.Fatalf("Open = %v, want ErrDirtyWorktree", err)
		}
		if got := runGit(t, dir, "symbolic-ref", "HEAD"); got != "refs/heads/main" {
			t.Errorf("HEAD = %s, want it left on main", got)
		}
	})
}

func TestDefaultWorkdirPerRecorder(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	bare := newBareRemote(t, t.TempDir(), "remote.git")
	opts := func(prefix string) Options {
		o := options(t, bare, prefix)
		o.Workdir = ""
		return o
	}
	for _, prefix := range []string{"east", "west"} {
		c := mustOpen(t, opts(prefix))
		mustCommit(t, c, file(prefix+"/"+prefix+".yaml", prefix))
		if err := c.Push(t.Context()); err != nil {
			t.Fatalf("%s Push: %v", prefix, err)
		}
	}
	// A restart finds its clone again.
	again := mustOpen(t, opts("east"))
	files, err := again.Files()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := files["east/east.yaml"]; !ok || len(files) != 1 {
		t.Errorf("Files() after restart = %v, want east/east.yaml only", files)
	}
	clones, err := filepath.Glob(filepath.Join(cache, "clusterscribe", "repos", "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(clones) != 2 {
		t.Errorf("clones in the cache = %v, want one per prefix", clones)
	}
	want := []string{"east/east.yaml", "west/west.yaml"}
	if diff := cmp.Diff(want, lines(runGit(t, bare, "ls-tree", "-r", "--name-only", "backup"))); diff != "" {
		t.Errorf("remote tree (-want +got):\n%s", diff)
	}
}
