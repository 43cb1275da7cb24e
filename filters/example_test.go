package filters_test

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/clusterscribe/clusterscribe/filters"
	"github.com/clusterscribe/clusterscribe/watcher"
)

func ExampleFilter_Allow() {
	f, err := filters.New(filters.Options{
		Namespaces: []string{"team-*"},
		Selector:   "app",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	secrets := watcher.Resource{
		GVR:        schema.GroupVersionResource{Version: "v1", Resource: "secrets"},
		Kind:       "Secret",
		Namespaced: true,
	}
	for _, o := range []struct{ ns, name, typ string }{
		{"team-a", "db", "Opaque"},
		{"kube-system", "db", "Opaque"},
		{"team-a", "build-token", "kubernetes.io/service-account-token"},
	} {
		obj := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "v1", "kind": "Secret", "type": o.typ,
			"metadata": map[string]any{
				"namespace": o.ns, "name": o.name,
				"labels": map[string]any{"app": "api"},
			},
		}}
		ok, reason := f.Allow(secrets, obj)
		fmt.Printf("%s/%s: %v %q\n", o.ns, o.name, ok, reason)
	}
	// Output:
	// team-a/db: true ""
	// kube-system/db: false "namespace"
	// team-a/build-token: false "sa-token-secrets"
}
