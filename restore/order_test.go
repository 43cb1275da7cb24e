package restore

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/clusterscribe/clusterscribe/watcher"
)

func TestSortItems(t *testing.T) {
	mk := func(group, kind, path string) item {
		return item{
			path: path,
			res:  watcher.Resource{GVR: schema.GroupVersionResource{Group: group}, Kind: kind},
			obj:  &unstructured.Unstructured{Object: map[string]any{}},
		}
	}
	ownedBy := func(it item) item {
		it.obj.SetOwnerReferences([]metav1.OwnerReference{{APIVersion: "v1", Kind: "ConfigMap", Name: "owner", UID: "u"}})
		return it
	}
	// Given in reverse of the wanted order.
	in := []item{
		ownedBy(mk("", "ConfigMap", "a-owned-configmap")),
		ownedBy(mk("", "Namespace", "a-owned-namespace")),
		mk("apiregistration.k8s.io", "APIService", "apiservice"),
		mk("admissionregistration.k8s.io", "ValidatingWebhookConfiguration", "webhook"),
		mk("example.com", "Widget", "widget"),
		mk("example.com", "Service", "custom-service"),
		mk("networking.k8s.io", "Ingress", "ingress"),
		mk("", "Service", "service"),
		mk("batch", "CronJob", "cronjob"),
		mk("apps", "Deployment", "deployment"),
		mk("", "PersistentVolumeClaim", "pvc"),
		mk("", "PersistentVolume", "pv"),
		mk("", "Secret", "secret"),
		mk("", "ConfigMap", "configmap"),
		mk("rbac.authorization.k8s.io", "RoleBinding", "rolebinding"),
		mk("rbac.authorization.k8s.io", "Role", "role"),
		mk("", "ServiceAccount", "serviceaccount"),
		mk("rbac.authorization.k8s.io", "ClusterRoleBinding", "clusterrolebinding"),
		mk("rbac.authorization.k8s.io", "ClusterRole", "clusterrole"),
		mk("", "Namespace", "namespace"),
		mk("apiextensions.k8s.io", "CustomResourceDefinition", "crd"),
	}
	sortItems(in)
	var got []string
	for _, it := range in {
		got = append(got, it.path)
	}
	want := []string{
		"crd", "namespace",
		"clusterrole", "clusterrolebinding",
		"serviceaccount", "role", "rolebinding",
		"configmap", "secret", // same phase: by path
		"pv", "pvc",
		"cronjob", "deployment",
		"service",
		"custom-service", "ingress", "widget", // everything else, custom resources included
		"apiservice", "webhook",
		"a-owned-namespace", "a-owned-configmap", // after their possible owners
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}
