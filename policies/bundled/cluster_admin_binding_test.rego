package clusterscribe.bundled.cluster_admin_binding_test

import data.clusterscribe.bundled.cluster_admin_binding.deny
import rego.v1

binding(role, subjects) := {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": "ClusterRoleBinding",
	"metadata": {"name": "b"},
	"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
	"subjects": subjects,
}

test_allowed_system_masters if {
	count(deny) == 0 with input as binding("cluster-admin", [{"kind": "Group", "name": "system:masters"}])
}

test_allowed_other_role if {
	count(deny) == 0 with input as binding("view", [{"kind": "User", "name": "alice"}])
}

test_denied_user if {
	deny == {`binds cluster-admin to User "alice"`} with input as binding("cluster-admin", [
		{"kind": "Group", "name": "system:masters"},
		{"kind": "User", "name": "alice"},
	])
}

test_denied_service_account if {
	deny == {`binds cluster-admin to ServiceAccount "kube-system/tiller"`} with input as binding("cluster-admin", [{"kind": "ServiceAccount", "name": "tiller", "namespace": "kube-system"}])
}
