package clusterscribe.bundled.default_service_account_token_test

import data.clusterscribe.bundled.default_service_account_token.deny
import data.clusterscribe.lib.fixtures
import rego.v1

sa(name, automount) := {
	"apiVersion": "v1",
	"kind": "ServiceAccount",
	"metadata": {"name": name, "namespace": "shop"},
	"automountServiceAccountToken": automount,
}

inventory_with_default(automount) := {"namespace": {"shop": {"v1": {"ServiceAccount": {"default": sa("default", automount)}}}}}

test_allowed_default_sa_without_automount if {
	count(deny) == 0 with input as sa("default", false)
}

test_allowed_other_sa if {
	count(deny) == 0 with input as object.remove(sa("builder", true), ["automountServiceAccountToken"])
}

test_allowed_own_service_account if {
	spec := {"serviceAccountName": "app", "containers": [fixtures.hardened]}
	count(deny) == 0 with input as fixtures.deployment(spec)
}

test_allowed_pod_opts_out if {
	spec := {"automountServiceAccountToken": false, "containers": [fixtures.hardened]}
	count(deny) == 0 with input as fixtures.deployment(spec)
}

test_allowed_namespace_default_opts_out if {
	count(deny) == 0 with input as fixtures.deployment(fixtures.with_container(fixtures.hardened))
		with data.inventory as inventory_with_default(false)
}

test_denied_default_sa_automounts if {
	deny == {"the default ServiceAccount automounts its token: set automountServiceAccountToken: false"} with input as object.remove(sa("default", true), ["automountServiceAccountToken"])
}

test_denied_workload_uses_default if {
	deny == {"pods use the default ServiceAccount and mount its token"} with input as fixtures.deployment(fixtures.with_container(fixtures.hardened))
		with data.inventory as inventory_with_default(true)
}

test_denied_workload_names_default if {
	spec := {"serviceAccountName": "default", "containers": [fixtures.hardened]}
	deny == {"pods use the default ServiceAccount and mount its token"} with input as fixtures.pod(spec)
}
