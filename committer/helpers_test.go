package committer

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/clusterscribe/clusterscribe/internal/gittest"
	"github.com/clusterscribe/clusterscribe/internal/testkit"
)

// gitEnv keeps the real git binary used by tests away from the host's
// configuration.
var gitEnv = gittest.Env

func gitBinary(t testing.TB) string { return gittest.Binary(t) }

// runGit runs git in dir and returns its trimmed stdout.
func runGit(t testing.TB, dir string, args ...string) string {
	t.Helper()
	out, err := tryGit(t, dir, args...)
	if err != nil {
		t.Fatalf("git %s: %v", strings.Join(args, " "), err)
	}
	return out
}

func tryGit(t testing.TB, dir string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(gitBinary(t), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), gitEnv...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", errors.Join(err, errors.New(stderr.String()))
	}
	return strings.TrimRight(string(out), "\n"), nil
}

// newBareRemote creates an empty bare repository root/name.
func newBareRemote(t testing.TB, root, name string) string {
	t.Helper()
	return gittest.NewBareRemote(t, filepath.Join(root, name))
}

// fsck fails the test when git finds any problem in the repository.
func fsck(t testing.TB, dir string) {
	t.Helper()
	runGit(t, dir, "fsck", "--strict", "--no-progress")
}

func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	testkit.Until(t, what, cond)
}

// logRecorder is a slog handler that keeps messages for assertions and
// echoes them to the test log.
type logRecorder struct {
	t    testing.TB
	mu   sync.Mutex
	msgs []string
	text string
}

func newLogRecorder(t testing.TB) (*logRecorder, *slog.Logger) {
	r := &logRecorder{t: t}
	return r, slog.New(r)
}

func (r *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *logRecorder) WithGroup(string) slog.Handler            { return r }

func (r *logRecorder) Handle(_ context.Context, rec slog.Record) error {
	var b strings.Builder
	b.WriteString(rec.Message)
	rec.Attrs(func(a slog.Attr) bool {
		b.WriteString(" " + a.String())
		return true
	})
	r.mu.Lock()
	r.msgs = append(r.msgs, rec.Message)
	r.text += b.String() + "\n"
	r.mu.Unlock()
	return nil
}

func (r *logRecorder) count(msg string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, m := range r.msgs {
		if m == msg {
			n++
		}
	}
	return n
}

func (r *logRecorder) all() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.text
}

// options returns Options for a test with a private workdir and a logger
// writing to the test log.
func options(t testing.TB, repo, prefix string) Options {
	t.Helper()
	return Options{
		Repo:    repo,
		Branch:  "backup",
		Prefix:  prefix,
		Workdir: filepath.Join(t.TempDir(), "clone"),
		Logger:  slog.New(slog.NewTextHandler(t.Output(), nil)),
	}
}

// openKind opens a committer on a new local working repository ("worktree")
// or on a clone of a new bare remote ("bare").
func openKind(t testing.TB, kind, prefix string) (*Committer, Options) {
	t.Helper()
	root := t.TempDir()
	o := options(t, filepath.Join(root, "repo"), prefix)
	if kind == "bare" {
		o.Repo = newBareRemote(t, root, "remote.git")
	}
	return mustOpen(t, o), o
}

// newCommitter opens a committer for prefix on a new local working
// repository and returns it with the repository's path.
func newCommitter(t testing.TB, prefix string) (*Committer, string) {
	t.Helper()
	c, o := openKind(t, "worktree", prefix)
	return c, o.Repo
}

// httpRemote creates an empty bare repository remote.git and serves it
// over HTTP, asking for token when it is not empty; it returns the
// repository's path and the server (whose URL("remote.git") reaches it).
func httpRemote(t testing.TB, token string) (string, *gittest.HTTPServer) {
	t.Helper()
	root := t.TempDir()
	bare := newBareRemote(t, root, "remote.git")
	return bare, gittest.StartHTTPServer(t, root, token)
}

// openKindObjects is openKind that also returns the repository that holds
// the committer's objects: its work tree's, or its clone of the bare
// remote.
func openKindObjects(t testing.TB, kind, prefix string) (*Committer, Options, string) {
	t.Helper()
	c, o := openKind(t, kind, prefix)
	if kind == "bare" {
		return c, o, o.Workdir
	}
	return c, o, o.Repo
}

func mustOpen(t testing.TB, o Options) *Committer {
	t.Helper()
	c, err := Open(t.Context(), o)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return c
}

func mustCommit(t testing.TB, c *Committer, changes ...Change) string {
	t.Helper()
	h, err := c.Commit(t.Context(), changes)
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	return h.String()
}

// file is a Change that writes data to path, labelled with the path.
func file(path, data string) Change {
	return Change{Path: path, Data: []byte(data), Object: path}
}

// gone is a Change that deletes path.
func gone(path string) Change { return Change{Path: path, Object: path} }

// lines splits git output into lines; empty output is no lines.
func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
