package restore

import (
	"cmp"
	"slices"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// phase is a step of a restore; objects of a phase are applied after those
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

func phaseOf(gk schema.GroupKind) phase {
	if p, ok := phases[gk]; ok {
		return p
	}
	return phaseRest
}

// sortItems orders items for applying: CRDs first; then objects without
// ownerReferences before those with, so owners exist when their dependents
// are linked to them (see relinkOwners); then by phase, by the order within
// the phase and by path, so the order is the same on every run.
func sortItems(items []item) {
	slices.SortStableFunc(items, func(a, b item) int {
		ga, gb := a.res.GroupKind(), b.res.GroupKind()
		return cmp.Or(
			compareBool(!isCRD(ga), !isCRD(gb)),
			compareBool(owned(a), owned(b)),
			cmp.Compare(phaseOf(ga), phaseOf(gb)),
			cmp.Compare(within[ga], within[gb]),
			cmp.Compare(a.path, b.path),
		)
	})
}

func owned(it item) bool { return len(it.obj.GetOwnerReferences()) > 0 }

// compareBool orders false before true.
func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	default:
		return -1
	}
}
