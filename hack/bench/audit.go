package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/clusterscribe/clusterscribe/audit/findings"
)

// auditRowObjects is the size of the audit's main row; a run with more
// objects fills the row below it.
const auditRowObjects = 10000

type auditResult struct {
	Objects int `json:"liveObjects"`
	Run     run `json:"audit"` // the median of the runs by wall time
	// WallEach is every run's wall time, in the order they ran.
	WallEach  []float64 `json:"wallSecondsEachRun"`
	Modified  int       `json:"modified"`
	Unmanaged int       `json:"unmanaged"`
	Missing   int       `json:"missingLive"`
	Policy    int       `json:"policyFindings"`
	// Load is the machine's 1-minute load average when the runs began: on
	// a shared machine it says how far wall time is from the CPU time.
	Load float64 `json:"loadAverage1m,omitempty"`
}

// auditPhase audits the whole cluster against the declared manifests of
// every seeded object, with every bundled policy.
func auditPhase(ctx context.Context, c config, e *env, res *results) error {
	if err := e.seeder.writeDeclared(); err != nil {
		return err
	}
	step("audit + all bundled policies over %d objects", e.seeded)
	// The machine is shared: the median of three runs is reported, and
	// each run's wall time next to it.
	report := filepath.Join(c.out, "audit.json")
	load := loadAverage()
	var runs []run
	var each []float64
	for i := range benchRepeats {
		r, err := measure(ctx, filepath.Join(c.out, fmt.Sprintf("audit-%d.log", i+1)), nil, []int{1}, c.cli,
			"audit", "--kubeconfig", e.kubeconfig, "--declared", e.seeder.declared, "--bundled-policies",
			"-o", "json", "--output-file", report)
		if err != nil {
			return err
		}
		step("  run %d: %.2fs", i+1, r.WallSec)
		runs = append(runs, r)
		each = append(each, r.WallSec)
	}
	slices.SortFunc(runs, func(a, b run) int { return cmp.Compare(a.WallSec, b.WallSec) })
	r := runs[len(runs)/2]
	data, err := os.ReadFile(report)
	if err != nil {
		return fmt.Errorf("read audit report: %w", err)
	}
	var rep findings.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		return fmt.Errorf("parse audit report: %w", err)
	}
	n := rep.Count()
	a := &auditResult{Objects: e.seeded, Run: r, WallEach: each, Modified: n.Modified, Unmanaged: n.Unmanaged, Missing: n.MissingLive, Load: load}
	for _, v := range n.Policy {
		a.Policy += v
	}
	// The 10,000-object row and a larger one are kept side by side.
	if e.seeded > auditRowObjects {
		res.AuditLarge = a
	} else {
		res.Audit = *a
	}
	step("  %.2fs, peak RSS %s: %d modified (the churned ConfigMaps), %d unmanaged, %d policy findings",
		r.WallSec, mib(r.PeakRSS), n.Modified, n.Unmanaged, a.Policy)
	return nil
}

// onlyAudit seeds a fresh control plane with -n objects, changes every
// ConfigMap once (the drift a full run's churn leaves) and measures the
// audit alone.
func onlyAudit(ctx context.Context, c config) (err error) {
	r, e, err := startAlone(ctx, &c)
	if err != nil {
		return err
	}
	defer e.stop()
	if err := e.seedTo(ctx, c.objects); err != nil {
		return err
	}
	// The full run audits after its churn phases, which leave every
	// ConfigMap changed: the same drift here, so the rows compare.
	ch := &churner{cs: e.cs, cluster: "bench", n: e.seeded}
	cms := e.seeded / 5 * 2
	step("changing the %d seeded ConfigMaps, as the churn phases of a full run do", cms)
	for i := range cms {
		if err := ch.realChange(ctx, i, nil); err != nil {
			return err
		}
	}
	if c.keep {
		return keepForAudit(ctx, c, e)
	}
	if err := auditPhase(ctx, c, e, r); err != nil {
		return err
	}
	return r.write(c.markdown, c.jsonOut)
}

// keepForAudit writes the declared manifests and keeps the seeded, changed
// control plane running until Ctrl-C, for profiling the audit by hand.
func keepForAudit(ctx context.Context, c config, e *env) error {
	if err := e.seeder.writeDeclared(); err != nil {
		return err
	}
	step("%d objects seeded and their ConfigMaps changed; the control plane runs until Ctrl-C:\n\n  %s audit --kubeconfig %s --declared %s --bundled-policies -o json --output-file /tmp/audit.json --pprof-addr 127.0.0.1:6060\n",
		e.seeded, c.cli, e.kubeconfig, e.seeder.declared)
	<-ctx.Done()
	return nil
}

// auditRows writes the audit table: the 10,000-object row, and the larger
// run's with how time and memory grow per object between the two.
func auditRows(p func(string, ...any), rows ...*auditResult) {
	p("| Live objects | Wall (median) | Each run | Peak RSS (anonymous) | CPU | Modified | Unmanaged | Missing live | Policy findings |")
	p("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, a := range rows {
		if a == nil {
			continue
		}
		p("| %d | %.2f s | %s | %s (%s) | %.2f s | %d | %d | %d | %d |", a.Objects, a.Run.WallSec, seconds(a.WallEach), mib(a.Run.PeakRSS), mib(a.Run.PeakAnon), a.Run.CPUSec, a.Modified, a.Unmanaged, a.Missing, a.Policy)
	}
	p("")
	for _, a := range rows {
		if a != nil && a.Load > 0 {
			p("The %d-object runs began at a 1-minute load average of %.1f on %d CPUs: wall time above CPU time / CPUs is waiting for them.", a.Objects, a.Load, runtime.NumCPU())
			p("")
		}
	}
	small, large := rows[0], rows[len(rows)-1]
	if large == nil || small == large || large.Objects <= small.Objects {
		return
	}
	d := float64(large.Objects - small.Objects)
	p("Growth from %d to %d objects, per added object: %.0f µs of wall time, %.1f KiB of peak RSS, %.0f µs of CPU.",
		small.Objects, large.Objects, (large.Run.WallSec-small.Run.WallSec)/d*1e6,
		float64(large.Run.PeakRSS-small.Run.PeakRSS)/d/1024, (large.Run.CPUSec-small.Run.CPUSec)/d*1e6)
	p("")
}

// loadAverage is the 1-minute load average of /proc/loadavg, or 0.
func loadAverage() float64 {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f, _ := strconv.ParseFloat(strings.Fields(string(data) + " 0")[0], 64)
	return f
}
