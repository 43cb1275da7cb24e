package record_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clusterscribe/clusterscribe/internal/testcluster"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/retry"
)

const leaderAnnotation = "control-plane.alpha.kubernetes.io/leader"

// TestNoNoise sends a thousand status-only updates, autoscaler scale
// changes and leader-election annotation renewals while record runs: none
// of them may produce a commit. A real change in the same setup does.
func TestNoNoise(t *testing.T) {
	ns := cluster.Namespace(t, "noise")
	cs := clientset(t)
	repo := filepath.Join(t.TempDir(), "backup")
	createNoiseObjects(t, cs, ns)
	cfg, logs := newConfig(ns, repo, "Deployment", "HorizontalPodAutoscaler", "ConfigMap")
	rec := startRecord(t, cfg, logs)
	dep := nsPath(ns, "apps", "deployments", "web")
	lock := nsPath(ns, "", "configmaps", "lock")
	waitFiles(t, rec, repo, true, dep, lock, nsPath(ns, "autoscaling", "horizontalpodautoscalers", "web"))
	if got := mustShow(t, repo, dep); strings.Contains(got, "replicas") {
		t.Errorf("the Deployment targeted by an HPA is recorded with its replicas:\n%s", got)
	}

	// The setup records real changes: a label on each object is one commit.
	for i, obj := range []string{dep, lock} {
		before := commitCount(t, repo)
		label(t, cs, ns, obj == dep, "real-change")
		waitContent(t, rec, repo, obj, "a real change recorded", func(s string) bool { return strings.Contains(s, "real-change") })
		if got := commitCount(t, repo); got != before+1 {
			t.Fatalf("real change %d: %d commits, want %d", i+1, got, before+1)
		}
	}
	commits := commitCount(t, repo)

	makeNoise(t, cs, ns, 1000)
	// Give the recorder several batch windows after the last update.
	time.Sleep(10 * batchWindow)
	if got := commitCount(t, repo); got != commits {
		t.Errorf("noise made %d commit(s); the latest:\n%s", got-commits, gitOut(t, repo, "show", branchRef))
	}

	// Each informer delivers in order: once a final real change to each
	// object is recorded, every bit of noise before it was handled too.
	for _, obj := range []string{dep, lock} {
		label(t, cs, ns, obj == dep, "sentinel")
		waitContent(t, rec, repo, obj, "the sentinel recorded", func(s string) bool { return strings.Contains(s, "sentinel") })
	}
	rec.stop(t)
	got := commitCount(t, repo)
	if got > commits+2 {
		t.Errorf("%d commits after the noise, want at most %d (the two sentinel changes)", got, commits+2)
	}
	diff := gitOut(t, repo, "log", "-p", "-U0", "--format=", fmt.Sprintf("-%d", got-commits), branchRef)
	var stray []string
	for _, l := range strings.Split(diff, "\n") {
		if strings.HasPrefix(l, "+++") || strings.HasPrefix(l, "---") {
			continue
		}
		if (strings.HasPrefix(l, "+") || strings.HasPrefix(l, "-")) && !strings.Contains(l, "sentinel") {
			stray = append(stray, l)
		}
	}
	if len(stray) > 0 {
		t.Errorf("commits after the noise change more than the sentinel labels: %q", stray[:min(len(stray), 10)])
	}
	if !strings.Contains(diff, "sentinel") {
		t.Errorf("the sentinel changes are not in the last commits:\n%s", diff)
	}
}

func createNoiseObjects(t *testing.T, cs kubernetes.Interface, ns string) {
	t.Helper()
	ctx := t.Context()
	testcluster.CreateDeployment(t, cs, ns, "web")
	_, err := cs.AutoscalingV2().HorizontalPodAutoscalers(ns).Create(ctx, &autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "web"},
			MaxReplicas:    10,
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cs.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "lock", Annotations: map[string]string{leaderAnnotation: leaderRecord(0)}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
}

// conflictBackoff retries an update that lost a race with a controller.
var conflictBackoff = wait.Backoff{Steps: 20, Duration: 10 * time.Millisecond, Factor: 1.5, Jitter: 0.1, Cap: time.Second}

func leaderRecord(i int) string {
	renew := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second)
	return fmt.Sprintf(`{"holderIdentity":"node-%d","leaseDurationSeconds":15,"renewTime":%q,"leaderTransitions":%d}`,
		i%3, renew.Format(time.RFC3339), i/100)
}

