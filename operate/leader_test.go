package operate_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"

	"github.com/clusterscribe/clusterscribe/operate"
)

// TestLostLeaseStopsWriting takes the lease away from a running leader:
// it must stop at once with ErrLeadershipLost, without committing what is
// pending (another replica may lead by now).
func TestLostLeaseStopsWriting(t *testing.T) {
	ns := cluster.Namespace(t, "lostlease")
	cs := cluster.Clientset(t)
	repo := filepath.Join(t.TempDir(), "backup")
	cfg := testConfig(ns, repo)
	cfg.Filters.IncludeKinds = []string{"ConfigMap"}
	cfg.Record.BatchWindow = time.Hour // only a final commit could record a change
	setValue(t, cs, ns, "pending", 1)
	run := startRun(t, cfg)
	addr := run.address(t)
	eventually(t, "the initial snapshot", func() (bool, string) {
		v, _ := sample(scrape(t, addr), operate.MetricCommits)
		return v == 1, fmt.Sprintf("commits=%v", v)
	})
	setValue(t, cs, ns, "pending", 2)
	eventually(t, "the change seen", func() (bool, string) {
		v, _ := sample(scrape(t, addr), operate.MetricEvents, "type", "upsert")
		return v >= 2, fmt.Sprintf("upserts=%v", v)
	})

	// The leader renews the lease meanwhile: a conflict means read again.
	leases := cs.CoordinationV1().Leases(ns)
	thief, duration := "thief", int32(3600)
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		lease, err := leases.Get(t.Context(), operate.DefaultLeaseName, metav1.GetOptions{})
		if err != nil {
			return err
		}
		now := metav1.NewMicroTime(time.Now())
		lease.Spec.HolderIdentity, lease.Spec.LeaseDurationSeconds, lease.Spec.RenewTime = &thief, &duration, &now
		_, err = leases.Update(t.Context(), lease, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	run.WaitFor(t, "its lease was taken", operate.ErrLeadershipLost)
	out := gitOut(t, repo, "rev-list", "--count", branchRef)
	if strings.TrimSpace(out) != "1" {
		t.Errorf("%s commits after the lease was lost, want only the initial snapshot", strings.TrimSpace(out))
	}
	if file, _ := show(repo, nsPath(ns, "", "configmaps", "pending")); !strings.Contains(file, `value: "1"`) {
		t.Errorf("the pending change was written after the lease was lost:\n%s", file)
	}
	if got, err := leases.Get(t.Context(), operate.DefaultLeaseName, metav1.GetOptions{}); err != nil || *got.Spec.HolderIdentity != thief {
		t.Errorf("the lease changed hands again: %v %v", got.Spec.HolderIdentity, err)
	}
}
