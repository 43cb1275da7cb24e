package policies

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/clusterscribe/clusterscribe/audit/findings"
)

// TestExpansion evaluates manifests (as policy test and audit --policies
// do) with ExpansionTemplates in the policy directory: a policy for Pods
// judges the Pods of Deployments and of CronJobs' Jobs, reported on the
// workload with Gatekeeper's "[Implied by ...]" prefix and the template's
// enforcementAction; match.source Original leaves generated objects out.
func TestExpansion(t *testing.T) {
	const sample = "suite/testdata/library/noprivileged/"
	dir := t.TempDir()
	for _, f := range []string{"template.yaml", "samples/pods-unprivileged/constraint.yaml", "samples/pods-unprivileged/expansion.yaml"} {
		data, err := os.ReadFile(sample + f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var ms []Manifest
	for _, f := range []string{"example_disallowed_deployment.yaml", "example_allowed_deployment.yaml", "example_disallowed_pod.yaml", "example_disallowed_cronjob.yaml"} {
		ms = append(ms, readManifests(t, sample+"samples/pods-unprivileged/"+f)...)
	}
	evaluate := func() ([]row, map[string]stat) {
		e := mustLoad(t, Options{Dirs: []string{dir}, NoBundled: true})
		if !e.Judges("apps/v1", "Deployment") || e.Judges("v1", "ConfigMap") {
			t.Error("Judges: Deployments are judged through their Pods, ConfigMaps not at all")
		}
		fs, stats, _ := mustEvaluateManifests(t, e, ms)
		return rows(fs), statsByID(stats)
	}
	got, stats := evaluate()
	want := []row{
		{"NoPrivileged/pods-unprivileged", "CronJob.batch ops/node-cleanup", findings.Warn, "[Implied by expand-jobs] container cleanup of Pod node-cleanup-job-pod is privileged"},
		{"NoPrivileged/pods-unprivileged", "Deployment.apps shop/debug-shell", findings.Fail, "[Implied by expand-workloads] container main of Pod debug-shell-pod is privileged"},
		{"NoPrivileged/pods-unprivileged", "Pod shop/toolbox", findings.Fail, "container tools of Pod toolbox is privileged"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]stat{"NoPrivileged/pods-unprivileged": {Evaluated: 4, Failed: 2}}, stats); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}

	constraint := filepath.Join(dir, "constraint.yaml")
	data, err := os.ReadFile(constraint)
	if err != nil {
		t.Fatal(err)
	}
	original := strings.Replace(string(data), "  match:\n", "  match:\n    source: Original\n", 1)
	if err := os.WriteFile(constraint, []byte(original), 0o644); err != nil {
		t.Fatal(err)
	}
	got, _ = evaluate()
	if diff := cmp.Diff(want[2:3], got); diff != "" {
		t.Errorf("source: Original (-want +got):\n%s", diff)
	}
}
