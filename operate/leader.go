package operate

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
)

// ErrLeadershipLost is what Run returns when this replica could not renew
// its lease in time: it stopped writing at once, and should exit so that it
// restarts as a standby.
var ErrLeadershipLost = errors.New("leader lease lost")

// leadFunc does the leader's work until ctx is done (a graceful stop:
// flush, push, return) or abandon is closed (the lease is lost: stop
// writing at once). abandon is nil without leader election.
type leadFunc func(ctx context.Context, abandon <-chan struct{}) error

// elect campaigns for the lease and runs lead while holding it. It returns
// when ctx is done — after lead finished its graceful stop, and only then
// releasing the lease, so that a standby never writes while this replica
// still flushes — or when lead returns, or with ErrLeadershipLost.
func (o *operator) elect(ctx context.Context, lead leadFunc) error {
	lease, err := o.leaseLock()
	if err != nil {
		return err
	}
	started := make(chan context.Context, 1)
	elector, err := o.newElector(lease, started)
	if err != nil {
		return err
	}
	// The election outlives ctx until the leader's work is done.
	electCtx, stopElect := context.WithCancel(context.WithoutCancel(ctx))
	electDone := make(chan struct{})
	go func() {
		defer close(electDone)
		elector.Run(electCtx)
	}()
	stop := func() {
		stopElect()
		<-electDone
	}
	o.log.Info("campaigning for the leader lease", "lease", lease.name, "identity", lease.identity)

	var leadCtx context.Context
	select {
	case leadCtx = <-started:
	case <-ctx.Done():
		stop()
		return nil
	}
	o.log.Info("leading", "lease", lease.name, "identity", lease.identity)
	lost, err := leadWhileHeld(ctx, leadCtx, lead)
	stop() // releases the lease
	if lost {
		o.log.Error("leader lease lost: stopped writing", "lease", lease.name, "identity", lease.identity)
		return ErrLeadershipLost
	}
	o.log.Info("leader lease released", "lease", lease.name, "identity", lease.identity)
	return err
}

// lease is the Lease this replica campaigns for.
type lease struct {
	lock     resourcelock.Interface
	name     string // namespace/name, for logs
	identity string
}

// leaseLock builds the lock on the configured Lease, with its own client:
// its requests must not queue behind the watchers' rate limit, and each
// must end well within the renew deadline.
func (o *operator) leaseLock() (lease, error) {
	le := o.cfg.LeaderElection
	ns := cmp.Or(le.LeaseNamespace, o.opts.Namespace, metav1.NamespaceDefault)
	identity := le.Identity
	if identity == "" {
		identity = defaultIdentity()
	}
	lcfg := rest.CopyConfig(o.rest)
	lcfg.Timeout = max(le.RenewDeadline.Duration/2, time.Second)
	lcfg.QPS, lcfg.Burst, lcfg.RateLimiter = 5, 10, nil
	cs, err := kubernetes.NewForConfig(rest.AddUserAgent(lcfg, "clusterscribe-leader-election"))
	if err != nil {
		return lease{}, fmt.Errorf("leader election: client: %w", err)
	}
	var lock resourcelock.Interface = &resourcelock.LeaseLock{
		LeaseMeta:  metav1.ObjectMeta{Name: le.LeaseName, Namespace: ns},
		Client:     cs.CoordinationV1(),
		LockConfig: resourcelock.ResourceLockConfig{Identity: identity},
	}
	if o.health.live != nil {
		lock = observedLock{Interface: lock, s: o.health.live.election}
	}
	return lease{lock: lock, name: ns + "/" + le.LeaseName, identity: identity}, nil
}

// newElector campaigns for l; started receives the leading context.
func (o *operator) newElector(l lease, started chan<- context.Context) (*leaderelection.LeaderElector, error) {
	le := o.cfg.LeaderElection
	elector, err := leaderelection.NewLeaderElector(leaderelection.LeaderElectionConfig{
		Lock:            l.lock,
		Name:            le.LeaseName,
		LeaseDuration:   le.LeaseDuration.Duration,
		RenewDeadline:   le.RenewDeadline.Duration,
		RetryPeriod:     le.RetryPeriod.Duration,
		ReleaseOnCancel: true,
		Callbacks: leaderelection.LeaderCallbacks{
			OnStartedLeading: func(leadCtx context.Context) { started <- leadCtx },
			OnStoppedLeading: func() {},
			OnNewLeader: func(id string) {
				if id != l.identity {
					o.health.set(standby)
					o.log.Info("standing by", "leader", id, "lease", l.name)
				}
			},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("leader election: %w", err)
	}
	return elector, nil
}

// leadWhileHeld runs lead until it returns; abandon closes when the lease
// is lost first (only a failed renewal ends leadCtx before then), and lost
// says whether it did.
func leadWhileHeld(ctx, leadCtx context.Context, lead leadFunc) (lost bool, err error) {
	abandon := make(chan struct{})
	workDone := make(chan struct{})
	go func() {
		select {
		case <-leadCtx.Done():
			close(abandon)
		case <-workDone:
		}
	}()
	err = lead(ctx, abandon)
	close(workDone)
	return isClosed(abandon), err
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// defaultIdentity is the host name (a pod's name) with a random suffix, so
// that a restarted process never passes for its former self.
func defaultIdentity() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "clusterscribe"
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return host + "_" + hex.EncodeToString(b)
}
