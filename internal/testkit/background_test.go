package testkit

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestGoStopsWithItsContext(t *testing.T) {
	b := Go(t, "loop", func(ctx context.Context) error {
		<-ctx.Done()
		return ctx.Err()
	})
	if err := b.Alive(); err != nil {
		t.Fatalf("Alive while running: %v", err)
	}
	if err := b.Stop(t); !errors.Is(err, context.Canceled) {
		t.Fatalf("Stop = %v, want context.Canceled", err)
	}
	if err := b.Alive(); err == nil || !strings.Contains(err.Error(), "loop ended early: context canceled") {
		t.Errorf("Alive after Stop = %v", err)
	}
}

func TestWaitForAnEndOnItsOwn(t *testing.T) {
	errDone := errors.New("done")
	release := make(chan struct{})
	b := Go(t, "worker", func(context.Context) error {
		<-release
		return errDone
	})
	if done, _ := b.Exited(); done {
		t.Fatal("Exited before it ended")
	}
	close(release)
	b.WaitFor(t, "it was released", errDone)
	if done, err := b.Exited(); !done || !errors.Is(err, errDone) {
		t.Errorf("Exited = %v, %v", done, err)
	}
}

func TestProcess(t *testing.T) {
	p := StartProcess(t, "sh", "sh", "-c", `echo started; trap 'echo bye; exit 3' TERM; while :; do sleep 0.05; done`)
	Until(t, "the process to start", func() bool { return strings.Contains(p.Logs.String(), "started") })
	err := p.Stop(t)
	var exit interface{ ExitCode() int }
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("Stop = %v, want exit status 3", err)
	}
	if !strings.Contains(p.Logs.String(), "bye") {
		t.Errorf("logs = %q, want the output of its TERM trap", p.Logs.String())
	}

	q := StartProcess(t, "sh", "sh", "-c", "sleep 600 & wait")
	q.KillGroup()
	if err := q.Alive(); err == nil || !strings.Contains(err.Error(), "signal: killed") {
		t.Errorf("Alive after KillGroup = %v, want killed", err)
	}
}
