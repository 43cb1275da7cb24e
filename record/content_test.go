package record_test

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/clusterscribe/clusterscribe/internal/secretscan"
	"github.com/clusterscribe/clusterscribe/internal/testcluster"
)

var redactedMarker = regexp.MustCompile(`^<redacted:[0-9a-f]{12}>$`)

// TestRecordFollowsChanges creates, updates and deletes objects of several
// kinds while record runs, and checks the files that follow them.
func TestRecordFollowsChanges(t *testing.T) {
	ns := cluster.Namespace(t, "content")
	cs := clientset(t)
	repo := filepath.Join(t.TempDir(), "backup")
	cfg, logs := newConfig(ns, repo, "ConfigMap", "Secret", "Deployment", "Service", "Role", "HorizontalPodAutoscaler")
	rec := startRecord(t, cfg, logs)
	rec.waitSynced(t)

	createContentObjects(t, cs, ns)
	paths := map[string]string{
		"configmap.yaml":  nsPath(ns, "", "configmaps", "app-config"),
		"secret":          nsPath(ns, "", "secrets", "app-credentials"),
		"deployment.yaml": nsPath(ns, "apps", "deployments", "web"),
		"service.yaml":    nsPath(ns, "", "services", "web"),
		"role.yaml":       nsPath(ns, "rbac.authorization.k8s.io", "roles", "web-reader"),
		"hpa.yaml":        nsPath(ns, "autoscaling", "horizontalpodautoscalers", "web"),
	}
	all := make([]string, 0, len(paths))
	for _, p := range paths {
		all = append(all, p)
	}
	waitFiles(t, rec, repo, true, all...)

	for name, p := range paths {
		data, _ := show(repo, branchRef, p)
		checkNormalized(t, p, data)
		if strings.HasSuffix(name, ".yaml") {
			checkGolden(t, name, ns, data)
		}
	}
	svc := parseYAML(t, mustShow(t, repo, paths["service.yaml"]))
	for _, k := range []string{"clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"} {
		if v, ok := svc["spec"].(map[string]any)[k]; ok {
			t.Errorf("Service file keeps spec.%s = %v", k, v)
		}
	}
	dep := parseYAML(t, mustShow(t, repo, paths["deployment.yaml"]))
	if v, ok := dep["spec"].(map[string]any)["replicas"]; ok {
		t.Errorf("Deployment targeted by an HPA keeps spec.replicas = %v", v)
	}
	marker := secretValue(t, mustShow(t, repo, paths["secret"]), "password")
	if !redactedMarker.MatchString(marker) {
		t.Errorf("Secret data.password = %q, want a redaction marker", marker)
	}

	// Updates.
	testcluster.UpdateConfigMap(t, cs, ns, "app-config", func(data map[string]string) { data["greeting"] = "hello again" })
	d, err := cs.AppsV1().Deployments(ns).Get(t.Context(), "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d.Spec.Template.Spec.Containers[0].Image = "registry.example/web:1.1"
	if _, err := cs.AppsV1().Deployments(ns).Update(t.Context(), d, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	s, err := cs.CoreV1().Secrets(ns).Get(t.Context(), "app-credentials", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s.Data["password"] = []byte(secretscan.Canary())
	if _, err := cs.CoreV1().Secrets(ns).Update(t.Context(), s, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	got := waitContent(t, rec, repo, paths["configmap.yaml"], "greeting updated", func(s string) bool {
		return strings.Contains(s, "greeting: hello again")
	})
	checkGolden(t, "configmap-updated.yaml", ns, got)
	waitContent(t, rec, repo, paths["deployment.yaml"], "image updated", func(s string) bool {
		return strings.Contains(s, "image: registry.example/web:1.1") && !strings.Contains(s, "web:1.0")
	})
	waitContent(t, rec, repo, paths["secret"], "redaction marker changed", func(s string) bool {
		m := secretValue(t, s, "password")
		return m != marker && redactedMarker.MatchString(m)
	})

	// Deletes. Without its HPA, the Deployment's replicas are recorded again.
	deleteAll(t, cs, ns)
	gone := []string{paths["configmap.yaml"], paths["secret"], paths["service.yaml"], paths["role.yaml"], paths["hpa.yaml"]}
	waitFiles(t, rec, repo, false, gone...)
	waitContent(t, rec, repo, paths["deployment.yaml"], "replicas back once the HPA is gone", func(s string) bool {
		return strings.Contains(s, "\n  replicas: 3\n")
	})
	if diff := strings.Join(files(t, repo), "\n"); diff != paths["deployment.yaml"] {
		t.Errorf("files at the tip:\n%s\nwant only %s", diff, paths["deployment.yaml"])
	}
	rec.stop(t)

	log := gitOut(t, repo, "log", "--format=%B", branchRef)
	for _, want := range []string{"test: ", "added", "changed", "removed", ns + "/app-config"} {
		if !strings.Contains(log, want) {
			t.Errorf("commit messages lack %q:\n%s", want, log)
		}
	}
	if out := gitOut(t, repo, "status", "--porcelain"); out != "" {
		t.Errorf("working tree not in step with the branch:\n%s", out)
	}
	gitOut(t, repo, "fsck", "--strict", "--no-dangling")
}

func mustShow(t *testing.T, dir, path string) string {
	t.Helper()
	s, ok := show(dir, branchRef, path)
	if !ok {
		t.Fatalf("%s missing at the branch tip", path)
	}
	return s
}

// secretValue returns data.<key> of a recorded Secret.
func secretValue(t *testing.T, file, key string) string {
	t.Helper()
	data, _ := parseYAML(t, file)["data"].(map[string]any)
	v, _ := data[key].(string)
	return v
}

func createContentObjects(t *testing.T, cs kubernetes.Interface, ns string) {
	t.Helper()
	ctx := t.Context()
	labels := map[string]string{"app": "web"}
	create := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("create %s: %v", what, err)
		}
	}
	_, err := cs.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "app-config", Labels: labels},
		Data:       map[string]string{"greeting": "hello", "app.properties": "a=1\nb=2\n"},
	}, metav1.CreateOptions{})
	create("configmap", err)
	_, err = cs.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "app-credentials", Labels: labels},
		StringData: map[string]string{"password": secretscan.Canary(), "user": "web"},
	}, metav1.CreateOptions{})
	create("secret", err)
	replicas := int32(3)
	_, err = cs.AppsV1().Deployments(ns).Create(ctx, &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Labels: labels},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name:  "web",
					Image: "registry.example/web:1.0",
					Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
				}}},
			},
		},
	}, metav1.CreateOptions{})
	create("deployment", err)
	_, err = cs.CoreV1().Services(ns).Create(ctx, &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Labels: labels},
		Spec: corev1.ServiceSpec{
			Selector: labels,
			Ports:    []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromString("http")}},
		},
	}, metav1.CreateOptions{})
	create("service", err)
	_, err = cs.RbacV1().Roles(ns).Create(ctx, &rbacv1.Role{
		ObjectMeta: metav1.ObjectMeta{Name: "web-reader", Labels: labels},
		Rules: []rbacv1.PolicyRule{{
			APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get", "list", "watch"},
		}},
	}, metav1.CreateOptions{})
	create("role", err)
	minReplicas, utilization := int32(2), int32(80)
	_, err = cs.AutoscalingV2().HorizontalPodAutoscalers(ns).Create(ctx, &autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Labels: labels},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "web"},
			MinReplicas:    &minReplicas,
			MaxReplicas:    5,
			Metrics: []autoscalingv2.MetricSpec{{
				Type: autoscalingv2.ResourceMetricSourceType,
				Resource: &autoscalingv2.ResourceMetricSource{
					Name:   corev1.ResourceCPU,
					Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: &utilization},
				},
			}},
		},
	}, metav1.CreateOptions{})
	create("hpa", err)
}

