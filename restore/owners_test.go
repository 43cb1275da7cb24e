package restore

import (
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestOwnerReferences: recorded ownerReferences carry the old cluster's
// uids; the restore points them at the owners in the target and drops
// those whose owner is not there.
func TestOwnerReferences(t *testing.T) {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	ns := "owners-" + hex.EncodeToString(b)
	base := "lab/namespaces/" + ns + "/core/configmaps/"
	repo := commitFiles(t, "lab", DefaultRef, map[string]string{
		"lab/cluster/core/namespaces/" + ns + ".yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + ns + "\n",
		base + "parent.yaml":                          "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: parent\n  namespace: " + ns + "\n",
		base + "child.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: child\n  namespace: " + ns + "\n  ownerReferences:\n" +
			"  - apiVersion: v1\n    kind: ConfigMap\n    name: parent\n    uid: 11111111-2222-3333-4444-555555555555\n" +
			"  - apiVersion: v1\n    kind: ConfigMap\n    name: ghost\n    uid: 66666666-2222-3333-4444-555555555555\n",
	})
	sum, err := Run(t.Context(), clusterB.Config, Config{Source: Source{Repo: repo}, QPS: 200, Burst: 400, Logger: testLogger(t)})
	if err != nil {
		t.Fatalf("restore: %v\n%s", err, report(t, sum))
	}
	cms := clusterB.Clientset(t).CoreV1().ConfigMaps(ns)
	parent, err := cms.Get(t.Context(), "parent", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	child, err := cms.Get(t.Context(), "child", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []metav1.OwnerReference{{APIVersion: "v1", Kind: "ConfigMap", Name: "parent", UID: parent.UID}}
	if diff := cmp.Diff(want, child.OwnerReferences); diff != "" {
		t.Errorf("ownerReferences (-want +got):\n%s", diff)
	}
	var note string
	for _, r := range sum.Results {
		if r.Object.Name == "child" {
			note = r.Reason
		}
	}
	if diff := cmp.Diff("ownerReferences dropped, owner not in the cluster: ConfigMap/ghost", note); diff != "" {
		t.Errorf("note (-want +got):\n%s", diff)
	}
}
