package restore

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/clusterscribe/clusterscribe/watcher"
)

// controlPlaneRule names objects the API server makes and keeps for itself.
// Restoring them would at best be undone and at worst break the target: its
// own CA bundle, port and IP allocations are not the recorded cluster's.
type controlPlaneRule struct {
	Description string
	Group, Kind string
	Namespace   string // "" matches cluster-scoped objects and any namespace alike
	Name        string // "" matches every name
	Match       func(*unstructured.Unstructured) bool
}

var controlPlaneRules = []controlPlaneRule{
	{
		Description: "the default/kubernetes Service (its ports are the API server's own)",
		Kind:        "Service", Namespace: "default", Name: "kubernetes",
	},
	{
		Description: "kube-system/extension-apiserver-authentication (the API server's client CAs)",
		Kind:        "ConfigMap", Namespace: "kube-system", Name: "extension-apiserver-authentication",
	},
	{
		Description: "kube-system/kube-apiserver-legacy-service-account-token-tracking",
		Kind:        "ConfigMap", Namespace: "kube-system", Name: "kube-apiserver-legacy-service-account-token-tracking",
	},
	{
		Description: "IPAddresses (Service IP allocations; restored Services get their own)",
		Group:       "networking.k8s.io", Kind: "IPAddress",
	},
	{
		Description: "the default ServiceCIDR \"kubernetes\" (from the API server's flags)",
		Group:       "networking.k8s.io", Kind: "ServiceCIDR", Name: "kubernetes",
	},
	{
		Description: "APIServices the aggregator manages for built-in groups",
		Group:       "apiregistration.k8s.io", Kind: "APIService",
		Match: func(o *unstructured.Unstructured) bool {
			return o.GetLabels()["kube-aggregator.kubernetes.io/automanaged"] != ""
		},
	},
}

// ControlPlaneObjects describes what a restore skips unless
// Config.IncludeControlPlane is set.
func ControlPlaneObjects() []string {
	out := make([]string, len(controlPlaneRules))
	for i, r := range controlPlaneRules {
		out[i] = r.Description
	}
	return out
}

func isControlPlaneObject(res watcher.Resource, obj *unstructured.Unstructured) bool {
	for _, r := range controlPlaneRules {
		if r.Group == res.GVR.Group && r.Kind == res.Kind &&
			(r.Namespace == "" || r.Namespace == obj.GetNamespace()) &&
			(r.Name == "" || r.Name == obj.GetName()) &&
			(r.Match == nil || r.Match(obj)) {
			return true
		}
	}
	return false
}
