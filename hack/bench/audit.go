package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/clusterscribe/clusterscribe/audit/findings"
)

type auditResult struct {
	Objects   int `json:"liveObjects"`
	Run       run `json:"audit"`
	Modified  int `json:"modified"`
	Unmanaged int `json:"unmanaged"`
	Missing   int `json:"missingLive"`
	Policy    int `json:"policyFindings"`
}

// auditPhase audits the whole cluster against the declared manifests of
// every seeded object, with every bundled policy.
func auditPhase(ctx context.Context, c config, e *env, res *results) error {
	if err := e.seeder.writeDeclared(); err != nil {
		return err
	}
	step("audit + all bundled policies over %d objects", e.seeded)
	report := filepath.Join(c.out, "audit.json")
	r, err := measure(ctx, filepath.Join(c.out, "audit.log"), nil, []int{1}, c.cli,
		"audit", "--kubeconfig", e.kubeconfig, "--declared", e.seeder.declared, "--bundled-policies",
		"--format", "json", "--output", report)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(report)
	if err != nil {
		return fmt.Errorf("read audit report: %w", err)
	}
	var rep findings.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		return fmt.Errorf("parse audit report: %w", err)
	}
	n := rep.Count()
	res.Audit = auditResult{Objects: e.seeded, Run: r, Modified: n.Modified, Unmanaged: n.Unmanaged, Missing: n.MissingLive}
	for _, v := range n.Policy {
		res.Audit.Policy += v
	}
	step("  %.2fs, peak RSS %s: %d modified (the churned ConfigMaps), %d unmanaged, %d policy findings",
		r.WallSec, mib(r.PeakRSS), n.Modified, n.Unmanaged, res.Audit.Policy)
	return nil
}
