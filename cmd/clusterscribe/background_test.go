package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/clusterscribe/clusterscribe/internal/secretscan"
	"github.com/clusterscribe/clusterscribe/internal/testkit"
)

// patience bounds every wait for a command: generous, the machine is
// small and shared.
const patience = 2 * time.Minute

// lockedBuffer collects log output written from several goroutines.
type lockedBuffer = testkit.SyncBuffer

// background is a long-running command (record, run) started as a user
// would, with JSON logs, until stop.
type background struct {
	name   string
	logs   *lockedBuffer
	cancel context.CancelFunc
	done   chan error
}

func startCommand(t *testing.T, args ...string) *background {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	b := &background{name: strings.Join(args, " "), logs: &lockedBuffer{}, cancel: cancel, done: make(chan error, 1)}
	out := &lockedBuffer{}
	cmd := newRootCommand(genericiooptions.IOStreams{In: strings.NewReader(""), Out: out, ErrOut: b.logs})
	cmd.SetArgs(append(args, "--log-format", "json"))
	go func() { b.done <- cmd.ExecuteContext(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-b.done; err != nil {
			t.Logf("%s: %v", b.name, err) // stop reports it when the test stops the command
		}
		secretscan.Check(t, b.name+": standard output", out.String())
		secretscan.Check(t, b.name+": log", b.logs.String())
	})
	return b
}

// waitLog waits until the command logged msg at least n times.
func (b *background) waitLog(t *testing.T, msg string, n int) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for b.logs.Count(msg) < n {
		select {
		case err := <-b.done:
			b.done <- err
			t.Fatalf("%s ended before logging %q %d time(s): %v\n%s", b.name, msg, n, err, b.logs)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: no %q (%d time(s)) after %s\n%s", b.name, msg, n, patience, b.logs)
		}
	}
}

// stop cancels the command as SIGTERM would and fails the test if it
// does not end cleanly.
func (b *background) stop(t *testing.T) {
	t.Helper()
	b.cancel()
	select {
	case err := <-b.done:
		b.done <- err
		if err != nil {
			t.Errorf("%s: %v\n%s", b.name, err, b.logs)
		}
	case <-time.After(patience):
		t.Fatalf("%s did not stop after its context was canceled", b.name)
	}
}
