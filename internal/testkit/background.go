package testkit

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// Background is something a test started and lets run while it acts on
// the cluster: a call such as record.Run in a goroutine, or a child process
// (StartProcess). It knows whether it ended and what it returned.
type Background struct {
	name string
	done chan struct{}
	err  error  // set before done is closed
	stop func() // asks it to end: cancels its context, or sends SIGTERM
}

// Go runs fn in a goroutine with a context that Stop, or the end of the
// test, cancels; the test's clean-up waits for fn to return. name is how
// messages speak of it ("record.Run").
func Go(t testing.TB, name string, fn func(ctx context.Context) error) *Background {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	b := Start(name, cancel, func() error { return fn(ctx) })
	t.Cleanup(func() {
		cancel()
		<-b.done
	})
	return b
}

// Start calls run in a goroutine; Cancel and Stop ask it to end with stop.
// Nothing waits for it when the test ends: that is the caller's to do.
func Start(name string, stop func(), run func() error) *Background {
	b := &Background{name: name, done: make(chan struct{}), stop: stop}
	go func() {
		defer close(b.done)
		b.err = run()
	}()
	return b
}

// Done is closed once it ended.
func (b *Background) Done() <-chan struct{} { return b.done }

// Exited reports whether it ended, and what it returned.
func (b *Background) Exited() (bool, error) {
	select {
	case <-b.done:
		return true, b.err
	default:
		return false, nil
	}
}

// Alive is nil while it runs and an error once it ended: a probe for a
// wait that must fail at once when what it waits on stops.
func (b *Background) Alive() error {
	done, err := b.Exited()
	switch {
	case !done:
		return nil
	case err == nil:
		return fmt.Errorf("%s ended early, without error", b.name)
	default:
		return fmt.Errorf("%s ended early: %w", b.name, err)
	}
}

// Wait waits, up to Patience, for it to end on its own (after what) and
// returns what it returned.
func (b *Background) Wait(t testing.TB, what string) error {
	t.Helper()
	select {
	case <-b.done:
		return b.err
	case <-time.After(Patience):
		t.Fatalf("%s did not end after %s", b.name, what)
		return nil
	}
}

// Cancel asks it to end, as a signal would, without waiting.
func (b *Background) Cancel() { b.stop() }

// Stop asks it to end and returns what it returned.
func (b *Background) Stop(t testing.TB) error {
	t.Helper()
	b.stop()
	return b.Wait(t, "it was asked to stop")
}

// WaitFor waits for it to end on its own after what and fails the test
// unless it returned an error that is want.
func (b *Background) WaitFor(t testing.TB, what string, want error) {
	t.Helper()
	if err := b.Wait(t, what); !errors.Is(err, want) {
		t.Fatalf("%s returned %v after %s, want %v", b.name, err, what, want)
	}
}
