package audit

import (
	"sync"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/clusterscribe/clusterscribe/filters"
	"github.com/clusterscribe/clusterscribe/watcher"
)

// createdByCluster reports live objects the API server or its controllers
// create by themselves (and objects being deleted): never Unmanaged,
// whatever the scope.
func createdByCluster(obj *unstructured.Unstructured) bool {
	if obj.GetDeletionTimestamp() != nil {
		return true
	}
	gvk := obj.GroupVersionKind()
	switch {
	case gvk.Group == "" && gvk.Kind == "Namespace":
		switch obj.GetName() {
		case "default", "kube-system", "kube-public", "kube-node-lease":
			return true
		}
	case gvk.Group == "" && gvk.Kind == "ServiceAccount":
		return obj.GetName() == "default"
	case gvk.Group == "" && gvk.Kind == "ConfigMap":
		return obj.GetName() == "kube-root-ca.crt"
	}
	return false
}

// defaultExclusions is the filter of the default exclusions alone
// (controller-owned children, token Secrets, the API server's own
// objects, ...), for the default Unmanaged scope.
var defaultExclusions = sync.OnceValue(func() *filters.Filter {
	f, err := filters.New(filters.Options{})
	if err != nil {
		panic("audit: default filter: " + err.Error()) // the defaults are data, checked by the filters tests
	}
	return f
})

// resourceOf describes obj's kind for the filters when the served
// resource is not at hand (kind patterns of the default exclusions name
// kinds, not plural resources).
func resourceOf(obj *unstructured.Unstructured) watcher.Resource {
	gvk := obj.GroupVersionKind()
	return watcher.Resource{GVR: gvk.GroupVersion().WithResource(""), Kind: gvk.Kind, Namespaced: obj.GetNamespace() != ""}
}
