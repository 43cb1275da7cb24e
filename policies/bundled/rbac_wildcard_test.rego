package clusterscribe.bundled.rbac_wildcard_test

import data.clusterscribe.bundled.rbac_wildcard.deny
import rego.v1

role(rules) := {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": "ClusterRole",
	"metadata": {"name": "ops"},
	"rules": rules,
}

test_allowed_explicit_rules if {
	count(deny) == 0 with input as role([{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "list", "watch"]}])
}

test_allowed_bootstrap_role if {
	r := object.union(
		role([{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]),
		{"metadata": {"name": "cluster-admin", "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"}}},
	)
	count(deny) == 0 with input as r
}

test_denied_wildcard_verbs if {
	deny == {`rule 2 grants all verbs ("*")`} with input as role([
		{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]},
		{"apiGroups": [""], "resources": ["secrets"], "verbs": ["*"]},
	])
}

test_denied_wildcard_resources_and_verbs if {
	deny == {`rule 1 grants all verbs ("*")`, `rule 1 grants all resources ("*")`} with input as role([{"apiGroups": ["apps"], "resources": ["*"], "verbs": ["*"]}])
}