// label sets label on the Deployment (dep) or the ConfigMap "lock".
func label(t *testing.T, cs kubernetes.Interface, ns string, dep bool, label string) {
	t.Helper()
	ctx := t.Context()
	var err error
	if dep {
		var d *appsv1.Deployment
		if d, err = cs.AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{}); err == nil {
			metav1.SetMetaDataLabel(&d.ObjectMeta, label, "true")
			_, err = cs.AppsV1().Deployments(ns).Update(ctx, d, metav1.UpdateOptions{})
		}
	} else {
		var cm *corev1.ConfigMap
		if cm, err = cs.CoreV1().ConfigMaps(ns).Get(ctx, "lock", metav1.GetOptions{}); err == nil {
			metav1.SetMetaDataLabel(&cm.ObjectMeta, label, "true")
			_, err = cs.CoreV1().ConfigMaps(ns).Update(ctx, cm, metav1.UpdateOptions{})
		}
	}
	if err != nil {
		t.Fatalf("label %s: %v", label, err)
	}
}

// makeNoise sends n status-only updates to the Deployment (on top of the
// deployment controller's own); every tenth
// update it also scales the Deployment the way its HPA would (alternating
// the scale subresource and a plain update of spec.replicas) and renews the
// leader annotation of the ConfigMap "lock".
func makeNoise(t *testing.T, cs kubernetes.Interface, ns string, n int) {
	t.Helper()
	ctx := t.Context()
	deps, cms := cs.AppsV1().Deployments(ns), cs.CoreV1().ConfigMaps(ns)
	d, err := deps.Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The deployment controller writes the Deployment too: an update that
	// conflicts with it is made again on the object read afresh.
	deploymentUpdate := func(what string, update func(*appsv1.Deployment) (*appsv1.Deployment, error)) {
		t.Helper()
		err := retry.RetryOnConflict(conflictBackoff, func() error {
			got, err := update(d)
			if err == nil {
				d = got
				return nil
			}
			if fresh, gerr := deps.Get(ctx, "web", metav1.GetOptions{}); gerr == nil {
				d = fresh
			}
			return err
		})
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	for i := 1; i <= n; i++ {
		r := int32(i%5 + 1)
		deploymentUpdate(fmt.Sprintf("status update %d", i), func(d *appsv1.Deployment) (*appsv1.Deployment, error) {
			d.Status = appsv1.DeploymentStatus{
				ObservedGeneration: d.Generation,
				Replicas:           r,
				UpdatedReplicas:    r,
				ReadyReplicas:      r - 1,
				AvailableReplicas:  r - 1,
				Conditions: []appsv1.DeploymentCondition{{
					Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue, Reason: "MinimumReplicasAvailable",
					Message:        fmt.Sprintf("update %d", i),
					LastUpdateTime: metav1.NewTime(time.Date(2030, 1, 1, 0, 0, i%60, 0, time.UTC)),
				}},
			}
			return deps.UpdateStatus(ctx, d, metav1.UpdateOptions{})
		})
		if i%10 != 0 {
			continue
		}
		replicas := int32(i/10%7 + 2)
		if i%20 == 0 {
			deploymentUpdate(fmt.Sprintf("scale %d", i), func(d *appsv1.Deployment) (*appsv1.Deployment, error) {
				scale := &autoscalingv1.Scale{
					ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: ns, ResourceVersion: d.ResourceVersion},
					Spec:       autoscalingv1.ScaleSpec{Replicas: replicas},
				}
				if _, err := deps.UpdateScale(ctx, "web", scale, metav1.UpdateOptions{}); err != nil {
					return nil, err
				}
				return deps.Get(ctx, "web", metav1.GetOptions{})
			})
		} else {
			deploymentUpdate(fmt.Sprintf("replicas update %d", i), func(d *appsv1.Deployment) (*appsv1.Deployment, error) {
				d.Spec.Replicas = &replicas
				return deps.Update(ctx, d, metav1.UpdateOptions{})
			})
		}
		cm, err := cms.Get(ctx, "lock", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		cm.Annotations[leaderAnnotation] = leaderRecord(i)
		if _, err := cms.Update(ctx, cm, metav1.UpdateOptions{}); err != nil {
			t.Fatalf("leader renewal %d: %v", i, err)
		}
	}
}
