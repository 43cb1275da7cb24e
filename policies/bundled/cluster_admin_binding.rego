# METADATA
# title: cluster-admin bound to non-system subjects
# description: >-
#   The cluster-admin ClusterRole can do anything to any object. Only
#   Kubernetes' own subjects (system:masters, system:* users) should hold it;
#   people and workloads get narrower roles.
# custom:
#   id: cluster-admin-binding
#   severity: critical
#   remediation: >-
#     Bind the subject to a role that grants only what it needs; keep
#     break-glass access to cluster-admin outside everyday bindings.
#   controls:
#   - {framework: CIS, id: "5.1.1", title: Ensure that the cluster-admin role is only used where required}
#   - {framework: NSA-CISA, id: authorization/rbac, title: Role-based access control}
#   match:
#     kinds:
#     - apiGroups: [rbac.authorization.k8s.io]
#       kinds: [ClusterRoleBinding, RoleBinding]
package clusterscribe.bundled.cluster_admin_binding

import rego.v1

deny contains msg if {
	input.roleRef.kind == "ClusterRole"
	input.roleRef.name == "cluster-admin"
	some s in input.subjects
	not startswith(s.name, "system:")
	msg := sprintf("binds cluster-admin to %s %q", [s.kind, subject_name(s)])
}

subject_name(s) := sprintf("%s/%s", [s.namespace, s.name]) if {
	s.kind == "ServiceAccount"
	s.namespace
}

subject_name(s) := s.name if {
	not s.kind == "ServiceAccount"
}

subject_name(s) := s.name if {
	s.kind == "ServiceAccount"
	not s.namespace
}
