package filters

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/clusterscribe/clusterscribe/watcher"
)

func res(group, version, resource, kind string, namespaced bool) watcher.Resource {
	return watcher.Resource{
		GVR:        schema.GroupVersionResource{Group: group, Version: version, Resource: resource},
		Kind:       kind,
		Namespaced: namespaced,
	}
}

// Resources a v1.36 cluster with metrics-server and two CRDs serves.
var (
	rConfigMap          = res("", "v1", "configmaps", "ConfigMap", true)
	rSecret             = res("", "v1", "secrets", "Secret", true)
	rIPAddress          = res("networking.k8s.io", "v1", "ipaddresses", "IPAddress", false)
	rAPIService         = res("apiregistration.k8s.io", "v1", "apiservices", "APIService", false)
	rFlowSchema         = res("flowcontrol.apiserver.k8s.io", "v1", "flowschemas", "FlowSchema", false)
	rPod                = res("", "v1", "pods", "Pod", true)
	rService            = res("", "v1", "services", "Service", true)
	rNamespace          = res("", "v1", "namespaces", "Namespace", false)
	rNode               = res("", "v1", "nodes", "Node", false)
	rEvent              = res("", "v1", "events", "Event", true)
	rEndpoints          = res("", "v1", "endpoints", "Endpoints", true)
	rComponentStatus    = res("", "v1", "componentstatuses", "ComponentStatus", false)
	rBinding            = res("", "v1", "bindings", "Binding", true)
	rEventsV1           = res("events.k8s.io", "v1", "events", "Event", true)
	rLease              = res("coordination.k8s.io", "v1", "leases", "Lease", true)
	rLeaseCandidate     = res("coordination.k8s.io", "v1beta1", "leasecandidates", "LeaseCandidate", true)
	rEndpointSlice      = res("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", true)
	rPodMetrics         = res("metrics.k8s.io", "v1beta1", "pods", "PodMetrics", true)
	rNodeMetrics        = res("metrics.k8s.io", "v1beta1", "nodes", "NodeMetrics", false)
	rTokenReview        = res("authentication.k8s.io", "v1", "tokenreviews", "TokenReview", false)
	rSelfSubjectReview  = res("authentication.k8s.io", "v1", "selfsubjectreviews", "SelfSubjectReview", false)
	rSubjectAccess      = res("authorization.k8s.io", "v1", "subjectaccessreviews", "SubjectAccessReview", false)
	rSelfSubjectAccess  = res("authorization.k8s.io", "v1", "selfsubjectaccessreviews", "SelfSubjectAccessReview", false)
	rLocalSubjectAccess = res("authorization.k8s.io", "v1", "localsubjectaccessreviews", "LocalSubjectAccessReview", true)
	rSelfSubjectRules   = res("authorization.k8s.io", "v1", "selfsubjectrulesreviews", "SelfSubjectRulesReview", false)
	rCSR                = res("certificates.k8s.io", "v1", "certificatesigningrequests", "CertificateSigningRequest", false)
	rControllerRevision = res("apps", "v1", "controllerrevisions", "ControllerRevision", true)
	rDeployment         = res("apps", "v1", "deployments", "Deployment", true)
	rReplicaSet         = res("apps", "v1", "replicasets", "ReplicaSet", true)
	rJob                = res("batch", "v1", "jobs", "Job", true)
	rClusterRole        = res("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", false)
	rCertificate        = res("cert-manager.io", "v1", "certificates", "Certificate", true)
	rWidget             = res("example.com", "v1", "widgets", "Widget", true)
	// A CRD that reuses built-in kind names in its own group.
	rWidgetEvent  = res("example.com", "v1", "events", "Event", true)
	rWidgetReview = res("example.com", "v1", "codereviews", "CodeReview", true)
)

var served = []watcher.Resource{
	rConfigMap, rSecret, rPod, rService, rNamespace, rNode, rEvent, rEndpoints,
	rComponentStatus, rBinding, rEventsV1, rLease, rLeaseCandidate, rEndpointSlice,
	rPodMetrics, rNodeMetrics, rTokenReview, rSelfSubjectReview, rSubjectAccess,
	rSelfSubjectAccess, rLocalSubjectAccess, rSelfSubjectRules, rCSR,
	rControllerRevision, rDeployment, rReplicaSet, rJob, rClusterRole,
	rCertificate, rWidget, rWidgetEvent, rWidgetReview,
}

// object builds an object of r named name in namespace ns ("" for
// cluster-scoped), changed by the mutators.
func object(r watcher.Resource, ns, name string, mutate ...func(*unstructured.Unstructured)) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{}}
	u.SetAPIVersion(r.GVR.GroupVersion().String())
	u.SetKind(r.Kind)
	u.SetNamespace(ns)
	u.SetName(name)
	for _, m := range mutate {
		m(u)
	}
	return u
}

func withLabels(l map[string]string) func(*unstructured.Unstructured) {
	return func(u *unstructured.Unstructured) { u.SetLabels(l) }
}

func withType(t string) func(*unstructured.Unstructured) {
	return func(u *unstructured.Unstructured) { u.Object["type"] = t }
}

func withOwner(kind string, controller bool) func(*unstructured.Unstructured) {
	return func(u *unstructured.Unstructured) {
		refs := append(u.GetOwnerReferences(), metav1.OwnerReference{
			APIVersion: "apps/v1", Kind: kind, Name: "parent", UID: "1234",
			Controller: &controller,
		})
		u.SetOwnerReferences(refs)
	}
}

func mustNew(t testing.TB, o Options) *Filter {
	t.Helper()
	f, err := New(o)
	if err != nil {
		t.Fatalf("New(%+v): %v", o, err)
	}
	return f
}

func withLabel(k, v string) func(*unstructured.Unstructured) {
	return func(o *unstructured.Unstructured) {
		l := o.GetLabels()
		if l == nil {
			l = map[string]string{}
		}
		l[k] = v
		o.SetLabels(l)
	}
}

func withAnnotation(k, v string) func(*unstructured.Unstructured) {
	return func(o *unstructured.Unstructured) {
		a := o.GetAnnotations()
		if a == nil {
			a = map[string]string{}
		}
		a[k] = v
		o.SetAnnotations(a)
	}
}
