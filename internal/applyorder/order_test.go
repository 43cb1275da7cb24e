package applyorder

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestSortAndLevels(t *testing.T) {
	mk := func(group, kind, name string, owners ...Ref) Key {
		path := group + "/" + kind + "/" + name // as a backup's path: core/pods/… after apps/replicasets/…
		if group == "" {
			path = "core/" + kind + "/" + name
		}
		return Key{GroupKind: schema.GroupKind{Group: group, Kind: kind}, Name: name, Owners: owners, Tie: path}
	}
	rs := Ref{GroupKind: schema.GroupKind{Group: "apps", Kind: "ReplicaSet"}, Name: "web-1"}
	deploy := Ref{GroupKind: schema.GroupKind{Group: "apps", Kind: "Deployment"}, Name: "web"}
	other := Ref{GroupKind: schema.GroupKind{Kind: "ConfigMap"}, Name: "elsewhere"}
	// Given in reverse of the wanted order.
	in := []Key{
		mk("", "Pod", "web-1-a", rs), // its owner is in the same rank: a level after it
		mk("", "Pod", "web-0-b", other),
		mk("apps", "ReplicaSet", "web-1", deploy),
		mk("admissionregistration.k8s.io", "ValidatingWebhookConfiguration", "hook"),
		mk("example.com", "Widget", "w"),
		mk("apps", "Deployment", "web"),
		mk("rbac.authorization.k8s.io", "Role", "r"),
		mk("", "ServiceAccount", "sa"),
		mk("", "Secret", "s"),
		mk("", "ConfigMap", "c2"),
		mk("", "ConfigMap", "c1"),
		mk("", "Namespace", "y"),
		mk("", "Namespace", "x"),
		mk("apiextensions.k8s.io", "CustomResourceDefinition", "widgets.example.com"),
		mk("apiextensions.k8s.io", "CustomResourceDefinition", "gadgets.example.com"),
	}
	Sort(in, func(k Key) Key { return k })
	var got [][]string
	for _, lv := range Levels(in, func(k Key) Key { return k }) {
		var names []string
		for _, k := range in[lv[0]:lv[1]] {
			names = append(names, k.Name)
		}
		got = append(got, names)
	}
	want := [][]string{
		{"gadgets.example.com", "widgets.example.com"},
		{"x", "y"},
		{"sa"},
		{"r"},
		{"c1", "c2", "s"}, // Secrets and ConfigMaps together
		{"web"},
		{"w"},
		{"hook"},
		{"web-1", "web-0-b"}, // owned, after every possible owner
		{"web-1-a"},          // after its owner
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("levels (-want +got):\n%s", diff)
	}
}

func TestLevelsOfNothing(t *testing.T) {
	if got := Levels([]Key{}, func(k Key) Key { return k }); len(got) != 0 {
		t.Errorf("Levels(nothing) = %v", got)
	}
}