// deleteAll deletes every object of createContentObjects but the
// Deployment.
func deleteAll(t *testing.T, cs kubernetes.Interface, ns string) {
	t.Helper()
	ctx, opts := t.Context(), metav1.DeleteOptions{}
	for what, err := range map[string]error{
		"configmap": cs.CoreV1().ConfigMaps(ns).Delete(ctx, "app-config", opts),
		"secret":    cs.CoreV1().Secrets(ns).Delete(ctx, "app-credentials", opts),
		"service":   cs.CoreV1().Services(ns).Delete(ctx, "web", opts),
		"role":      cs.RbacV1().Roles(ns).Delete(ctx, "web-reader", opts),
		"hpa":       cs.AutoscalingV2().HorizontalPodAutoscalers(ns).Delete(ctx, "web", opts),
	} {
		if err != nil {
			t.Fatalf("delete %s: %v", what, err)
		}
	}
}

// TestRecordCRDCreatedWhileRunning creates a CRD and custom resources while
// record runs: their files appear without a restart, and deleting the CRD
// removes them.
func TestRecordCRDCreatedWhileRunning(t *testing.T) {
	ns := cluster.Namespace(t, "crd")
	group := ns + ".clusterscribe.test"
	run := map[string]string{"clusterscribe.test/run": ns}
	repo := filepath.Join(t.TempDir(), "backup")
	// The kinds do not exist yet, so no kind pattern could be checked at
	// start: a label selector scopes the cluster-scoped CRD instead.
	cfg, logs := newConfig(ns, repo)
	cfg.Filters.Selector = "clusterscribe.test/run=" + ns
	rec := startRecord(t, cfg, logs)
	rec.waitSynced(t)

	ext := apiextensionsclient.NewForConfigOrDie(cluster.Config)
	crd := testcluster.CRD(group, "Gadget")
	crd.Labels = run
	if _, err := ext.ApiextensionsV1().CustomResourceDefinitions().Create(t.Context(), crd, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = ext.ApiextensionsV1().CustomResourceDefinitions().Delete(context.WithoutCancel(t.Context()), crd.Name, metav1.DeleteOptions{})
	})
	gvr := schema.GroupVersionResource{Group: group, Version: "v1", Resource: "gadgets"}
	gadgets := dynamic.NewForConfigOrDie(cluster.Config).Resource(gvr).Namespace(ns)
	for _, name := range []string{"alpha", "beta"} {
		g := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": group + "/v1", "kind": "Gadget",
			"metadata": map[string]any{"name": name, "labels": map[string]any{"clusterscribe.test/run": ns}},
			"spec":     map[string]any{"size": int64(3), "color": "blue"},
		}}
		// The new resource is served a moment after the CRD is created.
		eventually(t, rec, "create Gadget "+name, func() (bool, string) {
			_, err := gadgets.Create(t.Context(), g, metav1.CreateOptions{})
			return err == nil, fmt.Sprint(err)
		})
	}
	crdFile := "test/cluster/apiextensions.k8s.io/customresourcedefinitions/" + crd.Name + ".yaml"
	alpha, beta := nsPath(ns, group, "gadgets", "alpha"), nsPath(ns, group, "gadgets", "beta")
	waitFiles(t, rec, repo, true, crdFile, alpha, beta)

	got := parseYAML(t, mustShow(t, repo, alpha))
	want := map[string]any{
		"apiVersion": group + "/v1",
		"kind":       "Gadget",
		"metadata":   map[string]any{"name": "alpha", "namespace": ns, "labels": map[string]any{"clusterscribe.test/run": ns}},
		"spec":       map[string]any{"size": float64(3), "color": "blue"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("recorded Gadget (-want +got):\n%s", diff)
	}
	checkNormalized(t, crdFile, mustShow(t, repo, crdFile))

	a, err := gadgets.Get(t.Context(), "alpha", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := unstructured.SetNestedField(a.Object, int64(5), "spec", "size"); err != nil {
		t.Fatal(err)
	}
	if _, err := gadgets.Update(t.Context(), a, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitContent(t, rec, repo, alpha, "size updated", func(s string) bool { return strings.Contains(s, "size: 5") })

	// An object whose labels no longer match leaves the scope, and its file
	// goes; it comes back with the label.
	b, err := gadgets.Get(t.Context(), "beta", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b.SetLabels(nil)
	if b, err = gadgets.Update(t.Context(), b, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFiles(t, rec, repo, false, beta)
	b.SetLabels(run)
	if _, err := gadgets.Update(t.Context(), b, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFiles(t, rec, repo, true, beta)

	if err := ext.ApiextensionsV1().CustomResourceDefinitions().Delete(t.Context(), crd.Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFiles(t, rec, repo, false, crdFile, alpha, beta)
	rec.stop(t)
	if left := files(t, repo); len(left) != 0 {
		t.Errorf("files left after the CRD was deleted: %v", left)
	}
}
