package operate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"

	"k8s.io/client-go/rest"

	"github.com/clusterscribe/clusterscribe/audit"
	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/policies"
	"github.com/clusterscribe/clusterscribe/record"
	"github.com/clusterscribe/clusterscribe/watcher/auditwebhook"
)

// ErrProposeUnavailable is what Run returns when propose.enabled is set
// but this build has no proposer (Options.NewProposer is nil).
var ErrProposeUnavailable = errors.New("propose: not available in this build")

// Proposer opens or updates pull requests against the declared repo for
// the drift in a report (package propose).
type Proposer interface {
	Propose(ctx context.Context, rep *findings.Report) error
}

// Options are what Run needs besides the configuration.
type Options struct {
	Logger *slog.Logger
	// Namespace holds the Lease when leader-election.lease-namespace is
	// empty: the pod's namespace in a cluster, else the kubeconfig's.
	Namespace string
	// NewProposer builds the proposer from the configuration's propose
	// section; nil means this build has none, and propose.enabled is an
	// error.
	NewProposer func(cfg *Config, log *slog.Logger) (Proposer, error)
	// OnListen, when set, is called with the address the endpoints listen
	// on, once they do.
	OnListen func(addr string)
}

// operator is one Run.
type operator struct {
	cfg      Config
	opts     Options
	log      *slog.Logger
	rest     *rest.Config // instrumented
	m        *metrics
	health   *health
	recCfg   record.Config
	auditCfg audit.Config
	engine   *policies.Engine
	alerts   *alerter
	proposer Proposer
	// receiver is the audit webhook receiver, when record.audit-webhook-addr
	// is set: it names people in commits, findings and alerts.
	receiver *auditwebhook.Receiver
}

// Run runs clusterscribe as a service until ctx is done: it serves the
// endpoints, campaigns for the leader lease (when leader-election.enabled),
// and while leading records, audits, evaluates policies, alerts and
// proposes as configured. When ctx is done the leader commits and pushes
// what is pending within record.shutdown-grace, then releases the lease.
//
// Everything that can be checked before touching the cluster is checked
// first: the configuration (Validate), the policies (compiled once), the
// alert receivers.
func Run(ctx context.Context, restCfg *rest.Config, cfg Config, opts Options) error {
	o, err := prepare(ctx, restCfg, cfg, opts)
	if err != nil {
		return err
	}
	srv, err := newServer(cfg.Server.Address, o.health, o.m, o.log)
	if err != nil {
		return err
	}
	if opts.OnListen != nil {
		opts.OnListen(srv.Addr())
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.serve() }()
	defer srv.shutdown()
	defer o.serveReceiver(ctx)()
	defer o.m.observeThrottling()()

	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	runErr := make(chan error, 1)
	go func() {
		if cfg.LeaderElection.Enabled {
			runErr <- o.elect(runCtx, o.lead)
		} else {
			runErr <- o.lead(runCtx, nil)
		}
	}()
	select {
	case err := <-runErr:
		o.health.set(stopping)
		return err
	case err := <-serveErr:
		// Without its endpoints a replica is blind: stop as if asked to.
		o.log.Error("endpoints failed; stopping", "error", err)
		stop()
		return errors.Join(err, <-runErr)
	}
}

func prepare(ctx context.Context, restCfg *rest.Config, cfg Config, opts Options) (*operator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := newMetrics()
	live := newLiveness(cfg.Server.UnhealthyAfter.Duration)
	o := &operator{cfg: cfg, opts: opts, log: log, m: m, rest: m.instrument(restCfg, live.apiResult), health: &health{m: m, live: live}}
	o.health.set(starting)
	var err error
	if cfg.recording() {
		if o.recCfg, err = cfg.recordConfig(log); err != nil {
			return nil, err
		}
	}
	if cfg.auditing() {
		if o.auditCfg, err = cfg.auditConfig(log); err != nil {
			return nil, err
		}
	}
	if err := o.prepareReceiver(); err != nil {
		return nil, err
	}
	if cfg.evaluating() {
		if o.engine, err = policies.Load(ctx, cfg.policiesOptions(log)); err != nil {
			return nil, fmt.Errorf("policies: %w", err)
		}
	}
	if o.alerts, err = newAlerter(&cfg, m, log, &http.Client{}); err != nil {
		return nil, err
	}
	if cfg.Propose.Enabled {
		if opts.NewProposer == nil {
			return nil, ErrProposeUnavailable
		}
		if o.proposer, err = opts.NewProposer(&cfg, log); err != nil {
			return nil, fmt.Errorf("propose: %w", err)
		}
	}
	return o, nil
}

// lead does the leader's work (see leadFunc): the recording (or, without
// one, a watch that feeds the policies) and the evaluation loop.
func (o *operator) lead(ctx context.Context, abandon <-chan struct{}) error {
	o.health.set(syncing)
	workCtx, stopWork := context.WithCancel(ctx)
	defer stopWork()
	changed := make(chan struct{}, 1)
	obs := newObserver(o.m, o.cfg.recording(), changed)
	obs.health = o.health

	sourceErr := make(chan error, 1)
	if o.cfg.recording() {
		rc := o.recCfg
		rc.Observer = obs
		rc.Abandon = abandon
		if o.cfg.LeaderElection.Enabled {
			dir, err := o.termWorkdir()
			if err != nil {
				return err
			}
			rc.Committer.Workdir = dir
		}
		// record gets ctx itself: when ctx is done it commits and pushes
		// within its grace period.
		go func() { sourceErr <- record.Run(ctx, o.rest, rc) }()
	} else {
		go func() { sourceErr <- watchLive(workCtx, o.rest, &o.cfg, obs) }()
	}
	go func() {
		select {
		case <-obs.synced:
			o.health.set(leading)
			o.log.Info("initial sync done; ready")
		case <-workCtx.Done():
		}
	}()
	evalDone := make(chan struct{})
	go func() {
		defer close(evalDone)
		if o.auditCfg.Declared.Source != "" || o.engine != nil {
			o.evaluateLoop(workCtx, obs, changed)
		}
	}()

	var err error
	select {
	case err = <-sourceErr:
	case <-abandon:
		stopWork()
		err = <-sourceErr
	}
	stopWork()
	<-evalDone
	o.health.set(stopping)
	if errors.Is(err, record.ErrAbandoned) || isClosed(abandon) {
		return nil // elect reports the lost lease
	}
	if err == nil && ctx.Err() == nil {
		return errors.New("recording stopped unexpectedly")
	}
	return err
}

// termWorkdir is a fresh clone directory for this term of leadership.
// Commits an earlier term made and could not push are dropped with it: the
// new term's initial snapshot records the live state anyway, while
// replaying them on top of what another leader pushed since would record
// stale objects again.
func (o *operator) termWorkdir() (string, error) {
	base := o.cfg.Record.Workdir
	if base == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("record.workdir: not set and no user cache directory: %w", err)
		}
		sum := sha256.Sum256([]byte(o.cfg.Record.Repo + "\x00" + o.cfg.Record.Branch + "\x00" + o.cfg.ClusterName))
		base = filepath.Join(cache, "clusterscribe", "run", hex.EncodeToString(sum[:12]))
	}
	dir := filepath.Join(base, "leader")
	if err := os.RemoveAll(dir); err != nil {
		return "", fmt.Errorf("record.workdir: clear the clone of the last term: %w", err)
	}
	return dir, nil
}
