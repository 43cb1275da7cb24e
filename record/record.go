package record

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"

	"github.com/clusterscribe/clusterscribe/committer"
	"github.com/clusterscribe/clusterscribe/filters"
	"github.com/clusterscribe/clusterscribe/serializer"
	"github.com/clusterscribe/clusterscribe/watcher"
	"github.com/clusterscribe/clusterscribe/watcher/auditwebhook"
)

type recorder struct {
	cfg            Config
	log            *slog.Logger
	git            *committer.Committer
	ser            *serializer.Serializer
	filter         *filters.Filter
	watch          *watcher.Watcher
	state          *state
	encryptSecrets bool
	// attrib names people (nil: managedFields only); receiver is the audit
	// webhook receiver this recorder serves itself, if any.
	attrib   Attributor
	receiver *auditwebhook.Receiver
}

// Run records the cluster restCfg points to into the backup branch until
// ctx is done (or, with Config.Once, after one snapshot). Everything that
// can be checked — the repository, the remote and its credentials, the
// filters against the kinds the cluster serves — is checked before the
// first watch starts.
func Run(ctx context.Context, restCfg *rest.Config, cfg Config) error {
	r, err := prepare(ctx, restCfg, cfg)
	if err != nil {
		return err
	}
	return r.run(ctx)
}

func prepare(ctx context.Context, restCfg *rest.Config, cfg Config) (*recorder, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	r := &recorder{cfg: cfg, log: cfg.Logger, encryptSecrets: cfg.Serializer.Secrets == serializer.SecretsEncrypt}
	f, err := filters.New(cfg.Filters)
	if err != nil {
		return nil, err
	}
	r.filter = f
	sopts := cfg.Serializer
	sopts.Autoscaled = func(gk schema.GroupKind, ns, name string) bool { return r.state.autoscaled(gk, ns, name) }
	if r.ser, err = serializer.New(sopts); err != nil {
		return nil, err
	}
	wopts := cfg.Watcher
	wopts.Want = f.WantResource
	if r.watch, err = watcher.New(restCfg, wopts); err != nil {
		return nil, err
	}
	served, err := r.watch.Discover()
	if err != nil {
		return nil, err
	}
	if err := f.Validate(served); err != nil {
		return nil, err
	}
	if r.git, err = committer.Open(ctx, cfg.Committer); err != nil {
		return nil, err
	}
	known, err := r.git.Files()
	if err != nil {
		return nil, fmt.Errorf("read backup branch: %w", err)
	}
	r.state = newState(cfg.Cluster, known)
	if err := r.attribution(); err != nil {
		return nil, err
	}
	return r, nil
}

// attribution sets up who names the people behind changes: the
// Attributor given, else an audit webhook receiver of its own, else
// nobody (managedFields only), and says which.
func (r *recorder) attribution() error {
	switch {
	case r.cfg.Attributor != nil:
		r.attrib = r.cfg.Attributor
	case r.cfg.AuditWebhook.Enabled():
		recv, err := auditwebhook.New(auditwebhook.Config{Options: r.cfg.AuditWebhook, Logger: r.log})
		if err != nil {
			return err
		}
		r.attrib, r.receiver = recv, recv
	default:
		r.log.Info("changes are attributed from managedFields only (field manager and time): no audit webhook receiver (--audit-webhook-addr)")
	}
	return nil
}

func (r *recorder) run(ctx context.Context) error {
	defer r.startReceiver(ctx)()
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	watchErr := make(chan error, 1)
	go func() { watchErr <- r.watch.Run(watchCtx) }()

	pushCtx, stopPush := context.WithCancel(context.WithoutCancel(ctx))
	pusherDone := make(chan struct{})
	if !r.cfg.Once {
		go func() { defer close(pusherDone); r.git.RunPusher(pushCtx) }()
	} else {
		close(pusherDone)
	}
	defer func() { stopPush(); r.waitPusher(pusherDone) }()

	synced := false
	var batch <-chan time.Time
	retry := commitRetry{cfg: r.cfg.CommitBackoff, log: r.log, repo: r.cfg.Committer.Repo}
	for {
		select {
		case <-r.cfg.Abandon:
			return r.abandon(stopWatch, stopPush, pusherDone)
		case ev, ok := <-r.watch.Events():
			if !ok {
				if err := <-watchErr; err != nil {
					return err
				}
				return r.shutdown(ctx, stopPush, pusherDone)
			}
			if r.handle(ev) && synced && batch == nil {
				batch = time.After(r.windowLeft(ev))
			}
			if ev.Type == watcher.Synced {
				synced = true
				r.state.markAll()
				if err := r.initialCommit(ctx); err != nil {
					if r.cfg.Once {
						return err
					}
					// The snapshot stays pending and is retried, like a
					// batch: a full disk must not turn into a crash loop.
					retry.initial = true
					batch = retry.failed(err, len(r.state.dirty))
					continue
				}
				r.cfg.Observer.OnSynced()
				if r.cfg.Once {
					stopWatch()
					return r.finalPush(ctx)
				}
			}
		case <-batch:
			batch = nil
			r.takeQueued()
			if retry.initial {
				if err := r.initialCommit(ctx); err != nil {
					batch = retry.failed(err, len(r.state.dirty))
					continue
				}
				retry.succeeded()
				r.cfg.Observer.OnSynced()
				continue
			}
			if _, err := r.flush(ctx); err != nil {
				batch = retry.failed(err, len(r.state.dirty))
				continue
			}
			retry.succeeded()
		case <-ctx.Done():
			stopWatch()
			for range r.watch.Events() { //nolint:revive // drain so the watcher can stop
			}
			return r.shutdown(ctx, stopPush, pusherDone)
		}
	}
}

