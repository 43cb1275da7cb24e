package record

import (
	"context"
	"errors"
	"log/slog"

	"github.com/clusterscribe/clusterscribe/committer"
	"github.com/clusterscribe/clusterscribe/watcher"
)

// ErrAbandoned is what Run returns when Config.Abandon was closed: it
// stopped without a final commit or push.
var ErrAbandoned = errors.New("record: abandoned; nothing more written")

// Observer is told what a run does, for metrics and health endpoints. Its
// methods are called from the run's goroutines, one at a time per method
// but not in a fixed order across methods, and must return quickly.
type Observer interface {
	// OnEvent is called for every upsert and delete the watcher delivers;
	// kept tells whether the filters keep the object. The object is shared
	// with the informer cache: read only.
	OnEvent(ev watcher.Event, kept bool)
	// OnSynced is called once, after the initial snapshot is committed.
	OnSynced()
	// OnCommit is called after every commit with its hash and the number
	// of files it touched.
	OnCommit(hash string, files int)
	// OnPush is called after every push that had commits to send: err is
	// nil when the remote took them.
	OnPush(err error)
	// OnRemote is called when the remote is reached for the first time,
	// when an outage starts (reachable false: commits go on locally) and
	// when it ends.
	OnRemote(reachable bool)
}

type noObserver struct{}

func (noObserver) OnEvent(watcher.Event, bool) {}
func (noObserver) OnSynced()                   {}
func (noObserver) OnCommit(string, int)        {}
func (noObserver) OnPush(error)                {}
func (noObserver) OnRemote(bool)               {}

// The committer reports the pushes of its background pusher, and the
// outages of the remote, through its logger only; these are the messages
// it uses.
const (
	msgPushed     = "pushed"
	msgPushFailed = "push failed, will retry"
)

// pushTap is the committer's log handler: it passes every record on to the
// run's handler and turns push records into Observer.OnPush calls.
type pushTap struct {
	next slog.Handler
	obs  Observer
}

// Enabled lets push records through whatever the level, so that they are
// observed even when they are not logged.
func (t pushTap) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelInfo || t.next.Enabled(ctx, l)
}

func (t pushTap) Handle(ctx context.Context, r slog.Record) error {
	switch r.Message {
	case committer.MsgRemoteReachable:
		t.obs.OnRemote(true)
	case committer.MsgRemoteUnreachable:
		t.obs.OnRemote(false)
	case msgPushed:
		t.obs.OnPush(nil)
	case msgPushFailed:
		err := errors.New(msgPushFailed)
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "err" {
				if e, ok := a.Value.Any().(error); ok {
					err = e
				}
				return false
			}
			return true
		})
		t.obs.OnPush(err)
	}
	if !t.next.Enabled(ctx, r.Level) {
		return nil
	}
	return t.next.Handle(ctx, r)
}

func (t pushTap) WithAttrs(as []slog.Attr) slog.Handler {
	return pushTap{next: t.next.WithAttrs(as), obs: t.obs}
}

func (t pushTap) WithGroup(name string) slog.Handler {
	return pushTap{next: t.next.WithGroup(name), obs: t.obs}
}
