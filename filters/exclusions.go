package filters

import (
	"slices"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Exclusion is one default rule that drops objects nobody wants in a backup
// or an audit: they are derived, short-lived, not stored, or secret material
// the cluster recreates by itself.
type Exclusion struct {
	// Name is what --include-excluded takes to switch the rule off.
	Name string
	// Description says what the rule drops and why.
	Description string
	// Kinds are the kinds the rule covers, as kind patterns ("Event.core",
	// "*.metrics.k8s.io"); empty means every kind.
	Kinds []string
	// Object, when set, narrows the rule to the objects of Kinds for which it
	// returns true. When nil the rule drops the kinds as a whole, so they are
	// not even watched.
	Object func(obj *unstructured.Unstructured) bool
}

// defaultExclusions is the table behind DefaultExclusions.
var defaultExclusions = []Exclusion{
	{
		Name:        "events",
		Description: "Events (core and events.k8s.io): a log of what happened, not desired state",
		Kinds:       []string{"Event.core", "Event.events.k8s.io"},
	},
	{
		Name:        "leases",
		Description: "Leases and LeaseCandidates: leader election and node heartbeats, renewed every few seconds",
		Kinds:       []string{"Lease.coordination.k8s.io", "LeaseCandidate.coordination.k8s.io"},
	},
	{
		Name:        "endpoints",
		Description: "Endpoints: derived from Services and Pods by the endpoints controller",
		Kinds:       []string{"Endpoints.core"},
	},
	{
		Name:        "endpointslices",
		Description: "EndpointSlices: derived from Services and Pods by the endpointslice controller",
		Kinds:       []string{"EndpointSlice.discovery.k8s.io"},
	},
	{
		Name:        "metrics",
		Description: "metrics.k8s.io (and custom/external metrics): live measurements served by an aggregated API, not stored",
		Kinds:       []string{"*.metrics.k8s.io", "*.custom.metrics.k8s.io", "*.external.metrics.k8s.io"},
	},
	{
		Name:        "reviews",
		Description: "TokenReview, SubjectAccessReview and the other review kinds: create-only questions to the API server, never stored",
		Kinds:       []string{"*Review.authentication.k8s.io", "*Review.authorization.k8s.io", "*Review.imagepolicy.k8s.io"},
	},
	{
		Name:        "csrs",
		Description: "CertificateSigningRequests and PodCertificateRequests: short-lived requests, garbage-collected once answered",
		Kinds:       []string{"CertificateSigningRequest.certificates.k8s.io", "PodCertificateRequest.certificates.k8s.io"},
	},
	{
		Name:        "nodes",
		Description: "Nodes: registered by the kubelets of the machines, not declared",
		Kinds:       []string{"Node.core"},
	},
	{
		Name:        "controllerrevisions",
		Description: "ControllerRevisions: history kept by the StatefulSet and DaemonSet controllers",
		Kinds:       []string{"ControllerRevision.apps"},
	},
	{
		Name:        "componentstatuses",
		Description: "ComponentStatuses: health computed on each read, not stored (deprecated API)",
		Kinds:       []string{"ComponentStatus.core"},
	},
	{
		Name:        "bindings",
		Description: "Bindings: create-only requests that assign a Pod to a Node, never stored",
		Kinds:       []string{"Binding.core"},
	},
	{
		Name:        "ipaddresses",
		Description: "IPAddresses: the API server's bookkeeping of allocated Service IPs, derived from Services",
		Kinds:       []string{"IPAddress.networking.k8s.io"},
	},
	{
		Name: "apiserver-defaults",
		Description: "objects every kube-apiserver creates and keeps up to date by itself: automanaged APIServices, " +
			"bootstrap RBAC (label kubernetes.io/bootstrapping=rbac-defaults), auto-updated FlowSchemas and " +
			"PriorityLevelConfigurations, the system-* PriorityClasses, the default ServiceCIDR, " +
			"the default/kubernetes Service and the API server's own kube-system ConfigMaps",
		Kinds: []string{
			"APIService.apiregistration.k8s.io",
			"ClusterRole.rbac.authorization.k8s.io", "ClusterRoleBinding.rbac.authorization.k8s.io",
			"Role.rbac.authorization.k8s.io", "RoleBinding.rbac.authorization.k8s.io",
			"FlowSchema.flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration.flowcontrol.apiserver.k8s.io",
			"PriorityClass.scheduling.k8s.io", "ServiceCIDR.networking.k8s.io",
			"Service.core", "ConfigMap.core",
		},
		Object: isAPIServerDefault,
	},
	{
		Name:        ReasonOwned,
		Description: "objects with a controller ownerReference (Pods of a ReplicaSet, ReplicaSets of a Deployment, Jobs of a CronJob, ...): the parent is recorded instead",
		Object:      hasControllerOwner,
	},
	{
		Name:        "sa-token-secrets",
		Description: "Secrets of type kubernetes.io/service-account-token: token material the control plane fills in",
		Kinds:       []string{"Secret.core"},
		Object:      hasSecretType("kubernetes.io/service-account-token"),
	},
	{
		Name:        "helm-release-secrets",
		Description: "Secrets of type helm.sh/release.v1: Helm's release history, rewritten on every upgrade",
		Kinds:       []string{"Secret.core"},
		Object:      hasSecretType("helm.sh/release.v1"),
	},
	{
		Name:        "kube-root-ca",
		Description: "ConfigMaps named kube-root-ca.crt: published into every namespace by the control plane",
		Kinds:       []string{"ConfigMap.core"},
		Object:      hasName("kube-root-ca.crt"),
	},
}

// DefaultExclusions returns the default exclusion rules, in the order they
// are checked. The result is a copy: changing it changes nothing else.
func DefaultExclusions() []Exclusion {
	out := slices.Clone(defaultExclusions)
	for i := range out {
		out[i].Kinds = slices.Clone(out[i].Kinds)
	}
	return out
}

// exclusionNames lists the names of the default exclusions, in table order.
func exclusionNames() []string {
	names := make([]string, len(defaultExclusions))
	for i, e := range defaultExclusions {
		names[i] = e.Name
	}
	return names
}

// compiledExclusion is an active Exclusion with its kind patterns compiled.
type compiledExclusion struct {
	name   string
	kinds  []kindPattern
	object func(*unstructured.Unstructured) bool
}

func (e *compiledExclusion) coversAllKinds() bool { return len(e.kinds) == 0 }

func hasSecretType(typ string) func(*unstructured.Unstructured) bool {
	return func(obj *unstructured.Unstructured) bool {
		t, _ := obj.Object["type"].(string)
		return t == typ
	}
}

func hasName(name string) func(*unstructured.Unstructured) bool {
	return func(obj *unstructured.Unstructured) bool {
		return metaString(metadata(obj), "name") == name
	}
}

// isAPIServerDefault reports objects that kube-apiserver itself creates and
// reconciles at every start; restoring them is never needed.
func isAPIServerDefault(obj *unstructured.Unstructured) bool {
	md := metadata(obj)
	name, ns := metaString(md, "name"), metaString(md, "namespace")
	labels, _ := md["labels"].(map[string]any)
	annotations, _ := md["annotations"].(map[string]any)
	switch obj.GetKind() {
	case "APIService":
		_, ok := labels["kube-aggregator.kubernetes.io/automanaged"]
		return ok
	case "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding":
		return labels["kubernetes.io/bootstrapping"] == "rbac-defaults"
	case "FlowSchema", "PriorityLevelConfiguration":
		return annotations["apf.kubernetes.io/autoupdate-spec"] == "true"
	case "PriorityClass":
		return name == "system-cluster-critical" || name == "system-node-critical"
	case "ServiceCIDR":
		return name == "kubernetes"
	case "Service":
		return ns == "default" && name == "kubernetes"
	case "ConfigMap":
		return ns == "kube-system" && (name == "extension-apiserver-authentication" ||
			name == "kube-apiserver-legacy-service-account-token-tracking")
	}
	return false
}
