package record

import (
	"context"
	"time"

	"github.com/clusterscribe/clusterscribe/committer"
	"github.com/clusterscribe/clusterscribe/watcher"
	"github.com/clusterscribe/clusterscribe/watcher/auditwebhook"
)

// Attributor names the person who made a change the watch saw, from the
// API server's audit log; nil when it does not know. *auditwebhook.Receiver
// is one.
type Attributor interface {
	ChangedBy(q auditwebhook.Query) *committer.Actor
}

var _ Attributor = (*auditwebhook.Receiver)(nil)

// seenChange is the last change of an object the watch delivered since the
// last commit: what an Attributor needs to find its write.
type seenChange struct {
	key     auditwebhook.Key
	rv      string
	deleted bool
	at      time.Time
}

// noteSeen remembers the change ev made, when changes are attributed.
func (r *recorder) noteSeen(ev watcher.Event) {
	if r.attrib == nil || ev.Object == nil {
		return
	}
	at := ev.Received
	if at.IsZero() {
		at = time.Now()
	}
	r.state.seen[r.state.path(ev.Resource, ev.Object)] = seenChange{
		key: auditwebhook.Key{
			Group: ev.Resource.GVR.Group, Resource: ev.Resource.GVR.Resource,
			Namespace: ev.Object.GetNamespace(), Name: ev.Object.GetName(),
		},
		rv:      ev.Object.GetResourceVersion(),
		deleted: ev.Type == watcher.Delete,
		at:      at,
	}
}

// attribute adds the person who made the change at p to its attribution.
func (r *recorder) attribute(p string, ch *committer.Change) {
	if r.attrib == nil {
		return
	}
	s, ok := r.state.seen[p]
	if !ok {
		return
	}
	who := r.attrib.ChangedBy(auditwebhook.Query{Key: s.key, ResourceVersion: s.rv, Deleted: s.deleted, Seen: s.at})
	if who == nil {
		return
	}
	if ch.Attribution == nil {
		ch.Attribution = &committer.Attribution{}
	}
	ch.Attribution.ChangedBy = who
}

// startReceiver serves the audit webhook receiver until the returned stop
// is called; without one it does nothing.
func (r *recorder) startReceiver(ctx context.Context) (stop func()) {
	if r.receiver == nil {
		return func() {}
	}
	return r.receiver.Start(ctx)
}
