package audit_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"

	"github.com/clusterscribe/clusterscribe/audit"
	"github.com/clusterscribe/clusterscribe/audit/declared"
	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/filters"
)

// namesIn is a PolicyEvaluator that reports every object of one namespace
// it is given, and judges every kind but Secrets.
type namesIn struct {
	ns        string
	mu        sync.Mutex
	seen      []string
	fieldSets int // objects given with managedFields field sets
}

func (*namesIn) Judges(_, kind string) bool { return kind != "Secret" }

func (p *namesIn) Evaluate(_ context.Context, objs []*unstructured.Unstructured, live bool) ([]findings.Finding, []findings.PolicyStat, []findings.Problem, error) {
	var out []findings.Finding
	for _, o := range objs {
		if o.GetNamespace() != p.ns {
			continue
		}
		ref := findings.ObjectRef{APIVersion: o.GetAPIVersion(), Kind: o.GetKind(), Namespace: o.GetNamespace(), Name: o.GetName()}
		p.mu.Lock()
		p.seen = append(p.seen, ref.String())
		for _, mf := range o.GetManagedFields() {
			if mf.FieldsV1 != nil || mf.Manager == "" {
				p.fieldSets++
			}
		}
		p.mu.Unlock()
		out = append(out, findings.Finding{Type: findings.Policy, Object: ref, Live: live, Message: "seen"})
	}
	return out, nil, nil, nil
}

// TestRunWithPoliciesListsDeclaredKindsOutOfScope audits with policies,
// which has every kind in scope listed while the declared repo is read,
// and a declared Lease, a kind the default exclusions leave out of that
// scope: it is listed afterwards and its drift found. The policies are
// given the objects in scope of the kinds they judge (not the Lease, not
// the Secret), with managedFields but not their field sets.
func TestRunWithPoliciesListsDeclaredKindsOutOfScope(t *testing.T) {
	ns := cluster.Namespace(t, "policies")
	dir := t.TempDir()
	manifests := `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: NS
data:
  MODE: live
---
apiVersion: v1
kind: Secret
metadata:
  name: token
  namespace: NS
stringData:
  token: not-judged
---
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata:
  name: leader
  namespace: NS
spec:
  holderIdentity: node-a
`
	file := filepath.Join(dir, "app.yaml")
	if err := os.WriteFile(file, []byte(strings.ReplaceAll(manifests, "NS", ns)), 0o644); err != nil {
		t.Fatal(err)
	}
	applyDir(t, dir)
	patch := `{"spec":{"holderIdentity":"node-b"}}`
	if _, err := cluster.Clientset(t).CoordinationV1().Leases(ns).Patch(t.Context(), "leader", types.MergePatchType, []byte(patch), metav1.PatchOptions{FieldManager: "kubectl-edit"}); err != nil {
		t.Fatal(err)
	}

	pol := &namesIn{ns: ns}
	rep, err := audit.Run(t.Context(), cluster.Config, audit.Config{
		Declared: declared.Options{Source: dir},
		Filters:  filters.Options{Namespaces: []string{ns}},
		Policies: pol,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []summary{
		{
			Type: findings.Modified, Object: "Lease.coordination.k8s.io " + ns + "/leader", Source: "app.yaml:17",
			Paths: []string{"spec.holderIdentity"}, Managers: []string{"kubectl-edit Update"},
		},
		{Type: findings.Policy, Object: "ConfigMap " + ns + "/settings"},
	}
	if diff := cmp.Diff(want, summarize(rep.Findings)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	slices.Sort(pol.seen)
	if diff := cmp.Diff([]string{"ConfigMap " + ns + "/settings"}, pol.seen); diff != "" {
		t.Errorf("objects judged (-want +got):\n%s", diff)
	}
	if pol.fieldSets != 0 {
		t.Errorf("%d managedFields entries reached the policies with their field sets (or without manager)", pol.fieldSets)
	}
}
