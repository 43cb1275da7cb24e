package committer

import (
	"context"
	"errors"
	"time"

	"github.com/clusterscribe/clusterscribe/internal/gitremote"
)

// Log messages of the remote's reachability. A caller that wants to follow
// it (metrics, health endpoints) watches for them in the Logger's records.
const (
	// MsgRemoteReachable is logged once the first contact with the remote
	// succeeded, and again when it succeeds after an outage.
	MsgRemoteReachable = "remote reachable"
	// MsgRemoteUnreachable is logged when contact with the remote fails
	// after it succeeded, or from the start: commits go on locally and are
	// pushed once it is back.
	MsgRemoteUnreachable = "remote unreachable; recording locally, pushing once it is back"
)

// reach is what the committer knows of its remote: unknown before the
// first contact, then up or down since a time.
type reach struct {
	known bool
	up    bool
	since time.Time
}

// contacted notes the outcome of talking to the remote and logs when an
// outage starts or ends. A contact cut short by the caller's context
// tells nothing about the remote.
func (c *Committer) contacted(ctx context.Context, err error) {
	if err != nil && (ctx.Err() != nil || errors.Is(err, context.Canceled)) {
		return
	}
	now := c.now()
	switch {
	case err == nil && (!c.reach.known || !c.reach.up):
		if c.reach.known {
			c.log.Info(MsgRemoteReachable, "branch", c.opts.Branch, "remote", gitremote.Scrub(c.remote.URL),
				"outageStarted", c.reach.since.UTC().Format(time.RFC3339), "outage", now.Sub(c.reach.since).Round(time.Second))
		} else {
			c.log.Info(MsgRemoteReachable, "branch", c.opts.Branch, "remote", gitremote.Scrub(c.remote.URL))
		}
		c.reach = reach{known: true, up: true, since: now}
	case err != nil && (!c.reach.known || c.reach.up):
		c.log.Warn(MsgRemoteUnreachable, "branch", c.opts.Branch, "remote", gitremote.Scrub(c.remote.URL), "error", err)
		c.reach = reach{known: true, up: false, since: now}
	}
}

// connectOrDefer connects to the remote (see connect). With
// Options.StartUnreachable, a remote that cannot be contacted does not
// fail Open: commits go into the clone as it is (a fresh repository when
// there is none yet), and the first successful Push rebases them onto the
// remote branch.
func (c *Committer) connectOrDefer(ctx context.Context) error {
	err := c.connect(ctx)
	if err != nil && (!c.opts.StartUnreachable || !errors.Is(err, ErrRemoteUnreachable)) {
		return err
	}
	c.contacted(ctx, err)
	return nil
}
