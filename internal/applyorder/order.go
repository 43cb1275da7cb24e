// Package applyorder is the one order in which clusterscribe applies
// objects to a cluster (restore, and the manifests tests and the demo
// seed): what others depend on first — CRDs, Namespaces, cluster RBAC,
// ServiceAccounts, Secrets and ConfigMaps, volumes, workloads, Services,
// everything else, admission last; owners before what they own — and the
// levels of that order whose objects can be applied at once.
package applyorder

import (
	"cmp"
	"slices"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// phase is a step of applying; objects of a phase are applied after those
// of every earlier phase.
type phase int

const (
	phaseCRDs       phase = iota // waited for until Established
	phaseNamespaces              //
	phaseCluster                 // cluster RBAC and cluster-wide classes
	phaseAccounts                // ServiceAccounts, namespaced RBAC, quotas
	phaseConfig                  // Secrets and ConfigMaps
	phaseVolumes                 // PersistentVolumes, then claims
	phaseWorkloads               //
	phaseServices                //
	phaseRest                    // everything else, custom resources included
	phaseAdmission               // webhooks, admission policies, APIServices
)

// phases maps kinds to their phase; every other kind is phaseRest.
var phases = map[schema.GroupKind]phase{
	{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}: phaseCRDs,

	{Kind: "Namespace"}: phaseNamespaces,

	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRole"}:        phaseCluster,
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRoleBinding"}: phaseCluster,
	{Group: "scheduling.k8s.io", Kind: "PriorityClass"}:              phaseCluster,
	{Group: "storage.k8s.io", Kind: "StorageClass"}:                  phaseCluster,
	{Group: "networking.k8s.io", Kind: "IngressClass"}:               phaseCluster,
	{Group: "node.k8s.io", Kind: "RuntimeClass"}:                     phaseCluster,

	{Kind: "ServiceAccount"}:                                  phaseAccounts,
	{Group: "rbac.authorization.k8s.io", Kind: "Role"}:        phaseAccounts,
	{Group: "rbac.authorization.k8s.io", Kind: "RoleBinding"}: phaseAccounts,
	{Kind: "ResourceQuota"}:                                   phaseAccounts,
	{Kind: "LimitRange"}:                                      phaseAccounts,

	{Kind: "Secret"}:    phaseConfig,
	{Kind: "ConfigMap"}: phaseConfig,

	{Kind: "PersistentVolume"}:      phaseVolumes,
	{Kind: "PersistentVolumeClaim"}: phaseVolumes,

	{Group: "apps", Kind: "Deployment"}:  phaseWorkloads,
	{Group: "apps", Kind: "StatefulSet"}: phaseWorkloads,
	{Group: "apps", Kind: "DaemonSet"}:   phaseWorkloads,
	{Group: "apps", Kind: "ReplicaSet"}:  phaseWorkloads,
	{Group: "batch", Kind: "Job"}:        phaseWorkloads,
	{Group: "batch", Kind: "CronJob"}:    phaseWorkloads,
	{Kind: "Pod"}:                        phaseWorkloads,
	{Kind: "ReplicationController"}:      phaseWorkloads,

	{Kind: "Service"}: phaseServices,

	{Group: "admissionregistration.k8s.io", Kind: "MutatingWebhookConfiguration"}:     phaseAdmission,
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingWebhookConfiguration"}:   phaseAdmission,
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingAdmissionPolicy"}:        phaseAdmission,
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingAdmissionPolicyBinding"}: phaseAdmission,
	{Group: "admissionregistration.k8s.io", Kind: "MutatingAdmissionPolicy"}:          phaseAdmission,
	{Group: "admissionregistration.k8s.io", Kind: "MutatingAdmissionPolicyBinding"}:   phaseAdmission,
	{Group: "apiregistration.k8s.io", Kind: "APIService"}:                             phaseAdmission,
}

// within orders kinds inside a phase where it matters.
var within = map[schema.GroupKind]int{
	{Kind: "PersistentVolume"}:                                -1, // before the claims that bind to them
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRole"}: -1,
	{Group: "rbac.authorization.k8s.io", Kind: "Role"}:        -1,
	{Kind: "ServiceAccount"}:                                  -2,
}

// CRD is the kind that defines kinds; the order puts CRDs first.
var CRD = schema.GroupKind{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}

func phaseOf(gk schema.GroupKind) phase {
	if p, ok := phases[gk]; ok {
		return p
	}
	return phaseRest
}

// Ref names an object by kind and name, as an ownerReference does.
type Ref struct {
	GroupKind schema.GroupKind
	Name      string
}

// Key is what the order reads of an object.
type Key struct {
	GroupKind schema.GroupKind
	Name      string
	// Owners are the object's ownerReferences.
	Owners []Ref
	// Tie orders objects the rules leave equal (e.g. the file's path);
	// "" keeps their order.
	Tie string
}

// KeyOf reads the key of obj; Tie is left "".
func KeyOf(obj *unstructured.Unstructured) Key {
	k := Key{GroupKind: obj.GroupVersionKind().GroupKind(), Name: obj.GetName()}
	for _, ref := range obj.GetOwnerReferences() {
		gv, _ := schema.ParseGroupVersion(ref.APIVersion) // an owner of a bad apiVersion matches no object
		k.Owners = append(k.Owners, Ref{GroupKind: gv.WithKind(ref.Kind).GroupKind(), Name: ref.Name})
	}
	return k
}

// Compare orders a before b (negative) or after (positive): CRDs first;
// then objects without owners before those with, so owners exist when
// their dependents are linked to them; then by phase, by the order within
// the phase and by Tie.
func Compare(a, b Key) int {
	return cmp.Or(
		cmp.Compare(late(a.GroupKind != CRD), late(b.GroupKind != CRD)),
		cmp.Compare(late(len(a.Owners) > 0), late(len(b.Owners) > 0)),
		cmp.Compare(phaseOf(a.GroupKind), phaseOf(b.GroupKind)),
		cmp.Compare(within[a.GroupKind], within[b.GroupKind]),
		cmp.Compare(a.Tie, b.Tie),
	)
}

// Sort orders items for applying (stable), key telling what each is.
func Sort[T any](items []T, key func(T) Key) {
	slices.SortStableFunc(items, func(a, b T) int { return Compare(key(a), key(b)) })
}

// Levels splits items, sorted by Sort, into consecutive runs whose
// objects do not depend on each other: applied one run after the other,
// the objects of a run at once, every object finds what it finds when
// items are applied one by one. A run holds objects the order ranks equal,
// and ends before an object whose owner is in it. Each level is a
// half-open range [start, end) of items.
func Levels[T any](items []T, key func(T) Key) [][2]int {
	var out [][2]int
	start := 0
	in := map[Ref]bool{} // the objects of the current run
	var first Key
	for i, it := range items {
		k := key(it)
		if i > start && (Compare(rank(first), rank(k)) != 0 || ownerIn(k, in)) {
			out = append(out, [2]int{start, i})
			start = i
			clear(in)
		}
		if i == start {
			first = k
		}
		in[Ref{GroupKind: k.GroupKind, Name: k.Name}] = true
	}
	if start < len(items) {
		out = append(out, [2]int{start, len(items)})
	}
	return out
}

// rank is k without what only breaks ties.
func rank(k Key) Key {
	k.Tie, k.Name = "", ""
	if len(k.Owners) > 0 {
		k.Owners = []Ref{{}}
	}
	return k
}

func ownerIn(k Key, in map[Ref]bool) bool {
	for _, o := range k.Owners {
		if in[o] {
			return true
		}
	}
	return false
}

// late ranks true after false.
func late(b bool) int {
	if b {
		return 1
	}
	return 0
}
