package audit_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/clusterscribe/clusterscribe/audit"
	"github.com/clusterscribe/clusterscribe/audit/declared"
	"github.com/clusterscribe/clusterscribe/audit/findings"
)

// drift makes the five changes the end-to-end tests expect to find: a
// scale, an image change, a label added by another field manager, a
// deleted object and one created by hand.
func drift(t *testing.T, ns string) {
	t.Helper()
	cs := cluster.Clientset(t)
	ctx := t.Context()
	scale := &autoscalingv1.Scale{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: ns}, Spec: autoscalingv1.ScaleSpec{Replicas: 5}}
	if _, err := cs.AppsV1().Deployments(ns).UpdateScale(ctx, "web", scale, metav1.UpdateOptions{FieldManager: "kubectl-scale"}); err != nil {
		t.Fatal(err)
	}
	image := `{"spec":{"template":{"spec":{"containers":[{"name":"api","image":"registry.example.com/api:2.0.1-hotfix"}]}}}}`
	if _, err := cs.AppsV1().Deployments(ns).Patch(ctx, "api", types.StrategicMergePatchType, []byte(image), metav1.PatchOptions{FieldManager: "kubectl-set"}); err != nil {
		t.Fatal(err)
	}
	label := `{"metadata":{"labels":{"hotfix":"true"}}}`
	if _, err := cs.CoreV1().Services(ns).Patch(ctx, "web", types.MergePatchType, []byte(label), metav1.PatchOptions{FieldManager: "kubectl-label"}); err != nil {
		t.Fatal(err)
	}
	if err := cs.CoreV1().ConfigMaps(ns).Delete(ctx, "feature-flags", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "hotfix", Namespace: ns}, Data: map[string]string{"PATCH": "1"}}
	if _, err := cs.CoreV1().ConfigMaps(ns).Create(ctx, cm, metav1.CreateOptions{FieldManager: "kubectl-create"}); err != nil {
		t.Fatal(err)
	}
}

func wantDrift(ns string) []summary {
	return []summary{
		{
			Type: findings.Modified, Object: "Deployment.apps " + ns + "/api", Source: "workloads.yaml:33",
			Paths:    []string{"spec.template.spec.containers[name=api].image"},
			Managers: []string{"kubectl-set Update"},
		},
		{
			Type: findings.Modified, Object: "Deployment.apps " + ns + "/web", Source: "workloads.yaml:1",
			Paths:    []string{"spec.replicas"},
			Managers: []string{"kubectl-scale Update (scale)"},
		},
		{
			Type: findings.Modified, Object: "Service " + ns + "/web", Source: "workloads.yaml:56",
			Paths:    []string{"metadata.labels.hotfix"},
			Managers: []string{"kubectl-label Update"},
		},
		{Type: findings.MissingLive, Object: "ConfigMap " + ns + "/feature-flags", Source: "app.yaml:10"},
		{Type: findings.Unmanaged, Object: "ConfigMap " + ns + "/hotfix", Managers: []string{"kubectl-create Update"}},
	}
}

func TestRunFindsExactlyTheDrift(t *testing.T) {
	for name, serverSide := range map[string]bool{"local": false, "server-side": true} {
		t.Run(name, func(t *testing.T) {
			ns := cluster.Namespace(t, "audit")
			dir := declaredDir(t, "e2e", ns)
			applyDir(t, dir)

			rep, err := audit.Run(t.Context(), cluster.Config, audit.Config{Declared: declared.Options{Source: dir}, ServerSide: serverSide})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Findings) != 0 || len(rep.Problems) != 0 {
				t.Fatalf("just applied: want no findings, got %+v", rep)
			}

			drift(t, ns)
			rep, err = audit.Run(t.Context(), cluster.Config, audit.Config{Declared: declared.Options{Source: dir}, ServerSide: serverSide})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(wantDrift(ns), summarize(rep.Findings)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			if len(rep.Problems) != 0 {
				t.Errorf("problems: %+v", rep.Problems)
			}
		})
	}
}
