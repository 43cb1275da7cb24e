package operate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"k8s.io/client-go/rest"

	"github.com/clusterscribe/clusterscribe/audit"
	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/audit/report"
	"github.com/clusterscribe/clusterscribe/filters"
	"github.com/clusterscribe/clusterscribe/internal/atomicfile"
	"github.com/clusterscribe/clusterscribe/watcher"
)

// evaluateLoop audits and evaluates policies once the initial sync is
// done, then every audit.interval, and after a recorded change, but not
// more often than audit.min-interval, until ctx is done.
func (o *operator) evaluateLoop(ctx context.Context, obs *observer, changed <-chan struct{}) {
	select {
	case <-obs.synced:
	case <-ctx.Done():
		return
	}
	interval, minInterval := o.cfg.Audit.Interval.Duration, o.cfg.Audit.MinInterval.Duration
	timer := time.NewTimer(0)
	defer timer.Stop()
	<-timer.C
	for {
		started := time.Now()
		o.evaluate(ctx, obs)
		if ctx.Err() != nil {
			return
		}
		timer.Reset(interval)
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-changed:
			if wait := time.Until(started.Add(minInterval)); wait > 0 {
				timer.Stop()
				timer.Reset(wait)
				select {
				case <-ctx.Done():
					return
				case <-timer.C:
				}
			}
			// Changes made meanwhile are in this evaluation.
			select {
			case <-changed:
			default:
			}
		}
	}
}

// evaluate runs one audit (when audit.declared is set) and one policy
// evaluation over the live objects in scope, then publishes the result:
// metrics, alerts, PolicyReports, the report file, pull requests. A
// failure is logged and counted and the next evaluation tries again; a
// failed audit does not hold the policies back.
func (o *operator) evaluate(ctx context.Context, obs *observer) {
	start := time.Now()
	rep, drift, err := o.report(ctx, obs)
	if err != nil && ctx.Err() == nil {
		o.m.audits.WithLabelValues("error").Inc()
		o.log.Error("audit failed; tried again at the next interval", "error", err)
	}
	if rep == nil || ctx.Err() != nil {
		return
	}
	elapsed := time.Since(start)
	if err == nil {
		o.m.auditDuration.Observe(elapsed.Seconds())
		o.m.audits.WithLabelValues("success").Inc()
		o.m.lastAudit.Set(float64(time.Now().Unix()))
	}
	o.m.observeReport(rep, drift)
	c := rep.Count()
	failed := 0
	for _, n := range c.Policy {
		failed += n
	}
	o.log.Info("audited", "duration", elapsed.Round(time.Millisecond), "drift", drift, "modified", c.Modified,
		"missingLive", c.MissingLive, "unmanaged", c.Unmanaged, "policyFindings", failed, "problems", c.Problems)

	o.alerts.notify(ctx, rep, drift)
	var errs []error
	if o.cfg.Policies.WritePolicyReports && o.engine != nil {
		if _, err := audit.WritePolicyReports(ctx, o.rest, rep, o.cfg.API.QPS, o.cfg.API.Burst); err != nil {
			errs = append(errs, err)
		}
	}
	if o.cfg.Audit.Output != "" && drift {
		if err := writeReportFile(o.cfg.Audit.Output, o.cfg.Audit.Format, rep); err != nil {
			errs = append(errs, err)
		}
	}
	if o.proposer != nil && drift {
		if err := o.proposer.Propose(ctx, rep); err != nil {
			errs = append(errs, fmt.Errorf("propose: %w", err))
		}
	}
	if err := errors.Join(errs...); err != nil && ctx.Err() == nil {
		o.log.Error("publishing the audit failed; tried again at the next one", "error", err)
	}
}

// report builds one report; drift tells whether it holds a drift audit.
// When the drift audit fails, the report still holds the policy results
// (nil without policies) and err says why drift is missing.
func (o *operator) report(ctx context.Context, obs *observer) (*findings.Report, bool, error) {
	rep := &findings.Report{GeneratedAt: time.Now().UTC(), Cluster: o.cfg.ClusterName}
	drift := false
	var auditErr error
	if o.auditCfg.Declared.Source != "" {
		r, err := audit.Run(ctx, o.rest, o.withPeople(ctx, o.auditCfg))
		if err == nil {
			rep, drift = r, true
		} else {
			auditErr = err
		}
	}
	if o.engine == nil {
		if auditErr != nil {
			return nil, false, auditErr
		}
		return rep, drift, nil
	}
	fs, stats, problems, err := o.engine.Evaluate(ctx, obs.liveObjects(), true)
	if err != nil {
		return nil, false, errors.Join(auditErr, fmt.Errorf("evaluate policies: %w", err))
	}
	rep.Findings = append(rep.Findings, fs...)
	rep.Policies = append(rep.Policies, stats...)
	rep.Problems = append(rep.Problems, problems...)
	rep.PolicySet = o.engine.PolicySet(fmt.Sprintf("cluster %s: live objects observed", rep.Cluster))
	rep.Sort()
	return rep, drift, auditErr
}

// writeReportFile renders rep to path atomically.
func writeReportFile(path, format string, rep *findings.Report) error {
	r, err := report.For(format)
	if err != nil {
		return fmt.Errorf("audit.format: %w", err)
	}
	err = atomicfile.Write(path, atomicfile.Options{}, func(w io.Writer) error { return r.Render(w, rep) })
	if err != nil {
		return fmt.Errorf("audit.output: %w", err)
	}
	return nil
}

// watchLive feeds obs from a watcher when nothing is recorded: policies
// still judge the live objects in scope, with one LIST and one WATCH per
// kind.
func watchLive(ctx context.Context, restCfg *rest.Config, cfg *Config, obs *observer) error {
	f, err := filters.New(cfg.Filters)
	if err != nil {
		return err
	}
	wopts := cfg.API
	wopts.Want = f.WantResource
	w, err := watcher.New(restCfg, wopts)
	if err != nil {
		return err
	}
	served, err := w.Discover()
	if err != nil {
		return err
	}
	if err := f.Validate(served); err != nil {
		return err
	}
	runErr := make(chan error, 1)
	go func() { runErr <- w.Run(ctx) }()
	for ev := range w.Events() {
		if ev.Type == watcher.Synced {
			obs.OnSynced()
			continue
		}
		ok, _ := f.Allow(ev.Resource, ev.Object)
		obs.OnEvent(ev, ok)
	}
	return <-runErr
}
