package policies

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/clusterscribe/clusterscribe/audit/findings"
)

// TestInventoryNeeds checks which objects the inventory holds for what
// the rules read: only the kinds they name, and everything as soon as a
// reference cannot be pinned down.
func TestInventoryNeeds(t *testing.T) {
	type kind struct{ apiVersion, kind string }
	probe := []kind{
		{"v1", "ConfigMap"},
		{"v1", "ServiceAccount"},
		{"v1", "Secret"},
		{"networking.k8s.io/v1", "NetworkPolicy"},
		{"networking.k8s.io/v1", "Ingress"},
		{"apps/v1", "Deployment"},
	}
	tests := []struct {
		name  string
		rego  string // body of a rule reading the inventory; "" for none
		wants []kind
	}{
		{"none", "", nil},
		{"one kind", `data.inventory.namespace[input.metadata.namespace].v1.ConfigMap[_]`, []kind{{"v1", "ConfigMap"}}},
		{"cluster section", `data.inventory.cluster["apps/v1"].Deployment[_]`, []kind{{"apps/v1", "Deployment"}}},
		{"any groupVersion", `data.inventory.namespace[_][_].Ingress[_]`, []kind{{"networking.k8s.io/v1", "Ingress"}}},
		{"any kind", `data.inventory.namespace[_].v1[_]`, []kind{{"v1", "ConfigMap"}, {"v1", "ServiceAccount"}, {"v1", "Secret"}}},
		{"whole namespace", `data.inventory.namespace.ns`, probe},
		{"whole inventory", `x := data.inventory; x.cluster`, probe},
		{"any section", `some s; data.inventory[s]`, probe},
		{"inside a call heading a reference", `object.get(data.inventory.namespace, "ns", {}).v1`, probe},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "package p\n\ndeny contains \"x\" if input.kind == \"Pod\"\n"
			if tt.rego != "" {
				src += "\nreads if {\n\t" + tt.rego + "\n}\n"
			}
			e := loadRego(t, Options{}, map[string]string{"p.rego": src})
			var got []kind
			for _, k := range probe {
				if e.needs.wants(k.apiVersion, k.kind) {
					got = append(got, k)
				}
			}
			if diff := cmp.Diff(tt.wants, got, cmp.AllowUnexported(kind{})); diff != "" {
				t.Errorf("inventory holds (-want +got):\n%s", diff)
			}
		})
	}
}

// TestBundledInventoryNeeds checks that the bundled policies need only the
// NetworkPolicies and ServiceAccounts in the inventory, so that the
// ConfigMaps, Secrets and workloads of a cluster are never held for it.
func TestBundledInventoryNeeds(t *testing.T) {
	e := mustLoad(t, Options{})
	want := map[gvKind]bool{{"networking.k8s.io/v1", "NetworkPolicy"}: true, {"v1", "ServiceAccount"}: true}
	if e.needs.all || !cmp.Equal(want, e.needs.kinds) {
		t.Errorf("needs = all %v, kinds %v; want %v", e.needs.all, e.needs.kinds, want)
	}
}

// TestInventoryFromLibrary checks that what a library module reads counts,
// and that objects left out of the inventory are still evaluated.
func TestInventoryFromLibrary(t *testing.T) {
	e := loadRego(t, Options{}, map[string]string{
		"lib.rego": "package lib\n\nsecrets(ns) := [n | some n, _ in data.inventory.namespace[ns].v1.Secret]\n",
		"p.rego":   "package p\n\nimport data.lib\n\ndeny contains sprintf(\"%s sees %v\", [input.kind, lib.secrets(input.metadata.namespace)]) if true\n",
	})
	secret := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Secret", "metadata": map[string]any{"name": "s", "namespace": "ns"}}}
	fs, _, _ := mustEvaluate(t, e, []*unstructured.Unstructured{configMap("c", nil), secret}, true)
	want := []row{
		{"p.deny", "ConfigMap ns/c", findings.Fail, `ConfigMap sees ["s"]`},
		{"p.deny", "Secret ns/s", findings.Fail, `Secret sees ["s"]`},
	}
	checkRows(t, want, fs)
}

// TestJudges checks which kinds the bundled policies judge (by match or
// through the inventory), that a policy without match judges every kind,
// and that leaving the other kinds out changes no result.
func TestJudges(t *testing.T) {
	e := mustLoad(t, Options{Params: Params{AllowedRegistries: []string{"ghcr.io/acme"}, RequiredLabels: []LabelRequirement{{Key: "team"}}}})
	for _, tt := range []struct {
		apiVersion, kind string
		want             bool
	}{
		{"apps/v1", "Deployment", true},
		{"batch/v1", "CronJob", true},
		{"v1", "Service", true},
		{"v1", "Namespace", true},
		{"networking.k8s.io/v1", "NetworkPolicy", true}, // read from the inventory
		{"v1", "ServiceAccount", true},
		{"v1", "ConfigMap", false},
		{"v1", "Secret", false},
		{"coordination.k8s.io/v1", "Lease", false},
		{"example.com/v1", "Widget", false},
	} {
		if got := e.Judges(tt.apiVersion, tt.kind); got != tt.want {
			t.Errorf("Judges(%s, %s) = %v, want %v", tt.apiVersion, tt.kind, got, tt.want)
		}
	}

	objs := benchObjects(600)
	var judged []*unstructured.Unstructured
	for _, o := range objs {
		if e.Judges(o.GetAPIVersion(), o.GetKind()) {
			judged = append(judged, o)
		}
	}
	if len(judged) == len(objs) {
		t.Fatal("every object is judged: nothing left out")
	}
	allFs, allStats, _ := mustEvaluate(t, e, objs, true)
	fs, stats, _ := mustEvaluate(t, e, judged, true)
	if diff := cmp.Diff(allFs, fs); diff != "" {
		t.Errorf("findings without the objects not judged (-all +judged):\n%s", diff)
	}
	if diff := cmp.Diff(allStats, stats); diff != "" {
		t.Errorf("stats without the objects not judged (-all +judged):\n%s", diff)
	}

	unmatched := loadRego(t, Options{}, map[string]string{"p.rego": "package p\n\ndeny contains \"x\" if false\n"})
	if !unmatched.Judges("example.com/v1", "Widget") {
		t.Error("a policy without match does not judge every kind")
	}
}
