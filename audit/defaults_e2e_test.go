package audit_test

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/clusterscribe/clusterscribe/audit"
	"github.com/clusterscribe/clusterscribe/audit/declared"
	"github.com/clusterscribe/clusterscribe/audit/findings"
)

// TestRunDefaultsInsideAppliedAtomicsAreNotDrift applies objects whose
// atomic parts (an env fieldRef, webhook rules, NetworkPolicy ports) the
// server defaults inside what the applier owns, and audits them offline
// and server-side: no finding either way, and the same coverage.
func TestRunDefaultsInsideAppliedAtomicsAreNotDrift(t *testing.T) {
	ns := cluster.Namespace(t, "defaults")
	dir := declaredDir(t, filepath.Join("defaults", "applied"), ns)
	applyDir(t, dir)
	var sums []findings.Summary
	for _, serverSide := range []bool{false, true} {
		rep, err := audit.Run(t.Context(), cluster.Config, audit.Config{Declared: declared.Options{Source: dir}, ServerSide: serverSide})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Findings) != 0 || len(rep.Problems) != 0 {
			t.Errorf("server-side %v: want no findings, got %+v, problems %+v", serverSide, summarize(rep.Findings), rep.Problems)
		}
		sums = append(sums, *rep.Summary)
	}
	s := sums[0]
	if s.Declared != 5 || s.Compared != 5 || s.InSync != 5 {
		t.Errorf("summary: %+v", s)
	}
	if diff := cmp.Diff(sums[0], sums[1], cmp.AllowUnexported(findings.Summary{})); diff != "" {
		t.Errorf("offline and server-side coverage differ (-offline +server-side):\n%s", diff)
	}
}

// TestRunObjectsMeantToGoAwayAreNotDrift declares a finished Job with a
// TTL, a Helm hook and an Argo CD hook, none of them live: they are
// skipped with their reason, not reported.
func TestRunObjectsMeantToGoAwayAreNotDrift(t *testing.T) {
	ns := cluster.Namespace(t, "gone")
	dir := declaredDir(t, filepath.Join("defaults", "gone"), ns)
	rep, err := audit.Run(t.Context(), cluster.Config, audit.Config{Declared: declared.Options{Source: dir}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) != 0 || rep.HasDrift() {
		t.Errorf("want no findings, got %+v", summarize(rep.Findings))
	}
	var got []string
	for _, s := range rep.Summary.SkippedObjects {
		got = append(got, s.Object.String()+": "+s.Reason)
	}
	want := []string{
		"Job.batch " + ns + "/finished: not in the cluster, as meant: a Job with ttlSecondsAfterFinished: 60: removed that long after it finished",
		"Job.batch " + ns + "/helm-migrate: not in the cluster, as meant: a Helm hook (helm.sh/hook: pre-upgrade): Helm deletes it once it has run",
		"Pod " + ns + "/argocd-presync: not in the cluster, as meant: an Argo CD hook (argocd.argoproj.io/hook: PreSync): Argo CD deletes it once it has run",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
}
