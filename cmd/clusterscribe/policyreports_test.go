package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

const privilegedApp = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: root-shell
  namespace: %NS%
spec:
  selector: {matchLabels: {app: root-shell}}
  template:
    metadata: {labels: {app: root-shell}}
    spec:
      containers:
        - name: sh
          image: busybox:latest
          securityContext: {privileged: true}
`

// TestAuditWritesPolicyReports: --write-policy-reports applies the policy
// results as PolicyReports; without the CRDs it fails with a clear error.
func TestAuditWritesPolicyReports(t *testing.T) {
	dir, kubeconfig := clusterKubeconfig(t)
	ns := cluster.Namespace(t, "reports")
	manifest := strings.ReplaceAll(privilegedApp, "%NS%", ns)
	declaredDir := filepath.Join(dir, "declared")
	if err := os.Mkdir(declaredDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(declaredDir, "app.yaml"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	applyManifest(t, manifest)
	args := []string{"audit", "--kubeconfig", kubeconfig, "--declared", declaredDir, "--namespaces", ns, "--write-policy-reports", "-o", "json", "--output-file", filepath.Join(dir, "report.json")}

	_, _, err := runCommand(t, args...)
	if err == nil || exitCode(err) != exitFailed || !strings.Contains(err.Error(), "install the PolicyReport CRDs") {
		t.Fatalf("without the CRDs: error %v (exit %d), want exit %d naming the missing CRDs", err, exitCode(err), exitFailed)
	}

	cluster.ApplyDir(t, "gitops", filepath.Join("..", "..", "testdata", "crds"))
	_, _, err = runCommand(t, args...)
	if code := exitCode(err); err == nil || code != exitDrift {
		t.Fatalf("with the CRDs: error %v, exit %d, want %d (policies failed)", err, code, exitDrift)
	}
	dyn := dynamic.NewForConfigOrDie(cluster.Config)
	gvr := schema.GroupVersionResource{Group: "wgpolicyk8s.io", Version: "v1alpha2", Resource: "policyreports"}
	pr, err := dyn.Resource(gvr).Namespace(ns).Get(t.Context(), "clusterscribe", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("PolicyReport in %s: %v", ns, err)
	}
	results, _, _ := unstructured.NestedSlice(pr.Object, "results")
	policies := map[string]bool{}
	for _, r := range results {
		if m, ok := r.(map[string]any); ok {
			policies[m["policy"].(string)] = true
		}
	}
	for _, want := range []string{"privileged-container", "image-tag"} {
		if !policies[want] {
			t.Errorf("PolicyReport results lack %s; have %v", want, policies)
		}
	}
	if mf := pr.GetManagedFields(); len(mf) == 0 || mf[0].Manager != "clusterscribe" {
		t.Errorf("PolicyReport field manager = %+v, want clusterscribe", mf)
	}
}
