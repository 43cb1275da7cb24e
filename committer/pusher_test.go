package committer

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRunPusherRemoteDownThenUp(t *testing.T) {
	const token = "pusher-token-c0ffee"
	bare, srv := httpRemote(t, token)
	o := options(t, srv.URL("remote.git"), "prod")
	o.Auth.TokenFile = writeToken(t, token)
	o.PushBackoff = Backoff{Initial: 5 * time.Millisecond, Max: 40 * time.Millisecond}
	rec, logger := newLogRecorder(t)
	o.Logger = logger
	c := mustOpen(t, o)

	srv.Stop()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.RunPusher(ctx)
	}()
	defer func() {
		cancel()
		<-done
	}()

	var want []string
	for i := range 5 {
		p := fmt.Sprintf("prod/obj-%d.yaml", i)
		want = append(want, p)
		mustCommit(t, c, file(p, "data"))
		c.Notify()
	}
	eventually(t, "a failed push while the server is down", func() bool {
		return rec.count("push failed, will retry") >= 2
	})
	if n := pending(t, c); n != 5 {
		t.Errorf("Pending while the remote is down = %d, want 5", n)
	}
	if _, err := tryGit(t, bare, "rev-parse", "--verify", "--quiet", "refs/heads/backup"); err == nil {
		t.Fatal("the remote got the branch while its server was down")
	}

	srv.Start()
	tip := head(t, c)
	eventually(t, "the remote to receive every commit", func() bool {
		got, err := tryGit(t, bare, "rev-parse", "--verify", "--quiet", "refs/heads/backup")
		return err == nil && got == tip
	})
	if diff := cmp.Diff(want, addedLabels(t, bare)); diff != "" {
		t.Errorf("remote history (-want +got):\n%s", diff)
	}
	if n := pending(t, c); n != 0 {
		t.Errorf("Pending after recovery = %d, want 0", n)
	}
	fsck(t, bare)

	// Later commits go out on the next notification.
	mustCommit(t, c, file("prod/late.yaml", "late"))
	c.Notify()
	tip = head(t, c)
	eventually(t, "the late commit to arrive", func() bool {
		got, err := tryGit(t, bare, "rev-parse", "refs/heads/backup")
		return err == nil && got == tip
	})
}

func TestRunPusherReturnsWhenContextEnds(t *testing.T) {
	c := mustOpen(t, options(t, newBareRemote(t, t.TempDir(), "remote.git"), "p"))
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.RunPusher(ctx)
	}()
	c.Notify()
	cancel()
	<-done // hangs (and the test times out) if RunPusher ignores ctx
}

func TestBackoffDelay(t *testing.T) {
	b := Backoff{}.withDefaults()
	tests := []struct {
		name    string
		b       Backoff
		attempt int
		u       float64
		want    time.Duration
	}{
		{name: "first, no jitter drawn", b: b, attempt: 0, u: 0.5, want: time.Second},
		{name: "first, lowest jitter", b: b, attempt: 0, u: 0, want: 800 * time.Millisecond},
		{name: "first, highest jitter", b: b, attempt: 0, u: 1, want: 1200 * time.Millisecond},
		{name: "doubles", b: b, attempt: 3, u: 0.5, want: 8 * time.Second},
		{name: "capped", b: b, attempt: 7, u: 0.5, want: 2 * time.Minute},
		{name: "jitter never exceeds the cap", b: b, attempt: 7, u: 1, want: 2 * time.Minute},
		{name: "jitter below the cap", b: b, attempt: 7, u: 0, want: 96 * time.Second},
		{name: "huge attempt", b: b, attempt: 10000, u: 0.5, want: 2 * time.Minute},
		{name: "factor 3", b: Backoff{Initial: 10 * time.Millisecond, Max: time.Second, Factor: 3, Jitter: 0.1}, attempt: 2, u: 0.5, want: 90 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.b.delay(tt.attempt, tt.u)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
