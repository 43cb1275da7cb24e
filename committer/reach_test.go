package committer

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestStartWithRemoteUnreachable opens a committer while its remote's
// server is down, once with a fresh workdir and once with the clone of an
// earlier run. Open succeeds, commits go into the clone, a push fails, and
// once the server is back one push sends them as one line on top of what
// the remote branch holds by then: another prefix's commits stay, the
// prefix's own files are what the local commits say.
func TestStartWithRemoteUnreachable(t *testing.T) {
	for name, earlier := range map[string]bool{"fresh workdir": false, "clone of an earlier run": true} {
		t.Run(name, func(t *testing.T) {
			bare, srv := httpRemote(t, "")
			o := options(t, srv.URL("remote.git"), "west")
			o.StartUnreachable = true
			rec, logger := newLogRecorder(t)
			o.Logger = logger
			// The remote already holds a file of west's that the cluster
			// no longer has, and one of another recorder.
			east := mustOpen(t, options(t, bare, "east"))
			mustCommit(t, east, file("east/a.yaml", "a"))
			if err := east.Push(t.Context()); err != nil {
				t.Fatal(err)
			}
			stale := mustOpen(t, options(t, bare, "west"))
			mustCommit(t, stale, file("west/stale.yaml", "old"))
			if err := stale.Push(t.Context()); err != nil {
				t.Fatal(err)
			}
			if earlier {
				mustOpen(t, o) // clones while the server is up
			}
			srv.Stop()
			strict := o
			strict.StartUnreachable = false
			if _, err := Open(t.Context(), strict); !errors.Is(err, ErrRemoteUnreachable) {
				t.Fatalf("Open without StartUnreachable = %v, want ErrRemoteUnreachable", err)
			}
			west := mustOpen(t, o)
			if rec.count(MsgRemoteUnreachable) != 1 {
				t.Fatalf("the outage is not logged once at Open:\n%s", rec.all())
			}
			mustCommit(t, west, file("west/b.yaml", "b"), gone("west/stale.yaml"))
			mustCommit(t, west, file("west/c.yaml", "c"))
			if err := west.Push(t.Context()); !errors.Is(err, ErrPushFailed) {
				t.Fatalf("Push while the server is down = %v, want ErrPushFailed", err)
			}
			// Meanwhile another recorder pushes.
			mustCommit(t, east, file("east/d.yaml", "d"))
			if err := east.Push(t.Context()); err != nil {
				t.Fatal(err)
			}

			srv.Start()
			if err := west.Push(t.Context()); err != nil {
				t.Fatalf("Push once the server is back: %v", err)
			}
			if n := rec.count(MsgRemoteReachable); n != map[bool]int{false: 1, true: 2}[earlier] {
				t.Errorf("%q logged %d times:\n%s", MsgRemoteReachable, n, rec.all())
			}
			want := []string{"east/a.yaml", "east/d.yaml", "west/b.yaml", "west/c.yaml"}
			if diff := cmp.Diff(want, lines(runGit(t, bare, "ls-tree", "-r", "--name-only", "backup"))); diff != "" {
				t.Errorf("remote tree (-want +got):\n%s", diff)
			}
			wantLog := []string{"east/a.yaml", "west/stale.yaml", "east/d.yaml", "west/b.yaml", "west/c.yaml"}
			if diff := cmp.Diff(wantLog, addedLabels(t, bare)); diff != "" {
				t.Errorf("remote history (-want +got):\n%s", diff)
			}
			if got := runGit(t, bare, "rev-list", "--merges", "backup"); got != "" {
				t.Errorf("merge commits on the remote: %s", got)
			}
			if local := head(t, west); local != runGit(t, bare, "rev-parse", "backup") {
				t.Errorf("the clone is at %s, the remote elsewhere", local)
			}
			runGit(t, bare, "fsck", "--full", "--strict", "--no-dangling")
		})
	}
}