// handle applies one event to the state; it reports whether something may
// need committing.
func (r *recorder) handle(ev watcher.Event) bool {
	switch ev.Type {
	case watcher.Upsert:
		if ok, _ := r.filter.Allow(ev.Resource, ev.Object); !ok {
			r.cfg.Observer.OnEvent(ev, false)
			// It may have been in scope before (a label changed).
			r.state.remove(ev.Resource, ev.Object)
			return true
		}
		r.cfg.Observer.OnEvent(ev, true)
		r.state.upsert(ev.Resource, ev.Object, ev.Raw)
		r.noteSeen(ev)
		return true
	case watcher.Delete:
		ok, _ := r.filter.Allow(ev.Resource, ev.Object)
		r.cfg.Observer.OnEvent(ev, ok)
		r.state.remove(ev.Resource, ev.Object)
		r.noteSeen(ev)
		return true
	default:
		return false
	}
}

// initialCommit reconciles the branch with the cluster after the initial
// lists: new and changed objects are written, files of objects that went
// away while nothing was recording are removed.
func (r *recorder) initialCommit(ctx context.Context) error {
	n, err := r.flush(ctx)
	if err != nil {
		return fmt.Errorf("initial snapshot: %w", err)
	}
	r.log.Info("initial snapshot recorded", "objects", len(r.state.live), "filesChanged", n)
	if !r.cfg.Once {
		// The snapshot's renders and the initial list's decoding are
		// garbage now; give the memory back rather than keep the peak for
		// the life of the process.
		debug.FreeOSMemory()
	}
	return nil
}

// abandon stops without writing anything more (see Config.Abandon).
func (r *recorder) abandon(stopWatch, stopPush context.CancelFunc, pusherDone <-chan struct{}) error {
	stopWatch()
	for range r.watch.Events() { //nolint:revive // drain so the watcher can stop
	}
	stopPush()
	r.waitPusher(pusherDone)
	r.log.Warn("recording abandoned: no final commit or push", "pending", len(r.state.dirty))
	return ErrAbandoned
}

// shutdown commits what is pending and pushes it within the grace period.
func (r *recorder) shutdown(ctx context.Context, stopPush context.CancelFunc, pusherDone <-chan struct{}) error {
	stopPush()
	r.waitPusher(pusherDone)
	select {
	case <-r.cfg.Abandon:
		r.log.Warn("recording abandoned: no final commit or push", "pending", len(r.state.dirty))
		return ErrAbandoned
	default:
	}
	graceCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.cfg.ShutdownGrace)
	defer cancel()
	if _, err := r.flush(graceCtx); err != nil {
		return fmt.Errorf("final commit: %w", err)
	}
	return r.finalPushCtx(graceCtx)
}

// waitPusher waits for the background pusher to stop, at most the grace
// period: a push stuck in a transport must not hold the process forever.
func (r *recorder) waitPusher(done <-chan struct{}) {
	select {
	case <-done:
	case <-time.After(r.cfg.ShutdownGrace):
		r.log.Warn("background push did not stop within the grace period", "grace", r.cfg.ShutdownGrace)
	}
}

func (r *recorder) finalPush(ctx context.Context) error {
	graceCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.cfg.ShutdownGrace)
	defer cancel()
	return r.finalPushCtx(graceCtx)
}

// finalPushCtx pushes once, retrying with backoff until ctx ends. What is
// not pushed stays committed locally and goes out with the next run.
func (r *recorder) finalPushCtx(ctx context.Context) error {
	delay := time.Second
	for {
		err := r.git.Push(ctx)
		if err == nil {
			return nil
		}
		r.cfg.Observer.OnPush(err)
		select {
		case <-ctx.Done():
			pending, _ := r.git.Pending()
			return fmt.Errorf("push: %d commit(s) kept locally, pushed on the next run: %w", pending, errors.Join(err, ctx.Err()))
		case <-time.After(delay):
		}
		delay = min(2*delay, 30*time.Second)
	}
}

// windowLeft is what remains of the batch window that opened when ev
// reached the watcher: while a commit is being written, events wait in the
// stream, and their window must not start only once the commit is done.
func (r *recorder) windowLeft(ev watcher.Event) time.Duration {
	if ev.Received.IsZero() {
		return r.cfg.BatchWindow
	}
	return max(0, r.cfg.BatchWindow-time.Since(ev.Received))
}

// takeQueued applies the events already waiting in the stream, so that a
// batch whose window has run out takes every change received by then: when
// commits are slow, one commit per event would be the worst outcome.
func (r *recorder) takeQueued() {
	events := r.watch.Events()
	for range len(events) {
		select {
		case ev, ok := <-events:
			if !ok {
				return // the run loop sees the closed stream next
			}
			r.handle(ev)
		default:
			return
		}
	}
}
