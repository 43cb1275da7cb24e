package operate_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/clusterscribe/clusterscribe/operate"
)

func validateFile(data string) error {
	c, err := operate.Decode([]byte(data))
	if err != nil {
		return err
	}
	return c.Validate()
}

// TestReadOnlyServiceAccount applies the ServiceAccount and RBAC of the
// kustomize base, then runs as that ServiceAccount (impersonated): it
// records, audits, evaluates policies and holds its Lease without one
// request denied, and it cannot write anything else.
func TestReadOnlyServiceAccount(t *testing.T) {
	ns := cluster.Namespace(t, "readonly")
	cs := cluster.Clientset(t)
	seed(t, cs, ns)
	var rbac []*unstructured.Unstructured
	sa := ""
	for _, o := range kustomize(t, ns, "-"+ns) {
		switch o.GetKind() {
		case "ServiceAccount":
			sa = o.GetName()
			rbac = append(rbac, o)
		case "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding":
			rbac = append(rbac, o)
		}
	}
	cluster.Apply(t, "operate-test", rbac...)
	t.Cleanup(func() {
		for _, o := range rbac {
			if o.GetNamespace() == "" {
				_ = deleteObject(cs, o)
			}
		}
	})
	as := rest.CopyConfig(cluster.Config)
	as.Impersonate = rest.ImpersonationConfig{
		UserName: "system:serviceaccount:" + ns + ":" + sa,
		Groups:   []string{"system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"},
	}
	asClient, err := kubernetes.NewForConfig(as)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the ServiceAccount's read access", func() (bool, string) {
		_, err := asClient.CoreV1().ConfigMaps(ns).List(t.Context(), metav1.ListOptions{})
		return err == nil, fmt.Sprint(err)
	})
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "written"}}
	if _, err := asClient.CoreV1().ConfigMaps(ns).Create(t.Context(), cm, metav1.CreateOptions{}); !apierrors.IsForbidden(err) {
		t.Errorf("the ServiceAccount created a ConfigMap: %v", err)
	}
	if _, err := asClient.CoreV1().ConfigMaps(ns).Create(t.Context(), cm, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}); !apierrors.IsForbidden(err) {
		t.Errorf("the ServiceAccount may create ConfigMaps (dry run): %v", err)
	}

	cfg := testConfig(ns, filepath.Join(t.TempDir(), "backup"))
	cfg.Filters.IncludeKinds = nil // everything in the namespace: every kind is listed and watched
	cfg.Audit.Declared = declaredDir(t, ns)
	cfg.Policies.BundledPolicies = true
	run := startRunAs(t, as, cfg)
	addr := run.address(t)
	eventually(t, "ready and audited as the ServiceAccount", func() (bool, string) {
		code, _, _ := get(addr, "/readyz")
		fams := scrape(t, addr)
		audits, _ := sample(fams, operate.MetricAudits, "result", "success")
		commits, _ := sample(fams, operate.MetricCommits)
		modified, _ := sample(fams, operate.MetricDriftFindings, "type", "Modified")
		return code == http.StatusOK && audits >= 1 && commits >= 1 && modified == 1,
			fmt.Sprintf("readyz=%d audits=%v commits=%v modified=%v", code, audits, commits, modified)
	})
	fams := scrape(t, addr)
	for _, code := range []string{"401", "403"} {
		if v, ok := sample(fams, operate.MetricAPIRequests, "code", code); ok && v > 0 {
			t.Errorf("%v requests answered %s", v, code)
		}
	}
	if v, _ := sample(fams, operate.MetricAudits, "result", "error"); v != 0 {
		t.Errorf("%v audits failed", v)
	}
	run.stop(t)
	lease, err := cs.CoordinationV1().Leases(ns).Get(t.Context(), operate.DefaultLeaseName, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("the ServiceAccount's Lease: %v", err)
	}
	if lease.Spec.HolderIdentity == nil {
		t.Errorf("lease without holder: %+v", lease.Spec)
	}
}

func deleteObject(cs kubernetes.Interface, o *unstructured.Unstructured) error {
	ctx, opts := context.Background(), metav1.DeleteOptions{}
	switch o.GetKind() {
	case "ClusterRole":
		return cs.RbacV1().ClusterRoles().Delete(ctx, o.GetName(), opts)
	case "ClusterRoleBinding":
		return cs.RbacV1().ClusterRoleBindings().Delete(ctx, o.GetName(), opts)
	}
	return nil
}
