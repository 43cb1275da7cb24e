package policies

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// TestMatch checks Gatekeeper's match semantics on one object at a time.
func TestMatch(t *testing.T) {
	nsLabels := map[string]map[string]string{
		"shop": {"tier": "prod"},
		"lab":  {"tier": "dev"},
	}
	pod := obj("v1", "Pod", "shop", "web", map[string]string{"app": "web"})
	labPod := obj("v1", "Pod", "lab", "nb", nil)
	ghostPod := obj("v1", "Pod", "ghost", "p", nil)
	deploy := obj("apps/v1", "Deployment", "shop", "web", nil)
	ns := obj("v1", "Namespace", "", "shop", map[string]string{"tier": "prod"})
	kubeNS := obj("v1", "Namespace", "", "kube-system", nil)
	role := obj("rbac.authorization.k8s.io/v1", "ClusterRole", "", "admin", nil)

	tests := []struct {
		name  string
		match map[string]any
		obj   *object
		want  bool
	}{
		{"empty matches all", nil, role, true},
		{"kind and core group", map[string]any{"kinds": []any{kinds([]any{""}, "Pod")}}, pod, true},
		{"kind in another group", map[string]any{"kinds": []any{kinds([]any{""}, "Deployment")}}, deploy, false},
		{"wildcard group", map[string]any{"kinds": []any{kinds([]any{"*"}, "Deployment")}}, deploy, true},
		{"wildcard kind", map[string]any{"kinds": []any{kinds([]any{"apps"}, "*")}}, deploy, true},
		{"no apiGroups means any group", map[string]any{"kinds": []any{map[string]any{"kinds": []any{"Deployment"}}}}, deploy, true},
		{"workloads", map[string]any{"kinds": "workloads"}, deploy, true},
		{"workloads leave roles out", map[string]any{"kinds": "workloads"}, role, false},
		{"namespaces", map[string]any{"namespaces": []any{"shop"}}, pod, true},
		{"namespaces miss", map[string]any{"namespaces": []any{"other"}}, pod, false},
		{"namespaces prefix glob", map[string]any{"namespaces": []any{"sh*"}}, pod, true},
		{"namespaces suffix glob", map[string]any{"namespaces": []any{"*-system"}}, kubeNS, true},
		{"namespaces match a Namespace by name", map[string]any{"namespaces": []any{"shop"}}, ns, true},
		{"namespaces ignore cluster-scoped objects", map[string]any{"namespaces": []any{"shop"}}, role, true},
		{"excludedNamespaces", map[string]any{"excludedNamespaces": []any{"kube-*"}}, kubeNS, false},
		{"excludedNamespaces other", map[string]any{"excludedNamespaces": []any{"kube-*"}}, pod, true},
		{"scope Cluster takes Namespaces", map[string]any{"scope": "Cluster"}, ns, true},
		{"scope Cluster leaves pods", map[string]any{"scope": "Cluster"}, pod, false},
		{"scope Namespaced", map[string]any{"scope": "Namespaced"}, pod, true},
		{"scope Namespaced leaves Namespaces", map[string]any{"scope": "Namespaced"}, ns, false},
		{"labelSelector", map[string]any{"labelSelector": map[string]any{"matchLabels": map[string]any{"app": "web"}}}, pod, true},
		{"labelSelector expression", map[string]any{"labelSelector": map[string]any{"matchExpressions": []any{
			map[string]any{"key": "app", "operator": "NotIn", "values": []any{"web"}},
		}}}, pod, false},
		{"namespaceSelector", map[string]any{"namespaceSelector": map[string]any{"matchLabels": map[string]any{"tier": "prod"}}}, pod, true},
		{"namespaceSelector other namespace", map[string]any{"namespaceSelector": map[string]any{"matchLabels": map[string]any{"tier": "prod"}}}, labPod, false},
		{"namespaceSelector on a Namespace reads its labels", map[string]any{"namespaceSelector": map[string]any{"matchLabels": map[string]any{"tier": "prod"}}}, ns, true},
		{"namespaceSelector matches cluster-scoped objects", map[string]any{"namespaceSelector": map[string]any{"matchLabels": map[string]any{"tier": "prod"}}}, role, true},
		{"namespaceSelector unknown namespace has no labels", map[string]any{"namespaceSelector": map[string]any{"matchExpressions": []any{
			map[string]any{"key": "tier", "operator": "DoesNotExist"},
		}}}, ghostPod, true},
		{"name glob", map[string]any{"name": "we*"}, pod, true},
		{"name miss", map[string]any{"name": "api"}, pod, false},
		{"source is accepted", map[string]any{"source": "All"}, pod, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var raw any
			if tt.match != nil {
				raw = tt.match
			}
			m, err := decodeMatch(raw)
			if err != nil {
				t.Fatal(err)
			}
			if got := m.matches(tt.obj, func(ns string) map[string]string { return nsLabels[ns] }); got != tt.want {
				t.Errorf("matches = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestMatchErrors(t *testing.T) {
	tests := []struct {
		name  string
		match any
		want  string
	}{
		{"not an object", []any{}, "match: want an object, got []interface {}"},
		{"unknown field", map[string]any{"kind": []any{}}, `match: json: unknown field "kind"`},
		{"bad kinds string", map[string]any{"kinds": "pods"}, `match: kinds: "pods" is neither a list nor "workloads"`},
		{"bad scope", map[string]any{"scope": "cluster"}, `match: scope "cluster" is not one of *, Cluster, Namespaced`},
		{"bad selector", map[string]any{"labelSelector": map[string]any{"matchExpressions": []any{
			map[string]any{"key": "a", "operator": "Sometimes"},
		}}}, "match: labelSelector:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeMatch(tt.match)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
		})
	}
}

func kinds(groups []any, kind string) map[string]any {
	return map[string]any{"apiGroups": groups, "kinds": []any{kind}}
}

func obj(apiVersion, kind, ns, name string, labels map[string]string) *object {
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": apiVersion, "kind": kind}}
	u.SetNamespace(ns)
	u.SetName(name)
	u.SetLabels(labels)
	o, err := newObject(u, nil)
	if err != nil {
		panic(err)
	}
	return o
}
